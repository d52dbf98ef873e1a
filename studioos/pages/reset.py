"""Choose a new password from an emailed link."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.services import password_reset
from studioos.ui.backend import anonymous, client_of, post_navigate
from studioos.ui.components import form_field, form_message
from studioos.ui.layout import public_page
from studioos.ui.service_call import Answer, public_event


class ResetState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""
    valid: bool = True

    def _token(self) -> str:
        # The route's [token]: Reflex adds it to the root state as a var (router.page is deprecated).
        return str(getattr(self, "token", "") or "")

    @rx.event
    def on_load(self) -> None:
        self.errors, self.message = {}, ""
        with anonymous() as db:
            self.valid = password_reset.reset_link_valid(db, self._token())

    @public_event(errors="errors", link="valid")
    def submit(self, form: dict[str, Any]) -> Answer:
        client = client_of(self.router)
        with anonymous() as db:
            password_reset.reset_password(
                db,
                self._token(),
                str(form.get("password", "")),
                str(form.get("password_confirm", "")),
                client.ip,
                client.user_agent,
            )
        return post_navigate("/api/auth/signout", {"then": "reset"})


def page() -> rx.Component:
    return public_page(
        rx.heading("Choose a new password", size="6"),
        form_message(ResetState.message),
        rx.cond(
            ResetState.valid,
            rx.form(
                rx.vstack(
                    form_field(
                        "New password",
                        "password",
                        ResetState.errors,
                        type="password",
                        auto_complete="new-password",
                        hint="12 to 128 characters.",
                    ),
                    form_field(
                        "Repeat the new password",
                        "password_confirm",
                        ResetState.errors,
                        type="password",
                        auto_complete="new-password",
                    ),
                    rx.button("Save the new password", type="submit", size="3", width="100%"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=ResetState.submit,
                method="post",  # never a GET with the password in the URL
                width="100%",
            ),
            rx.vstack(
                rx.callout(
                    "This reset link is invalid, already used or expired.",
                    icon="link-2-off",
                    color_scheme="red",
                ),
                rx.link("Ask for a new link", href="/forgot"),
            ),
        ),
    )
