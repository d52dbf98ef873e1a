"""My account's sign-in security: two-factor sign-in (set up, recovery codes, turn off) and the
linked sign-in provider.

Nothing secret passes through this page's state: the set-up QR code is an image from a
session-checked route, and recovery codes are a file that a POST route answers with (each download
makes new codes). Every change here wants a recent re-authentication (the services ask).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.services import oidc, two_factor
from studioos.ui import toast
from studioos.ui.backend import post_navigate
from studioos.ui.components import card, confirm_dialog, form_field
from studioos.ui.format import for_actor
from studioos.ui.service_call import Answer, ServicePage, service_event

QR_URL = "/api/account/two-factor/qr.svg"
CODES_URL = "/api/account/two-factor/recovery-codes.txt"


class SecurityState(ServicePage, rx.State):
    enabled: bool = False
    enabled_at: str = ""
    pending: bool = False
    codes_left: int = 0
    required: bool = False
    # Asked to set it up (the studio requires it, and they came from signing in).
    asked: bool = False
    # Bumped with every new set-up, so the browser fetches the new QR code image.
    qr_version: int = 0
    setup_errors: dict[str, str] = {}
    off_errors: dict[str, str] = {}
    provider: str = ""
    linked_email: str = ""
    linked_at: str = ""

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            seen = two_factor.status(db, actor)
            linked = oidc.linked_identity(db, actor) if oidc.configured() else None
        fmt = for_actor(actor)
        self.enabled, self.pending = seen.enabled, seen.pending_enrolment and not seen.enabled
        self.enabled_at = fmt.moment(seen.enabled_at) if seen.enabled_at else ""
        self.codes_left, self.required = seen.recovery_codes_left, seen.required_by_studio
        self.provider = oidc.provider_name() if oidc.configured() else ""
        self.linked_email = linked.email if linked else ""
        self.linked_at = fmt.moment(linked.linked_at) if linked else ""

    @service_event
    def load(self) -> None:
        self.setup_errors, self.off_errors = {}, {}
        self.asked = self.router.url.query_parameters.get("two_factor") == "required"
        self._reload()

    @service_event
    def start(self) -> None:
        self._call(two_factor.start_enrolment)
        self.qr_version += 1
        self._reload()

    @service_event(errors="setup_errors")
    def confirm(self, form: dict[str, Any]) -> Answer:
        # The codes the confirmation made are not kept here: the download below makes the ones
        # the person keeps, so no code ever sits in this page's state.
        self._call(two_factor.confirm_enrolment, str(form.get("code", "")))
        self.asked = False
        self._reload()
        return [
            toast.success("Two-factor sign-in is on. Keep the recovery codes file somewhere safe."),
            post_navigate(CODES_URL),
        ]

    @service_event
    def new_codes(self) -> Answer:
        # The route asks for the recent confirmation itself; asking here first opens the dialog
        # instead of a file that says "confirm it's you".
        self._call(two_factor.check_can_issue_codes)
        # The download makes a full new set (the page cannot hear back from a file download).
        self.codes_left = two_factor.RECOVERY_CODES
        return post_navigate(CODES_URL)

    @service_event(errors="off_errors")
    def turn_off(self, form: dict[str, Any]) -> Answer:
        self._call(two_factor.disable, str(form.get("password", "")), str(form.get("code", "")))
        self._reload()
        return toast.success("Two-factor sign-in is off.")

    @service_event
    def unlink(self) -> Answer:
        self._call(oidc.unlink)
        self._reload()
        return toast.success("Unlinked: sign in with your email and password from now on.")


def _setup() -> rx.Component:
    s = SecurityState
    return rx.vstack(
        rx.text(
            "Scan this code with an authenticator app (Google Authenticator, Microsoft Authenticator, "
            "1Password, Aegis...), or type the key under it. Then enter the 6-digit code the app shows.",
            size="2",
        ),
        rx.image(
            src=QR_URL + "?v=" + s.qr_version.to_string(),
            alt="QR code to scan with an authenticator app",
            width="220px",
            height="auto",
            id="two-factor-qr",
        ),
        rx.form(
            rx.hstack(
                rx.box(
                    form_field(
                        "Code from the app",
                        "code",
                        s.setup_errors,
                        auto_complete="one-time-code",
                        placeholder="123456",
                        max_length=12,
                        field_id="two-factor-code",
                    ),
                    width="100%",
                ),
                rx.button("Turn on", type="submit", margin_top="1.6rem", id="two-factor-confirm"),
                align="start",
                width="100%",
                class_name="phone-stack",
            ),
            on_submit=s.confirm,
            reset_on_submit=True,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _turn_off() -> rx.Component:
    s = SecurityState
    return rx.cond(
        s.required,
        rx.text("Your studio requires two-factor sign-in, so it stays on.", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                rx.text("Turn it off", weight="medium", size="2"),
                rx.hstack(
                    form_field(
                        "Password",
                        "password",
                        s.off_errors,
                        type="password",
                        auto_complete="current-password",
                        field_id="two-factor-off-password",
                    ),
                    form_field(
                        "Code from the app, or a recovery code",
                        "code",
                        s.off_errors,
                        auto_complete="one-time-code",
                        max_length=40,
                        field_id="two-factor-off-code",
                    ),
                    align="start",
                    width="100%",
                    class_name="phone-stack",
                ),
                confirm_dialog(
                    rx.button(
                        "Turn off…", type="button", variant="soft", color_scheme="red", id="two-factor-off"
                    ),
                    "Turn off two-factor sign-in?",
                    "From now on your password alone signs you in, and your recovery codes stop working.",
                    "Turn off",
                    None,
                    id_="two-factor-off-confirm",
                    submits="two-factor-off-form",
                ),
                align="start",
                spacing="2",
                width="100%",
            ),
            on_submit=s.turn_off,
            reset_on_submit=True,
            id="two-factor-off-form",
            width="100%",
        ),
    )


def _enabled() -> rx.Component:
    s = SecurityState
    return rx.vstack(
        rx.hstack(
            rx.badge("On", color_scheme="green", size="2"),
            rx.text("since " + s.enabled_at, size="2", color_scheme="gray"),
            align="center",
            id="two-factor-status",
        ),
        rx.text(
            s.codes_left.to_string()
            + " of 10 recovery codes left. Each works once when your phone is not at hand.",
            size="2",
            id="two-factor-codes-left",
        ),
        rx.button(
            "Download new recovery codes",
            variant="soft",
            on_click=s.new_codes,
            id="two-factor-new-codes",
        ),
        rx.text("New codes stop the old ones.", size="1", color_scheme="gray"),
        rx.separator(margin_y="0.5rem"),
        _turn_off(),
        align="start",
        spacing="2",
        width="100%",
    )


def _off() -> rx.Component:
    s = SecurityState
    return rx.vstack(
        rx.text(
            "With two-factor sign-in, signing in needs your password and a code from an app on your "
            "phone: a stolen password alone opens nothing.",
            size="2",
        ),
        rx.button("Set up two-factor sign-in", on_click=s.start, id="two-factor-start"),
        align="start",
        spacing="3",
        width="100%",
    )


def _provider() -> rx.Component:
    s = SecurityState
    return rx.cond(
        s.linked_email != "",
        rx.vstack(
            rx.separator(margin_y="0.75rem"),
            rx.heading("Sign-in provider", size="3"),
            rx.text(
                "You can sign in with "
                + s.provider
                + " ("
                + s.linked_email
                + "), linked "
                + s.linked_at
                + ".",
                size="2",
                id="sso-linked",
            ),
            confirm_dialog(
                rx.button("Unlink " + s.provider + "…", variant="soft", color_scheme="red", size="1"),
                "Unlink " + s.provider + "?",
                "You will sign in with your StudioOS email and password only.",
                "Unlink",
                s.unlink,
                id_="sso-unlink",
            ),
            align="start",
            spacing="2",
            width="100%",
        ),
        rx.fragment(),
    )


def security_card() -> rx.Component:
    s = SecurityState
    return card(
        rx.heading("Two-factor sign-in", size="4"),
        rx.cond(
            s.asked & ~s.enabled,
            rx.callout(
                "Your studio requires two-factor sign-in. Set it up to continue: until then, only this "
                "page is open to you.",
                icon="shield-alert",
                color_scheme="amber",
                id="two-factor-required",
            ),
            rx.fragment(),
        ),
        rx.cond(s.enabled, _enabled(), rx.cond(s.pending, _setup(), _off())),
        _provider(),
        id="security-card",
    )
