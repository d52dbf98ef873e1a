"""Analytics: the studio's earnings, time online, attendance, rooms and members over a range.

Owners, managers and analysts open /analytics; a model opens /my-analytics, the same page with her
own numbers only (the service decides what each may see, docs/analytics.md). The filters live in
the URL, so a view can be bookmarked and shared: a filter change navigates to the new URL, the
page's load reads it and starts the computation in a background event. Each computation carries
a generation number; one that finishes after a newer filter change is dropped, and the figures
are hidden while they are being worked out, so the screen never shows numbers for other filters
than the ones on display. The markup is in `analytics_layout.py`, the charts in
`analytics_charts.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go  # type: ignore[import-untyped]
import reflex as rx

from studioos.models import Role
from studioos.pages import analytics_charts as charts
from studioos.services import analytics, platforms, rooms, weekly_report
from studioos.services.analytics_views import Analytics, DayRow
from studioos.services.errors import ServiceError
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.ui import toast
from studioos.ui.backend import acting
from studioos.ui.service_call import Answer, ServicePage, off_loop, service_error_event, service_event

ALL = ""
FILTER_KEYS = ("range", "from", "to", "platform", "model", "room", "grain")


@dataclass(frozen=True)
class Option:
    id: str
    name: str


@dataclass(frozen=True)
class KpiCard:
    key: str
    label: str
    value: str
    previous: str
    change: str
    trend: str  # up | down | flat | none: the colour of the change


@dataclass(frozen=True)
class RoomLine:
    name: str
    use: str
    scheduled: str
    shifts: int
    no_shows: int
    no_show_cost: str


@dataclass(frozen=True)
class MemberLine:
    rank: int
    label: str
    platform: str
    value: str
    share: str
    times: int


@dataclass(frozen=True)
class CohortLine:
    month: str
    members: int
    retained: list[str]


@dataclass(frozen=True)
class DayLine:
    who: str
    platform: str
    kind: str
    time: str
    member: str
    tokens: int
    value: str
    counted: bool
    lines: int


def _kpi_text(unit: str, value: int | None, fmt: Formats, currency: str) -> str:
    if value is None:
        return "–"
    if unit in ("cents", "cents_per_hour"):
        return fmt.money(value, currency) + (" / h" if unit == "cents_per_hour" else "")
    if unit == "minutes":
        return f"{value // 60:,} h"
    if unit == "bp":
        return charts.percent_text(value)
    return f"{value:,}"


def _kpi_cards(a: Analytics, fmt: Formats) -> list[KpiCard]:
    out = []
    for k in a.kpis:
        trend = (
            "none"
            if k.change_bp is None
            else ("up" if k.change_bp > 0 else "down" if k.change_bp < 0 else "flat")
        )
        out.append(
            KpiCard(
                key=k.key,
                label=k.label,
                value=_kpi_text(k.unit, k.value, fmt, a.currency),
                previous=_kpi_text(k.unit, k.previous, fmt, a.currency),
                change=charts.change_text(k.change_bp, k.change_kind),
                trend=trend,
            )
        )
    return out


def _compute(router: Any, params: dict[str, str]) -> tuple[Analytics, Formats]:
    """The whole page's figures (in the database thread pool, with the session checked)."""
    with acting(router) as (db, actor):
        filters = analytics.parse_filters(db, actor, params)
        return analytics.dashboard(db, actor, filters), for_actor(actor)


class AnalyticsState(ServicePage, rx.State):
    # The filters as the URL gives them (the form shows these).
    preset: str = "last_30"
    first_day: str = ""
    last_day: str = ""
    platform: str = ALL
    model: str = ALL
    room: str = ALL
    grain: str = "day"
    filter_errors: dict[str, str] = {}
    personal: bool = False
    # The weekly report by email: owners opt in (or out) here.
    is_owner: bool = False
    weekly_on: bool = False
    platform_options: list[Option] = []
    model_options: list[Option] = []
    room_options: list[Option] = []

    # The figures, for the filters above once `loading` is false.
    loading: bool = True
    range_text: str = ""
    previous_text: str = ""
    currency: str = "USD"
    timezone: str = ""
    has_data: bool = False
    empty_reason: str = ""
    kpis: list[KpiCard] = []
    # None until computed: a state's defaults are deep-copied for every new tab of every page, and
    # a deep copy of even an empty plotly Figure costs about 100 ms.
    fig_series: go.Figure | None = None
    fig_models: go.Figure | None = None
    fig_per_hour: go.Figure | None = None
    fig_heatmap: go.Figure | None = None
    fig_mix: go.Figure | None = None
    has_models: bool = False
    has_per_hour: bool = False
    untimed: str = ""
    room_lines: list[RoomLine] = []
    member_lines: list[MemberLine] = []
    members_named: bool = False
    cohort_months: int = 0
    cohort_lines: list[CohortLine] = []
    _generation: int = 0
    # The models behind the bars of the two model charts, in the bars' order (for a click).
    _top_ids: list[int] = []
    _hour_ids: list[int] = []

    # The drill-down: one day's records.
    day_open: bool = False
    day_title: str = ""
    day_lines: list[DayLine] = []
    day_total: int = 0

    def _params(self) -> dict[str, str]:
        query = self.router.url.query_parameters
        return {k: str(query.get(k, ""))[:80] for k in FILTER_KEYS if query.get(k)}

    def _path(self) -> str:
        return "/my-analytics" if self.router.url.path.startswith("/my-") else "/analytics"

    @service_event(errors="filter_errors")
    def load(self) -> Answer:
        self.day_open = False
        with self._acting() as (db, actor):
            self.personal = not actor.can(Cap.EARNINGS_VIEW)
            self.is_owner = actor.role == Role.OWNER
            self.weekly_on = weekly_report.is_subscribed(db, actor) if self.is_owner else False
            self.platform_options = [Option(p, p) for p in platforms.list_platforms(db, actor)]
            # Models who asked to be left out of analytics are not offered (the service refuses them).
            names = {} if self.personal else analytics.model_options(db, actor)
            self.model_options = [Option(str(i), n) for i, n in names.items()]
            self.room_options = [Option(str(r.id), r.name) for r in rooms.list_rooms(db, actor)]
            filters = analytics.parse_filters(db, actor, self._params())
        self.preset, self.grain = filters.preset, filters.grain
        self.first_day, self.last_day = filters.first_day.isoformat(), filters.last_day.isoformat()
        self.platform = filters.platform or ALL
        self.model = "" if filters.performer_id is None else str(filters.performer_id)
        self.room = "" if filters.room_id is None else str(filters.room_id)
        # The old figures go at once: they are for other filters.
        self.loading = True
        return AnalyticsState.compute

    @rx.event(background=True)
    async def compute(self) -> Answer:
        async with self:
            self._generation += 1
            generation = self._generation
            self.loading = True
            router, params = self.router, self._params()
        try:
            result, fmt = await off_loop(_compute, router, params)
        except ServiceError as exc:
            async with self:
                if generation == self._generation:
                    self.loading = False
                    self.has_data = False
            return service_error_event(exc, self._path())
        async with self:
            if generation != self._generation:
                return None  # a newer filter change is on its way: its figures, not these
            self._show(result, fmt)
            self.loading = False
        return None

    def _show(self, a: Analytics, fmt: Formats) -> None:
        self.range_text = fmt.date_range(a.filters.first_day, a.filters.last_day)
        self.previous_text = fmt.date_range(a.previous_first, a.previous_last)
        self.currency, self.timezone = a.currency, a.timezone
        self.has_data, self.empty_reason = a.has_data, a.empty_reason
        self.kpis = _kpi_cards(a, fmt)
        self.fig_series = charts.series(a, fmt)
        self.fig_models = charts.top_models(a, fmt)
        self.fig_per_hour = charts.per_hour(a, fmt)
        self.fig_heatmap = charts.heatmap(a, fmt)
        self.fig_mix = charts.platform_mix(a, fmt)
        self._top_ids = [r.performer_id for r in a.top_models]
        self._hour_ids = [r.performer_id for r in a.per_hour if r.per_hour_cents is not None]
        self.has_models = bool(a.top_models)
        self.has_per_hour = any(r.per_hour_cents is not None for r in a.per_hour)
        self.untimed = fmt.money(a.heatmap_untimed_cents, a.currency) if a.heatmap_untimed_cents else ""
        self.room_lines = [
            RoomLine(
                r.name,
                charts.percent_text(r.use_bp),
                f"{charts.hours_text(r.scheduled_minutes)} of {r.available_minutes // 60:,} h",
                r.shifts,
                r.no_shows,
                fmt.money(r.no_show_cost_cents, a.currency),
            )
            for r in a.rooms
        ]
        self.members_named = a.members_named
        self.member_lines = [
            MemberLine(
                m.rank,
                m.label,
                m.platform,
                fmt.money(m.value_cents, a.currency),
                charts.percent_text(m.share_bp),
                m.entries,
            )
            for m in a.top_members
        ]
        months = max((len(c.retained) for c in a.cohorts), default=0)
        self.cohort_months = months
        self.cohort_lines = [
            CohortLine(
                fmt.month(c.month),
                c.members,
                [str(n) for n in c.retained] + [""] * (months - len(c.retained)),
            )
            for c in a.cohorts
        ]

    # ---------------------------------------------------------------- filter changes

    def _query(self, **changes: str) -> str:
        """The URL query of the filters on display, with `changes` (an empty value drops a filter)."""
        current = {
            "range": self.preset,
            "grain": self.grain,
            "platform": self.platform,
            "model": self.model,
            "room": self.room,
        }
        if self.preset == "custom":
            current.update({"from": self.first_day, "to": self.last_day})
        current.update(changes)
        if current.get("range") != "custom":
            current.pop("from", None)
            current.pop("to", None)
        return urlencode({k: v for k, v in current.items() if v})

    def _go(self, **changes: str) -> Answer:
        """Navigate to the URL of the filters with `changes`: the load reads them from there."""
        return rx.redirect(f"{self._path()}?{self._query(**changes)}")

    @rx.event
    def set_preset(self, value: str) -> Answer:
        if value == "custom":
            return self._go(range="custom", **{"from": self.first_day, "to": self.last_day})
        return self._go(range=str(value), grain="")

    @rx.event
    def set_platform(self, value: str) -> Answer:
        return self._go(platform=str(value))

    @rx.event
    def set_model(self, value: str) -> Answer:
        return self._go(model=str(value))

    @rx.event
    def set_room(self, value: str) -> Answer:
        return self._go(room=str(value))

    @rx.event
    def set_grain(self, value: str) -> Answer:
        return self._go(grain=str(value))

    @rx.event
    def custom_range(self, form: dict[str, Any]) -> Answer:
        return self._go(range="custom", **{"from": str(form.get("from", "")), "to": str(form.get("to", ""))})

    @service_event
    def set_weekly(self, on: bool) -> Answer:
        self.weekly_on = self._call(weekly_report.set_subscribed, bool(on))
        if self.weekly_on:
            return toast.success("You will get last week's figures by email every Monday.")
        return toast.success("No more weekly report emails.")

    @rx.event
    def clear_filters(self) -> Answer:
        return rx.redirect(self._path())

    # ---------------------------------------------------------------- drill-down

    @rx.event
    def click_day(self, points: list[dict[str, Any]]) -> Answer:
        """A bar of the time series opens the records of its (first) day."""
        if not points:
            return None
        return AnalyticsState.open_day(str(points[0].get("x", ""))[:10])

    def _model_at(self, ids: list[int], points: list[dict[str, Any]]) -> Answer:
        if not points or self.personal:
            return None
        index = points[0].get("pointIndex", points[0].get("pointNumber"))
        if not isinstance(index, int) or not 0 <= index < len(ids):
            return None
        return self._go(model=str(ids[index]))

    @rx.event
    def click_top_model(self, points: list[dict[str, Any]]) -> Answer:
        """A model's bar: her numbers with the same filters."""
        return self._model_at(self._top_ids, points)

    @rx.event
    def click_hour_model(self, points: list[dict[str, Any]]) -> Answer:
        return self._model_at(self._hour_ids, points)

    @service_event
    def open_day(self, day: str) -> None:
        try:
            chosen = date.fromisoformat(str(day)[:10])
        except ValueError:
            return
        with self._acting() as (db, actor):
            filters = analytics.parse_filters(db, actor, self._params())
            page = analytics.day_records(db, actor, filters, chosen, per_page=200)
            fmt = for_actor(actor)
        self.day_title = fmt.weekday_date(chosen)
        self.day_total = page.total
        self.day_lines = [_day_line(r, fmt, self.currency) for r in page.rows]
        self.day_open = True

    @rx.event
    def set_day_open(self, value: bool) -> None:
        self.day_open = bool(value)

    # ---------------------------------------------------------------- downloads

    @rx.var
    def query_string(self) -> str:
        """The filters' query for the download links."""
        return self._query()


def _day_line(r: DayRow, fmt: Formats, currency: str) -> DayLine:
    return DayLine(
        who=r.stage_name,
        platform=r.platform,
        kind="Ledger" if r.kind == "ledger" else "Daily figure",
        time=r.local_time,
        member=r.member,
        tokens=r.tokens,
        value=fmt.money(r.value_cents, currency),
        counted=r.counted,
        lines=r.entries,
    )
