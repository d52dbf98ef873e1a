"""Follow the link mailed at sign-up: the studio and its owner are created, and this browser signed in."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from studioos.services import auth
from studioos.services.errors import ServiceError
from studioos.ui.backend import anonymous, client_of, hard_navigate
from studioos.ui.layout import public_page


class ConfirmSignUpState(rx.State):
    message: str = ""

    @rx.event
    def on_load(self):  # type: ignore[no-untyped-def]
        self.message = ""
        client = client_of(self.router)
        token = str(self.token or "")  # type: ignore[attr-defined]  # the route's [token], a root-state var
        try:
            with anonymous() as db:
                user, studio_id = auth.confirm_sign_up(db, token, client)
                # In the same unit of work: a browser without StudioOS's cookie creates nothing yet,
                # and the link still works once cookies are allowed.
                code = auth.create_handoff(db, user, studio_id, client=client)
        except ServiceError as exc:  # invalid, used, expired or address taken meanwhile; no cookie
            self.message = exc.message
            return None
        return hard_navigate(f"/api/auth/complete?code={quote(code)}&next=/dashboard")


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
