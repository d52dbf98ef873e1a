"""A model's own week: check in and out, ask for time off or a swap, hours worked this month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import reflex as rx

from studioos.services import attendance, performers, shift_requests, shifts, studios
from studioos.services.errors import NotFound, ServiceError, ValidationFailed
from studioos.services.permissions import Cap
from studioos.ui.backend import acting
from studioos.ui.calendar import (
    WeekNav,
    events,
    local_today,
    parse_day,
    parse_int,
    shift_dict,
    week_calendar,
    week_label,
    week_nav,
    week_payload,
)
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, page_header
from studioos.ui.format import for_timezone
from studioos.ui.layout import shell
from studioos.ui.session import service_error_event

UPCOMING_DAYS = 28
REQUEST_COLORS = {"pending": "blue", "approved": "green", "declined": "red", "withdrawn": "gray"}


def request_dict(r: shift_requests.RequestRow, tz: str) -> dict[str, str]:
    from studioos.ui.format import local_time

    what = "Time off" if r.kind == "time_off" else f"Swap with {r.swap_stage_name}"
    if r.swap_shift_label:
        what += f" (her shift {r.swap_shift_label})"
    return {
        "id": str(r.id),
        "kind": r.kind,
        "what": what,
        "stage_name": r.stage_name,
        "swap_stage_name": r.swap_stage_name,
        "shift": r.shift_label,
        "reason": r.reason,
        "status": r.status,
        "status_label": r.status.capitalize(),
        "color": REQUEST_COLORS.get(r.status, "gray"),
        "note": r.decision_note,
        "created": local_time(r.created_at, tz),
        "performer_id": str(r.performer_id),
    }


class MyScheduleState(WeekNav, rx.State):
    linked: bool = True
    own_id: str = ""
    current: dict[str, str] = {}
    upcoming: list[dict[str, str]] = []
    requests: list[dict[str, str]] = []
    partners: list[dict[str, str]] = []
    hours: str = "0.00"
    hours_shifts: str = "0"
    hours_late: str = "0"
    month_label: str = ""
    # the request dialog
    req_open: bool = False
    req_kind: str = "time_off"
    req_shift: dict[str, str] = {}
    req_errors: dict[str, str] = {}

    def _reload(self) -> None:
        with acting(self.router) as (db, actor):
            studio = studios.current_studio(db, actor)
            tz = studio.timezone if studio else "UTC"
            today = local_today(tz)
            try:
                me = performers.my_profile(db, actor)
            except NotFound:
                self.linked = False
                return
            self.linked, self.own_id = True, str(me.id)
            day = parse_day(self.week_of, today)
            self.week_of = day.isoformat()
            view = shifts.my_week(db, actor, day)
            coming = shifts.shifts_between(
                db,
                actor,
                today - timedelta(days=1),
                today + timedelta(days=UPCOMING_DAYS),
                performer_id=me.id,
            )
            reqs = shift_requests.list_requests(db, actor, status=None)
            partners = shift_requests.swap_partners(db, actor)
            first = today.replace(day=1)
            worked = attendance.hours_worked(db, actor, first, today)
        fmt = for_timezone(tz)
        now = datetime.now(UTC)
        live = [s for s in coming if s.ends_at > now]
        pending = {r.shift_id for r in reqs if r.status == "pending"}
        self.current = next(
            (shift_dict(s, fmt) for s in live if s.attendance in {"scheduled", "checked_in", "late"}), {}
        )
        self.upcoming = [
            {
                **shift_dict(s, fmt),
                "pending": "1" if s.id in pending else "",
                "future": "1" if s.starts_at > now else "",
            }
            for s in live
        ]
        self.requests = [request_dict(r, tz) for r in reqs]
        self.partners = [{"id": str(i), "name": n} for i, n in partners.items()]
        self.month_label = fmt.month(first)
        row = worked[0] if worked else None
        self.hours = f"{row.hours:.2f}" if row else "0.00"
        self.hours_shifts = str(row.shifts) if row else "0"
        self.hours_late = str(row.late) if row else "0"
        self.week_text = week_label(view.week_start, fmt)
        self.days, self.cells = week_payload(view, today, fmt)

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.week_of = ""
        self.req_open = False
        return self._reload_safely()

    def _act(self, fn, ok: str, *args):  # type: ignore[no-untyped-def]
        try:
            with acting(self.router) as (db, actor):
                fn(db, actor, *args)
        except ValidationFailed as exc:
            return rx.toast.error(next(iter(exc.errors.values()), exc.message))
        except ServiceError as exc:
            return service_error_event(exc, "/my-schedule")
        return events(self._reload_safely(), rx.toast.success(ok))

    @rx.event
    def check_in(self, shift_id: str):  # type: ignore[no-untyped-def]
        sid = parse_int(shift_id)
        return None if sid is None else self._act(attendance.check_in, "Checked in. Have a good show!", sid)

    @rx.event
    def check_out(self, shift_id: str):  # type: ignore[no-untyped-def]
        sid = parse_int(shift_id)
        return None if sid is None else self._act(attendance.check_out, "Checked out. Thank you!", sid)

    @rx.event
    def withdraw(self, request_id: str):  # type: ignore[no-untyped-def]
        rid = parse_int(request_id)
        return None if rid is None else self._act(shift_requests.withdraw_request, "Request withdrawn.", rid)

    @rx.event
    def open_request(self, shift_id: str, kind: str) -> None:
        found = next((s for s in self.upcoming if s["id"] == str(shift_id)), None)
        if found is None or kind not in {"time_off", "swap"}:
            return
        self.req_shift, self.req_kind, self.req_errors, self.req_open = found, kind, {}, True

    @rx.event
    def set_req_open(self, value: bool) -> None:
        self.req_open = bool(value)

    @rx.event
    def send_request(self, form: dict):  # type: ignore[no-untyped-def]
        self.req_errors = {}
        sid = parse_int(self.req_shift.get("id"))
        if sid is None:
            return None
        reason = str(form.get("reason", ""))
        try:
            with acting(self.router) as (db, actor):
                if self.req_kind == "swap":
                    partner = parse_int(form.get("with_performer_id"))
                    if partner is None:
                        self.req_errors = {"with_performer_id": "Choose the model to swap with."}
                        return None
                    row = shift_requests.request_swap(
                        db, actor, sid, with_performer_id=partner, reason=reason
                    )
                else:
                    row = shift_requests.request_time_off(db, actor, sid, reason)
        except ValidationFailed as exc:
            self.req_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/my-schedule")
        self.req_open = False
        what = "time off" if row.kind == "time_off" else f"a swap with {row.swap_stage_name}"
        return events(self._reload_safely(), rx.toast.success(f"Asked for {what}. A manager will decide."))


S = MyScheduleState


def _current_card() -> rx.Component:
    c = S.current
    return card(
        rx.cond(
            c.contains("id"),
            rx.hstack(
                rx.vstack(
                    rx.text("Your next shift", size="2", color_scheme="gray"),
                    rx.heading(c["day_label"] + ", " + c["time"], size="5", id="current-shift"),
                    rx.hstack(
                        rx.text(c["room_name"], size="2"),
                        rx.badge(c["attendance_label"], color_scheme=c["color"], id="current-attendance"),
                        rx.cond(
                            c["checked_in"] != "",
                            rx.text("in at " + c["checked_in"], size="2"),
                            rx.fragment(),
                        ),
                        spacing="2",
                        align="center",
                    ),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                rx.cond(
                    c["checked_in"] == "",
                    rx.button(
                        rx.icon("log-in", size=16),
                        "Check in",
                        size="3",
                        color_scheme="green",
                        on_click=S.check_in(c["id"]),
                        id="check-in",
                    ),
                    rx.button(
                        rx.icon("log-out", size=16),
                        "Check out",
                        size="3",
                        on_click=S.check_out(c["id"]),
                        id="check-out",
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


def _upcoming_row(s: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(s["day_label"]),
        rx.table.cell(s["time"]),
        rx.table.cell(s["room_name"]),
        rx.table.cell(rx.badge(s["attendance_label"], color_scheme=s["color"])),
        rx.table.cell(
            rx.cond(
                s["pending"] != "",
                rx.badge("Request pending", color_scheme="blue", variant="outline"),
                rx.cond(
                    (s["future"] != "") & (s["attendance"] == "scheduled"),
                    rx.hstack(
                        rx.button(
                            "Time off",
                            size="1",
                            variant="soft",
                            on_click=S.open_request(s["id"], "time_off"),
                            id="time-off-" + s["id"],
                        ),
                        rx.button(
                            "Swap",
                            size="1",
                            variant="soft",
                            on_click=S.open_request(s["id"], "swap"),
                            id="swap-" + s["id"],
                        ),
                        spacing="2",
                    ),
                    rx.fragment(),
                ),
            )
        ),
        data_shift_id=s["id"],
    )


def _request_dialog() -> rx.Component:
    e = S.req_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.req_kind == "swap", "Ask for a swap", "Ask for time off")),
            rx.dialog.description(
                S.req_shift["day_label"] + ", " + S.req_shift["time"] + " in " + S.req_shift["room_name"],
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.cond(
                        S.req_kind == "swap",
                        rx.vstack(
                            rx.el.label("Give the shift to", class_name="field-label"),
                            rx.select.root(
                                rx.select.trigger(placeholder="Choose a model", id="swap-with", width="100%"),
                                rx.select.content(
                                    rx.foreach(S.partners, lambda p: rx.select.item(p["name"], value=p["id"]))
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
                            S.req_kind == "swap",
                            rx.button("Send swap request", type="submit", id="request-swap"),
                            rx.button("Send time-off request", type="submit", id="request-time-off"),
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.send_request,
                reset_on_submit=False,
            ),
        ),
        open=S.req_open,
        on_open_change=S.set_req_open,
    )


def _request_row(r: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["shift"]),
        rx.table.cell(
            rx.cond(r["performer_id"] == S.own_id, r["what"], "From " + r["stage_name"] + ": swap")
        ),
        rx.table.cell(rx.badge(r["status_label"], color_scheme=r["color"]), data_status=r["status"]),
        rx.table.cell(rx.text(r["note"], size="2", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                (r["status"] == "pending") & (r["performer_id"] == S.own_id),
                confirm_dialog(
                    rx.button("Withdraw", size="1", variant="ghost", color_scheme="red"),
                    "Withdraw this request?",
                    "Your request for " + r["shift"] + " is withdrawn; the shift stays as it is. "
                    "You can ask again later.",
                    "Withdraw",
                    S.withdraw(r["id"]),
                    cancel_label="Keep it",
                    id_="withdraw-request",
                ),
                rx.fragment(),
            )
        ),
        id="request-" + r["id"],
    )


def body() -> rx.Component:
    return rx.vstack(
        page_header(
            "My schedule",
            "Your shifts in studio time. Check in when you arrive, out when you finish.",
            rx.cond(
                S.own_id != "",
                rx.link(
                    rx.button(rx.icon("user", size=16), "My profile", variant="soft"),
                    href="/models/" + S.own_id,
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
