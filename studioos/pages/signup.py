"""Sign up: ask for a new studio; the link mailed to the address creates it (pages/confirm_signup)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.services import auth
from studioos.services.validation import COMMON_CURRENCIES, timezone_choices
from studioos.ui.backend import anonymous, client_of
from studioos.ui.components import form_field, form_message, select_field
from studioos.ui.layout import public_page
from studioos.ui.service_call import public_event

TIMEZONES = timezone_choices()


class SignUpState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""
    # The address the confirmation link went to ("" while the form is shown).
    sent_to: str = ""

    @rx.event
    def on_load(self) -> None:
        self.errors, self.message, self.sent_to = {}, "", ""

    # Throttled, or the mail could not be sent: the message above the form says so.
    @public_event(errors="errors", summary=True)
    def submit(self, form: dict[str, Any]) -> None:
        with anonymous() as db:
            # The same answer whether or not the address already has an account.
            self.sent_to = auth.sign_up(
                db,
                studio_name=str(form.get("studio_name", "")),
                timezone=str(form.get("timezone", "")),
                currency=str(form.get("currency", "")),
                name=str(form.get("name", "")),
                email=str(form.get("email", "")),
                password=str(form.get("password", "")),
                password_confirm=str(form.get("password_confirm", "")),
                client=client_of(self.router),
            )

    @rx.event
    def start_over(self) -> None:
        self.errors, self.message, self.sent_to = {}, "", ""


def _sent() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.text("Check your email: we sent a link to ", rx.text.strong(SignUpState.sent_to), "."),
            icon="mail",
            color_scheme="green",
            width="100%",
            id="signup-sent",
        ),
        rx.text(
            "Follow it within 24 hours to create your studio. No mail? Look in the spam folder, "
            "or check the address and try again.",
            size="2",
            color_scheme="gray",
        ),
        rx.button("Use another address", on_click=SignUpState.start_over, variant="soft"),
        spacing="3",
        width="100%",
    )


def _form() -> rx.Component:
    e = SignUpState.errors
    return rx.form(
        rx.vstack(
            rx.text("Studio", weight="bold", size="2"),
            form_field("Studio name", "studio_name", e, max_length=120, placeholder="Aurora Studio"),
            rx.hstack(
                select_field("Time zone", "timezone", TIMEZONES, e, default_value="Europe/Bucharest"),
                select_field("Currency", "currency", COMMON_CURRENCIES, e, default_value="EUR"),
                width="100%",
            ),
            rx.separator(),
            rx.text("You, the owner", weight="bold", size="2"),
            form_field("Your name", "name", e, max_length=120, auto_complete="name"),
            form_field("Email", "email", e, type="email", auto_complete="email"),
            form_field(
                "Password",
                "password",
                e,
                type="password",
                auto_complete="new-password",
                hint="12 to 128 characters. A few unrelated words make a strong one.",
            ),
            form_field(
                "Repeat the password",
                "password_confirm",
                e,
                type="password",
                auto_complete="new-password",
            ),
            rx.text(
                "By creating a studio you accept our ",
                rx.link("privacy policy", href="/privacy"),
                ".",
                size="1",
                color_scheme="gray",
            ),
            rx.button("Create studio", type="submit", size="3", width="100%", id="signup-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=SignUpState.submit,
        method="post",  # never a GET with the password in the URL
        width="100%",
    )


def page() -> rx.Component:
    return public_page(
        rx.vstack(
            rx.heading("Create your studio", size="6"),
            rx.text("Run models, rooms, shifts and payouts in one place.", color_scheme="gray", size="2"),
            spacing="1",
        ),
        form_message(SignUpState.message),
        rx.cond(SignUpState.sent_to != "", _sent(), _form()),
        rx.text("Already have an account? ", rx.link("Sign in", href="/signin"), size="2"),
        width="32rem",
    )
