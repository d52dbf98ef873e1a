"""Analytics: the studio's earnings, time online, attendance, rooms and members over a range of days.

For owners, managers and analysts (Cap.EARNINGS_VIEW) the whole studio; for a model (Cap.EARNINGS_OWN)
her own numbers only, whatever model the page asks for (another model's id is "not found"). Member
handles are personal data: owners and managers see them, and a model sees those of her own
members (as on /my-members); analysts get aggregates only (a member is "Member 3", a drill-down
day is totals per model, platform and kind). Another studio's model or room is "not found".

Every earnings figure sums `earnings.counted()` records at the token values payroll uses
(analytics_sql.py); the aggregation runs in the database (one GROUP BY per need), pandas only
shapes what comes back (buckets, pivots, the 7 x 24 grid, cohorts). docs/analytics.md defines each
KPI and chart. The result is kept by the per-studio cache, keyed by the filters and the viewer's
visibility, until the studio's data changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from sqlmodel import Session, col, select

from studioos.models import EarningRecord, Member, Performer, Room
from studioos.services import analytics_sql as sql
from studioos.services import studio_cache
from studioos.services.analytics_day import day_records
from studioos.services.analytics_filters import Filters, parse_filters, period_lookup
from studioos.services.analytics_payouts import payouts, periods_between
from studioos.services.analytics_scope import (
    Viewer,
    basis_points,
    cents,
    cents_array,
    change_bp,
    model_options,
    per_hour,
    room_days,
    viewer,
)
from studioos.services.analytics_views import (
    Analytics,
    Cohort,
    HeatCell,
    Kpi,
    MemberRank,
    ModelRow,
    PlatformShare,
    RoomUse,
    SeriesRow,
    Unit,
    platform_colour,
)
from studioos.services.earnings import round_cents
from studioos.services.formatting import for_timezone
from studioos.services.permissions import Actor
from studioos.services.rates import rate_book
from studioos.services.shifts import day_window, studio_zone

__all__ = [
    "Analytics",
    "Filters",
    "dashboard",
    "day_records",
    "model_options",
    "parse_filters",
    "platform_colour",
]

TOP = 10
CURRENCY = "USD"


def dashboard(db: Session, actor: Actor, filters: Filters, *, today: date | None = None) -> Analytics:
    """Every KPI and chart of the Analytics page for these filters, as the actor may see them."""
    seen = viewer(db, actor, filters)
    filters.check(today or actor.today())
    return studio_cache.remember(
        db,
        actor,
        "analytics.dashboard",
        lambda: _compute(db, seen, filters),
        # The objecting models too: a figure kept from before an objection is never served after
        # it (the objection also raises the studio's revision; this does not rely on it).
        parts=(filters, seen.performer_id, seen.members_named, seen.excluded),
    )


# ---------------------------------------------------------------- the computation


def _kpi(key: str, label: str, unit: Unit, value: int | None, previous: int | None) -> Kpi:
    if unit == "bp":
        diff = None if value is None or previous is None else value - previous
        return Kpi(key, label, unit, value, previous, diff, "points")
    return Kpi(key, label, unit, value, previous, change_bp(value, previous))


@dataclass(frozen=True)
class _Window:
    first: date
    last: date

    def of(self, frame: pd.DataFrame) -> pd.DataFrame:
        days = frame["day"]
        return frame[(days >= pd.Timestamp(self.first)) & (days <= pd.Timestamp(self.last))]


def _typed(frame: pd.DataFrame, ints: list[str], day: str | None = "day") -> pd.DataFrame:
    out = frame.astype({name: "int64" for name in ints})
    if day is not None:
        out[day] = pd.to_datetime(out[day])
    return out


def _compute(db: Session, seen: Viewer, filters: Filters) -> Analytics:
    studio_id = seen.studio_id
    sql.tune(db)
    zone = studio_zone(db, studio_id)
    book = rate_book(db, studio_id)
    current = _Window(filters.first_day, filters.last_day)
    previous = _Window(*filters.previous)
    periods = periods_between(period_lookup(db, studio_id), previous.first, current.last)
    lo, hi = periods[0].starts_on, periods[-1].ends_on
    in_room = None
    if filters.room_id is not None:
        in_room = room_days(db, studio_id, filters.room_id, lo, hi, zone)
    scope = sql.Scope(studio_id, seen.performer_id, filters.platform, in_room, seen.excluded)

    cube = _typed(sql.cube(db, scope, lo, hi, book), ["performer_id", "value_mc", "minutes", "records"])
    now, before = current.of(cube), previous.of(cube)
    scoped = cube.groupby(["performer_id", "day"], as_index=False)["value_mc"].sum()
    if filters.platform is None and in_room is None:
        whole = scoped
    else:
        whole = _typed(sql.model_days(db, scope.unnarrowed(), lo, hi, book), ["performer_id", "value_mc"])
    pay_now, pay_before = payouts(
        db,
        studio_id,
        seen.performer_id,
        whole,
        scoped,
        [(current.first, current.last), (previous.first, previous.last)],
        periods,
    )
    models_now, models_before = _per_model(now), _per_model(before)
    names = _stage_names(db, studio_id, set(models_now.index) | set(models_before.index))
    shifts = _shifts(db, seen, filters, zone, previous, current)
    members_now = sql.top_members(db, scope, current.first, current.last, book, TOP)
    members_before = sql.top_members(db, scope, previous.first, previous.last, book, TOP)
    heat = _typed(
        sql.heatmap(db, scope, current.first, current.last, book, zone),
        ["weekday", "hour", "value_mc", "entries"],
        day=None,
    )
    gross_now = int(now["value_mc"].sum())
    platforms = _platforms(now)
    has_earnings = not now.empty
    return Analytics(
        filters=filters,
        previous_first=previous.first,
        previous_last=previous.last,
        timezone=zone.key,
        currency=CURRENCY,
        personal=seen.personal,
        members_named=seen.members_named,
        kpis=_kpis(now, before, pay_now, pay_before, shifts, members_now, members_before),
        platforms=tuple(platforms),
        colours=tuple(platform_colour(p) for p in platforms),
        series=_series(now, platforms, current, filters),
        top_models=_top_models(models_now, models_before, names, pay_now),
        per_hour=_per_hour_rows(models_now, models_before, names, pay_now),
        heatmap=_heatmap(heat),
        heatmap_untimed_cents=cents(gross_now - int(heat["value_mc"].sum())),
        rooms=_rooms(db, seen, filters, shifts, models_now, gross_now),
        platform_mix=_mix(now, platforms, gross_now),
        top_members=_members(db, seen, members_now, gross_now),
        cohorts=_cohorts(sql.cohorts(db, scope, current.first, current.last), current),
        has_data=has_earnings or bool(shifts[shifts["current"] == 1]["shifts"].sum()),
        empty_reason="" if has_earnings else _why_empty(db, seen, filters, zone),
    )


def _per_model(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby("performer_id")[["value_mc", "minutes"]].sum()


def _stage_names(db: Session, studio_id: int, ids: set[Any]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.exec(
        select(Performer.id, Performer.stage_name).where(
            Performer.studio_id == studio_id, col(Performer.id).in_(sorted(int(i) for i in ids))
        )
    ).all()
    return {int(pid): name for pid, name in rows if pid is not None}


def _platforms(frame: pd.DataFrame) -> list[str]:
    totals = frame.groupby("platform")["value_mc"].sum()
    return sorted((str(p) for p in totals.index), key=lambda p: (-int(totals[p]), p))


def _shifts(
    db: Session, seen: Viewer, filters: Filters, zone: ZoneInfo, previous: _Window, current: _Window
) -> pd.DataFrame:
    previous_lo, _ = day_window(zone, previous.first, previous.last)
    current_lo, current_hi = day_window(zone, current.first, current.last)
    frame = sql.shift_figures(
        db,
        seen.studio_id,
        seen.performer_id,
        filters.room_id,
        previous_lo,
        current_lo,
        current_hi,
        seen.excluded,
    )
    return frame.astype({name: "int64" for name in sql.SHIFT_COLUMNS})


# ---------------------------------------------------------------- KPIs


def _attendance(shifts: pd.DataFrame, window: int) -> int | None:
    rows = shifts[shifts["current"] == window]
    attended, missed = int(rows["attended"].sum()), int(rows["no_shows"].sum())
    return basis_points(attended, attended + missed)


def _kpis(
    now: pd.DataFrame,
    before: pd.DataFrame,
    pay_now: dict[int, int],
    pay_before: dict[int, int],
    shifts: pd.DataFrame,
    members_now: list[tuple[int, int, int]],
    members_before: list[tuple[int, int, int]],
) -> tuple[Kpi, ...]:
    def figures(
        frame: pd.DataFrame, pay: dict[int, int], members: list[tuple[int, int, int]]
    ) -> dict[str, Any]:
        value_mc, minutes = int(frame["value_mc"].sum()), int(frame["minutes"].sum())
        gross = cents(value_mc)
        paid = sum(pay.values())
        return {
            "gross": gross,
            "studio_share": gross - paid,
            "model_payouts": paid,
            "hours_online": minutes,
            "per_hour": per_hour(value_mc, minutes),
            "active_models": int(frame["performer_id"].nunique()),
            "top_members_share": basis_points(sum(v for _, v, _ in members), value_mc),
        }

    a, b = figures(now, pay_now, members_now), figures(before, pay_before, members_before)
    a["attendance"], b["attendance"] = _attendance(shifts, 1), _attendance(shifts, 0)
    specs: tuple[tuple[str, str, Unit], ...] = (
        ("gross", "Gross", "cents"),
        ("studio_share", "Studio share", "cents"),
        ("model_payouts", "Model payouts", "cents"),
        ("hours_online", "Hours online", "minutes"),
        ("per_hour", "Earnings per online hour", "cents_per_hour"),
        ("active_models", "Active models", "count"),
        ("attendance", "Attendance rate", "bp"),
        ("top_members_share", f"Share of the top {TOP} members", "bp"),
    )
    return tuple(_kpi(key, label, unit, a[key], b[key]) for key, label, unit in specs)


# ---------------------------------------------------------------- charts


def buckets(first: date, last: date, grain: str) -> list[tuple[date, date]]:
    """The chart's bars: days, Monday-to-Sunday weeks or calendar months, clipped to the range."""
    out = []
    start = first
    while start <= last:
        if grain == "week":
            end = start + timedelta(days=6 - start.weekday())
        elif grain == "month":
            following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
            end = following - timedelta(days=1)
        else:
            end = start
        end = min(end, last)
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def _series(
    now: pd.DataFrame, platforms: list[str], window: _Window, filters: Filters
) -> tuple[SeriesRow, ...]:
    bars = buckets(window.first, window.last, filters.grain)
    starts = np.array([np.datetime64(first, "ns") for first, _ in bars])
    tagged = now.assign(bar=np.searchsorted(starts, now["day"].to_numpy(dtype="datetime64[ns]"), "right") - 1)
    grid = (
        tagged.groupby(["bar", "platform"])["value_mc"]
        .sum()
        .unstack(fill_value=0)
        .reindex(index=range(len(bars)), columns=platforms, fill_value=0)
    )
    matrix = grid.to_numpy(dtype="int64").reshape(len(bars), len(platforms))
    cells = cents_array(matrix)
    totals = cents_array(matrix.sum(axis=1))
    return tuple(
        SeriesRow(first, last, tuple(int(v) for v in cells[i]), int(totals[i]))
        for i, (first, last) in enumerate(bars)
    )


def _model_rows(
    models_now: pd.DataFrame, models_before: pd.DataFrame, names: dict[int, str], pay: dict[int, int]
) -> list[ModelRow]:
    rows = []
    for pid_raw, figures in models_now.iterrows():
        pid = int(pid_raw)
        value_mc, minutes = int(figures["value_mc"]), int(figures["minutes"])
        gross = cents(value_mc)
        previous = cents(int(models_before["value_mc"].get(pid_raw, 0)))
        rows.append(
            ModelRow(
                performer_id=pid,
                stage_name=names.get(pid, ""),
                gross_cents=gross,
                previous_cents=previous,
                change_bp=change_bp(gross, previous),
                online_minutes=minutes,
                per_hour_cents=per_hour(value_mc, minutes),
                payout_cents=pay.get(pid, 0),
            )
        )
    return rows


def _top_models(
    models_now: pd.DataFrame, models_before: pd.DataFrame, names: dict[int, str], pay: dict[int, int]
) -> tuple[ModelRow, ...]:
    rows = _model_rows(models_now, models_before, names, pay)
    return tuple(sorted(rows, key=lambda r: (-r.gross_cents, r.stage_name.lower(), r.performer_id))[:TOP])


def _per_hour_rows(
    models_now: pd.DataFrame, models_before: pd.DataFrame, names: dict[int, str], pay: dict[int, int]
) -> tuple[ModelRow, ...]:
    rows = [r for r in _model_rows(models_now, models_before, names, pay) if r.per_hour_cents is not None]
    return tuple(sorted(rows, key=lambda r: (-(r.per_hour_cents or 0), r.stage_name.lower(), r.performer_id)))


def _heatmap(heat: pd.DataFrame) -> tuple[HeatCell, ...]:
    grid = (
        heat.set_index(["weekday", "hour"])
        .reindex(pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"]), fill_value=0)
        .astype("int64")
    )
    values = cents_array(grid["value_mc"].to_numpy())
    entries = grid["entries"].to_numpy()
    return tuple(
        HeatCell(weekday, hour, int(values[i]), int(entries[i]))
        for i, (weekday, hour) in enumerate(grid.index)
    )


def _mix(now: pd.DataFrame, platforms: list[str], gross_mc: int) -> tuple[PlatformShare, ...]:
    totals = now.groupby("platform")["value_mc"].sum()
    return tuple(
        PlatformShare(p, platform_colour(p), cents(int(totals[p])), basis_points(int(totals[p]), gross_mc))
        for p in platforms
    )


def _rooms(
    db: Session,
    seen: Viewer,
    filters: Filters,
    shifts: pd.DataFrame,
    models_now: pd.DataFrame,
    gross_mc: int,
) -> tuple[RoomUse, ...]:
    """Room use and what no-shows cost: each missing model's earnings per online hour in the range
    (the whole scope's when she has no online time in it) times the hours her shift would have
    lasted."""
    current = shifts[shifts["current"] == 1]
    query = select(Room.id, Room.name, Room.is_active).where(Room.studio_id == seen.studio_id)
    if filters.room_id is not None:
        query = query.where(Room.id == filters.room_id)
    used = {int(r) for r in current["room_id"].unique()}
    rooms = [
        (int(rid), name)
        for rid, name, active in db.exec(query.order_by(col(Room.name))).all()
        if rid is not None and (rid in used or (active and not seen.personal))
    ]
    overall = (gross_mc, int(models_now["minutes"].sum()))
    available = filters.days * 24 * 60
    out = []
    for room_id, name in rooms:
        rows = current[current["room_id"] == room_id]
        scheduled = int(rows["seconds"].sum()) // 60
        cost = Decimal(0)
        for _, row in rows[rows["no_show_seconds"] > 0].iterrows():
            pid = row["performer_id"]
            value_mc, minutes = overall
            if pid in models_now.index and int(models_now.at[pid, "minutes"]) > 0:
                value_mc, minutes = int(models_now.at[pid, "value_mc"]), int(models_now.at[pid, "minutes"])
            if minutes > 0:
                cost += Decimal(value_mc) * int(row["no_show_seconds"]) / (Decimal(minutes) * 60)
        out.append(
            RoomUse(
                room_id=room_id,
                name=name,
                available_minutes=available,
                scheduled_minutes=scheduled,
                use_bp=basis_points(scheduled, available) or 0,
                shifts=int(rows["shifts"].sum()),
                no_shows=int(rows["no_shows"].sum()),
                no_show_minutes=int(rows["no_show_seconds"].sum()) // 60,
                no_show_cost_cents=round_cents(cost / sql.MILLI),
            )
        )
    return tuple(out)


def _members(
    db: Session, seen: Viewer, top: list[tuple[int, int, int]], gross_mc: int
) -> tuple[MemberRank, ...]:
    ids = [m for m, _, _ in top]
    found = {
        int(mid): (handle, platform)
        for mid, handle, platform in db.exec(
            select(Member.id, Member.handle, Member.platform).where(
                Member.studio_id == seen.studio_id, col(Member.id).in_(ids)
            )
        ).all()
        if mid is not None
    }
    out = []
    for rank, (member_id, value_mc, entries) in enumerate(top, start=1):
        handle, platform = found.get(member_id, ("", ""))
        named = seen.members_named
        out.append(
            MemberRank(
                rank=rank,
                member_id=member_id if named else 0,
                label=handle if named else f"Member {rank}",
                platform=platform,
                value_cents=cents(value_mc),
                entries=entries,
                share_bp=basis_points(value_mc, gross_mc),
            )
        )
    return tuple(out)


def _month(key: int) -> date:
    return date(key // 12, key % 12 + 1, 1)


def _cohorts(frame: pd.DataFrame, window: _Window) -> tuple[Cohort, ...]:
    first_key = window.first.year * 12 + window.first.month - 1
    last_key = window.last.year * 12 + window.last.month - 1
    counts = {(int(c), int(m)): int(n) for c, m, n in frame.itertuples(index=False, name=None)}
    return tuple(
        Cohort(
            month=_month(cohort),
            members=counts.get((cohort, cohort), 0),
            retained=tuple(counts.get((cohort, month), 0) for month in range(cohort + 1, last_key + 1)),
        )
        for cohort in range(first_key, last_key + 1)
    )


def _why_empty(db: Session, seen: Viewer, filters: Filters, zone: ZoneInfo) -> str:
    where = [col(EarningRecord.studio_id) == seen.studio_id]
    if seen.personal and seen.performer_id is not None:
        where.append(col(EarningRecord.performer_id) == seen.performer_id)
    where.extend(sql.left_out(col(EarningRecord.performer_id), seen.excluded))
    anything = db.exec(select(EarningRecord.id).where(*where).limit(1)).first()
    if anything is None:
        if seen.personal:
            return "No earnings of yours have been entered or imported yet."
        return "No earnings have been entered or imported yet: add them on the Earnings or Imports page."
    span = for_timezone(zone.key).date_range(filters.first_day, filters.last_day)
    narrowed = filters.platform is not None or filters.room_id is not None
    narrowed = narrowed or (filters.performer_id is not None and not seen.personal)
    if narrowed:
        return f"No earnings match these filters in {span}: widen the range or clear a filter."
    return f"No earnings in {span}: choose another range."
