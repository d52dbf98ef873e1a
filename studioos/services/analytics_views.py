"""What the Analytics service hands the page: small frozen dataclasses of ints, strings and dates.

Units are in the field names: `_cents` integer cents (USD, see docs/analytics.md), `_minutes`
whole minutes, `_bp` basis points (1/100 of a percent: 1234 is 12.34 %). Nothing here is a pandas
object, so a Reflex state can hold any of it, and the per-studio cache can keep it (immutable).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from studioos.services.analytics_filters import Filters

Unit = Literal["cents", "minutes", "count", "bp", "cents_per_hour"]

# One colour per platform, the same in every chart and export. Built-in platforms have their own;
# a platform a studio added gets one from the spare colours by a stable hash of its name.
PLATFORM_COLOURS: dict[str, str] = {
    "Chaturbate": "#F47321",
    "Stripchat": "#A2262E",
    "BongaCams": "#8E44AD",
    "MyFreeCams": "#2E8B57",
    "LiveJasmin": "#C9A227",
    "CamSoda": "#1F77B4",
    "Flirt4Free": "#E377C2",
    "Streamate": "#17BECF",
}
SPARE_COLOURS: tuple[str, ...] = (
    "#7F7F7F",
    "#BCBD22",
    "#8C564B",
    "#393B79",
    "#637939",
    "#843C39",
    "#7B4173",
    "#3182BD",
)


def platform_colour(platform: str) -> str:
    """The platform's colour (hex), the same in every chart, on every page and in every process."""
    known = PLATFORM_COLOURS.get(platform)
    if known is not None:
        return known
    return SPARE_COLOURS[zlib.crc32(platform.casefold().encode()) % len(SPARE_COLOURS)]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: Unit
    value: int | None  # None: not defined (earnings per hour with no online time)
    previous: int | None
    # Against the previous period: for amounts and counts the relative change in basis points
    # (+2500 = 25 % more); for rates (unit "bp") the difference in basis points (points of a
    # percentage). None when there is nothing to compare with (the previous value is 0 or None).
    change_bp: int | None
    change_kind: Literal["relative", "points"] = "relative"


@dataclass(frozen=True)
class SeriesRow:
    """One bar of the earnings-over-time chart: a day, a week or a month (clipped to the range)."""

    first_day: date
    last_day: date
    values_cents: tuple[int, ...]  # in the order of Analytics.platforms
    total_cents: int


@dataclass(frozen=True)
class ModelRow:
    performer_id: int
    stage_name: str
    gross_cents: int
    previous_cents: int
    change_bp: int | None
    online_minutes: int
    per_hour_cents: int | None  # gross per online hour; None without online time
    payout_cents: int  # her share of the range's gross (docs/analytics.md, "Model payouts")


@dataclass(frozen=True)
class HeatCell:
    weekday: int  # 0 Monday .. 6 Sunday, on the studio's clock
    hour: int  # 0..23, on the studio's clock
    value_cents: int
    entries: int


@dataclass(frozen=True)
class RoomUse:
    room_id: int
    name: str
    available_minutes: int  # every hour of every day of the range
    scheduled_minutes: int
    use_bp: int  # scheduled / available
    shifts: int
    no_shows: int
    no_show_minutes: int
    no_show_cost_cents: int  # each missing model's earnings per online hour times the hours missed


@dataclass(frozen=True)
class PlatformShare:
    platform: str
    colour: str
    value_cents: int
    share_bp: int | None  # of the gross; None when the gross is not positive


@dataclass(frozen=True)
class MemberRank:
    rank: int
    member_id: int  # 0 when the viewer may not identify members (analysts)
    label: str  # the member's handle, or "Member 3" for those who see aggregates only
    platform: str
    value_cents: int
    entries: int
    share_bp: int | None


@dataclass(frozen=True)
class Cohort:
    month: date  # the first day of the month the members first tipped in
    members: int
    # retained[k - 1]: how many of them tipped again in month M + k (inside the range)
    retained: tuple[int, ...]


@dataclass(frozen=True)
class Analytics:
    filters: Filters
    previous_first: date
    previous_last: date
    timezone: str
    currency: str  # what the amounts are in: USD, the platforms' money (docs/analytics.md)
    personal: bool  # a model's own view: only her numbers
    members_named: bool  # top members carry handles (owners, managers, a model for her own)
    kpis: tuple[Kpi, ...]
    platforms: tuple[str, ...]  # every platform in the range, the largest first
    colours: tuple[str, ...]  # platform_colour of each, in the same order
    series: tuple[SeriesRow, ...]
    top_models: tuple[ModelRow, ...]  # the ten who earned most, with the previous period
    per_hour: tuple[ModelRow, ...]  # every model with online time, the highest per hour first
    heatmap: tuple[HeatCell, ...]  # 7 x 24 cells, Monday 00:00 first
    heatmap_untimed_cents: int  # what the heatmap cannot place: daily figures carry no time
    rooms: tuple[RoomUse, ...]
    platform_mix: tuple[PlatformShare, ...]
    top_members: tuple[MemberRank, ...]
    cohorts: tuple[Cohort, ...]
    has_data: bool  # anything at all to show (earnings or shifts in the range)
    empty_reason: str  # "" when the range has earnings; else why the charts are empty

    def kpi(self, key: str) -> Kpi:
        for item in self.kpis:
            if item.key == key:
                return item
        raise KeyError(key)


@dataclass(frozen=True)
class DayRow:
    """A record of the drill-down's day, or for analysts one total per model, platform and kind."""

    performer_id: int
    stage_name: str
    platform: str
    kind: str  # ledger | daily
    entry_type: str
    occurred_at: datetime | None  # UTC; None for daily figures and for analysts' totals
    local_time: str  # "23:30" on the studio's clock, or ""
    member: str  # the member's handle ("" for analysts and daily figures)
    tokens: int
    usd_cents: int
    value_cents: int  # what it counts for (0 for a daily figure on a day with ledger entries)
    online_minutes: int
    counted: bool
    entries: int  # 1 for a record; the number of records an analyst's total stands for
    record_id: int  # 0 for analysts' totals
