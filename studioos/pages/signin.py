"""Sign in."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import reflex as rx

from studioos.api.routes import safe_next
from studioos.services import auth
from studioos.ui.backend import anonymous, client_of, hard_navigate
from studioos.ui.components import form_field, form_message
from studioos.ui.layout import public_page
from studioos.ui.service_call import Answer, public_event


class SignInState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""
    notice: str = ""

    @rx.event
    def on_load(self) -> None:
        self.errors, self.message = {}, ""
        params = self.router.url.query_parameters
        if params.get("signed_out"):
            self.notice = "You are signed out."
        elif params.get("expired"):
            self.notice = "Your sign-in link expired. Please sign in again."
        elif params.get("deleted"):
            self.notice = (
                "Your account is being deleted, and you are signed out. We sent you an email about it."
            )
        elif params.get("studio_deleted"):
            self.notice = (
                "The studio is deleted, and you are signed out. Its data is erased within 30 days; "
                "your own account stays: sign in to reach it."
            )
        elif params.get("reset"):
            self.notice = "Your password was changed. Sign in with the new one."
        elif params.get("next"):
            self.notice = "Please sign in to continue."
        else:
            self.notice = ""

    @public_event(errors="errors")
    def submit(self, form: dict[str, Any]) -> Answer:
        with anonymous() as db:
            user = auth.authenticate(
                db,
                email=str(form.get("email", "")),
                password=str(form.get("password", "")),
                client=client_of(self.router),
            )
            code = auth.create_handoff(db, user, client=client_of(self.router))
        target = safe_next(self.router.url.query_parameters.get("next"))
        return hard_navigate(f"/api/auth/complete?code={quote(code)}&next={quote(target)}")


def page() -> rx.Component:
    return public_page(
        rx.heading("Sign in", size="6"),
        rx.cond(
            SignInState.notice != "", rx.callout(SignInState.notice, icon="info", width="100%"), rx.fragment()
        ),
        form_message(SignInState.message),
        rx.form(
            rx.vstack(
                form_field(
                    "Email",
                    "email",
                    SignInState.errors,
                    type="email",
                    auto_complete="email",
                    placeholder="you@studio.com",
                ),
                form_field(
                    "Password",
                    "password",
                    SignInState.errors,
                    type="password",
                    auto_complete="current-password",
                ),
                rx.button("Sign in", type="submit", size="3", width="100%", id="signin-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=SignInState.submit,
            method="post",  # never a GET with the password in the URL
            width="100%",
        ),
        rx.hstack(
            rx.link("Forgot your password?", href="/forgot", size="2"),
            rx.spacer(),
            rx.link("Create a studio", href="/signup", size="2"),
            width="100%",
        ),
    )
