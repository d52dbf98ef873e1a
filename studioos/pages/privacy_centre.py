"""The privacy centre: every signed-in person's rights in one place.

A copy of my data is built in a background event (the file can take a while for a model with years
of earnings): the page shows its progress, then a download link valid for seven days. Cookie
choices open the banner (`ui/consent.py`); corrections link to the forms that hold each field.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import reflex as rx

from studioos.models import DataExport, utcnow
from studioos.services import account_deletion, data_export, privacy_choices
from studioos.services.errors import ServiceError
from studioos.services.formatting import Formats, for_actor
from studioos.ui import controls, toast
from studioos.ui.backend import acting, hard_navigate
from studioos.ui.components import card, download_link, form_field, page_header
from studioos.ui.consent import ANALYTICS, ConsentState
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, off_loop, service_error_event, service_event
from studioos.ui.session import SessionState

POLL_SECONDS = 0.4


class PrivacyCentreState(ServicePage, rx.State):
    export_status: str = ""  # "", queued, building, ready, failed, expired
    export_progress: int = 0
    export_id: int = 0
    export_done_text: str = ""  # "Made 3 Dec 2026 14:05, 12 KB; the link works until 10 Dec 2026 14:05"
    delete_errors: dict[str, str] = {}
    # A model may object to being in the studio's analytics (her own profile in this studio).
    objection_applies: bool = False
    objected: bool = False
    objected_since: str = ""

    def _show(self, export: DataExport | None, fmt: Formats) -> None:
        if export is None:
            self.export_status, self.export_id, self.export_progress, self.export_done_text = "", 0, 0, ""
            return
        status = export.status
        if status == data_export.READY and export.expires_at is not None and export.expires_at <= utcnow():
            status = "expired"
        self.export_status, self.export_id, self.export_progress = status, export.id or 0, export.progress
        if status == data_export.READY and export.finished_at and export.expires_at:
            size = max(1, round(export.size_bytes / 1024))
            self.export_done_text = (
                f"Made {fmt.moment(export.finished_at)}, {size} KB. "
                f"The link works until {fmt.moment(export.expires_at)}."
            )
        else:
            self.export_done_text = ""

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            export = data_export.latest(db, actor)
            fmt = for_actor(actor)
            self._show(export, fmt)
            self._show_choice(privacy_choices.analytics_choice(db, actor), fmt)

    def _show_choice(self, choice: privacy_choices.AnalyticsChoice, fmt: Formats) -> None:
        self.objection_applies, self.objected = choice.applies, choice.objected
        self.objected_since = fmt.moment(choice.objected_at) if choice.objected_at else ""

    @service_event
    def set_objection(self, objected: bool) -> Answer:
        with self._acting() as (db, actor):
            choice = privacy_choices.set_analytics_objection(db, actor, bool(objected))
            self._show_choice(choice, for_actor(actor))
        return toast.success(
            "You are left out of the studio's analytics."
            if self.objected
            else "You are included in the studio's analytics again."
        )

    @service_event
    def load(self) -> Answer:
        self._reload()
        if self.export_status == data_export.QUEUED:
            return PrivacyCentreState.build  # asked for, and not started (the page was closed)
        return None

    @service_event(errors="delete_errors")
    def delete_account(self, form: dict[str, Any]) -> Answer:
        # The password is checked by the service and never kept in the state.
        self._call(account_deletion.request, str(form.get("password", "")))
        return hard_navigate("/signin?deleted=1")

    @service_event(feature="data_export")
    def request_export(self) -> Answer:
        with self._acting() as (db, actor):
            export = data_export.request(db, actor)
            self._show(export, for_actor(actor))
        return PrivacyCentreState.build

    @rx.event(background=True)
    async def build(self) -> Answer:
        async with self:
            export_id, router = self.export_id, self.router
            if not export_id or self.export_status == data_export.READY:
                return None
            self.export_status, self.export_progress = data_export.BUILDING, 0
        progress = [0]
        work = asyncio.ensure_future(off_loop(_build, router, export_id, progress.append))
        while not work.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(work), POLL_SECONDS)
            async with self:
                self.export_progress = progress[-1]
        try:
            work.result()
        except ServiceError as exc:
            return service_error_event(exc, "/privacy-centre")
        async with self:
            await off_loop(self._reload)
        return toast.success("Your copy is ready to download.")


def _build(router: Any, export_id: int, progress: Any) -> None:
    """Build in its own unit of work; a failure is recorded in another, and then raised."""
    with acting(router) as (db, actor):
        if not data_export.claim(db, actor, export_id):
            return  # another tab is making it, or it is already made
    try:
        with acting(router) as (db, actor):
            data_export.build(db, actor, export_id, progress)
    except ServiceError:
        raise
    except Exception as exc:
        with acting(router) as (db, actor):
            data_export.fail(db, actor, export_id, type(exc).__name__)
        raise ServiceError(
            "The copy could not be made. Please try again; if it fails again, tell support."
        ) from exc


def _export_card() -> rx.Component:
    s = PrivacyCentreState
    building = (s.export_status == data_export.QUEUED) | (s.export_status == data_export.BUILDING)
    return card(
        rx.el.h2("Download a copy of your data", class_name="card-title"),
        rx.el.p(
            "A ZIP file with every record StudioOS holds about you, as JSON and as CSV (for a "
            "spreadsheet): your account, sign-ins and sessions, cookie choices and notifications, and, "
            "if you are a model, your profile, shifts, earnings and payouts. It is made in the "
            "background and its link works for 7 days.",
            class_name="hint",
        ),
        rx.cond(
            building,
            rx.el.div(
                rx.progress(value=s.export_progress, max=100, id="export-progress"),
                rx.el.p("Making your copy… " + s.export_progress.to_string() + " %", class_name="hint"),
                class_name="stack",
                id="export-building",
            ),
            rx.fragment(),
        ),
        rx.cond(
            s.export_status == data_export.READY,
            rx.el.div(
                rx.el.p(s.export_done_text, class_name="hint", id="export-ready-text"),
                download_link(
                    rx.button(rx.icon("download", size=16), "Download (ZIP)"),
                    "/api/privacy/exports/" + s.export_id.to_string() + ".zip",
                    id="export-download",
                ),
                class_name="stack",
            ),
            rx.fragment(),
        ),
        rx.cond(
            s.export_status == "expired",
            rx.el.p("Your last copy's link has expired: ask for a new one.", class_name="hint"),
            rx.fragment(),
        ),
        rx.cond(
            s.export_status == data_export.FAILED,
            rx.callout(
                "The last copy could not be made. Please try again.",
                icon="triangle-alert",
                color_scheme="red",
            ),
            rx.fragment(),
        ),
        rx.el.div(
            rx.button(
                rx.cond(s.export_status == data_export.READY, "Make a new copy", "Make a copy of my data"),
                on_click=s.request_export,
                disabled=building,
                variant=rx.cond(s.export_status == data_export.READY, "soft", "solid"),
                id="export-request",
            ),
        ),
        class_name="stack",
    )


def _cookies_card() -> rx.Component:
    return card(
        rx.el.h2("Cookies and usage analytics", class_name="card-title"),
        rx.el.p(
            rx.cond(
                ConsentState.choice == ANALYTICS,
                "Analytics is on: StudioOS records which pages you open in this browser (kept 90 days).",
                "Analytics is off: StudioOS records nothing about how you use it in this browser.",
            ),
            class_name="hint",
            id="privacy-cookie-state",
        ),
        rx.el.div(rx.button("Change cookie choices", variant="soft", on_click=ConsentState.open_settings)),
        class_name="stack",
    )


def _objection_card() -> rx.Component:
    s = PrivacyCentreState
    return rx.cond(
        s.objection_applies,
        card(
            rx.el.h2("Analytics about you", class_name="card-title"),
            rx.el.p(
                "Your studio's owners, managers and analysts see charts of the studio's earnings. You can "
                "ask to be left out of them. Your earnings records, payroll and statements stay as they "
                "are: the studio needs them to pay you. Your own analytics page still shows your numbers.",
                class_name="hint",
            ),
            controls.checkbox(
                "Leave me out of the studio's analytics",
                checked=s.objected,
                on_change=s.set_objection,
                id_="analytics-objection",
                name="objected",
            ),
            rx.cond(
                s.objected,
                rx.el.p("Left out since " + s.objected_since + ".", class_name="hint", id="objection-since"),
                rx.fragment(),
            ),
            class_name="stack",
        ),
        rx.fragment(),
    )


def _requests_card() -> rx.Component:
    return card(
        rx.el.h2("Ask us about your data", class_name="card-title"),
        rx.el.p(
            "For anything this page does not do (a question about what we hold, a correction your studio "
            "cannot make, a restriction or an objection), send a privacy request. We answer within "
            "30 days and you can follow it under Help and support.",
            class_name="hint",
        ),
        rx.el.div(
            rx.link(
                rx.button("Send a privacy request", variant="soft", id="privacy-request-open"),
                href="/support?privacy=1",
            )
        ),
        class_name="stack",
    )


def _correct_card() -> rx.Component:
    return card(
        rx.el.h2("Correct your data", class_name="card-title"),
        rx.el.ul(
            rx.el.li(rx.link("Your name, email address and password", href="/account"), " (My account)"),
            rx.el.li(rx.link("Your sessions and sign-in history", href="/account"), " (My account)"),
            rx.cond(
                SessionState.role == "owner",
                rx.el.li(
                    rx.link("Your studio's name, time zone and currency", href="/studio"),
                    " (Studio settings)",
                ),
                rx.fragment(),
            ),
            rx.cond(
                (SessionState.role == "owner") | (SessionState.role == "manager"),
                rx.el.li(
                    rx.link("The models' profiles, contact details and legal details", href="/models"),
                    " (Models)",
                ),
                rx.fragment(),
            ),
            rx.cond(
                SessionState.role == "performer",
                rx.el.li(
                    "Your model profile, legal name and ID document: your studio keeps them; ask its "
                    "owner or a manager to correct them."
                ),
                rx.fragment(),
            ),
            class_name="plain-list",
        ),
        class_name="stack",
    )


def _delete_card() -> rx.Component:
    s = PrivacyCentreState
    return card(
        rx.el.h2("Delete my account", class_name="card-title"),
        rx.el.p(
            "You are signed out everywhere at once and can no longer sign in, and you leave your studio's "
            "team. Within 30 days every record about you is deleted or made anonymous, except what the law "
            "makes us keep (payroll records, the security log). A studio's only owner first hands the "
            "studio to another member or deletes it (Studio settings).",
            class_name="hint",
        ),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button("Delete my account…", color_scheme="red", variant="soft", id="delete-account-open")
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Delete your account?"),
                rx.alert_dialog.description(
                    "This cannot be undone. Enter your password to confirm it is you.", size="2"
                ),
                rx.form(
                    rx.el.div(
                        form_field(
                            "Password",
                            "password",
                            s.delete_errors,
                            type="password",
                            auto_complete="current-password",
                            field_id="delete-password",
                        ),
                        rx.el.div(
                            rx.alert_dialog.cancel(
                                rx.button(
                                    "Keep my account", type="button", variant="soft", color_scheme="gray"
                                )
                            ),
                            rx.button(
                                "Delete my account", type="submit", color_scheme="red", id="delete-account"
                            ),
                            class_name="consent-actions",
                        ),
                        class_name="stack",
                    ),
                    on_submit=s.delete_account,
                    reset_on_submit=True,
                ),
                max_width="28rem",
                id="delete-account-dialog",
            ),
        ),
        class_name="stack",
    )


def body() -> rx.Component:
    return rx.el.div(
        page_header(
            "Privacy centre",
            "Your data in StudioOS: take a copy, choose what is recorded, correct it.",
            rx.link(rx.button("Privacy policy", variant="soft"), href="/privacy"),
        ),
        _export_card(),
        _cookies_card(),
        _objection_card(),
        _correct_card(),
        _requests_card(),
        _delete_card(),
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body())
