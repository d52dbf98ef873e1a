"""A model's own week: check in and out, ask for time off or a swap, hours worked this month.

What to show is decided by the services (own_schedule.my_upcoming); this page only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from studioos.models import RequestKind
from studioos.pages.requests import RequestView
from studioos.services import attendance, own_schedule, shift_requests, shifts
from studioos.services.formatting import Formats, for_actor
from studioos.services.own_schedule import OwnShift
from studioos.services.permissions import Cap
from studioos.services.shifts import ShiftRow
from studioos.services.validation import parse_id
from studioos.ui import toast
from studioos.ui.calendar import (
    ShiftCell,
    WeekNav,
    parse_day,
    week_calendar,
    week_label,
    week_nav,
    week_payload,
)
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, service_event


@dataclass(frozen=True)
class OwnShiftRow:
    """One of her shifts as the current card and the "Coming up" table show it."""

    id: int
    day_label: str
    time: str
    room_name: str
    attendance_label: str
    color: str
    checked_in: bool
    checked_in_at: str  # her check-in time on the studio's clock ("" while she is not in)
    request_pending: bool
    can_request: bool

    @classmethod
    def of(
        cls, s: ShiftRow, fmt: Formats, *, request_pending: bool = False, can_request: bool = False
    ) -> OwnShiftRow:
        cell = ShiftCell.of(s, fmt)  # the calendar's wording of the day, time and attendance
        return cls(
            id=cell.id,
            day_label=cell.day_label,
            time=cell.time,
            room_name=cell.room_name,
            attendance_label=cell.attendance_label,
            color=cell.color,
            checked_in=cell.checked_in,
            checked_in_at=cell.in_at,
            request_pending=request_pending,
            can_request=can_request,
        )

    @classmethod
    def listed(cls, own: OwnShift, fmt: Formats) -> OwnShiftRow:
        return cls.of(own.shift, fmt, request_pending=own.request_pending, can_request=own.can_request)


NO_SHIFT = OwnShiftRow(
    id=0,
    day_label="",
    time="",
    room_name="",
    attendance_label="",
    color="gray",
    checked_in=False,
    checked_in_at="",
    request_pending=False,
    can_request=False,
)


@dataclass(frozen=True)
class Partner:
    id: int
    name: str


class MyScheduleState(WeekNav, rx.State):
    linked: bool = True
    own_id: int = 0
    has_current: bool = False
    current: OwnShiftRow = NO_SHIFT
    can_check_in: bool = False
    can_check_out: bool = False
    upcoming: list[OwnShiftRow] = []
    requests: list[RequestView] = []
    hours: str = "0.00"
    hours_shifts: int = 0
    hours_late: int = 0
    month_label: str = ""

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            mine = own_schedule.my_upcoming(db, actor)
            if mine is None:
                self.linked = False
                return
            day = parse_day(self.week_of, mine.today)
            week = shifts.my_week(db, actor, day)
        fmt = for_actor(actor)
        self.linked, self.own_id = True, mine.performer_id
        self.week_of = day.isoformat()
        self.has_current = mine.current is not None
        self.current = OwnShiftRow.of(mine.current, fmt) if mine.current is not None else NO_SHIFT
        self.can_check_in, self.can_check_out = mine.can_check_in, mine.can_check_out
        self.upcoming = [OwnShiftRow.listed(s, fmt) for s in mine.shifts]
        self.requests = [
            RequestView.of(r.request, fmt, mine=r.mine, can_withdraw=r.can_withdraw) for r in mine.requests
        ]
        self.month_label = fmt.month(mine.month_first)
        self.hours = f"{mine.hours:.2f}"
        self.hours_shifts, self.hours_late = mine.shifts_worked, mine.late
        self.week_text = week_label(week.week_start, fmt)
        self.days, self.cells = week_payload(week, mine.today, fmt)

    @service_event
    def load(self) -> Answer:
        self.week_of = ""
        self._reload()
        return RequestDialog.close()  # a dialog left open on another visit starts closed

    @service_event(refresh=True)
    def check_in(self) -> Answer:
        """Check in to the shift this page shows (its id from the server's own state)."""
        if not self.current.id:
            return None
        self._call(attendance.check_in, self.current.id)
        self._reload()
        return toast.success("Checked in. Have a good show!")

    @service_event(refresh=True)
    def check_out(self) -> Answer:
        if not self.current.id:
            return None
        self._call(attendance.check_out, self.current.id)
        self._reload()
        return toast.success("Checked out. Thank you!")

    @service_event(refresh=True)
    def withdraw(self, request_id: int) -> Answer:
        rid = parse_id(request_id)
        if rid is None:
            return None
        self._call(shift_requests.withdraw_request, rid)
        self._reload()
        return toast.success("Request withdrawn.")


class RequestDialog(MyScheduleState):
    """The time-off or swap dialog: its state is loaded only for its own events."""

    req_open: bool = False
    req_swap: bool = False
    req_shift: OwnShiftRow = NO_SHIFT
    req_errors: dict[str, str] = {}
    partners: list[Partner] = []

    @rx.event
    def close(self) -> None:
        self.req_open, self.req_errors = False, {}

    @service_event
    def open_request(self, shift_id: int, kind: str) -> None:
        wanted = parse_id(shift_id)
        found = next((s for s in self.upcoming if s.id == wanted), None)
        if found is None or kind not in {k.value for k in RequestKind}:
            return
        self.req_swap = kind == RequestKind.SWAP
        if self.req_swap:
            self.partners = [
                Partner(id=i, name=n) for i, n in self._call(shift_requests.swap_partners).items()
            ]
        self.req_shift, self.req_errors, self.req_open = found, {}, True

    @rx.event
    def set_req_open(self, value: bool) -> None:
        self.req_open = bool(value)

    @service_event(errors="req_errors")
    def send_request(self, form: dict[str, Any]) -> Answer:
        if not self.req_shift.id:
            return None
        kind = RequestKind.SWAP if self.req_swap else RequestKind.TIME_OFF
        row = self._call(own_schedule.ask, self.req_shift.id, kind, form)
        self.req_open = False
        self._reload()
        what = "time off" if row.kind == RequestKind.TIME_OFF else f"a swap with {row.swap_stage_name}"
        return toast.success(f"Asked for {what}. A manager will decide.")


S, D = MyScheduleState, RequestDialog


def _current_card() -> rx.Component:
    c = S.current
    check_in = rx.button(
        rx.icon("log-in", size=16),
        "Check in",
        size="3",
        color_scheme="green",
        on_click=S.check_in,
        id="check-in",
    )
    check_out = rx.button(
        rx.icon("log-out", size=16), "Check out", size="3", on_click=S.check_out, id="check-out"
    )
    return card(
        rx.cond(
            S.has_current,
            rx.hstack(
                rx.vstack(
                    rx.text("Your next shift", size="2", color_scheme="gray"),
                    rx.heading(c.day_label + ", " + c.time, size="5", id="current-shift"),
                    rx.hstack(
                        rx.text(c.room_name, size="2"),
                        rx.badge(c.attendance_label, color_scheme=c.color, id="current-attendance"),
                        rx.cond(c.checked_in, rx.text("in at " + c.checked_in_at, size="2"), rx.fragment()),
                        spacing="2",
                        align="center",
                    ),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                # The buttons show only when the service would accept them (the check-in window).
                rx.cond(
                    S.can_check_in,
                    check_in,
                    rx.cond(
                        S.can_check_out,
                        check_out,
                        rx.text(
                            "Check-in opens an hour before the start.",
                            size="2",
                            color_scheme="gray",
                            id="check-in-later",
                        ),
                    ),
                ),
                width="100%",
                align="center",
                # On a phone the check-in button goes full width under the shift: easy to hit.
                class_name="phone-stack",
            ),
            rx.text("No shift coming up in the next four weeks.", size="2", color_scheme="gray"),
        )
    )


def _upcoming_row(s: OwnShiftRow) -> rx.Component:
    sid = s.id.to_string()
    return rx.table.row(
        rx.table.cell(s.day_label),
        rx.table.cell(s.time),
        rx.table.cell(s.room_name),
        rx.table.cell(rx.badge(s.attendance_label, color_scheme=s.color)),
        rx.table.cell(
            rx.cond(
                s.request_pending,
                rx.badge("Request pending", color_scheme="blue", variant="outline"),
                rx.cond(
                    s.can_request,
                    rx.hstack(
                        rx.button(
                            "Time off",
                            size="1",
                            variant="soft",
                            on_click=D.open_request(s.id, RequestKind.TIME_OFF.value),
                            id="time-off-" + sid,
                        ),
                        rx.button(
                            "Swap",
                            size="1",
                            variant="soft",
                            on_click=D.open_request(s.id, RequestKind.SWAP.value),
                            id="swap-" + sid,
                        ),
                        spacing="2",
                    ),
                    rx.fragment(),
                ),
            )
        ),
        data_shift_id=sid,
    )


def _request_dialog() -> rx.Component:
    e = D.req_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(D.req_swap, "Ask for a swap", "Ask for time off")),
            rx.dialog.description(
                D.req_shift.day_label + ", " + D.req_shift.time + " in " + D.req_shift.room_name,
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.cond(
                        D.req_swap,
                        rx.vstack(
                            rx.el.label("Give the shift to", class_name="field-label"),
                            rx.select.root(
                                rx.select.trigger(placeholder="Choose a model", id="swap-with", width="100%"),
                                rx.select.content(
                                    rx.foreach(
                                        D.partners, lambda p: rx.select.item(p.name, value=p.id.to_string())
                                    )
                                ),
                                name="with_performer_id",
                            ),
                            field_error(e, "with_performer_id"),
                            spacing="1",
                            width="100%",
                        ),
                        rx.fragment(),
                    ),
                    rx.el.label("Reason (optional)", html_for="reason", class_name="field-label"),
                    rx.text_area(
                        name="reason", id="reason", max_length=shift_requests.REASON_MAX, width="100%"
                    ),
                    rx.text(
                        f"At most {shift_requests.REASON_MAX} characters.", size="1", color_scheme="gray"
                    ),
                    field_error(e, "reason"),
                    field_error(e, "shift_id"),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.cond(
                            D.req_swap,
                            rx.button("Send swap request", type="submit", id="request-swap"),
                            rx.button("Send time-off request", type="submit", id="request-time-off"),
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=D.send_request,
                reset_on_submit=False,
            ),
        ),
        open=D.req_open,
        on_open_change=D.set_req_open,
    )


def _request_row(r: RequestView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.shift),
        rx.table.cell(rx.cond(r.mine, r.what, "From " + r.stage_name + ": swap")),
        rx.table.cell(rx.badge(r.status_label, color_scheme=r.color), data_status=r.status),
        rx.table.cell(rx.text(r.note, size="2", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                r.can_withdraw,
                confirm_dialog(
                    rx.button("Withdraw", size="1", variant="ghost", color_scheme="red"),
                    "Withdraw this request?",
                    "Your request for " + r.shift + " is withdrawn; the shift stays as it is. "
                    "You can ask again later.",
                    "Withdraw",
                    S.withdraw(r.id),
                    cancel_label="Keep it",
                    id_="withdraw-request",
                ),
                rx.fragment(),
            )
        ),
        id="request-" + r.id.to_string(),
    )


def body() -> rx.Component:
    return rx.vstack(
        page_header(
            "My schedule",
            "Your shifts in studio time. Check in when you arrive, out when you finish.",
            rx.cond(
                S.own_id > 0,
                rx.link(
                    rx.button(rx.icon("user", size=16), "My profile", variant="soft"),
                    href="/models/" + S.own_id.to_string(),
                    id="my-profile",
                ),
                rx.fragment(),
            ),
        ),
        rx.cond(
            S.linked,
            rx.vstack(
                _current_card(),
                card(
                    rx.hstack(week_nav(S), width="100%"),
                    rx.box(week_calendar(S, show_room=True), margin_top="1rem"),
                ),
                rx.grid(
                    card(
                        rx.heading("Coming up", size="4", margin_bottom="0.5rem"),
                        rx.cond(
                            S.upcoming.length() > 0,
                            rx.table.root(
                                rx.table.header(
                                    rx.table.row(
                                        rx.table.column_header_cell("Day"),
                                        rx.table.column_header_cell("Time"),
                                        rx.table.column_header_cell("Room"),
                                        rx.table.column_header_cell(""),
                                        rx.table.column_header_cell(""),
                                    )
                                ),
                                rx.table.body(rx.foreach(S.upcoming, _upcoming_row)),
                                width="100%",
                                id="upcoming-table",
                            ),
                            rx.text("Nothing booked in the next four weeks.", size="2", color_scheme="gray"),
                        ),
                    ),
                    card(
                        rx.heading(S.month_label, size="4", margin_bottom="0.5rem"),
                        rx.hstack(
                            rx.vstack(
                                rx.heading(S.hours, size="7", id="my-hours"),
                                rx.text("hours worked", size="2"),
                                spacing="0",
                            ),
                            rx.vstack(
                                rx.heading(S.hours_shifts, size="7"), rx.text("shifts", size="2"), spacing="0"
                            ),
                            rx.vstack(
                                rx.heading(S.hours_late, size="7"), rx.text("late", size="2"), spacing="0"
                            ),
                            spacing="6",
                        ),
                    ),
                    # The shift list needs room for its two buttons; the month figures do not.
                    grid_template_columns=rx.breakpoints(initial="1fr", md="2fr 1fr"),
                    spacing="4",
                    width="100%",
                ),
                card(
                    rx.heading("My requests", size="4", margin_bottom="0.5rem"),
                    rx.cond(
                        S.requests.length() > 0,
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Shift"),
                                    rx.table.column_header_cell("Request"),
                                    rx.table.column_header_cell("Status"),
                                    rx.table.column_header_cell("Note"),
                                    rx.table.column_header_cell(""),
                                )
                            ),
                            rx.table.body(rx.foreach(S.requests, _request_row)),
                            width="100%",
                            id="my-requests",
                        ),
                        rx.text(
                            "No requests. Use “Time off” or “Swap” next to a shift above.",
                            size="2",
                            color_scheme="gray",
                        ),
                    ),
                ),
                spacing="5",
                width="100%",
            ),
            empty_state(
                "link-2-off",
                "Your account is not linked to a model profile yet",
                "Ask a manager of your studio to link your account on your model page; "
                "your shifts appear here then.",
            ),
        ),
        _request_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.SCHEDULE_OWN)
