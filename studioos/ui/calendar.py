"""The week calendar shared by the schedule pages: seven day columns, previous/next week, today.

The page's state mixes in `WeekNav` and supplies `_reload()`; it fills `days` and `cells` with
`week_payload(view, today)` from the service's WeekView (times already in the studio's zone).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import reflex as rx

from studioos.services import validation
from studioos.services.formatting import Formats
from studioos.services.shifts import ShiftRow, WeekView
from studioos.ui.service_call import ServicePage, service_event

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


def shift_dict(s: ShiftRow, fmt: Formats | None = None) -> dict[str, str]:
    """fmt: the studio's Formats, for what people read; without it, 24-hour times and "Mon 01 Jun"."""
    start, end = s.starts_local, s.ends_local
    overnight = end.date() != start.date()
    hm = fmt.wall_time if fmt else (lambda t: t.strftime("%H:%M"))
    return {
        "id": str(s.id),
        "performer_id": str(s.performer_id),
        "stage_name": s.stage_name,
        "room_id": str(s.room_id),
        "room_name": s.room_name,
        "series": "1" if s.series_id else "",
        "day": start.date().isoformat(),
        "day_label": fmt.weekday_date(start) if fmt else start.strftime("%a %d %b"),
        # start/end fill <input type=time>, which takes 24-hour HH:MM whatever the locale.
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "time": f"{hm(start)}–{hm(end)}" + (" (+1)" if overnight else ""),
        "attendance": s.attendance,
        "attendance_label": ATTENDANCE_LABELS.get(s.attendance, s.attendance),
        "color": ATTENDANCE_COLORS.get(s.attendance, "gray"),
        "checked_in": hm(s.checked_in_local) if s.checked_in_local else "",
        "checked_out": hm(s.checked_out_local) if s.checked_out_local else "",
        "notes": s.notes,
        # "Left" / "Paused" / "Document expired" / "": shown on the cell as a red badge.
        "blocked": s.blocked,
    }


def week_payload(
    view: WeekView, today: date, fmt: Formats | None = None
) -> tuple[list[dict[str, str]], list[list[dict[str, str]]]]:
    days = [
        {
            "date": d.isoformat(),
            "weekday": d.strftime("%a"),
            "label": fmt.day_month(d) if fmt else d.strftime("%d %b"),
            "today": "1" if d == today else "",
        }
        for d in view.days
    ]
    cells = [[shift_dict(s, fmt) for s in view.on(d)] for d in view.days]
    return days, cells


def week_label(monday: date, fmt: Formats | None = None) -> str:
    sunday = monday + timedelta(days=6)
    if fmt is not None:
        return fmt.date_range(monday, sunday)
    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {sunday:%B %Y}"
    return f"{monday:%d %b} – {sunday:%d %b %Y}"


class WeekNav(ServicePage, mixin=True):
    """Which week is shown; `_reload()` (the page's) reads `week_of`."""

    week_of: str = ""
    week_text: str = ""
    days: list[dict[str, str]] = []
    cells: list[list[dict[str, str]]] = []

    def _shift_week(self, weeks: int) -> None:
        day = parse_day(self.week_of, date.today())  # noqa: DTZ011 - replaced by the studio's today on load
        self.week_of = (day + timedelta(days=7 * weeks)).isoformat()

    @service_event
    def prev_week(self) -> None:
        self._shift_week(-1)
        self._reload()

    @service_event
    def next_week(self) -> None:
        self._shift_week(1)
        self._reload()

    @service_event
    def this_week(self) -> None:
        self.week_of = ""
        self._reload()


def week_nav(state: Any) -> rx.Component:
    return rx.hstack(
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
        rx.heading(state.week_text, size="4", id="week-label", white_space="nowrap"),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _chip(shift: dict, on_click: Any, show_room: Any) -> rx.Component:
    props: dict[str, Any] = {}
    if on_click is not None:
        props["on_click"] = on_click(shift["id"])
        props["cursor"] = "pointer"
    return rx.box(
        rx.text(shift["time"], size="1", weight="bold"),
        rx.text(
            (shift["room_name"] if show_room else shift["stage_name"])
            if isinstance(show_room, bool)
            else rx.cond(show_room, shift["room_name"], shift["stage_name"]),
            size="2",
            weight="medium",
        ),
        rx.cond(
            shift["attendance"] != "scheduled",
            rx.badge(shift["attendance_label"], color_scheme=shift["color"], size="1"),
            rx.fragment(),
        ),
        rx.cond(shift["series"] != "", rx.icon("repeat", size=12, color=rx.color("gray", 9)), rx.fragment()),
        rx.cond(
            shift["blocked"] != "",
            rx.badge(shift["blocked"], color_scheme="red", size="1", class_name="shift-blocked"),
            rx.fragment(),
        ),
        padding="0.4rem 0.5rem",
        border_radius="6px",
        background=rx.color("accent", 3),
        border_left=f"3px solid {rx.color('accent', 9)}",
        width="100%",
        opacity=rx.cond(shift["attendance"] == "cancelled", "0.5", "1"),
        _hover={"background": rx.color("accent", 4)} if on_click is not None else {},
        id="shift-" + shift["id"],
        data_shift_id=shift["id"],
        data_day=shift["day"],
        data_attendance=shift["attendance"],
        class_name="shift-chip",
        **props,
    )


# Seven columns need about 100 px each: from Reflex's "md" breakpoint (992 px) up. Below that
# (phones, tablets) the week is a list of days, each as wide as the card.
WEEK_COLUMNS = rx.breakpoints(initial="1", md="7")


def week_calendar(state: Any, on_click: Any = None, *, show_room: Any = False) -> rx.Component:
    """Seven columns Monday..Sunday (a list of days on small screens); today is outlined and says
    "Today"."""
    columns = []
    for i in range(7):
        day = state.days[i]
        is_today = day["today"] != ""
        columns.append(
            rx.vstack(
                rx.hstack(
                    rx.text(day["weekday"], size="2", weight="bold"),
                    rx.text(day["label"], size="2", color_scheme="gray"),
                    rx.cond(
                        is_today,
                        rx.badge("Today", color_scheme="red", size="1", id="today-marker"),
                        rx.fragment(),
                    ),
                    # In the list an empty day says so on its one line; in the grid an empty
                    # column says it already.
                    rx.cond(
                        state.cells[i].length() == 0,
                        rx.text(
                            "No shifts",
                            size="1",
                            color_scheme="gray",
                            margin_left="auto",
                            display=["block", "block", "block", "none"],
                        ),
                        rx.fragment(),
                    ),
                    spacing="1",
                    align="center",
                    wrap="wrap",
                    width="100%",
                ),
                rx.foreach(state.cells[i], lambda s: _chip(s, on_click, show_room)),
                spacing="2",
                padding="0.5rem",
                min_height=rx.breakpoints(initial="0", md="9rem"),
                min_width="0",
                border_radius="8px",
                border=rx.cond(
                    is_today, f"2px solid {rx.color('red', 9)}", f"1px solid {rx.color('gray', 5)}"
                ),
                background=rx.cond(is_today, rx.color("red", 2), "transparent"),
                align="start",
                class_name="calendar-day",
                data_day=day["date"],
                data_today=day["today"],
            )
        )
    return rx.cond(
        state.days.length() == 7,
        rx.grid(*columns, columns=WEEK_COLUMNS, spacing="2", width="100%", id="week-calendar"),
        rx.fragment(),
    )


def local_today(tz: str | None) -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(tz or "UTC")).date()


def parse_int(raw: Any) -> int | None:
    """Ids arrive from the browser as anything; a bad one is simply no id, and so is a number past the
    database's integer range (the services' one rule, validation.parse_int)."""
    return validation.parse_int(raw)


def parse_time(raw: Any):  # type: ignore[no-untyped-def]
    from datetime import time

    try:
        return time.fromisoformat(str(raw or "").strip()[:5])
    except ValueError:
        return None


def events(*items: Any) -> list[Any]:
    """What a handler returns: the events given, without the Nones of steps that had nothing to say."""
    return [i for i in items if i is not None]
