"""The week calendar shared by the schedule pages: seven day columns, previous/next week, today.

The page's state mixes in `WeekNav` and supplies `_reload()`; it fills `days` and `cells` with
`week_payload(view, today, fmt)` from the service's WeekView (times already in the studio's zone):
typed rows, `DayHead` per column and `ShiftCell` per shift (also the schedule's opened shift).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import reflex as rx

from studioos.services import validation
from studioos.services.formatting import Formats
from studioos.services.shifts import ShiftRow, WeekView
from studioos.ui.service_call import ServicePage, service_event

# shifts.attendance_of's answers (there is no enum for them): the two the calendar decides by.
SCHEDULED, CANCELLED = "scheduled", "cancelled"
ATTENDANCE_LABELS = {
    "scheduled": "Scheduled",
    "cancelled": "Cancelled",
    "checked_in": "Checked in",
    "late": "Late",
    "done": "Done",
    "no_show": "No-show",
}
ATTENDANCE_COLORS = {
    "scheduled": "gray",
    "cancelled": "gray",
    "checked_in": "green",
    "late": "orange",
    "done": "blue",
    "no_show": "red",
}


def parse_day(raw: Any, default: date) -> date:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return default


@dataclass(frozen=True)
class ShiftCell:
    """A shift as the calendar's chip and the schedule's shift dialog show it."""

    id: int
    performer_id: int
    stage_name: str
    room_id: int
    room_name: str
    series: bool  # one occurrence of a weekly series
    day: str  # ISO date of the studio-local start (data-day; the edit form's day input)
    day_label: str
    # start/end fill <input type=time>, which takes 24-hour HH:MM whatever the locale.
    start: str
    end: str
    time: str  # the studio's way, "(+1)" when it ends the next day
    attendance: str  # shifts.attendance_of (data-attendance)
    attendance_label: str
    color: str
    scheduled: bool  # neither started nor cancelled: it can still be changed or cancelled
    cancelled: bool
    checked_in: bool
    checked_out: bool
    in_at: str  # the check-in time on the studio's clock ("" while not checked in)
    out_at: str
    notes: str
    blocked: str  # "Left", "Paused", "Document expired" or "": a red badge on the chip

    @classmethod
    def of(cls, s: ShiftRow, fmt: Formats | None = None) -> ShiftCell:
        """fmt: the studio's Formats, for what people read; without it, 24-hour times and "Mon 01 Jun"."""
        start, end = s.starts_local, s.ends_local
        hm = fmt.wall_time if fmt else (lambda t: t.strftime("%H:%M"))
        overnight = " (+1)" if end.date() != start.date() else ""
        return cls(
            id=s.id,
            performer_id=s.performer_id,
            stage_name=s.stage_name,
            room_id=s.room_id,
            room_name=s.room_name,
            series=s.series_id is not None,
            day=start.date().isoformat(),
            day_label=fmt.weekday_date(start) if fmt else start.strftime("%a %d %b"),
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
            time=f"{hm(start)}–{hm(end)}{overnight}",
            attendance=s.attendance,
            attendance_label=ATTENDANCE_LABELS.get(s.attendance, s.attendance),
            color=ATTENDANCE_COLORS.get(s.attendance, "gray"),
            scheduled=s.attendance == SCHEDULED,
            cancelled=s.attendance == CANCELLED,
            checked_in=s.checked_in_local is not None,
            checked_out=s.checked_out_local is not None,
            in_at=hm(s.checked_in_local) if s.checked_in_local else "",
            out_at=hm(s.checked_out_local) if s.checked_out_local else "",
            notes=s.notes,
            blocked=s.blocked,
        )


NO_SHIFT = ShiftCell(
    id=0,
    performer_id=0,
    stage_name="",
    room_id=0,
    room_name="",
    series=False,
    day="",
    day_label="",
    start="",
    end="",
    time="",
    attendance=SCHEDULED,
    attendance_label="",
    color="gray",
    scheduled=True,
    cancelled=False,
    checked_in=False,
    checked_out=False,
    in_at="",
    out_at="",
    notes="",
    blocked="",
)


@dataclass(frozen=True)
class ChipCell:
    """A shift as the calendar's chip shows it: only what the chip draws, since a week step sends
    every chip of the week (the dialog reads the whole shift from the server when it opens)."""

    id: int
    stage_name: str
    room_name: str
    series: bool
    day: str  # ISO date of the studio-local start (data-day)
    time: str
    attendance: str  # shifts.attendance_of (data-attendance)
    attendance_label: str
    color: str
    scheduled: bool
    cancelled: bool
    blocked: str

    @classmethod
    def of(cls, s: ShiftRow, fmt: Formats | None = None) -> ChipCell:
        """The chip's share of the calendar's wording of the shift (ShiftCell's, field for field)."""
        full = ShiftCell.of(s, fmt)
        return cls(**{f.name: getattr(full, f.name) for f in dataclasses.fields(cls)})


@dataclass(frozen=True)
class DayHead:
    """A column's head: the day, and whether it is the studio's today."""

    date: str  # ISO (data-day)
    weekday: str
    label: str
    today: bool


def week_payload(
    view: WeekView, today: date, fmt: Formats | None = None
) -> tuple[list[DayHead], list[list[ChipCell]]]:
    """WeekNav's `days` and `cells` for the service's week (fresh lists: a state may change them)."""
    days, cells = _drawn_week(view.days, tuple(view.shifts), today, fmt)
    return list(days), [list(day) for day in cells]


@functools.lru_cache(maxsize=1024)
def _drawn_week(
    week: tuple[date, ...], rows: tuple[ShiftRow, ...], today: date, fmt: Formats | None
) -> tuple[tuple[DayHead, ...], tuple[tuple[ChipCell, ...], ...]]:
    """The week's wording, a pure function of its rows: a week step to a week already seen (by
    anyone shown the same rows in the same studio's formats) is not worded again. Keyed by the
    rows themselves, so it can only give back what the caller already holds."""
    days = tuple(
        DayHead(
            date=d.isoformat(),
            weekday=d.strftime("%a"),
            label=fmt.day_month(d) if fmt else d.strftime("%d %b"),
            today=d == today,
        )
        for d in week
    )
    view = WeekView(week[0], week, list(rows))
    cells = tuple(tuple(ChipCell.of(s, fmt) for s in view.on(d)) for d in week)
    return days, cells


def week_label(monday: date, fmt: Formats | None = None) -> str:
    sunday = monday + timedelta(days=6)
    if fmt is not None:
        return fmt.date_range(monday, sunday)
    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {sunday:%B %Y}"
    return f"{monday:%d %b} – {sunday:%d %b %Y}"


class WeekNav(ServicePage, mixin=True):
    """Which week is shown; `_show_week()` (the page's; by default its whole `_reload()`) reads
    `week_of`. A page whose other panels do not depend on the week overrides `_show_week` so a
    step to another week recomputes and re-sends the calendar only."""

    week_of: str = ""
    week_text: str = ""
    days: list[DayHead] = []
    cells: list[list[ChipCell]] = []

    def _shift_week(self, weeks: int) -> None:
        day = parse_day(self.week_of, date.today())  # noqa: DTZ011 - replaced by the studio's today on load
        self.week_of = (day + timedelta(days=7 * weeks)).isoformat()

    def _show_week(self) -> None:
        self._reload()

    @service_event
    def prev_week(self) -> None:
        self._shift_week(-1)
        self._show_week()

    @service_event
    def next_week(self) -> None:
        self._shift_week(1)
        self._show_week()

    @service_event
    def this_week(self) -> None:
        self.week_of = ""
        self._show_week()


def week_nav(state: Any) -> rx.Component:
    return rx.el.div(
        rx.icon_button(
            rx.icon("chevron-left", size=16),
            variant="soft",
            on_click=state.prev_week,
            id="prev-week",
            aria_label="Previous week",
        ),
        rx.button("Today", variant="soft", on_click=state.this_week, id="this-week"),
        rx.icon_button(
            rx.icon("chevron-right", size=16),
            variant="soft",
            on_click=state.next_week,
            id="next-week",
            aria_label="Next week",
        ),
        rx.el.h2(state.week_text, id="week-label", class_name="week-label"),
        class_name="week-nav",
    )


def _chip(shift: Any, on_click: Any, show_room: Any) -> rx.Component:
    # Plain elements styled by the stylesheet (`.shift-chip` in assets/styles.css): a week holds
    # dozens of chips, and as Radix Themes components each one cost several React components and
    # an emotion style on every draw of the schedule.
    props: dict[str, Any] = {}
    if on_click is not None:
        props["on_click"] = on_click(shift.id)
    return rx.el.div(
        rx.el.span(shift.time, class_name="chip-time"),
        rx.el.span(
            (shift.room_name if show_room else shift.stage_name)
            if isinstance(show_room, bool)
            else rx.cond(show_room, shift.room_name, shift.stage_name),
            class_name="chip-name",
        ),
        rx.cond(
            shift.scheduled,
            rx.fragment(),
            rx.el.span(shift.attendance_label, class_name="soft-badge", data_accent_color=shift.color),
        ),
        rx.cond(shift.series, rx.icon("repeat", size=12, class_name="chip-series"), rx.fragment()),
        rx.cond(
            shift.blocked != "",
            rx.el.span(shift.blocked, class_name="soft-badge shift-blocked", data_accent_color="red"),
            rx.fragment(),
        ),
        id="shift-" + shift.id.to_string(),
        data_shift_id=shift.id.to_string(),
        data_day=shift.day,
        data_attendance=shift.attendance,
        data_cancelled=rx.cond(shift.cancelled, "1", ""),
        class_name="shift-chip clickable" if on_click is not None else "shift-chip",
        **props,
    )


def week_calendar(state: Any, on_click: Any = None, *, show_room: Any = False) -> rx.Component:
    """Seven columns Monday..Sunday from 992 px up, a list of days below (phones, tablets: seven
    columns need about 100 px each); today is outlined and says "Today". Laid out by the
    stylesheet (`.week-grid`, `.calendar-day`)."""
    columns = []
    for i in range(7):
        day = state.days[i]
        is_today = day.today
        columns.append(
            rx.el.div(
                rx.el.div(
                    rx.el.span(day.weekday, class_name="day-weekday"),
                    rx.el.span(day.label, class_name="day-label"),
                    rx.cond(
                        is_today,
                        rx.el.span(
                            "Today", class_name="soft-badge", data_accent_color="red", id="today-marker"
                        ),
                        rx.fragment(),
                    ),
                    # In the list an empty day says so on its one line; in the grid an empty
                    # column says it already.
                    rx.cond(
                        state.cells[i].length() == 0,
                        rx.el.span("No shifts", class_name="day-empty"),
                        rx.fragment(),
                    ),
                    class_name="day-head",
                ),
                rx.foreach(state.cells[i], lambda s: _chip(s, on_click, show_room)),
                class_name="calendar-day",
                data_day=day.date,
                data_today=rx.cond(is_today, "1", ""),
            )
        )
    return rx.cond(
        state.days.length() == 7,
        rx.el.div(*columns, class_name="week-grid", id="week-calendar"),
        rx.fragment(),
    )


def parse_int(raw: Any) -> int | None:
    """Ids arrive from the browser as anything; a bad one is simply no id, and so is a number past the
    database's integer range (the services' one rule, validation.parse_int)."""
    return validation.parse_int(raw)


def events(*items: Any) -> list[Any]:
    """What a handler returns: the events given, without the Nones of steps that had nothing to say."""
    return [i for i in items if i is not None]
