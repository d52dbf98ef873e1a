"""The "Confirm it's you" dialog: what a page shows when a service wants a recent
re-authentication (studioos.services.reauth.ReauthRequired) before a sensitive action.

Any page's refused event opens it (studioos.ui.service_call.service_error_event); the person types
their password (or goes to the studio's sign-in provider and back) and then repeats the action,
which now goes through for ten minutes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import reflex as rx

from studioos.services import oidc, reauth
from studioos.ui import toast
from studioos.ui.backend import hard_navigate
from studioos.ui.components import form_field
from studioos.ui.service_call import Answer, ServicePage, service_event


class ReauthState(ServicePage, rx.State):
    open: bool = False
    errors: dict[str, str] = {}
    # The sign-in provider's name, when people can confirm there instead (single sign-on).
    provider: str = ""

    @rx.event
    def ask(self) -> None:
        self.errors = {}
        self.provider = oidc.provider_name() if oidc.configured() else ""
        self.open = True

    @rx.event
    def with_provider(self) -> Answer:
        back = quote(self.router.url.path or "/dashboard", safe="/")
        return hard_navigate(f"/api/auth/oidc/start?intent=reauth&next={back}")

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = value

    @service_event(errors="errors")
    def confirm(self, form: dict[str, Any]) -> Answer:
        self._call(reauth.confirm_password, str(form.get("password", "")))
        self.open = False
        return toast.success("Thank you. You can go on now: repeat what you were doing.")


def reauth_dialog() -> rx.Component:
    s = ReauthState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Confirm it's you"),
            rx.dialog.description(
                "This changes something sensitive, so StudioOS asks for your password again "
                "(once every 10 minutes).",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    form_field(
                        "Password",
                        "password",
                        s.errors,
                        type="password",
                        auto_complete="current-password",
                        field_id="reauth-password",
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Confirm", type="submit", id="reauth-submit"),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=s.confirm,
                reset_on_submit=True,
                margin_top="1rem",
            ),
            max_width="26rem",
            id="reauth-dialog",
        ),
        open=s.open,
        on_open_change=s.set_open,
    )
