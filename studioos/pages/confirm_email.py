"""Follow the link sent to a new email address."""

from __future__ import annotations

import reflex as rx

from studioos.services import account
from studioos.ui.backend import anonymous, client_of
from studioos.ui.layout import public_page
from studioos.ui.service_call import public_event


class ConfirmEmailState(rx.State):
    done: bool = False
    message: str = ""

    # Invalid, used or expired, or the address taken meanwhile: the message says which.
    @public_event
    def on_load(self) -> None:
        self.done = False
        client = client_of(self.router)
        with anonymous() as db:
            # The route's [token], a root-state var (router.page is deprecated).
            token = str(getattr(self, "token", "") or "")
            email = account.confirm_email_change(db, token, client.ip, client.user_agent)
        self.done, self.message = True, f"Your sign-in address is now {email}."


def page() -> rx.Component:
    return public_page(
        rx.heading("Email address", size="6"),
        rx.cond(
            ConfirmEmailState.message != "",
            rx.cond(
                ConfirmEmailState.done,
                rx.callout(
                    ConfirmEmailState.message,
                    icon="circle-check",
                    color_scheme="green",
                    id="confirm-email-result",
                ),
                rx.callout(
                    ConfirmEmailState.message,
                    icon="triangle-alert",
                    color_scheme="red",
                    id="confirm-email-result",
                ),
            ),
            rx.spinner(),
        ),
        rx.link("Go to StudioOS", href="/dashboard", size="2"),
    )
