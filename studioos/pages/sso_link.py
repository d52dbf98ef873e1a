"""Link a sign-in provider account to an existing StudioOS account: the provider vouched for the
email address, and the person proves the account is theirs with its password (once)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.services import oidc
from studioos.ui.backend import anonymous, client_of, signed_in
from studioos.ui.components import form_field, form_message
from studioos.ui.layout import public_page
from studioos.ui.service_call import Answer, db_event, public_event


class SsoLinkState(rx.State):
    errors: dict[str, str] = {}
    message: str = ""
    # The account's address and the provider's name while a link waits for this browser.
    email: str = ""
    provider: str = ""

    @db_event
    def on_load(self) -> None:
        self.errors, self.message = {}, ""
        with anonymous() as db:
            waiting = oidc.pending_link(db, client_of(self.router))
        self.email, self.provider = waiting if waiting else ("", "")

    @public_event(errors="errors")
    def submit(self, form: dict[str, Any]) -> Answer:
        client = client_of(self.router)
        with anonymous() as db:
            user = oidc.link_with_password(db, client, str(form.get("password", "")))
            # A password sign-in like any other: with two-factor sign-in, the code comes next.
            return signed_in(db, user, client)


def page() -> rx.Component:
    s = SsoLinkState
    return public_page(
        rx.heading("Link your sign-in", size="6"),
        form_message(s.message),
        rx.cond(
            s.email != "",
            rx.vstack(
                rx.text(
                    s.provider + " says you are ",
                    rx.text.strong(s.email),
                    ", and StudioOS has an account with that address. Enter its StudioOS password once "
                    "to link them: from then on, " + s.provider + " signs you in.",
                    size="2",
                ),
                rx.form(
                    rx.vstack(
                        form_field(
                            "StudioOS password",
                            "password",
                            s.errors,
                            type="password",
                            auto_complete="current-password",
                        ),
                        rx.button(
                            "Link and sign in", type="submit", size="3", width="100%", id="sso-link-submit"
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=s.submit,
                    method="post",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            rx.callout(
                "There is nothing to link in this browser (the request expired after 10 minutes). "
                "Start again from the sign-in page.",
                icon="info",
                width="100%",
                id="sso-link-none",
            ),
        ),
        rx.link("Back to sign in", href="/signin", size="2"),
    )
