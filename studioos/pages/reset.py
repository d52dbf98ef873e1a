"""Choose a new password from an emailed link."""

from __future__ import annotations

import reflex as rx

from studioos.services import password_reset
from studioos.services.errors import NotFound, ValidationFailed
from studioos.ui.backend import anonymous, client_of, post_navigate
from studioos.ui.components import form_field, form_message
from studioos.ui.layout import public_page


class ResetState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""
    valid: bool = True

    def _token(self) -> str:
        # The route's [token]: Reflex adds it to the root state as a var (router.page is deprecated).
        return str(self.token or "")  # type: ignore[attr-defined]

    @rx.event
    def on_load(self) -> None:
        self.errors, self.message = {}, ""
        with anonymous() as db:
            self.valid = password_reset.reset_link_valid(db, self._token())

    @rx.event
    def submit(self, form: dict):  # type: ignore[no-untyped-def]
        self.errors, self.message = {}, ""
        client = client_of(self.router)
        try:
            with anonymous() as db:
                password_reset.reset_password(
                    db,
                    self._token(),
                    str(form.get("password", "")),
                    str(form.get("password_confirm", "")),
                    client.ip,
                    client.user_agent,
                )
        except ValidationFailed as exc:
            self.errors = exc.errors
            return None
        except NotFound as exc:
            self.message = exc.message
            self.valid = False
            return None
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
