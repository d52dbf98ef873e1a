"""Time-off and swap requests from models; a manager approves (the schedule follows) or declines."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from studioos.models import RequestStatus
from studioos.services import shift_requests
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.services.shift_requests import RequestRow
from studioos.services.validation import parse_id
from studioos.ui import toast
from studioos.ui.components import card, confirm_dialog, empty_state, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event

ALL = "all"
STATUS_CHOICES = (*(s.value for s in RequestStatus), ALL)
REQUEST_COLORS = {
    RequestStatus.PENDING: "blue",
    RequestStatus.APPROVED: "green",
    RequestStatus.DECLINED: "red",
    RequestStatus.WITHDRAWN: "gray",
}


@dataclass(frozen=True)
class RequestView:
    """A request as the tables show it (the manager's here, the model's on My schedule)."""

    id: int
    what: str
    stage_name: str
    shift: str
    reason: str
    status: str  # the RequestStatus value, for the row's data-status
    status_label: str
    color: str
    note: str
    created: str
    pending: bool
    mine: bool = False  # on My schedule: she asked (else a colleague proposes a swap with her)
    can_withdraw: bool = False

    @classmethod
    def of(
        cls, r: RequestRow, fmt: Formats, *, mine: bool = False, can_withdraw: bool = False
    ) -> RequestView:
        return cls(
            id=r.id,
            what=r.what,
            stage_name=r.stage_name,
            shift=r.shift_label,
            reason=r.reason,
            status=r.status.value,
            status_label=r.status.value.capitalize(),
            color=REQUEST_COLORS.get(r.status, "gray"),
            note=r.decision_note,
            created=fmt.moment(r.created_at),
            pending=r.status == RequestStatus.PENDING,
            mine=mine,
            can_withdraw=can_withdraw,
        )


class RequestsState(ServicePage, rx.State):
    rows: list[RequestView] = []
    status: str = RequestStatus.PENDING.value
    notes: dict[str, str] = {}

    def _reload(self) -> None:
        wanted = None if self.status == ALL else RequestStatus(self.status)
        with self._acting() as (db, actor):
            found = shift_requests.list_requests(db, actor, status=wanted)
        fmt = for_actor(actor)
        self.rows = [RequestView.of(r, fmt) for r in found]

    @service_event
    def load(self) -> None:
        self.notes = {}
        self._reload()

    @service_event
    def set_status(self, value: str | list[str]) -> None:
        if isinstance(value, str) and value in STATUS_CHOICES:
            self.status = value
        self._reload()

    @rx.event
    def set_note(self, request_id: str, note: str) -> None:
        # Kept whole (up to a cap against abuse) so the service can refuse a long note and say so.
        self.notes = {**self.notes, str(request_id)[:12]: str(note)[: 20 * shift_requests.NOTE_MAX]}

    def _decide(self, request_id: object, approve: bool) -> Answer:
        rid = parse_id(request_id)
        if rid is None:
            return None
        row = self._call(
            shift_requests.decide_request, rid, approve=approve, note=self.notes.get(str(rid), "")
        )
        self._reload()
        verdict = "approved" if approve else "declined"
        return toast.success(f"Request from {row.stage_name} {verdict}.")

    @service_event(refresh=True)
    def approve(self, request_id: int) -> Answer:
        return self._decide(request_id, True)

    @service_event(refresh=True)
    def decline(self, request_id: int) -> Answer:
        return self._decide(request_id, False)


def _row(r: RequestView) -> rx.Component:
    rid = r.id.to_string()
    return rx.table.row(
        rx.table.cell(rx.text(r.stage_name, weight="medium")),
        rx.table.cell(r.what),
        rx.table.cell(r.shift, white_space="nowrap"),
        rx.table.cell(rx.text(r.reason, size="2")),
        rx.table.cell(rx.text(r.created, size="1", color_scheme="gray"), data_label="Asked"),
        rx.table.cell(
            rx.cond(
                r.pending,
                rx.hstack(
                    rx.input(
                        placeholder=f"Note (optional, at most {shift_requests.NOTE_MAX} characters)",
                        max_length=shift_requests.NOTE_MAX,
                        size="1",
                        on_blur=lambda v: RequestsState.set_note(rid, v),
                        id="note-" + rid,
                        width="10rem",
                    ),
                    rx.button(
                        "Approve",
                        size="1",
                        color_scheme="green",
                        on_click=RequestsState.approve(r.id),
                        id="approve-request-" + rid,
                    ),
                    confirm_dialog(
                        rx.button(
                            "Decline",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            id="decline-request-" + rid,
                        ),
                        "Decline this request?",
                        r.stage_name + "'s request (" + r.what + ", " + r.shift + ") is "
                        "declined and she is told so, with your note. This cannot be undone.",
                        "Decline",
                        RequestsState.decline(r.id),
                        cancel_label="Keep it pending",
                        id_="decline-request",
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.vstack(
                    rx.badge(r.status_label, color_scheme=r.color),
                    rx.cond(r.note, rx.text(r.note, size="1", color_scheme="gray"), rx.fragment()),
                    spacing="1",
                ),
            ),
            data_status=r.status,
        ),
        id="request-" + rid,
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
                    rx.cond(
                        s.status == RequestStatus.PENDING.value, "No pending requests", "No requests here"
                    ),
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
