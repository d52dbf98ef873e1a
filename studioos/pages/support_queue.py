"""Support staff's queue: every studio's requests, those still waiting for a first answer first
(most overdue on top), with filters by status, category and studio."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import reflex as rx

from studioos.models import utcnow
from studioos.pages.support import CATEGORY_CHOICES, STATUS_CHOICES, RequestRow, request_table
from studioos.pages.support_state import PRIVACY_KIND_CHOICES
from studioos.services import privacy_requests, support
from studioos.services.formatting import for_actor
from studioos.services.permissions import Cap
from studioos.services.validation import parse_id
from studioos.ui import controls, toast
from studioos.ui.components import card, empty_state, field_error, page_header
from studioos.ui.controls import Choice
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event

ALL = ""
CHANNEL_CHOICES = [Choice(c, privacy_requests.CHANNEL_LABELS[c]) for c in privacy_requests.LOGGED_CHANNELS]


def _day(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


class SupportQueueState(ServicePage, rx.State):
    rows: list[RequestRow] = []
    status: str = ALL
    category: str = ALL
    studio: str = ""  # a studio's id
    studios: list[Choice] = []
    log_errors: dict[str, str] = {}
    today: str = ""

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            found = support.queue(
                db,
                actor,
                status=self.status or None,
                category=self.category or None,
                studio_id=parse_id(self.studio),
            )
            fmt = for_actor(actor)
            privacy = privacy_requests.for_requests(db, actor, [r.id for r in found])
            self.studios = [Choice(str(sid), name) for sid, name in support.request_studios(db, actor)]
        self.rows = [
            replace(
                RequestRow.of(r, fmt, staff=True),
                privacy=f"{v.kind_label} · {v.status_label}" + (f" · {v.due_text}" if v.due_text else ""),
            )
            if (v := privacy.get(r.id))
            else RequestRow.of(r, fmt, staff=True)
            for r in found
        ]

    @service_event
    def load(self) -> None:
        self.log_errors = {}
        self.today = utcnow().date().isoformat()
        self._reload()

    @service_event
    def set_status(self, value: str) -> None:
        self.status = str(value)
        self._reload()

    @service_event
    def set_category(self, value: str) -> None:
        self.category = str(value)
        self._reload()

    @service_event(errors="log_errors")
    def log_privacy_request(self, form: dict[str, Any]) -> Answer:
        made = self._call(
            privacy_requests.log_on_behalf,
            email=str(form.get("email", "")),
            kind=str(form.get("kind", "")),
            channel=str(form.get("channel", "")),
            message=str(form.get("message", "")),
            received_on=_day(form.get("received_on")),
        )
        return [
            rx.redirect(f"/support?request={made.request_id}"),
            toast.success("Logged. The person is asked by email to confirm it is theirs."),
        ]

    @service_event
    def set_studio(self, value: str) -> None:
        self.studio = str(value)
        self._reload()


def body() -> rx.Component:
    s = SupportQueueState
    return rx.el.div(
        page_header("Support queue", "Every studio's requests; those waiting for a first answer come first."),
        card(
            rx.el.div(
                controls.select(
                    STATUS_CHOICES,
                    id_="queue-status",
                    value=s.status,
                    on_change=s.set_status,
                    all_label="Every status",
                    aria_label="Status",
                ),
                controls.select(
                    CATEGORY_CHOICES,
                    id_="queue-category",
                    value=s.category,
                    on_change=s.set_category,
                    all_label="Every subject",
                    aria_label="About",
                ),
                controls.select(
                    s.studios,
                    id_="queue-studio",
                    value=s.studio,
                    on_change=s.set_studio,
                    all_label="Every studio",
                    aria_label="Studio",
                ),
                class_name="toolbar",
            ),
            rx.cond(
                s.rows.length() > 0,
                request_table(s.rows, staff=True),
                empty_state("inbox", "Nothing in the queue", "No request matches these filters."),
            ),
            class_name="stack",
        ),
        _log_card(),
        class_name="stack-5",
    )


def _log_card() -> rx.Component:
    s, e = SupportQueueState, SupportQueueState.log_errors
    return card(
        rx.el.details(
            rx.el.summary(
                "Log a privacy request received by email, Telegram or phone", id="log-privacy-open"
            ),
            rx.form(
                rx.el.div(
                    rx.el.div(
                        controls.field(
                            "The person's account email",
                            controls.text_input("email", "log-email", "email", auto_complete="off"),
                            field_error(e, "email"),
                        ),
                        controls.field(
                            "What they ask",
                            controls.select(
                                PRIVACY_KIND_CHOICES, id_="log-kind", name="kind", placeholder="Choose…"
                            ),
                            field_error(e, "kind"),
                        ),
                        controls.field(
                            "Received by",
                            controls.select(
                                CHANNEL_CHOICES, id_="log-channel", name="channel", default_value="email"
                            ),
                            field_error(e, "channel"),
                        ),
                        controls.field(
                            "Received on",
                            controls.text_input(
                                "received_on", "log-received", "date", default_value=s.today, key=s.today
                            ),
                            field_error(e, "received_on"),
                        ),
                        class_name="form-grid",
                    ),
                    controls.field(
                        "What they wrote",
                        rx.el.textarea(
                            name="message", id="log-message", rows=4, class_name="control textarea-control"
                        ),
                        field_error(e, "message"),
                    ),
                    rx.el.p(
                        "The person is emailed and asked to confirm, signed in, that the request is theirs: "
                        "it cannot be completed before someone checks who asked.",
                        class_name="hint",
                    ),
                    rx.el.div(rx.button("Log the request", type="submit", id="log-submit")),
                    class_name="stack",
                ),
                on_submit=s.log_privacy_request,
                reset_on_submit=False,
            ),
        ),
        class_name="stack",
    )


def page() -> rx.Component:
    return shell(body(), Cap.SUPPORT_TICKETS)
