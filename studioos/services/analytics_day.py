"""The Analytics page's drill-down: the records of one day of the time series, under its filters.

Owners, managers and a model (her own records only) get each record, with its time on the
studio's clock and its member. Analysts get aggregates only: one total per model, platform, kind
and whether it counts, without members or times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from studioos.models import EarningRecord, Member, Performer
from studioos.services import analytics_sql as sql
from studioos.services.analytics_filters import EARLIEST, Filters
from studioos.services.analytics_scope import cents, room_days, viewer
from studioos.services.analytics_views import DayRow
from studioos.services.earnings import counted
from studioos.services.errors import ValidationFailed
from studioos.services.performers import Page
from studioos.services.permissions import Actor
from studioos.services.rates import RateBook, rate_book
from studioos.services.shifts import studio_zone, to_local

DAY_PAGE_MAX = 200


def day_records(
    db: Session,
    actor: Actor,
    filters: Filters,
    day: date,
    *,
    page: int = 1,
    per_page: int = 50,
    today: date | None = None,
) -> Page[DayRow]:
    """The records of one day under the page's filters (the time series' drill-down): each record
    for owners, managers and a model (hers only); for analysts one total per model, platform,
    kind and whether it counts, without members or times."""
    seen = viewer(db, actor, filters)
    if not EARLIEST <= day <= (today or actor.today()):
        raise ValidationFailed({"day": "Choose a day of the range."})
    zone = studio_zone(db, seen.studio_id)
    book = rate_book(db, seen.studio_id)
    in_room = None
    if filters.room_id is not None:
        in_room = room_days(db, seen.studio_id, filters.room_id, day, day, zone)
    scope = sql.Scope(seen.studio_id, seen.performer_id, filters.platform, in_room, seen.excluded)
    per_page, page = max(1, min(per_page, DAY_PAGE_MAX)), max(1, page)
    if seen.members_named:
        return _day_records(db, scope, day, book, zone, page, per_page)
    return _day_totals(db, scope, day, book, page, per_page)


def _day_records(
    db: Session, scope: sql.Scope, day: date, book: RateBook, zone: ZoneInfo, page: int, per_page: int
) -> Page[DayRow]:
    where = scope.records(day, day)
    total = db.exec(select(func.count()).select_from(EarningRecord).where(*where)).one()
    rows = db.exec(
        select(  # type: ignore[call-overload]
            EarningRecord.id,
            EarningRecord.performer_id,
            Performer.stage_name,
            EarningRecord.platform,
            EarningRecord.kind,
            EarningRecord.entry_type,
            EarningRecord.occurred_at,
            Member.handle,
            EarningRecord.tokens,
            EarningRecord.usd_cents,
            EarningRecord.online_minutes,
            counted(),
            sql.counted_value(book),
        )
        .join(Performer, col(Performer.id) == EarningRecord.performer_id)
        .outerjoin(Member, col(Member.id) == EarningRecord.member_id)
        .where(*where)
        .order_by(
            col(EarningRecord.occurred_at).is_(None),
            col(EarningRecord.occurred_at),
            col(EarningRecord.id),
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    out = [
        DayRow(
            performer_id=pid,
            stage_name=name,
            platform=platform,
            kind=kind,
            entry_type=entry_type or "",
            occurred_at=at,
            local_time=to_local(at, zone).strftime("%H:%M") if at is not None else "",
            member=member or "",
            tokens=tokens,
            usd_cents=usd,
            value_cents=cents(int(value_mc)),
            online_minutes=minutes,
            counted=bool(is_counted),
            entries=1,
            record_id=rid,
        )
        for (
            rid,
            pid,
            name,
            platform,
            kind,
            entry_type,
            at,
            member,
            tokens,
            usd,
            minutes,
            is_counted,
            value_mc,
        ) in rows
    ]
    return Page(out, int(total), page, per_page, "time")


def _day_totals(
    db: Session, scope: sql.Scope, day: date, book: RateBook, page: int, per_page: int
) -> Page[DayRow]:
    inner = (
        select(  # type: ignore[call-overload]
            EarningRecord.performer_id,
            EarningRecord.platform,
            EarningRecord.kind,
            case((counted(), 1), else_=0).label("is_counted"),
            EarningRecord.tokens,
            EarningRecord.usd_cents,
            EarningRecord.online_minutes,
            sql.counted_value(book).label("value_mc"),
        )
        .where(*scope.records(day, day))
        .subquery("records")
    )
    keys = (inner.c.performer_id, inner.c.platform, inner.c.kind, inner.c.is_counted)
    grouped = (
        select(  # type: ignore[call-overload]
            *keys,
            func.count().label("entries"),
            sql.summed(inner.c.tokens),
            sql.summed(inner.c.usd_cents),
            sql.summed(inner.c.online_minutes),
            sql.summed(inner.c.value_mc),
        )
        .group_by(*keys)
        .subquery("grouped")
    )
    total = db.exec(select(func.count()).select_from(grouped)).one()
    rows: Sequence[tuple[Any, ...]] = db.exec(
        select(grouped, Performer.stage_name)
        .join(Performer, col(Performer.id) == grouped.c.performer_id)
        .order_by(col(Performer.stage_name), grouped.c.platform, grouped.c.kind, grouped.c.is_counted.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    out = [
        DayRow(
            performer_id=int(pid),
            stage_name=name,
            platform=platform,
            kind=kind,
            entry_type="",
            occurred_at=None,
            local_time="",
            member="",
            tokens=int(tokens),
            usd_cents=int(usd),
            value_cents=cents(int(value_mc)),
            online_minutes=int(minutes),
            counted=bool(is_counted),
            entries=int(entries),
            record_id=0,
        )
        for pid, platform, kind, is_counted, entries, tokens, usd, minutes, value_mc, name in rows
    ]
    return Page(out, int(total), page, per_page, "model")
