"""Sign in."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import reflex as rx

from studioos.api.routes import safe_next
from studioos.services import auth, oidc, two_factor
from studioos.services.errors import ValidationFailed
from studioos.ui.backend import anonymous, client_of, hard_navigate
from studioos.ui.components import form_field, form_message
from studioos.ui.layout import public_page
from studioos.ui.service_call import Answer, db_event, public_event


class SignInState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""
    notice: str = ""
    # "password", then "code" when the account has two-factor sign-in (the code is asked for the
    # address in `code_email`; the waiting sign-in itself is bound to this browser, server-side).
    step: str = "password"
    code_email: str = ""
    # The sign-in provider's name when single sign-on is configured.
    provider: str = ""

    @db_event
    def on_load(self) -> None:
        self.errors, self.message = {}, ""
        params = self.router.url.query_parameters
        self.provider = oidc.provider_name() if oidc.configured() else ""
        with anonymous() as db:
            waiting = two_factor.pending_second_step(db, client_of(self.router))
        self.step, self.code_email = ("code", waiting) if waiting else ("password", "")
        if params.get("sso_error"):
            self.notice = ""
            self.message = oidc.message(str(params.get("sso_error")))
        elif params.get("signed_out"):
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

    def _target(self) -> str:
        return safe_next(self.router.url.query_parameters.get("next"))

    @public_event(errors="errors")
    def submit(self, form: dict[str, Any]) -> Answer:
        client = client_of(self.router)
        with anonymous() as db:
            user = auth.authenticate(
                db, email=str(form.get("email", "")), password=str(form.get("password", "")), client=client
            )
            if two_factor.is_enabled(user):
                two_factor.begin_second_step(db, user, client)
                self.step, self.code_email, self.notice = "code", user.email, ""
                return rx.set_focus("code")
            code = auth.create_handoff(db, user, client=client)
        return hard_navigate(f"/api/auth/complete?code={quote(code)}&next={quote(self._target())}")

    @public_event(errors="errors")
    def submit_code(self, form: dict[str, Any]) -> Answer:
        client = client_of(self.router)
        try:
            with anonymous() as db:
                user = two_factor.complete_second_step(db, client, str(form.get("code", "")))
                code = auth.create_handoff(db, user, client=client)
        except ValidationFailed as refused:
            if refused.message in (two_factor.TIMED_OUT, two_factor.TOO_MANY):
                # Nothing waits any more: back to the password, with the reason.
                self.step, self.code_email = "password", ""
            raise
        return hard_navigate(f"/api/auth/complete?code={quote(code)}&next={quote(self._target())}")

    @rx.event
    def start_over(self) -> None:
        self.step, self.code_email, self.errors, self.message = "password", "", {}, ""

    @rx.event
    def single_sign_on(self) -> Answer:
        return hard_navigate(f"/api/auth/oidc/start?next={quote(self._target())}")


def _code_step() -> rx.Component:
    s = SignInState
    return rx.vstack(
        rx.text(
            "Two-factor sign-in is on for ",
            rx.text.strong(s.code_email),
            ". Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
            size="2",
        ),
        rx.form(
            rx.vstack(
                form_field(
                    "Code",
                    "code",
                    s.errors,
                    auto_complete="one-time-code",
                    placeholder="123456",
                    max_length=40,
                ),
                rx.button("Verify", type="submit", size="3", width="100%", id="signin-code-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.submit_code,
            reset_on_submit=True,
            width="100%",
        ),
        rx.button(
            "Use another account", on_click=s.start_over, variant="ghost", size="2", id="signin-start-over"
        ),
        spacing="3",
        width="100%",
    )


def _single_sign_on() -> rx.Component:
    s = SignInState
    return rx.cond(
        s.provider != "",
        rx.vstack(
            rx.hstack(
                rx.separator(size="4"),
                rx.text("or", size="1", color_scheme="gray"),
                rx.separator(size="4"),
                align="center",
                width="100%",
            ),
            rx.button(
                "Sign in with " + s.provider,
                variant="outline",
                size="3",
                width="100%",
                on_click=s.single_sign_on,
                id="signin-sso",
            ),
            spacing="3",
            width="100%",
        ),
        rx.fragment(),
    )


def page() -> rx.Component:
    return public_page(
        rx.heading("Sign in", size="6"),
        rx.cond(
            SignInState.notice != "", rx.callout(SignInState.notice, icon="info", width="100%"), rx.fragment()
        ),
        form_message(SignInState.message),
        rx.cond(SignInState.step == "code", _code_step(), _password_step()),
    )


def _password_step() -> rx.Component:
    return rx.fragment(
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
        _single_sign_on(),
        rx.hstack(
            rx.link("Forgot your password?", href="/forgot", size="2"),
            rx.spacer(),
            rx.link("Create a studio", href="/signup", size="2"),
            width="100%",
        ),
    )
