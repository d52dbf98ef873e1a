"""Accept an invitation: create the account, or attach the existing one."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import reflex as rx

from studioos.services import oidc, team
from studioos.ui.backend import anonymous, client_of, hard_navigate, signed_in
from studioos.ui.components import form_field, form_message
from studioos.ui.layout import public_page
from studioos.ui.service_call import Answer, public_event


class InviteState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""
    valid: bool = False
    loaded: bool = False
    studio_name: str = ""
    email: str = ""
    role_label: str = ""
    account_exists: bool = False
    provider: str = ""

    def _token(self) -> str:
        # The route's [token]: Reflex adds it to the root state as a var (router.page is deprecated).
        return str(getattr(self, "token", "") or "")

    @public_event(link="valid")
    def on_load(self) -> None:
        self.errors, self.loaded = {}, True
        with anonymous() as db:
            info = team.invitation_info(db, self._token())
        self.valid = True
        self.studio_name, self.email, self.role_label = info.studio_name, info.email, info.role_label
        self.account_exists = info.account_exists
        self.provider = oidc.provider_name() if oidc.configured() else ""

    @public_event(errors="errors", link="valid")
    def submit(self, form: dict[str, Any]) -> Answer:
        client = client_of(self.router)
        with anonymous() as db:
            user, studio_id = team.accept_invitation(
                db,
                self._token(),
                name=str(form.get("name", "")),
                password=str(form.get("password", "")),
                password_confirm=str(form.get("password_confirm", "")),
                ip=client.ip,
                user_agent=client.user_agent,
            )
            # An existing account with two-factor sign-in: the code comes next, on the sign-in page.
            return signed_in(db, user, client, studio_id)

    @rx.event
    def with_provider(self) -> Answer:
        return hard_navigate(
            f"/api/auth/oidc/start?invitation={quote(self._token(), safe='')}&next=/dashboard"
        )


def _new_account_form() -> rx.Component:
    e = InviteState.errors
    return rx.vstack(
        form_field("Your name", "name", e, max_length=120, auto_complete="name"),
        form_field(
            "Choose a password",
            "password",
            e,
            type="password",
            auto_complete="new-password",
            hint="12 to 128 characters.",
        ),
        form_field(
            "Repeat the password", "password_confirm", e, type="password", auto_complete="new-password"
        ),
        spacing="3",
        width="100%",
    )


def _existing_account_form() -> rx.Component:
    return rx.vstack(
        rx.text("You already have a StudioOS account. Enter its password to join.", size="2"),
        form_field(
            "Password", "password", InviteState.errors, type="password", auto_complete="current-password"
        ),
        spacing="3",
        width="100%",
    )


def page() -> rx.Component:
    return public_page(
        rx.heading("Join your studio", size="6"),
        form_message(InviteState.message),
        rx.cond(
            InviteState.valid,
            rx.vstack(
                rx.text(
                    "You are invited to ",
                    rx.text.strong(InviteState.studio_name),
                    " as ",
                    rx.text.strong(InviteState.role_label),
                    ", with the address ",
                    rx.text.strong(InviteState.email),
                    ".",
                    size="2",
                ),
                rx.form(
                    rx.vstack(
                        rx.cond(InviteState.account_exists, _existing_account_form(), _new_account_form()),
                        rx.button(
                            "Accept the invitation", type="submit", size="3", width="100%", id="accept-invite"
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=InviteState.submit,
                    method="post",  # never a GET with the password in the URL
                    width="100%",
                ),
                rx.cond(
                    InviteState.provider != "",
                    rx.button(
                        "Accept with " + InviteState.provider,
                        variant="outline",
                        size="3",
                        width="100%",
                        on_click=InviteState.with_provider,
                        id="accept-invite-sso",
                    ),
                    rx.fragment(),
                ),
                spacing="3",
                width="100%",
            ),
            rx.cond(InviteState.loaded, rx.link("Go to sign in", href="/signin"), rx.spinner()),
        ),
    )
