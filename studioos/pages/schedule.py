"""The studio's week schedule: per room or per model, booking single shifts and weekly series,
editing or cancelling one occurrence or a series from a date on, attendance and hours worked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import reflex as rx

from studioos.services import attendance, performers, rooms, shifts, studios
from studioos.services.errors import ServiceError, ValidationFailed
from studioos.services.permissions import Cap
from studioos.ui.backend import acting
from studioos.ui.calendar import (
    WeekNav,
    events,
    local_today,
    parse_day,
    parse_int,
    parse_time,
    shift_dict,
    week_calendar,
    week_label,
    week_nav,
    week_payload,
)
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, page_header
from studioos.ui.format import date_echo, date_echo_handler, for_timezone
from studioos.ui.layout import shell
from studioos.ui.session import service_error_event

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# The services name the span error "ends"; the form calls that field end_time.
_FIELD_ALIASES = {"ends": "end_time", "starts": "start_time", "last_day": "weeks"}


def _form_errors(exc: ValidationFailed) -> dict[str, str]:
    return {_FIELD_ALIASES.get(k, k): v for k, v in exc.errors.items()}


def hours_rows(rows: list[attendance.HoursRow]) -> list[dict[str, str]]:
    return [
        {
            "performer_id": str(r.performer_id),
            "stage_name": r.stage_name,
            "shifts": str(r.shifts),
            "hours": f"{r.hours:.2f}",
            "late": str(r.late),
            "no_shows": str(r.no_shows),
        }
        for r in rows
    ]


class ScheduleState(WeekNav, rx.State):
    mode: str = "room"  # room | model
    room_id: str = ""
    performer_id: str = ""
    room_options: list[dict[str, str]] = []
    model_options: list[dict[str, str]] = []
    form_kind: str = "single"  # single | series
    shift_errors: dict[str, str] = {}
    series_errors: dict[str, str] = {}
    series_days: list[int] = []
    tz: str = "UTC"
    today: str = ""
    # the shift opened from the calendar
    dialog_open: bool = False
    selected: dict[str, str] = {}
    edit_scope: str = "one"  # one | series
    edit_from_day: str = ""
    edit_errors: dict[str, str] = {}
    # hours worked
    hours_from: str = ""
    hours_to: str = ""
    hours: list[dict[str, str]] = []
    hours_errors: dict[str, str] = {}
    # a booking that needs a yes first (a past shift, a paused model, an expired ID document)
    confirm_open: bool = False
    confirm_warnings: list[str] = []
    confirm_title: str = ""
    confirm_label: str = ""
    _pending_booking: dict[str, Any] = {}  # {"kind": "single" | "series", "form": {...}, "flags": {...}}

    def _reload(self) -> None:
        with acting(self.router) as (db, actor):
            studio = studios.current_studio(db, actor)
            self.tz = studio.timezone if studio else "UTC"
            today = local_today(self.tz)
            room_list = rooms.list_rooms(db, actor)
            names = performers.stage_names(db, actor)
            self.room_options = [{"id": str(r.id), "name": r.name} for r in room_list]
            self.model_options = [{"id": str(i), "name": n} for i, n in names.items()]
            if parse_int(self.room_id) not in {r.id for r in room_list}:
                self.room_id = str(room_list[0].id) if room_list else ""
            if parse_int(self.performer_id) not in names:
                self.performer_id = str(next(iter(names))) if names else ""
            day = parse_day(self.week_of, today)
            self.week_of, self.today = day.isoformat(), today.isoformat()
            view = None
            if self.mode == "model" and self.performer_id:
                view = shifts.performer_week(db, actor, int(self.performer_id), day, include_cancelled=True)
            elif self.mode == "room" and self.room_id:
                view = shifts.room_week(db, actor, int(self.room_id), day, include_cancelled=True)
            if not self.hours_from:
                self.hours_from = today.replace(day=1).isoformat()
                self.hours_to = today.isoformat()
            first, last = parse_day(self.hours_from, today), parse_day(self.hours_to, today)
            try:
                self.hours = hours_rows(attendance.hours_worked(db, actor, first, last))
                self.hours_errors = {}
            except ValidationFailed as exc:
                self.hours, self.hours_errors = [], exc.errors
        monday = shifts.week_start(day)
        fmt = for_timezone(self.tz)
        self.week_text = week_label(monday, fmt)
        if view is None:
            empty = shifts.WeekView(monday, tuple(monday + timedelta(i) for i in range(7)), [])
            self.days = week_payload(empty, today, fmt)[0]
            self.cells = [[] for _ in range(7)]
        else:
            self.days, self.cells = week_payload(view, today, fmt)

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.week_of = ""
        self.dialog_open = False
        self.shift_errors, self.series_errors, self.edit_errors = {}, {}, {}
        params = self.router.url.query_parameters
        if parse_int(params.get("room")) is not None:
            self.mode, self.room_id = "room", str(params.get("room"))
        return self._reload_safely()

    @rx.event
    def set_mode(self, mode: str | list[str]):  # type: ignore[no-untyped-def]
        if isinstance(mode, str) and mode in {"room", "model"}:
            self.mode = mode
        return self._reload_safely()

    @rx.event
    def pick_room(self, room_id: str):  # type: ignore[no-untyped-def]
        self.room_id = str(room_id)
        return self._reload_safely()

    @rx.event
    def pick_model(self, performer_id: str):  # type: ignore[no-untyped-def]
        self.performer_id = str(performer_id)
        return self._reload_safely()

    @rx.event
    def set_form_kind(self, kind: str | list[str]) -> None:
        if isinstance(kind, str) and kind in {"single", "series"}:
            self.form_kind = kind

    @rx.event
    def toggle_day(self, day: int, checked: bool) -> None:
        d = parse_int(day)
        if d is None or not 0 <= d <= 6:
            return
        days = set(self.series_days)
        if checked:
            days.add(d)
        else:
            days.discard(d)
        self.series_days = sorted(days)

    # ------------------------------------------------------------ booking

    @rx.event
    def book_shift(self, form: dict):  # type: ignore[no-untyped-def]
        self._pending_booking = {}
        return self._book_shift(form, {})

    def _book_shift(self, form: dict, flags: dict[str, bool]):  # type: ignore[no-untyped-def]
        self.shift_errors = {}
        errors: dict[str, str] = {}
        performer_id, room_id = parse_int(form.get("performer_id")), parse_int(form.get("room_id"))
        day = parse_day(form.get("day"), date.min)
        start, end = parse_time(form.get("start_time")), parse_time(form.get("end_time"))
        if performer_id is None:
            errors["performer_id"] = "Choose a model."
        if room_id is None:
            errors["room_id"] = "Choose a room."
        if day == date.min:
            errors["day"] = "Enter the day of the shift."
        if start is None:
            errors["start_time"] = "Enter the start time, like 18:00."
        if end is None:
            errors["end_time"] = "Enter the end time, like 02:00."
        if errors:
            self.shift_errors = errors
            return None
        try:
            # Inside the try: a day far outside the booking window is refused with a message.
            starts, ends = shifts.local_span(day, start, end)  # type: ignore[arg-type]
            with acting(self.router) as (db, actor):
                row = shifts.create_shift(
                    db,
                    actor,
                    performer_id=performer_id,
                    room_id=room_id,
                    starts=starts,
                    ends=ends,  # type: ignore[arg-type]
                    notes=str(form.get("notes", "")),
                    **flags,
                )
        except shifts.NeedsConfirmation as exc:
            return self._ask(exc, "single", form, flags)
        except ValidationFailed as exc:
            self.shift_errors = _form_errors(exc)
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/schedule")
        self.week_of = row.starts_local.date().isoformat()
        self._follow(row.room_id, row.performer_id)
        return events(
            self._reload_safely(),
            rx.toast.success(f"Booked {row.stage_name} in {row.room_name}, {_shift_when(row, self.tz)}."),
        )

    def _follow(self, room_id: int, performer_id: int) -> None:
        """Show the calendar the new booking is in."""
        if self.mode == "room":
            self.room_id = str(room_id)
        else:
            self.performer_id = str(performer_id)

    def _ask(self, exc: shifts.NeedsConfirmation, kind: str, form: dict, flags: dict[str, bool]) -> None:
        """Keep the booking and show what needs a yes; confirm_booking repeats it with the yes."""
        said_yes = {k: True for k in exc.errors if k in {"record_past", "confirm_blocked"}}
        self._pending_booking = {"kind": kind, "form": dict(form), "flags": {**flags, **said_yes}}
        self.confirm_warnings = list(exc.errors.values())
        if kind == "edit":
            self.confirm_title, self.confirm_label = "Save anyway?", "Save anyway"
        elif set(said_yes) == {"record_past"}:
            self.confirm_title, self.confirm_label = "Record a past shift?", "Record past shift"
        else:
            self.confirm_title, self.confirm_label = "Book anyway?", "Book anyway"
        self.confirm_open = True

    @rx.event
    def confirm_booking(self):  # type: ignore[no-untyped-def]
        pending, self._pending_booking = self._pending_booking, {}
        self.confirm_open = False
        if not pending:
            return None
        if pending["kind"] == "series":
            return self._book_series(pending["form"], pending["flags"])
        if pending["kind"] == "edit":
            return self._save_shift(pending["form"], pending["flags"])
        return self._book_shift(pending["form"], pending["flags"])

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        # The pending booking stays until replaced: closing runs alongside the confirm button's click.
        self.confirm_open = bool(value)

    @rx.event
    def book_series(self, form: dict):  # type: ignore[no-untyped-def]
        self._pending_booking = {}
        return self._book_series(form, {})

    def _book_series(self, form: dict, flags: dict[str, bool]):  # type: ignore[no-untyped-def]
        self.series_errors = {}
        errors: dict[str, str] = {}
        performer_id, room_id = parse_int(form.get("performer_id")), parse_int(form.get("room_id"))
        first = parse_day(form.get("first_day"), date.min)
        start, end = parse_time(form.get("start_time")), parse_time(form.get("end_time"))
        weeks = parse_int(form.get("weeks"))
        if performer_id is None:
            errors["performer_id"] = "Choose a model."
        if room_id is None:
            errors["room_id"] = "Choose a room."
        if first == date.min:
            errors["first_day"] = "Enter the first day of the series."
        if start is None:
            errors["start_time"] = "Enter the start time, like 18:00."
        if end is None:
            errors["end_time"] = "Enter the end time, like 02:00."
        if weeks is None:
            errors["weeks"] = "Enter for how many weeks, like 4."
        if not self.series_days:
            errors["weekdays"] = "Choose at least one weekday."
        if errors:
            self.series_errors = errors
            return None
        try:
            with acting(self.router) as (db, actor):
                result = shifts.create_series(
                    db,
                    actor,
                    performer_id=performer_id,
                    room_id=room_id,
                    weekdays=self.series_days,  # type: ignore[arg-type]
                    start_time=start,
                    end_time=end,
                    first_day=first,
                    weeks=weeks,  # type: ignore[arg-type]
                    notes=str(form.get("notes", "")),
                    **flags,
                )
        except shifts.NeedsConfirmation as exc:
            return self._ask(exc, "series", form, flags)
        except ValidationFailed as exc:
            self.series_errors = _form_errors(exc)
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/schedule")
        self.week_of = first.isoformat()
        self._follow(room_id, performer_id)  # type: ignore[arg-type]
        return events(
            self._reload_safely(),
            rx.toast.success(
                f"Booked {result.created} shifts between {for_timezone(self.tz).day_month(result.first_day)} "
                f"and {for_timezone(self.tz).day(result.last_day)}."
            ),
        )

    # ------------------------------------------------------------ one shift

    @rx.event
    def open_shift(self, shift_id: str):  # type: ignore[no-untyped-def]
        sid = parse_int(shift_id)
        if sid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                row = shifts.get_shift(db, actor, sid)
        except ServiceError as exc:
            return service_error_event(exc, "/schedule")
        self.selected = shift_dict(row, for_timezone(self.tz))
        self.edit_scope = "one"
        self.edit_from_day = self.selected["day"]
        self.edit_errors = {}
        self.dialog_open = True
        return None

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = bool(value)

    @rx.event
    def set_edit_scope(self, value: str) -> None:
        if value in {"one", "series"}:
            self.edit_scope = value

    @rx.event
    def set_edit_from_day(self, value: str) -> None:
        self.edit_from_day = str(value)[:10]

    def _selected_id(self) -> int | None:
        return parse_int(self.selected.get("id"))

    def _after_change(self, message: str):  # type: ignore[no-untyped-def]
        self.dialog_open = False
        return events(self._reload_safely(), rx.toast.success(message))

    @rx.event
    def save_shift(self, form: dict):  # type: ignore[no-untyped-def]
        self._pending_booking = {}
        return self._save_shift(form, {})

    def _save_shift(self, form: dict, flags: dict[str, bool]):  # type: ignore[no-untyped-def]
        self.edit_errors = {}
        confirm_blocked = bool(flags.get("confirm_blocked"))
        sid = self._selected_id()
        performer_id, room_id = parse_int(form.get("performer_id")), parse_int(form.get("room_id"))
        start, end = parse_time(form.get("start_time")), parse_time(form.get("end_time"))
        day = parse_day(form.get("day"), date.min)
        errors: dict[str, str] = {}
        if sid is None or performer_id is None or room_id is None:
            errors["shift"] = "Choose the model and the room."
        if start is None:
            errors["start_time"] = "Enter the start time, like 18:00."
        if end is None:
            errors["end_time"] = "Enter the end time, like 02:00."
        if self.edit_scope == "one" and day == date.min:
            errors["day"] = "Enter the day of the shift."
        if errors:
            self.edit_errors = errors
            return None
        try:
            with acting(self.router) as (db, actor):
                if self.edit_scope == "series":
                    count = shifts.update_series_from(
                        db,
                        actor,
                        sid,
                        performer_id=performer_id,
                        room_id=room_id,  # type: ignore[arg-type]
                        start_time=start,
                        end_time=end,  # type: ignore[arg-type]
                        from_day=parse_day(self.edit_from_day, parse_day(self.selected.get("day"), date.min)),
                        confirm_blocked=confirm_blocked,
                    )
                    message = f"Changed {count} shift(s) of the series."
                else:
                    starts, ends = shifts.local_span(day, start, end)  # type: ignore[arg-type]
                    shifts.update_shift(
                        db,
                        actor,
                        sid,
                        performer_id=performer_id,
                        room_id=room_id,
                        starts=starts,
                        ends=ends,  # type: ignore[arg-type]
                        # The edit form has no notes box: no key means "keep the notes".
                        notes=str(form["notes"]) if "notes" in form else None,
                        confirm_blocked=confirm_blocked,
                    )
                    message = "Shift changed."
        except shifts.NeedsConfirmation as exc:
            return self._ask(exc, "edit", form, flags)
        except ValidationFailed as exc:
            self.edit_errors = _form_errors(exc)
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/schedule")
        return self._after_change(message)

    @rx.event
    def cancel_shift(self):  # type: ignore[no-untyped-def]
        sid = self._selected_id()
        if sid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                if self.edit_scope == "series":
                    from_day = parse_day(self.edit_from_day, parse_day(self.selected.get("day"), date.min))
                    count = shifts.cancel_series_from(db, actor, sid, from_day=from_day)
                    day_text = for_timezone(self.tz).day(from_day)
                    message = f"Cancelled {count} shift(s) of the series from {day_text} on."
                else:
                    shifts.cancel_shift(db, actor, sid)
                    message = "Shift cancelled."
        except ValidationFailed as exc:
            self.edit_errors = _form_errors(exc)
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/schedule")
        return self._after_change(message)

    @rx.event
    def check_in(self):  # type: ignore[no-untyped-def]
        return self._attend(attendance.check_in, "Checked in.")

    @rx.event
    def check_out(self):  # type: ignore[no-untyped-def]
        return self._attend(attendance.check_out, "Checked out.")

    def _attend(self, fn, ok: str):  # type: ignore[no-untyped-def]
        sid = self._selected_id()
        if sid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                row = fn(db, actor, sid)
        except ValidationFailed as exc:
            return rx.toast.error(next(iter(exc.errors.values()), exc.message))
        except ServiceError as exc:
            return service_error_event(exc, "/schedule")
        self.selected = shift_dict(row, for_timezone(self.tz))
        return events(self._reload_safely(), rx.toast.success(ok + (" Late." if row.late else "")))

    # ------------------------------------------------------------ hours

    @rx.event
    def hours_period(self, form: dict):  # type: ignore[no-untyped-def]
        self.hours_from = str(form.get("hours_from", ""))[:10]
        self.hours_to = str(form.get("hours_to", ""))[:10]
        return self._reload_safely()


# ---------------------------------------------------------------- components


def _options_picker(
    options, value, on_change, id_: str, name: str = "", placeholder: str = ""
) -> rx.Component:  # type: ignore[no-untyped-def]
    props = {"name": name} if name else {}
    return rx.select.root(
        rx.select.trigger(id=id_, placeholder=placeholder, width="100%"),
        rx.select.content(rx.foreach(options, lambda o: rx.select.item(o["name"], value=o["id"]))),
        **({"value": value, "on_change": on_change} if on_change is not None else {"default_value": value}),
        size="2",
        **props,
    )


def _field(label: str, control: rx.Component, errors, name: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.vstack(
        rx.el.label(label, class_name="field-label"),
        control,
        field_error(errors, name),
        spacing="1",
        align="start",
        width="100%",
    )


def _shift_when(row: shifts.ShiftRow, tz: str) -> str:
    """Mon 1 Dec, 18:00-02:00 (+1): a shift as the toasts name it, the studio's way."""
    shown = shift_dict(row, for_timezone(tz))
    return f"{shown['day_label']}, {shown['time']}"


def _input(name: str, id_: str, type_: str = "text", **props) -> rx.Component:  # type: ignore[no-untyped-def]
    if type_ == "date":
        # The browser draws the picker in its own language; the studio's way is written under it.
        return rx.vstack(
            rx.input(
                name=name,
                id=id_,
                type=type_,
                size="2",
                width="100%",
                on_change=date_echo_handler(id_),
                **props,
            ),
            date_echo(id_),
            spacing="1",
            width="100%",
        )
    return rx.input(name=name, id=id_, type=type_, size="2", width="100%", **props)


def _picker() -> rx.Component:
    s = ScheduleState
    return rx.hstack(
        rx.segmented_control.root(
            rx.segmented_control.item("By room", value="room"),
            rx.segmented_control.item("By model", value="model"),
            value=s.mode,
            on_change=s.set_mode,
            id="schedule-mode",
        ),
        rx.box(
            rx.cond(
                s.mode == "room",
                _options_picker(s.room_options, s.room_id, s.pick_room, "pick-room", placeholder="Room"),
                _options_picker(
                    s.model_options, s.performer_id, s.pick_model, "pick-model", placeholder="Model"
                ),
            ),
            min_width="12rem",
        ),
        rx.spacer(),
        week_nav(s),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
    )


def _who_and_where(prefix: str, errors: Any) -> list[rx.Component]:
    """The model and room pickers both booking forms start with; ids are `<prefix>-model/room`."""
    s = ScheduleState
    return [
        _field(
            "Model",
            _options_picker(s.model_options, "", None, f"{prefix}-model", "performer_id", "Choose"),
            errors,
            "performer_id",
        ),
        _field(
            "Room",
            _options_picker(s.room_options, "", None, f"{prefix}-room", "room_id", "Choose"),
            errors,
            "room_id",
        ),
    ]


def _start_and_end(prefix: str, errors: Any) -> list[rx.Component]:
    return [
        _field(
            "Start",
            _input("start_time", f"{prefix}-start", "time", default_value="18:00"),
            errors,
            "start_time",
        ),
        _field("End", _input("end_time", f"{prefix}-end", "time", default_value="02:00"), errors, "end_time"),
    ]


def _single_form() -> rx.Component:
    s, e = ScheduleState, ScheduleState.shift_errors
    return rx.form(
        rx.vstack(
            rx.grid(
                *_who_and_where("shift", e),
                _field("Day", _input("day", "shift-day", "date", default_value=s.today), e, "day"),
                *_start_and_end("shift", e),
                _field(
                    "Notes",
                    _input(
                        "notes",
                        "shift-notes",
                        max_length=shifts.NOTES_MAX,
                        placeholder=f"At most {shifts.NOTES_MAX} characters",
                    ),
                    e,
                    "notes",
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.text(
                "An end before the start means the next morning (an overnight shift). Times are studio time.",
                size="1",
                color_scheme="gray",
            ),
            rx.button("Book shift", type="submit", id="shift-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=s.book_shift,
        reset_on_submit=False,
        id="shift-form",
    )


def _series_form() -> rx.Component:
    s, e = ScheduleState, ScheduleState.series_errors
    return rx.form(
        rx.vstack(
            rx.grid(
                *_who_and_where("series", e),
                _field(
                    "First day",
                    _input("first_day", "series-first-day", "date", default_value=s.today),
                    e,
                    "first_day",
                ),
                *_start_and_end("series", e),
                _field(
                    "Weeks",
                    _input("weeks", "series-weeks", "number", default_value="4", min="1", max="52"),
                    e,
                    "weeks",
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.vstack(
                rx.el.label("Weekdays", class_name="field-label"),
                rx.hstack(
                    *[
                        rx.checkbox(
                            name_,
                            checked=s.series_days.contains(i),
                            on_change=lambda checked, i=i: ScheduleState.toggle_day(i, checked),
                            id=f"weekday-{i}",
                            name=f"weekday_{i}",
                        )
                        for i, name_ in enumerate(WEEKDAYS)
                    ],
                    spacing="4",
                    wrap="wrap",
                ),
                field_error(e, "weekdays"),
                spacing="1",
                align="start",
            ),
            field_error(e, "shift"),
            rx.button("Book weekly series", type="submit", id="series-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=s.book_series,
        reset_on_submit=False,
        id="series-form",
    )


def _booking_card() -> rx.Component:
    s = ScheduleState
    return card(
        rx.hstack(
            rx.heading("Book", size="4"),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item("One shift", value="single"),
                rx.segmented_control.item("Weekly series", value="series"),
                value=s.form_kind,
                on_change=s.set_form_kind,
                id="booking-kind",
            ),
            width="100%",
            align="center",
            margin_bottom="0.75rem",
            wrap="wrap",
        ),
        rx.cond(s.form_kind == "single", _single_form(), _series_form()),
    )


def _cancel_shift_button() -> rx.Component:
    """Cancelling cannot be undone (a cancelled shift is not reopened): it asks first."""
    s, sel = ScheduleState, ScheduleState.selected
    series = s.edit_scope == "series"
    return confirm_dialog(
        rx.button(
            rx.cond(series, "Cancel the series from that day", "Cancel this shift"),
            type="button",
            color_scheme="red",
            variant="soft",
            id="cancel-shift",
        ),
        rx.cond(series, "Cancel the series from " + s.edit_from_day + "?", "Cancel this shift?"),
        rx.cond(
            series,
            "Every remaining shift of " + sel["stage_name"] + "'s series from " + s.edit_from_day
            + " on is cancelled (shifts already started stay). This cannot be undone: book them again "
            "if needed.",
            sel["stage_name"] + " in " + sel["room_name"] + ", " + sel["day_label"] + " " + sel["time"]
            + " is cancelled. This cannot be undone: book it again if needed.",
        ),
        rx.cond(series, "Cancel the series", "Cancel the shift"),
        s.cancel_shift,
        cancel_label="Keep it",
        id_="cancel-shift-confirm",
    )


def _booking_confirm_dialog() -> rx.Component:
    """Opened by the state when a booking or an edit needs a yes: each warning, then the yes button."""
    s = ScheduleState
    return confirm_dialog(
        None,
        s.confirm_title,
        "Please check first:",
        s.confirm_label,
        s.confirm_booking,
        details=rx.vstack(
            rx.foreach(
                s.confirm_warnings,
                lambda w: rx.callout(w, icon="triangle-alert", color_scheme="orange", size="1", width="100%"),
            ),
            spacing="2",
            margin_top="0.75rem",
            width="100%",
            id="booking-warnings",
        ),
        color_scheme="orange",
        cancel_label="Go back",
        open_=s.confirm_open,
        on_open_change=s.set_confirm_open,
        id_="booking-confirm",
    )


def _shift_dialog() -> rx.Component:
    s, e, sel = ScheduleState, ScheduleState.edit_errors, ScheduleState.selected
    editable = sel["attendance"] == "scheduled"
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(sel["stage_name"] + " · " + sel["room_name"]),
            rx.dialog.description(
                sel["day_label"] + ", " + sel["time"] + " (studio time)", size="2", color_scheme="gray"
            ),
            rx.hstack(
                rx.badge(sel["attendance_label"], color_scheme=sel["color"], id="shift-attendance"),
                rx.cond(sel["series"] != "", rx.badge("Weekly series", variant="outline"), rx.fragment()),
                rx.cond(
                    sel["blocked"] != "",
                    rx.badge(sel["blocked"], color_scheme="red", id="shift-blocked"),
                    rx.fragment(),
                ),
                rx.cond(sel["checked_in"] != "", rx.text("In " + sel["checked_in"], size="1"), rx.fragment()),
                rx.cond(
                    sel["checked_out"] != "", rx.text("Out " + sel["checked_out"], size="1"), rx.fragment()
                ),
                spacing="2",
                align="center",
                margin_y="0.75rem",
            ),
            rx.hstack(
                rx.button(
                    "Check in",
                    size="1",
                    variant="soft",
                    color_scheme="green",
                    on_click=s.check_in,
                    id="check-in",
                    disabled=sel["checked_in"] != "",
                ),
                rx.button(
                    "Check out",
                    size="1",
                    variant="soft",
                    on_click=s.check_out,
                    id="check-out",
                    disabled=(sel["checked_in"] == "") | (sel["checked_out"] != ""),
                ),
                spacing="2",
                margin_bottom="0.75rem",
            ),
            rx.cond(
                editable,
                rx.form(
                    rx.vstack(
                        rx.cond(
                            sel["series"] != "",
                            rx.vstack(
                                rx.radio_group.root(
                                    rx.radio_group.item("This shift only", value="one", id="scope-one"),
                                    rx.radio_group.item(
                                        "The series from a day on", value="series", id="scope-series"
                                    ),
                                    value=s.edit_scope,
                                    on_change=s.set_edit_scope,
                                    direction="row",
                                    spacing="4",
                                ),
                                rx.cond(
                                    s.edit_scope == "series",
                                    rx.hstack(
                                        rx.text("From", size="2"),
                                        rx.input(
                                            type="date",
                                            value=s.edit_from_day,
                                            on_change=s.set_edit_from_day,
                                            id="edit-from-day",
                                            name="from_day",
                                            size="2",
                                        ),
                                        align="center",
                                    ),
                                    rx.fragment(),
                                ),
                                field_error(e, "from_day"),
                                spacing="2",
                            ),
                            rx.fragment(),
                        ),
                        rx.grid(
                            _field(
                                "Model",
                                _options_picker(
                                    s.model_options, sel["performer_id"], None, "edit-model", "performer_id"
                                ),
                                e,
                                "performer_id",
                            ),
                            _field(
                                "Room",
                                _options_picker(s.room_options, sel["room_id"], None, "edit-room", "room_id"),
                                e,
                                "room_id",
                            ),
                            rx.cond(
                                s.edit_scope == "one",
                                _field(
                                    "Day",
                                    _input("day", "edit-day", "date", default_value=sel["day"]),
                                    e,
                                    "day",
                                ),
                                rx.fragment(),
                            ),
                            _field(
                                "Start",
                                _input("start_time", "edit-start", "time", default_value=sel["start"]),
                                e,
                                "start_time",
                            ),
                            _field(
                                "End",
                                _input("end_time", "edit-end", "time", default_value=sel["end"]),
                                e,
                                "end_time",
                            ),
                            columns="2",
                            spacing="3",
                            width="100%",
                        ),
                        field_error(e, "shift"),
                        rx.hstack(
                            _cancel_shift_button(),
                            rx.spacer(),
                            rx.dialog.close(
                                rx.button("Close", type="button", variant="soft", color_scheme="gray")
                            ),
                            rx.button("Save", type="submit", id="save-shift"),
                            width="100%",
                            spacing="2",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=s.save_shift,
                    reset_on_submit=False,
                    key=sel["id"],
                ),
                rx.hstack(
                    rx.text(
                        "This shift has started, ended or was cancelled; it can no longer be changed.",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.spacer(),
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    width="100%",
                ),
            ),
            max_width="36rem",
            id="shift-dialog",
        ),
        open=s.dialog_open,
        on_open_change=s.set_dialog_open,
    )


def hours_table(rows, id_: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Model"),
                rx.table.column_header_cell("Shifts"),
                rx.table.column_header_cell("Hours worked"),
                rx.table.column_header_cell("Late"),
                rx.table.column_header_cell("No-shows"),
            )
        ),
        rx.table.body(
            rx.foreach(
                rows,
                lambda r: rx.table.row(
                    rx.table.cell(r["stage_name"]),
                    rx.table.cell(r["shifts"]),
                    rx.table.cell(r["hours"]),
                    rx.table.cell(rx.cond(r["late"] != "0", rx.badge(r["late"], color_scheme="orange"), "0")),
                    rx.table.cell(
                        rx.cond(r["no_shows"] != "0", rx.badge(r["no_shows"], color_scheme="red"), "0")
                    ),
                    data_performer_id=r["performer_id"],
                ),
            )
        ),
        width="100%",
        id=id_,
        # Figures in columns: on a phone it scrolls inside its card rather than stacking.
        class_name="phone-scroll",
    )


def _hours_card() -> rx.Component:
    s = ScheduleState
    return card(
        rx.hstack(
            rx.heading("Hours worked", size="4"),
            rx.spacer(),
            rx.form(
                rx.hstack(
                    rx.input(
                        type="date",
                        name="hours_from",
                        id="hours-from",
                        default_value=s.hours_from,
                        size="2",
                        key=s.hours_from,
                        on_change=date_echo_handler("hours-from"),
                    ),
                    rx.text("to"),
                    rx.input(
                        type="date",
                        name="hours_to",
                        id="hours-to",
                        default_value=s.hours_to,
                        size="2",
                        key=s.hours_to,
                        on_change=date_echo_handler("hours-to"),
                    ),
                    rx.button("Show", type="submit", variant="soft", id="hours-submit"),
                    # The browser writes the pickers its own way; the chosen days, the studio's way.
                    date_echo("hours-from"),
                    date_echo("hours-to"),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                on_submit=s.hours_period,
                reset_on_submit=False,
            ),
            width="100%",
            align="center",
            margin_bottom="0.5rem",
            wrap="wrap",
        ),
        field_error(s.hours_errors, "first_day"),
        field_error(s.hours_errors, "last_day"),
        rx.cond(
            s.hours.length() > 0,
            hours_table(s.hours, "hours-table"),
            rx.text(
                "No shifts in this period. Shifts count in the period of the day they start.",
                size="2",
                color_scheme="gray",
            ),
        ),
    )


def body() -> rx.Component:
    s = ScheduleState
    return rx.vstack(
        page_header(
            "Schedule",
            "Shifts per room or per model, in studio time. Click a shift to change, cancel or check it in.",
            rx.link(rx.button(rx.icon("inbox", size=16), "Requests", variant="soft"), href="/requests"),
        ),
        rx.cond(
            (s.room_options.length() == 0) | (s.model_options.length() == 0),
            empty_state(
                "calendar-plus",
                "Nothing to schedule yet",
                "A shift needs a model and an active room. Add them first, then come back to book shifts.",
                rx.hstack(
                    rx.link(rx.button("Add a room", variant="soft"), href="/rooms"),
                    rx.link(rx.button("Add a model", variant="soft"), href="/models"),
                ),
            ),
            rx.vstack(
                card(
                    _picker(),
                    rx.box(week_calendar(s, s.open_shift, show_room=s.mode == "model"), margin_top="1rem"),
                ),
                _booking_card(),
                _hours_card(),
                spacing="5",
                width="100%",
            ),
        ),
        _shift_dialog(),
        _booking_confirm_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.SCHEDULE_MANAGE)
