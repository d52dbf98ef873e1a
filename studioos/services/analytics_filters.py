"""The Analytics page's filters: a date range (a preset or custom), platform, model, room, grain.

The page keeps them in its URL (`?range=last_30&platform=Chaturbate&model=12&grain=week`), so a
view can be bookmarked and shared; `Filters.from_query` reads and checks them, `to_query` writes
them back. Presets are resolved from the studio's today (a parameter, so tests pin it):

- this_period: the pay period containing today, from its first day to today (so far);
- last_period: the whole pay period before it;
- last_30 / last_90: the 30 / 90 days ending today;
- this_year: 1 January to today;
- custom: `from` and `to`, both included.

Every figure is compared with the previous period of equal length: the same number of days
right before the range (a 28-day February against 4-31 January).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlmodel import Session, col, select

from studioos.models import PayrollPeriod
from studioos.services.errors import ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.pay_periods import Period, rule_for
from studioos.services.permissions import Actor, require_studio
from studioos.services.validation import parse_id

Grain = Literal["day", "week", "month"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month")
PRESETS: dict[str, str] = {
    "this_period": "This pay period",
    "last_period": "Last pay period",
    "last_30": "Last 30 days",
    "last_90": "Last 90 days",
    "this_year": "This year",
    "custom": "Custom",
}
DEFAULT_PRESET = "last_30"
# Three years: two years of history against the two before them is what the benchmark measures;
# the previous window doubles what is read, and the room filter's day list grows with it.
MAX_RANGE_DAYS = 3 * 366
EARLIEST = date(2000, 1, 1)
PLATFORM_MAX = 60


@dataclass(frozen=True)
class Filters:
    first_day: date
    last_day: date
    platform: str | None = None
    performer_id: int | None = None
    room_id: int | None = None
    grain: Grain = "day"
    preset: str = "custom"

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def previous(self) -> tuple[date, date]:
        """The previous period of equal length: the `days` days right before the range."""
        return self.first_day - timedelta(days=self.days), self.first_day - timedelta(days=1)

    def check(self, today: date) -> None:
        """Refuse what no query should run on (a Filters built by hand, not by `from_query`)."""
        errors: dict[str, str] = {}
        if self.first_day < EARLIEST:
            errors["from"] = f"Choose a day from {day_text(EARLIEST)} on."
        if self.last_day > today:
            errors["to"] = f"The range can end today ({day_text(today)}) at the latest."
        if self.last_day < self.first_day:
            errors["to"] = "The range ends before it starts."
        elif self.days > MAX_RANGE_DAYS:
            errors["to"] = f"A range covers at most {MAX_RANGE_DAYS:,} days: choose a shorter one."
        if self.grain not in GRAINS:
            errors["grain"] = "Show the figures by day, week or month."
        if errors:
            raise ValidationFailed(errors)

    def to_query(self) -> dict[str, str]:
        out = {"range": self.preset, "grain": self.grain}
        if self.preset == "custom":
            out["from"], out["to"] = self.first_day.isoformat(), self.last_day.isoformat()
        if self.platform:
            out["platform"] = self.platform
        if self.performer_id is not None:
            out["model"] = str(self.performer_id)
        if self.room_id is not None:
            out["room"] = str(self.room_id)
        return out

    @classmethod
    def from_query(
        cls, params: Mapping[str, str], *, today: date, period_of: Callable[[date], Period]
    ) -> Filters:
        """The filters a URL's query asks for; a bad value is refused with a message keyed by its
        parameter's name. `period_of(day)` is the studio's pay period containing `day`."""
        errors: dict[str, str] = {}
        preset = (params.get("range") or "").strip() or (
            "custom" if params.get("from") or params.get("to") else DEFAULT_PRESET
        )
        span: tuple[date, date] | None = None
        if preset not in PRESETS:
            errors["range"] = "Choose a range from the list."
        elif preset == "custom":
            first, last = _day(params, "from", errors), _day(params, "to", errors)
            if first is not None and last is not None:
                span = (first, last)
        else:
            span = resolve_preset(preset, today, period_of)
        platform = " ".join((params.get("platform") or "").split()) or None
        if platform is not None and len(platform) > PLATFORM_MAX:
            errors["platform"] = "Choose a platform from the list."
        performer_id = _id(params, "model", "Choose a model from the list.", errors)
        room_id = _id(params, "room", "Choose a room from the list.", errors)
        grain_raw = (params.get("grain") or "").strip()
        grain: Grain = "day"
        if grain_raw in GRAINS:
            grain = grain_raw
        elif grain_raw:
            errors["grain"] = "Show the figures by day, week or month."
        elif span is not None:
            grain = default_grain(span[0], span[1])
        if errors or span is None:
            raise ValidationFailed(errors or {"range": "Choose a range from the list."})
        found = cls(span[0], span[1], platform, performer_id, room_id, grain, preset)
        found.check(today)
        return found


def resolve_preset(preset: str, today: date, period_of: Callable[[date], Period]) -> tuple[date, date]:
    if preset == "this_period":
        return period_of(today).starts_on, today
    if preset == "last_period":
        current = period_of(today)
        last = period_of(current.starts_on - timedelta(days=1))
        return last.starts_on, last.ends_on
    if preset == "last_30":
        return today - timedelta(days=29), today
    if preset == "last_90":
        return today - timedelta(days=89), today
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    raise ValueError(f"not a preset: {preset}")


def default_grain(first: date, last: date) -> Grain:
    """Bars a chart can show side by side: days up to two months, weeks up to a year, then months."""
    days = (last - first).days + 1
    if days <= 62:
        return "day"
    if days <= 366:
        return "week"
    return "month"


def _day(params: Mapping[str, str], key: str, errors: dict[str, str]) -> date | None:
    raw = (params.get(key) or "").strip()
    if not raw:
        errors[key] = "Choose the first day." if key == "from" else "Choose the last day."
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = f"'{raw[:20]}' is not a date: write it like 2026-02-28."
        return None


def _id(params: Mapping[str, str], key: str, message: str, errors: dict[str, str]) -> int | None:
    raw = (params.get(key) or "").strip()
    if not raw:
        return None
    found = parse_id(raw)
    if found is None:
        errors[key] = message
    return found


# ---------------------------------------------------------------- with the database


def period_lookup(db: Session, studio_id: int) -> Callable[[date], Period]:
    """The studio's pay period containing a day, as payroll sees it: a payroll already run keeps
    its own days, other days follow the studio's pay period setting."""
    rule = rule_for(db, studio_id)
    runs = [
        Period(r.starts_on, r.ends_on)
        for r in db.exec(
            select(PayrollPeriod)
            .where(PayrollPeriod.studio_id == studio_id)
            .order_by(col(PayrollPeriod.starts_on))
        )
    ]

    def period_of(day: date) -> Period:
        for run in runs:
            if day in run:
                return run
        found = rule.containing(day)
        # A period by the rule never reaches into the days of a payroll already run.
        starts, ends = found.starts_on, found.ends_on
        for run in runs:
            if run.ends_on < day:
                starts = max(starts, run.ends_on + timedelta(days=1))
            elif run.starts_on > day:
                ends = min(ends, run.starts_on - timedelta(days=1))
        return Period(starts, ends)

    return period_of


def parse_filters(
    db: Session, actor: Actor, params: Mapping[str, str], *, today: date | None = None
) -> Filters:
    """`Filters.from_query` with the acting studio's today and pay periods."""
    studio_id = require_studio(actor)
    return Filters.from_query(params, today=today or actor.today(), period_of=period_lookup(db, studio_id))
