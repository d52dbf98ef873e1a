"""Ask for a password reset link."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.services import password_reset
from studioos.ui.backend import anonymous, client_of
from studioos.ui.components import form_field, form_message
from studioos.ui.layout import public_page
from studioos.ui.service_call import public_event

SENT = (
    "If an account uses this address, we have sent it a link to choose a new password. "
    "The link works once, for one hour."
)


class ForgotState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""
    sent: bool = False

    @rx.event
    def on_load(self) -> None:
        self.errors, self.message, self.sent = {}, "", False

    @public_event(errors="errors")
    def submit(self, form: dict[str, Any]) -> None:
        client = client_of(self.router)
        with anonymous() as db:
            password_reset.request_reset(db, str(form.get("email", "")), client.ip, client.user_agent)
        self.sent = True


def page() -> rx.Component:
    return public_page(
        rx.heading("Reset your password", size="6"),
        form_message(ForgotState.message),
        rx.cond(
            ForgotState.sent,
            rx.callout(SENT, icon="mail-check", color_scheme="green", id="reset-sent"),
            rx.form(
                rx.vstack(
                    rx.text("Enter the email you sign in with.", size="2", color_scheme="gray"),
                    form_field("Email", "email", ForgotState.errors, type="email", auto_complete="email"),
                    rx.button("Send the link", type="submit", size="3", width="100%", id="forgot-submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=ForgotState.submit,
                width="100%",
            ),
        ),
        rx.link("Back to sign in", href="/signin", size="2"),
    )
