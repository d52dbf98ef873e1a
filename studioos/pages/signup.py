"""Sign up: a new studio and its owner."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from studioos.services import auth
from studioos.services.errors import ValidationFailed
from studioos.services.validation import COMMON_CURRENCIES, timezone_choices
from studioos.ui.backend import anonymous, client_of, hard_navigate
from studioos.ui.components import form_field, form_message, select_field
from studioos.ui.layout import public_page

TIMEZONES = timezone_choices()


class SignUpState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""

    @rx.event
    def submit(self, form: dict):  # type: ignore[no-untyped-def]
        self.errors, self.message = {}, ""
        try:
            with anonymous() as db:
                user = auth.sign_up(
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
                code = auth.create_handoff(db, user, client=client_of(self.router))
        except auth.BrowserUnknown as exc:
            self.message = exc.message
            return None
        except ValidationFailed as exc:
            self.errors = exc.errors
            self.message = exc.message
            return None
        return hard_navigate(f"/api/auth/complete?code={quote(code)}&next=/dashboard")


def page() -> rx.Component:
    e = SignUpState.errors
    return public_page(
        rx.vstack(
            rx.heading("Create your studio", size="6"),
            rx.text("Run models, rooms, shifts and payouts in one place.", color_scheme="gray", size="2"),
            spacing="1",
        ),
        form_message(SignUpState.message),
        rx.form(
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
        ),
        rx.text("Already have an account? ", rx.link("Sign in", href="/signin"), size="2"),
        width="32rem",
    )
