"""Follow the link sent to a new email address."""

from __future__ import annotations

import reflex as rx

from studioos.services import account
from studioos.services.errors import ServiceError
from studioos.ui.backend import anonymous, client_of
from studioos.ui.layout import public_page


class ConfirmEmailState(rx.State):
    done: bool = False
    message: str = ""

    @rx.event
    def on_load(self) -> None:
        client = client_of(self.router)
        try:
            with anonymous() as db:
                email = account.confirm_email_change(
                    # The route's [token], a root-state var (router.page is deprecated).
                    db,
                    str(self.token or ""),  # type: ignore[attr-defined]
                    client.ip,
                    client.user_agent,
                )
        except ServiceError as exc:
            self.done, self.message = False, exc.message
            return
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
