"""Follow the link mailed at sign-up: the studio and its owner are created, and this browser signed in."""

from __future__ import annotations

import reflex as rx

from studioos.services import auth
from studioos.ui.backend import anonymous, client_of, signed_in
from studioos.ui.layout import public_page
from studioos.ui.service_call import Answer, public_event


class ConfirmSignUpState(rx.State):
    message: str = ""

    # Invalid, used, expired or the address taken meanwhile: the message says which; no cookie is set.
    @public_event
    def on_load(self) -> Answer:
        client = client_of(self.router)
        token = str(getattr(self, "token", "") or "")  # the route's [token], a root-state var
        with anonymous() as db:
            user, studio_id = auth.confirm_sign_up(db, token, client)
            # In the same unit of work: a browser without StudioOS's cookie creates nothing yet,
            # and the link still works once cookies are allowed.
            return signed_in(db, user, client, studio_id)


def page() -> rx.Component:
    return public_page(
        rx.heading("Create your studio", size="6"),
        rx.cond(
            ConfirmSignUpState.message != "",
            rx.vstack(
                rx.callout(
                    ConfirmSignUpState.message,
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                    id="confirm-signup-result",
                ),
                rx.hstack(
                    rx.link("Sign in", href="/signin", size="2"),
                    rx.spacer(),
                    rx.link("Sign up again", href="/signup", size="2"),
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            rx.hstack(rx.spinner(), rx.text("Creating your studio…", size="2"), align="center"),
        ),
    )
