"""Time-off and swap requests from models; a manager approves (the schedule follows) or declines."""

from __future__ import annotations

import reflex as rx

from studioos.models import RequestStatus
from studioos.pages.my_schedule import request_dict
from studioos.services import shift_requests, studios
from studioos.services.errors import ServiceError, ValidationFailed
from studioos.services.permissions import Cap
from studioos.ui.backend import acting
from studioos.ui.calendar import events, parse_int
from studioos.ui.components import card, confirm_dialog, empty_state, page_header
from studioos.ui.layout import shell
from studioos.ui.session import service_error_event

STATUS_CHOICES = ("pending", "approved", "declined", "withdrawn", "all")


class RequestsState(rx.State):
    rows: list[dict[str, str]] = []
    status: str = "pending"
    notes: dict[str, str] = {}

    def _reload(self) -> None:
        status = None if self.status == "all" else self.status
        with acting(self.router) as (db, actor):
            studio = studios.current_studio(db, actor)
            found = shift_requests.list_requests(db, actor, status=status)
        tz = studio.timezone if studio else "UTC"
        self.rows = [request_dict(r, tz) for r in found]

    def _safe(self):  # type: ignore[no-untyped-def]
        try:
            self._reload()
        except ServiceError as exc:
            return service_error_event(exc, "/requests")
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.notes = {}
        return self._safe()

    @rx.event
    def set_status(self, value: str | list[str]):  # type: ignore[no-untyped-def]
        if isinstance(value, str) and value in STATUS_CHOICES:
            self.status = value
        return self._safe()

    @rx.event
    def set_note(self, request_id: str, note: str) -> None:
        # Kept whole (up to a cap against abuse) so the service can refuse a long note and say so.
        self.notes = {**self.notes, str(request_id)[:12]: str(note)[: 20 * shift_requests.NOTE_MAX]}

    def _decide(self, request_id: str, approve: bool):  # type: ignore[no-untyped-def]
        rid = parse_int(request_id)
        if rid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                row = shift_requests.decide_request(
                    db, actor, rid, approve=approve, note=self.notes.get(str(rid), "")
                )
        except ValidationFailed as exc:
            return events(self._safe(), rx.toast.error(next(iter(exc.errors.values()), exc.message)))
        except ServiceError as exc:
            return service_error_event(exc, "/requests")
        verdict = "approved" if approve else "declined"
        return events(self._safe(), rx.toast.success(f"Request from {row.stage_name} {verdict}."))

    @rx.event
    def approve(self, request_id: str):  # type: ignore[no-untyped-def]
        return self._decide(request_id, True)

    @rx.event
    def decline(self, request_id: str):  # type: ignore[no-untyped-def]
        return self._decide(request_id, False)


def _row(r: dict) -> rx.Component:
    pending = r["status"] == RequestStatus.PENDING.value
    return rx.table.row(
        rx.table.cell(rx.text(r["stage_name"], weight="medium")),
        rx.table.cell(r["what"]),
        rx.table.cell(r["shift"], white_space="nowrap"),
        rx.table.cell(rx.text(r["reason"], size="2")),
        rx.table.cell(rx.text(r["created"], size="1", color_scheme="gray"), data_label="Asked"),
        rx.table.cell(
            rx.cond(
                pending,
                rx.hstack(
                    rx.input(
                        placeholder=f"Note (optional, at most {shift_requests.NOTE_MAX} characters)",
                        max_length=shift_requests.NOTE_MAX,
                        size="1",
                        on_blur=lambda v: RequestsState.set_note(r["id"], v),
                        id="note-" + r["id"],
                        width="10rem",
                    ),
                    rx.button(
                        "Approve",
                        size="1",
                        color_scheme="green",
                        on_click=RequestsState.approve(r["id"]),
                        id="approve-request-" + r["id"],
                    ),
                    confirm_dialog(
                        rx.button(
                            "Decline",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            id="decline-request-" + r["id"],
                        ),
                        "Decline this request?",
                        r["stage_name"] + "'s request (" + r["what"] + ", " + r["shift"] + ") is "
                        "declined and she is told so, with your note. This cannot be undone.",
                        "Decline",
                        RequestsState.decline(r["id"]),
                        cancel_label="Keep it pending",
                        id_="decline-request",
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.vstack(
                    rx.badge(r["status_label"], color_scheme=r["color"]),
                    rx.cond(
                        r["note"] != "", rx.text(r["note"], size="1", color_scheme="gray"), rx.fragment()
                    ),
                    spacing="1",
                ),
            ),
            data_status=r["status"],
        ),
        id="request-" + r["id"],
    )


def body() -> rx.Component:
    s = RequestsState
    return rx.vstack(
        page_header(
            "Requests",
            "Models ask for time off or to hand a shift to a colleague. Approving changes the schedule.",
            rx.link(rx.button(rx.icon("calendar", size=16), "Schedule", variant="soft"), href="/schedule"),
        ),
        card(
            rx.segmented_control.root(
                *[rx.segmented_control.item(c.capitalize(), value=c) for c in STATUS_CHOICES],
                value=s.status,
                on_change=s.set_status,
                id="request-status",
                margin_bottom="0.75rem",
            ),
            rx.cond(
                s.rows.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Model"),
                            rx.table.column_header_cell("Request"),
                            rx.table.column_header_cell("Shift"),
                            rx.table.column_header_cell("Reason"),
                            rx.table.column_header_cell("Asked"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(s.rows, _row)),
                    width="100%",
                    id="requests-table",
                ),
                empty_state(
                    "inbox",
                    rx.cond(s.status == "pending", "No pending requests", "No requests here"),
                    "When a model asks for time off or a swap from her schedule, "
                    "it shows up here for you to decide.",
                ),
            ),
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.SCHEDULE_MANAGE)
