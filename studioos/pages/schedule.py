"""The studio's week schedule: per room or per model, booking single shifts and weekly series,
editing or cancelling one occurrence or a series from a date on, attendance and hours worked.

One parent state holds what every panel shows (the mode, the room or model, the week and the
pickers' choices); each panel is a substate, so its events load only it and the parent: the
booking forms, the opened shift's dialog, the hours table and the dialog that asks before a
booking goes ahead. Week navigation leaves the hours table alone; bookings, edits and attendance
refresh it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import reflex as rx

from studioos.services import attendance, performers, rooms, shifts
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Actor, Cap
from studioos.services.shifts import NeedsConfirmation, SeriesInput, ShiftInput
from studioos.services.validation import parse_id, parse_int
from studioos.ui import controls, toast
from studioos.ui.calendar import (
    NO_SHIFT,
    ShiftCell,
    WeekNav,
    parse_day,
    week_calendar,
    week_label,
    week_nav,
    week_payload,
)
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, page_header
from studioos.ui.format import date_echo, date_echo_handler
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, service_event

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BY_ROOM, BY_MODEL = "room", "model"  # the calendar's mode
SINGLE, SERIES = "single", "series"  # the booking form shown
ONE, FROM_DAY = "one", "series"  # what an edit changes: this shift, or the series from a day on


@dataclass(frozen=True)
class Option:
    """A room or a model in a picker."""

    id: int
    name: str


@dataclass(frozen=True)
class HoursLine:
    """One model's row of the hours table."""

    performer_id: int
    stage_name: str
    shifts: int
    hours: str  # two decimals, as worked_minutes / 60
    late: int
    no_shows: int

    @classmethod
    def of(cls, r: attendance.HoursRow) -> HoursLine:
        return cls(r.performer_id, r.stage_name, r.shifts, f"{r.hours:.2f}", r.late, r.no_shows)


def _shift_when(row: shifts.ShiftRow, fmt: Formats) -> str:
    """Mon 1 Dec, 18:00-02:00 (+1): a shift as the toasts name it, the studio's way."""
    shown = ShiftCell.of(row, fmt)
    return f"{shown.day_label}, {shown.time}"


class ScheduleState(WeekNav, rx.State):
    """The calendar and what every panel shares: the mode, the room or model shown, the pickers."""

    mode: str = BY_ROOM
    room_id: int = 0
    performer_id: int = 0
    room_options: list[Option] = []
    model_options: list[Option] = []
    today: str = ""  # the studio's today (ISO): the booking forms' first day

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            room_list = rooms.list_rooms(db, actor)
            names = performers.stage_names(db, actor)
            if self.room_id not in {r.id for r in room_list}:
                self.room_id = (room_list[0].id or 0) if room_list else 0
            if self.performer_id not in names:
                self.performer_id = next(iter(names), 0)
            day = parse_day(self.week_of, actor.today())
            view = shifts.calendar_week(db, actor, day, **self._shown())
        self.room_options = [Option(r.id or 0, r.name) for r in room_list]
        self.model_options = [Option(i, n) for i, n in names.items()]
        self._draw_week(view, day, actor)

    def _show_week(self) -> None:
        """Another week of the same room or model: the pickers' options are not read again."""
        with self._acting() as (db, actor):
            day = parse_day(self.week_of, actor.today())
            view = shifts.calendar_week(db, actor, day, **self._shown())
        self._draw_week(view, day, actor)

    def _shown(self) -> dict[str, int]:
        """Whose week the calendar shows: the chosen model's or the chosen room's."""
        if self.mode == BY_MODEL:
            return {"performer_id": self.performer_id}
        return {"room_id": self.room_id if self.mode == BY_ROOM else 0}

    def _draw_week(self, view: shifts.WeekView, day: date, actor: Actor) -> None:
        today, fmt = actor.today(), for_actor(actor)
        self.week_of, self.today = day.isoformat(), today.isoformat()
        self.week_text = week_label(view.week_start, fmt)
        self.days, self.cells = week_payload(view, today, fmt)

    def _follow(self, day: date, room_id: int, performer_id: int) -> None:
        """Show the calendar a new booking is in."""
        self.week_of = day.isoformat()
        if self.mode == BY_ROOM:
            self.room_id = room_id
        else:
            self.performer_id = performer_id

    @service_event
    def load(self) -> Answer:
        self.week_of = ""
        room = parse_id(self.router.url.query_parameters.get("room"))
        if room is not None:
            self.mode, self.room_id = BY_ROOM, room
        self._reload()
        # The panels start closed and clean (a tab that comes back to the page keeps its state). They
        # are substates of this one, loaded with it, so no event of their own is needed.
        for panel in (BookingPanel, ShiftDialog, BookingConfirm):
            state = self.get_substate([panel.get_name()])
            if isinstance(state, panel):
                state._reset()
        # The hours table is filled once the page shows.
        return HoursPanel.refresh()

    @service_event
    def set_mode(self, mode: str | list[str]) -> None:
        if mode in (BY_ROOM, BY_MODEL):
            self.mode = str(mode)
        self._reload()

    @service_event
    def pick_room(self, room_id: str) -> None:
        self.room_id = parse_id(room_id) or 0
        self._reload()

    @service_event
    def pick_model(self, performer_id: str) -> None:
        self.performer_id = parse_id(performer_id) or 0
        self._reload()


class BookingConfirm(ScheduleState):
    """The dialog that asks before a booking or an edit goes ahead (a past shift, a paused model, an
    expired ID document). The panel that asked keeps what it was doing; a yes repeats it there."""

    confirm_open: bool = False
    confirm_warnings: list[str] = []
    confirm_title: str = ""
    confirm_label: str = ""
    _asker: str = ""  # which panel's handler repeats the call: a key of _YES

    @rx.event
    def ask(self, asker: str, warnings: list[str], title: str, label: str) -> None:
        self._asker = asker if asker in _YES else ""
        self.confirm_warnings = [str(w) for w in warnings]
        self.confirm_title, self.confirm_label = str(title), str(label)
        self.confirm_open = True

    @rx.event
    def confirm(self) -> Answer:
        asker, self._asker = self._asker, ""
        self.confirm_open = False
        yes = _YES.get(asker)
        return yes() if yes is not None else None

    def _reset(self) -> None:
        # Assigned only when changed: an unchanged panel then sends nothing to redraw on page load.
        if self.confirm_open:
            self.confirm_open = False
        self._asker = ""

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        # What the panel asked about stays until replaced: closing runs alongside the yes button's click.
        self.confirm_open = bool(value)


def _ask(asker: str, exc: NeedsConfirmation, *, edit: bool = False) -> Answer:
    """Open the confirmation dialog with each warning; the caller keeps the call to repeat."""
    if edit:
        title, label = "Save anyway?", "Save anyway"
    elif set(exc.errors) == {"record_past"}:
        title, label = "Record a past shift?", "Record past shift"
    else:
        title, label = "Book anyway?", "Book anyway"
    return BookingConfirm.ask(asker, list(exc.errors.values()), title, label)


def _said_yes(exc: NeedsConfirmation, flags: dict[str, bool]) -> dict[str, bool]:
    """The yes-arguments to repeat the call with: those given, and one for each warning shown."""
    return {**flags, **{k: True for k in exc.errors if k in {"record_past", "confirm_blocked"}}}


class BookingPanel(ScheduleState):
    """The two booking forms: one shift, or a weekly series."""

    # Closed until asked for: most visits read the calendar, and a closed form costs the page
    # nothing to draw.
    booking_open: bool = False
    form_kind: str = SINGLE
    shift_errors: dict[str, str] = {}
    series_errors: dict[str, str] = {}
    series_days: list[int] = []
    # The booking the confirmation dialog asks about, with the yes-arguments its answer adds.
    _pending_shift: ShiftInput | None = None
    _pending_series: SeriesInput | None = None
    _yes: dict[str, bool] = {}

    def _reset(self) -> None:
        self.clear_errors()
        self._pending_shift, self._pending_series, self._yes = None, None, {}
        if self.booking_open:
            self.booking_open = False

    @rx.event
    def open_booking(self) -> None:
        self.booking_open = True

    @rx.event
    def close_booking(self) -> None:
        self.booking_open = False
        self.clear_errors()

    def clear_errors(self) -> None:
        if self.shift_errors:
            self.shift_errors = {}
        if self.series_errors:
            self.series_errors = {}

    @rx.event
    def set_form_kind(self, kind: str | list[str]) -> None:
        if kind in (SINGLE, SERIES):
            self.form_kind = str(kind)

    @rx.event
    def toggle_day(self, day: int, checked: bool) -> None:
        d = parse_int(day, 0, 6)
        if d is None:
            return
        days = set(self.series_days)
        if checked:
            days.add(d)
        else:
            days.discard(d)
        self.series_days = sorted(days)

    @service_event(errors="shift_errors", feature="shift_booking")
    def book_shift(self, form: dict[str, Any]) -> Answer:
        self._pending_shift = None
        return self._book_shift(ShiftInput.from_form(form), {})

    @service_event(errors="shift_errors")
    def confirm_shift(self) -> Answer:
        pending, self._pending_shift = self._pending_shift, None
        return self._book_shift(pending, self._yes) if pending is not None else None

    def _book_shift(self, shift: ShiftInput, yes: dict[str, bool]) -> Answer:
        try:
            with self._acting() as (db, actor):
                row = shifts.book_shift(db, actor, shift, **yes)
        except NeedsConfirmation as exc:
            self._pending_shift, self._yes = shift, _said_yes(exc, yes)
            return _ask("shift", exc)
        self._follow(row.starts_local.date(), row.room_id, row.performer_id)
        self._reload()
        when = _shift_when(row, for_actor(actor))
        return [
            toast.success(f"Booked {row.stage_name} in {row.room_name}, {when}."),
            HoursPanel.refresh(),
        ]

    @service_event(errors="series_errors", feature="series_booking")
    def book_series(self, form: dict[str, Any]) -> Answer:
        self._pending_series = None
        return self._book_series(SeriesInput.from_form(form, self.series_days), {})

    @service_event(errors="series_errors")
    def confirm_series(self) -> Answer:
        pending, self._pending_series = self._pending_series, None
        return self._book_series(pending, self._yes) if pending is not None else None

    def _book_series(self, series: SeriesInput, yes: dict[str, bool]) -> Answer:
        try:
            with self._acting() as (db, actor):
                result = shifts.book_series(db, actor, series, **yes)
        except NeedsConfirmation as exc:
            self._pending_series, self._yes = series, _said_yes(exc, yes)
            return _ask("series", exc)
        self._follow(series.first_day, series.room_id, series.performer_id)
        self._reload()
        fmt = for_actor(actor)
        between = f"{fmt.day_month(result.first_day)} and {fmt.day(result.last_day)}"
        return [toast.success(f"Booked {result.created} shifts between {between}."), HoursPanel.refresh()]


class ShiftDialog(ScheduleState):
    """The shift opened from the calendar: attendance, changing or cancelling it (or its series)."""

    dialog_open: bool = False
    selected: ShiftCell = NO_SHIFT
    edit_scope: str = ONE
    edit_from_day: str = ""
    edit_errors: dict[str, str] = {}
    # The edit the confirmation dialog asks about (its scope: ONE or FROM_DAY), and its yes-arguments.
    _pending: tuple[str, ShiftInput] | None = None
    _yes: dict[str, bool] = {}

    def _reset(self) -> None:
        if self.dialog_open:
            self.dialog_open = False
        if self.edit_errors:
            self.edit_errors = {}
        self._pending = None

    @service_event
    def open_shift(self, shift_id: int) -> None:
        sid = parse_id(shift_id)
        if sid is None:
            return
        with self._acting() as (db, actor):
            row = shifts.get_shift(db, actor, sid)
        self.selected = ShiftCell.of(row, for_actor(actor))
        self.edit_scope, self.edit_from_day, self.edit_errors = ONE, self.selected.day, {}
        self.dialog_open = True

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = bool(value)

    @rx.event
    def set_edit_scope(self, value: str) -> None:
        if value in (ONE, FROM_DAY):
            self.edit_scope = value

    @rx.event
    def set_edit_from_day(self, value: str) -> None:
        self.edit_from_day = str(value)[:10]

    def _changed(self, message: str) -> Answer:
        self.dialog_open = False
        self._reload()
        return [toast.success(message), HoursPanel.refresh()]

    @service_event(errors="edit_errors")
    def save_shift(self, form: dict[str, Any]) -> Answer:
        self._pending = None
        if self.edit_scope == FROM_DAY:
            # The series form has no day of its own: the changes apply from the chosen day on.
            shift = ShiftInput.from_form({**form, "from_day": self.edit_from_day}, day_field="from_day")
        else:
            shift = ShiftInput.from_form(form)
        return self._save(self.edit_scope, shift, {})

    @service_event(errors="edit_errors")
    def confirm_save(self) -> Answer:
        pending, self._pending = self._pending, None
        return self._save(*pending, self._yes) if pending is not None else None

    def _save(self, scope: str, shift: ShiftInput, yes: dict[str, bool]) -> Answer:
        if not self.selected.id:
            return None
        try:
            with self._acting() as (db, actor):
                if scope == FROM_DAY:
                    count = shifts.change_series_from(db, actor, self.selected.id, shift, **yes)
                    message = f"Changed {count} shift(s) of the series."
                else:
                    shifts.change_shift(db, actor, self.selected.id, shift, **yes)
                    message = "Shift changed."
        except NeedsConfirmation as exc:
            self._pending, self._yes = (scope, shift), _said_yes(exc, yes)
            return _ask("edit", exc, edit=True)
        return self._changed(message)

    @service_event(errors="edit_errors")
    def cancel_shift(self) -> Answer:
        if not self.selected.id:
            return None
        with self._acting() as (db, actor):
            if self.edit_scope == FROM_DAY:
                from_day = parse_day(self.edit_from_day, parse_day(self.selected.day, date.min))
                count = shifts.cancel_series_from(db, actor, self.selected.id, from_day=from_day)
                message = (
                    f"Cancelled {count} shift(s) of the series from {for_actor(actor).day(from_day)} on."
                )
            else:
                shifts.cancel_shift(db, actor, self.selected.id)
                message = "Shift cancelled."
        return self._changed(message)

    @service_event
    def check_in(self) -> Answer:
        return self._attend(attendance.check_in, "Checked in.")

    @service_event
    def check_out(self) -> Answer:
        return self._attend(attendance.check_out, "Checked out.")

    def _attend(self, mark: Callable[..., shifts.ShiftRow], done: str) -> Answer:
        if not self.selected.id:
            return None
        with self._acting() as (db, actor):
            row = mark(db, actor, self.selected.id)
        self.selected = ShiftCell.of(row, for_actor(actor))
        self._reload()
        return [toast.success(done + (" Late." if row.late else "")), HoursPanel.refresh()]


class HoursPanel(ScheduleState):
    """Hours worked per model in a period (this month so far until another is chosen)."""

    hours_from: str = ""
    hours_to: str = ""
    hours: list[HoursLine] = []
    hours_errors: dict[str, str] = {}
    # The table comes after the calendar (its own event once the page shows): until it has, the
    # card says it is loading rather than that there were no shifts.
    hours_loaded: bool = False

    def _refill(self) -> None:
        self.hours = []
        with self._acting() as (db, actor):
            today = actor.today()
            if not self.hours_from:
                self.hours_from, self.hours_to = today.replace(day=1).isoformat(), today.isoformat()
            first, last = parse_day(self.hours_from, today), parse_day(self.hours_to, today)
            rows = attendance.hours_worked(db, actor, first, last)
        self.hours = [HoursLine.of(r) for r in rows]
        self.hours_loaded = True

    @service_event(errors="hours_errors")
    def refresh(self) -> None:
        self._refill()

    @service_event(errors="hours_errors")
    def hours_period(self, form: dict[str, Any]) -> None:
        self.hours_from = str(form.get("hours_from", ""))[:10]
        self.hours_to = str(form.get("hours_to", ""))[:10]
        self._refill()


# A yes in the confirmation dialog repeats the asking panel's call.
_YES = {
    "shift": BookingPanel.confirm_shift,
    "series": BookingPanel.confirm_series,
    "edit": ShiftDialog.confirm_save,
}


# ---------------------------------------------------------------- components


def _options_picker(
    options: Any, value: Any, on_change: Any, id_: str, name: str = "", placeholder: str = ""
) -> rx.Component:
    """A select of rooms or models; its value is the id as text."""
    if on_change is not None:
        return controls.select(
            options, id_=id_, name=name, value=value, on_change=on_change, aria_label=placeholder
        )
    return controls.select(options, id_=id_, name=name, default_value=value, placeholder=placeholder)


def _field(label: str, control: rx.Component, errors: Any, name: str) -> rx.Component:
    return controls.field(label, control, field_error(errors, name))


def _input(name: str, id_: str, type_: str = "text", **props: Any) -> rx.Component:
    if type_ == "date":
        # The browser draws the picker in its own language; the studio's way is written under it.
        return rx.el.div(
            controls.text_input(name, id_, type_, on_change=date_echo_handler(id_), **props),
            date_echo(id_),
            class_name="field-stack",
        )
    return controls.text_input(name, id_, type_, **props)


def _picker() -> rx.Component:
    s = ScheduleState
    return rx.el.div(
        controls.segmented(
            [("By room", BY_ROOM), ("By model", BY_MODEL)],
            value=s.mode,
            on_change=s.set_mode,
            id_="schedule-mode",
            name="schedule_mode",
        ),
        rx.el.div(
            rx.cond(
                s.mode == BY_ROOM,
                _options_picker(
                    s.room_options, s.room_id.to_string(), s.pick_room, "pick-room", placeholder="Room"
                ),
                _options_picker(
                    s.model_options,
                    s.performer_id.to_string(),
                    s.pick_model,
                    "pick-model",
                    placeholder="Model",
                ),
            ),
            class_name="picker-select",
        ),
        rx.el.div(class_name="grow"),
        week_nav(s),
        class_name="toolbar",
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
    s, e = BookingPanel, BookingPanel.shift_errors
    return rx.form(
        rx.el.div(
            rx.el.div(
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
                class_name="form-grid",
            ),
            rx.el.p(
                "An end before the start means the next morning (an overnight shift). Times are studio time.",
                class_name="hint",
            ),
            rx.button("Book shift", type="submit", id="shift-submit"),
            class_name="stack",
        ),
        on_submit=s.book_shift,
        reset_on_submit=False,
        id="shift-form",
    )


def _series_form() -> rx.Component:
    s, e = BookingPanel, BookingPanel.series_errors
    return rx.form(
        rx.el.div(
            rx.el.div(
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
                class_name="form-grid",
            ),
            rx.el.fieldset(
                rx.el.legend("Weekdays", class_name="field-label"),
                rx.el.div(
                    *[
                        controls.checkbox(
                            name_,
                            checked=s.series_days.contains(i),
                            on_change=lambda checked, i=i: BookingPanel.toggle_day(i, checked),
                            id_=f"weekday-{i}",
                            name=f"weekday_{i}",
                        )
                        for i, name_ in enumerate(WEEKDAYS)
                    ],
                    class_name="check-row",
                ),
                field_error(e, "weekdays"),
                class_name="field plain-fieldset",
            ),
            field_error(e, "shift"),
            rx.button("Book weekly series", type="submit", id="series-submit"),
            class_name="stack",
        ),
        on_submit=s.book_series,
        reset_on_submit=False,
        id="series-form",
    )


def _booking_card() -> rx.Component:
    s = BookingPanel
    return card(
        rx.el.div(
            rx.el.h2("Book", class_name="card-title"),
            controls.segmented(
                [("One shift", SINGLE), ("Weekly series", SERIES)],
                value=s.form_kind,
                on_change=s.set_form_kind,
                id_="booking-kind",
                name="booking_kind",
            ),
            rx.icon_button(
                rx.icon("x", size=16),
                type="button",
                variant="ghost",
                color_scheme="gray",
                on_click=s.close_booking,
                aria_label="Close the booking form",
                id="booking-close",
                class_name="push-end",
            ),
            class_name="card-head",
        ),
        rx.cond(s.form_kind == SINGLE, _single_form(), _series_form()),
        id="booking-card",
    )


def _cancel_shift_button() -> rx.Component:
    """Cancelling cannot be undone (a cancelled shift is not reopened): it asks first."""
    s, sel = ShiftDialog, ShiftDialog.selected
    series = s.edit_scope == FROM_DAY
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
            "Every remaining shift of "
            + sel.stage_name
            + "'s series from "
            + s.edit_from_day
            + " on is cancelled (shifts already started stay). This cannot be undone: book them again "
            "if needed.",
            sel.stage_name
            + " in "
            + sel.room_name
            + ", "
            + sel.day_label
            + " "
            + sel.time
            + " is cancelled. This cannot be undone: book it again if needed.",
        ),
        rx.cond(series, "Cancel the series", "Cancel the shift"),
        s.cancel_shift,
        cancel_label="Keep it",
        id_="cancel-shift-confirm",
    )


def _booking_confirm_dialog() -> rx.Component:
    """Opened by the state when a booking or an edit needs a yes: each warning, then the yes button."""
    s = BookingConfirm
    return confirm_dialog(
        None,
        s.confirm_title,
        "Please check first:",
        s.confirm_label,
        s.confirm,
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
    s, e, sel = ShiftDialog, ShiftDialog.edit_errors, ShiftDialog.selected
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(sel.stage_name + " · " + sel.room_name),
            rx.dialog.description(
                sel.day_label + ", " + sel.time + " (studio time)", size="2", color_scheme="gray"
            ),
            rx.hstack(
                rx.badge(sel.attendance_label, color_scheme=sel.color, id="shift-attendance"),
                rx.cond(sel.series, rx.badge("Weekly series", variant="outline"), rx.fragment()),
                rx.cond(
                    sel.blocked != "",
                    rx.badge(sel.blocked, color_scheme="red", id="shift-blocked"),
                    rx.fragment(),
                ),
                rx.cond(sel.checked_in, rx.text("In " + sel.in_at, size="1"), rx.fragment()),
                rx.cond(sel.checked_out, rx.text("Out " + sel.out_at, size="1"), rx.fragment()),
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
                    disabled=sel.checked_in,
                ),
                rx.button(
                    "Check out",
                    size="1",
                    variant="soft",
                    on_click=s.check_out,
                    id="check-out",
                    disabled=~sel.checked_in | sel.checked_out,
                ),
                spacing="2",
                margin_bottom="0.75rem",
            ),
            rx.cond(
                sel.scheduled,
                rx.form(
                    rx.vstack(
                        rx.cond(
                            sel.series,
                            rx.vstack(
                                controls.radio_choices(
                                    [
                                        ("This shift only", ONE, "scope-one"),
                                        ("The series from a day on", FROM_DAY, "scope-series"),
                                    ],
                                    value=s.edit_scope,
                                    on_change=s.set_edit_scope,
                                    name="scope",
                                ),
                                rx.cond(
                                    s.edit_scope == FROM_DAY,
                                    rx.hstack(
                                        rx.text("From", size="2"),
                                        controls.text_input(
                                            "from_day",
                                            "edit-from-day",
                                            "date",
                                            value=s.edit_from_day,
                                            on_change=s.set_edit_from_day,
                                            class_name="auto-width",
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
                                    s.model_options,
                                    sel.performer_id.to_string(),
                                    None,
                                    "edit-model",
                                    "performer_id",
                                ),
                                e,
                                "performer_id",
                            ),
                            _field(
                                "Room",
                                _options_picker(
                                    s.room_options, sel.room_id.to_string(), None, "edit-room", "room_id"
                                ),
                                e,
                                "room_id",
                            ),
                            rx.cond(
                                s.edit_scope == ONE,
                                _field(
                                    "Day",
                                    _input("day", "edit-day", "date", default_value=sel.day),
                                    e,
                                    "day",
                                ),
                                rx.fragment(),
                            ),
                            _field(
                                "Start",
                                _input("start_time", "edit-start", "time", default_value=sel.start),
                                e,
                                "start_time",
                            ),
                            _field(
                                "End",
                                _input("end_time", "edit-end", "time", default_value=sel.end),
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
                    key=sel.id.to_string(),
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


def hours_table(rows: Any, id_: str) -> rx.Component:
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
                    rx.table.cell(r.stage_name),
                    rx.table.cell(r.shifts),
                    rx.table.cell(r.hours),
                    rx.table.cell(rx.cond(r.late > 0, rx.badge(r.late, color_scheme="orange"), "0")),
                    rx.table.cell(rx.cond(r.no_shows > 0, rx.badge(r.no_shows, color_scheme="red"), "0")),
                    data_performer_id=r.performer_id.to_string(),
                ),
            )
        ),
        width="100%",
        id=id_,
        # Figures in columns: on a phone it scrolls inside its card rather than stacking.
        class_name="phone-scroll",
    )


def _hours_card() -> rx.Component:
    s = HoursPanel
    return card(
        rx.el.div(
            rx.el.h2("Hours worked", class_name="card-title"),
            # Drawn once the period is known: a date input is costly to set up, and keyed on its
            # day it would be set up twice on every page load.
            rx.cond(
                s.hours_from != "",
                rx.form(
                    rx.el.div(
                        controls.text_input(
                            "hours_from",
                            "hours-from",
                            "date",
                            default_value=s.hours_from,
                            key=s.hours_from,
                            on_change=date_echo_handler("hours-from"),
                            class_name="auto-width",
                        ),
                        rx.el.span("to"),
                        controls.text_input(
                            "hours_to",
                            "hours-to",
                            "date",
                            default_value=s.hours_to,
                            key=s.hours_to,
                            on_change=date_echo_handler("hours-to"),
                            class_name="auto-width",
                        ),
                        rx.button("Show", type="submit", variant="soft", id="hours-submit"),
                        # The browser writes the pickers its own way; the chosen days, the studio's way.
                        date_echo("hours-from"),
                        date_echo("hours-to"),
                        class_name="inline-form",
                    ),
                    on_submit=s.hours_period,
                    reset_on_submit=False,
                ),
                rx.fragment(),
            ),
            class_name="card-head",
        ),
        field_error(s.hours_errors, "first_day"),
        field_error(s.hours_errors, "last_day"),
        rx.cond(
            ~s.hours_loaded,
            rx.hstack(
                rx.spinner(size="2"),
                rx.text("Loading hours…", size="2", color_scheme="gray"),
                id="hours-loading",
            ),
            rx.cond(
                s.hours.length() > 0,
                hours_table(s.hours, "hours-table"),
                rx.text(
                    "No shifts in this period. Shifts count in the period of the day they start.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
        ),
        class_name="below-fold",
    )


def body() -> rx.Component:
    s = ScheduleState
    return rx.el.div(
        page_header(
            "Schedule",
            "Shifts per room or per model, in studio time. Click a shift to change, cancel or check it in.",
            rx.link(rx.button(rx.icon("inbox", size=16), "Requests", variant="soft"), href="/requests"),
            rx.button(
                rx.icon("calendar-plus", size=16),
                "Book a shift",
                on_click=BookingPanel.open_booking,
                disabled=BookingPanel.booking_open,
                id="book-open",
            ),
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
            rx.el.div(
                rx.cond(BookingPanel.booking_open, _booking_card(), rx.fragment()),
                card(
                    _picker(),
                    rx.el.div(
                        week_calendar(s, ShiftDialog.open_shift, show_room=s.mode == BY_MODEL),
                        class_name="below-toolbar",
                    ),
                ),
                _hours_card(),
                class_name="stack-5",
            ),
        ),
        _shift_dialog(),
        _booking_confirm_dialog(),
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body(), Cap.SCHEDULE_MANAGE)
