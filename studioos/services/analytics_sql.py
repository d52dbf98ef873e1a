"""The Analytics page's queries: each one GROUP BY in the database, handed back as a small frame.

Money is summed in the database exactly, as integers: a record's worth in milli-cents (1/1000 of
a cent) is its money times 1000, or, when it reported no money, its tokens times the token's
value on its day in milli-cents (a value has at most five decimals, so 0.05 USD is 5000
milli-cents, exactly). That is `earnings.usd_value` to the last digit, summed in SQL instead of
Python, so a figure here rounds to the same cent as the earnings page and payroll. Which records
count is `earnings.counted()`, the one counting rule.

Only a few thousand rows at most come back (a row per model, platform and day; per weekday and
hour; per member cohort and month); shaping them is analytics.py's job, with pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    desc,
    exists,
    false,
    func,
    or_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from studioos.models import EarningRecord, RecordKind, Shift, ShiftStatus
from studioos.services.earnings import counted
from studioos.services.rates import RateBook

MILLI = 1000  # milli-cents in a cent


# ---------------------------------------------------------------- portable SQL pieces


class epoch_seconds(FunctionElement[int]):
    """Whole seconds since 1970 of a stored UTC instant, as an integer, on both databases."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "postgresql")
def _epoch_pg(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # floor, not a bare cast: casting 12.7 seconds to bigint would round it up into the next second.
    # date_part's float is exact to the second here, and far cheaper per row than extract's numeric.
    return f"CAST(floor(date_part('epoch', {compiler.process(element.clauses, **kw)})) AS BIGINT)"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class month_number(FunctionElement[int]):
    """year * 12 + month - 1 of a date: consecutive months are consecutive numbers."""

    type = Integer()
    inherit_cache = True
    name = "month_number"


@compiles(month_number, "postgresql")
def _month_pg(element: month_number, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part gives a float (exact for these), far cheaper per row than extract's numeric.
    day = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(date_part('year', {day}) AS INTEGER) * 12 + CAST(date_part('month', {day}) AS INTEGER) - 1)"
    )


@compiles(month_number, "sqlite")
def _month_sqlite(element: month_number, compiler: SQLCompiler, **kw: Any) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"(CAST(strftime('%Y', {day}) AS INTEGER) * 12 + CAST(strftime('%m', {day}) AS INTEGER) - 1)"


def tune(db: Session) -> None:
    """PostgreSQL settings for this unit of work's analytics (SET LOCAL: they end with it).

    JIT compiling the long CASE expressions cost 0.6 s of the 1.8 s the earnings query took over
    a million records, and saved less than it cost. (More working memory was tried too: it lets
    PostgreSQL hash every ledger day of the table for the counting rule, which made the short
    ranges, the page's usual ones, three times slower; the default is kept.)"""
    if db.get_bind().dialect.name == "postgresql":
        db.connection().exec_driver_sql("SET LOCAL jit = off")


def millicents_per_token(value: Decimal) -> int:
    scaled = value * 100 * MILLI
    if scaled != scaled.to_integral_value():
        # TokenRate stores five decimals at most (Numeric(10, 5)), so this cannot happen.
        raise ValueError(f"a token value with more than five decimals: {value}")
    return int(scaled)


def token_value(book: RateBook) -> ColumnElement[int]:
    """What one token of the record's platform is worth on the record's day, in milli-cents: the
    newest value on or before the day (RateBook.on), 0 where the platform has none."""
    whens: list[tuple[ColumnElement[bool], int]] = []
    for platform, steps in sorted(book.by_platform.items()):
        for since, value in sorted(steps, key=lambda step: step[0], reverse=True):
            whens.append(
                (
                    and_(col(EarningRecord.platform) == platform, col(EarningRecord.day) >= since),
                    millicents_per_token(value),
                )
            )
    if not whens:
        return cast(0, BigInteger)
    return case(*whens, else_=0)


def record_value(book: RateBook) -> ColumnElement[int]:
    """A record's worth in milli-cents, whether or not it counts (earnings.usd_value)."""
    return case(
        (col(EarningRecord.usd_cents) != 0, cast(EarningRecord.usd_cents, BigInteger) * MILLI),
        else_=cast(EarningRecord.tokens, BigInteger) * token_value(book),
    )


def counted_value(book: RateBook) -> ColumnElement[int]:
    """What a record counts for in milli-cents: its worth, or 0 under the counting rule. The rule
    is evaluated once per record (a daily figure asks whether its day has ledger entries)."""
    return case((counted(), record_value(book)), else_=0)


def summed(value: Any) -> ColumnElement[int]:
    # PostgreSQL sums bigints into numeric; back to an integer so pandas holds int64.
    return cast(func.coalesce(func.sum(value), 0), BigInteger)


# ---------------------------------------------------------------- who and what the queries cover


RoomDays = tuple[tuple[int, tuple[date, ...]], ...]  # (model, the days she worked in the room)


@dataclass(frozen=True)
class Scope:
    """What a query may read: the acting studio, and the filters the page set (a model's own view
    has her id as `performer_id` whatever the page asked). `excluded`: the models who objected to
    being analysed (analytics_scope.Viewer); none of their rows is read by any query here."""

    studio_id: int
    performer_id: int | None
    platform: str | None
    room_days: RoomDays | None  # None: no room filter
    excluded: tuple[int, ...] = ()

    def unnarrowed(self) -> Scope:
        """The same studio and model, every platform and room: what payroll shares out."""
        return Scope(self.studio_id, self.performer_id, None, None, self.excluded)

    def records(self, first: date, last: date) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [
            col(EarningRecord.studio_id) == self.studio_id,
            col(EarningRecord.day) >= first,
            col(EarningRecord.day) <= last,
        ]
        if self.performer_id is not None:
            where.append(col(EarningRecord.performer_id) == self.performer_id)
        where.extend(left_out(col(EarningRecord.performer_id), self.excluded))
        if self.platform is not None:
            where.append(col(EarningRecord.platform) == self.platform)
        if self.room_days is not None:
            where.append(_in_room(self.room_days, first, last))
        return where


def left_out(performer: Any, excluded: tuple[int, ...]) -> list[ColumnElement[bool]]:
    """The condition that leaves the objecting models' rows out (none when nobody objected, so the
    usual query is unchanged). `performer`: a table's model id column (col(X.performer_id))."""
    return [performer.not_in(sorted(excluded))] if excluded else []


def _in_room(room_days: RoomDays, first: date, last: date) -> ColumnElement[bool]:
    """The records of a model on the days she worked in the room: one branch per model, each with
    a list of days (hashed by PostgreSQL, an index for SQLite), never a pair per row compared."""
    branches = []
    for performer_id, days in room_days:
        inside = [d for d in days if first <= d <= last]
        if inside:
            branches.append(
                and_(col(EarningRecord.performer_id) == performer_id, col(EarningRecord.day).in_(inside))
            )
    return or_(*branches) if branches else false()


def _frame(db: Session, query: Any, columns: list[str]) -> pd.DataFrame:
    """A read-only aggregate straight from the connection: the ORM's row handling (entity loading)
    is no use here, and it was most of the time of taking 80,000 rows in.
    The unit of work's pending changes are flushed first, so what it changed is what it reads."""
    db.flush()
    rows = db.connection().execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


# ---------------------------------------------------------------- earnings


CUBE_COLUMNS = ["performer_id", "platform", "day", "value_mc", "minutes", "records"]


def cube(db: Session, scope: Scope, first: date, last: date, book: RateBook) -> pd.DataFrame:
    """Per model, platform and day: what counts (milli-cents), online minutes, records. Every
    earnings figure of the page comes from this one GROUP BY (a few thousand rows a month)."""
    query = (
        select(  # type: ignore[call-overload]
            EarningRecord.performer_id,
            EarningRecord.platform,
            EarningRecord.day,
            summed(counted_value(book)),
            summed(col(EarningRecord.online_minutes)),
            func.count(),
        )
        .where(*scope.records(first, last))
        .group_by(col(EarningRecord.performer_id), col(EarningRecord.platform), col(EarningRecord.day))
    )
    return _frame(db, query, CUBE_COLUMNS)


def model_days(db: Session, scope: Scope, first: date, last: date, book: RateBook) -> pd.DataFrame:
    """Per model and day, what counts (milli-cents): a pay period's whole gross, for the share."""
    query = (
        select(EarningRecord.performer_id, EarningRecord.day, summed(counted_value(book)))  # type: ignore[call-overload]
        .where(*scope.records(first, last))
        .group_by(col(EarningRecord.performer_id), col(EarningRecord.day))
    )
    return _frame(db, query, ["performer_id", "day", "value_mc"])


def utc_offsets(zone: ZoneInfo, lo: datetime, hi: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offset (seconds) from each change on, over [lo, hi): [(from, offset)]."""

    def offset(at: datetime) -> int:
        found = at.astimezone(zone).utcoffset()
        return int(found.total_seconds()) if found is not None else 0

    out = [(lo, offset(lo))]
    at = lo
    while at < hi:
        step = min(at + timedelta(days=1), hi)
        if offset(step) != out[-1][1]:
            # The change is somewhere in this day: find its first second (zones change on whole
            # seconds), keeping `before` on the old offset and `after` on the new one.
            before, after = int(at.timestamp()), int(step.timestamp())
            while after - before > 1:
                mid = (before + after) // 2
                if offset(datetime.fromtimestamp(mid, UTC)) == out[-1][1]:
                    before = mid
                else:
                    after = mid
            since = datetime.fromtimestamp(after, UTC)
            out.append((since, offset(since)))
        at = step
    return out


def local_seconds(zone: ZoneInfo, lo: datetime, hi: datetime) -> ColumnElement[int]:
    """A ledger entry's time on the studio's clock, as seconds since 1970 of that wall time: its
    UTC seconds plus the zone's offset at that instant (a CASE over the offset's changes in the
    window: summer time, winter time), so SQLite, which has no time zones, sorts it like
    PostgreSQL."""
    changes = utc_offsets(zone, lo, hi)
    at = epoch_seconds(EarningRecord.occurred_at)
    if len(changes) == 1:
        return at + changes[0][1]
    # Before the next change, the offset of the one before it.
    whens = [
        (col(EarningRecord.occurred_at) < since, before)
        for (since, _), (_, before) in zip(changes[1:], changes, strict=False)
    ]
    return at + case(*whens, else_=changes[-1][1])


def heatmap(
    db: Session, scope: Scope, first: date, last: date, book: RateBook, zone: ZoneInfo
) -> pd.DataFrame:
    """Per weekday (0 Monday) and hour of the studio's clock, the worth of ledger entries. Daily
    figures carry no time of day: they are left out (analytics.py says how much they are)."""
    lo = datetime.combine(first - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    hi = datetime.combine(last + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    # The hour of the week (0: Monday 00:00) in one expression: 1 January 1970 was a Thursday,
    # 72 hours after a Monday began.
    slot = ((local_seconds(zone, lo, hi) // 3600) + 72) % 168
    timed = (
        select(slot.label("slot"), record_value(book).label("value_mc"))
        .where(
            *scope.records(first, last),
            col(EarningRecord.kind) == RecordKind.LEDGER,
            col(EarningRecord.occurred_at).is_not(None),
        )
        .subquery("timed")
    )
    # Grouped outside: PostgreSQL will not match a GROUP BY to a select expression with parameters.
    query = select(timed.c.slot, summed(timed.c.value_mc), func.count()).group_by(timed.c.slot)
    found = _frame(db, query, ["slot", "value_mc", "entries"])
    return found.assign(weekday=found["slot"] // 24, hour=found["slot"] % 24)[
        ["weekday", "hour", "value_mc", "entries"]
    ]


# ---------------------------------------------------------------- members


def _member_entries(scope: Scope, first: date, last: date) -> list[ColumnElement[bool]]:
    # Ledger entries always count (the counting rule only sets daily figures aside).
    return [
        *scope.records(first, last),
        col(EarningRecord.kind) == RecordKind.LEDGER,
        col(EarningRecord.member_id).is_not(None),
    ]


def top_members(
    db: Session, scope: Scope, first: date, last: date, book: RateBook, limit: int
) -> list[tuple[int, int, int]]:
    """(member, milli-cents, entries) of the members who gave most, ties by id."""
    value = summed(record_value(book)).label("value_mc")
    query = (
        select(EarningRecord.member_id, value, func.count())
        .where(*_member_entries(scope, first, last))
        .group_by(col(EarningRecord.member_id))
        .order_by(desc("value_mc"), col(EarningRecord.member_id))
        .limit(limit)
    )
    found = _frame(db, query, ["member_id", "value_mc", "entries"])
    return [(int(m), int(v), int(n)) for m, v, n in found.itertuples(index=False, name=None)]


def _paying(table: Any) -> ColumnElement[bool]:
    return or_(table.tokens > 0, table.usd_cents > 0)


def cohorts(db: Session, scope: Scope, first: date, last: date) -> pd.DataFrame:
    """Per month a member first paid in (within the range and the model and platform filters;
    never before in them) and month she paid in: how many members. The room filter does not
    apply: a member's first tip is her first anywhere."""
    plain = Scope(scope.studio_id, scope.performer_id, scope.platform, None, scope.excluded)
    # Each member's paying months in the range, read once and used twice.
    active = (
        select(EarningRecord.member_id, month_number(EarningRecord.day).label("month"))
        .where(*_member_entries(plain, first, last), _paying(EarningRecord))
        .distinct()
        .cte("active")
    )
    firsts = (
        select(active.c.member_id, func.min(active.c.month).label("cohort"))
        .group_by(active.c.member_id)
        .subquery("firsts")
    )
    earlier = aliased(EarningRecord)
    before: list[ColumnElement[bool]] = [
        col(earlier.member_id) == firsts.c.member_id,
        col(earlier.studio_id) == scope.studio_id,
        col(earlier.kind) == RecordKind.LEDGER,
        col(earlier.day) < first,
        _paying(earlier),
    ]
    if scope.performer_id is not None:
        before.append(col(earlier.performer_id) == scope.performer_id)
    if scope.platform is not None:
        before.append(col(earlier.platform) == scope.platform)
    # A member's tips to an objecting model are not read here either: they make no one "not new".
    before.extend(left_out(col(earlier.performer_id), scope.excluded))
    newcomers = (
        select(firsts.c.member_id, firsts.c.cohort).where(~exists().where(*before)).subquery("newcomers")
    )
    query = (
        select(newcomers.c.cohort, active.c.month, func.count())
        .select_from(newcomers)
        .join(active, active.c.member_id == newcomers.c.member_id)
        .group_by(newcomers.c.cohort, active.c.month)
    )
    return _frame(db, query, ["cohort", "month", "members"])


# ---------------------------------------------------------------- schedule


SHIFT_COLUMNS = [
    "room_id",
    "performer_id",
    "current",
    "shifts",
    "seconds",
    "attended",
    "no_shows",
    "no_show_seconds",
]


def shift_figures(
    db: Session,
    studio_id: int,
    performer_id: int | None,
    room_id: int | None,
    previous_lo: datetime,
    current_lo: datetime,
    current_hi: datetime,
    excluded: tuple[int, ...] = (),
) -> pd.DataFrame:
    """Per room, model and window (previous / current, by the instant each shift starts): shifts,
    scheduled seconds, check-ins, no-shows and the seconds they missed. Cancelled shifts are
    not counted, nor the shifts of the models in `excluded` (Scope.excluded)."""
    seconds = epoch_seconds(Shift.ends_at) - epoch_seconds(Shift.starts_at)
    where: list[ColumnElement[bool]] = [
        col(Shift.studio_id) == studio_id,
        col(Shift.status) == ShiftStatus.SCHEDULED,
        col(Shift.starts_at) >= previous_lo,
        col(Shift.starts_at) < current_hi,
    ]
    if performer_id is not None:
        where.append(col(Shift.performer_id) == performer_id)
    if room_id is not None:
        where.append(col(Shift.room_id) == room_id)
    where.extend(left_out(col(Shift.performer_id), excluded))
    inner = (
        select(  # type: ignore[call-overload]
            Shift.room_id,
            Shift.performer_id,
            case((col(Shift.starts_at) >= current_lo, 1), else_=0).label("current"),
            seconds.label("seconds"),
            case((col(Shift.checked_in_at).is_not(None), 1), else_=0).label("attended"),
            case((col(Shift.no_show).is_(True), 1), else_=0).label("no_show"),
        )
        .where(*where)
        .subquery()
    )
    missed = case((inner.c.no_show == 1, inner.c.seconds), else_=0)
    query = select(  # type: ignore[call-overload]
        inner.c.room_id,
        inner.c.performer_id,
        inner.c.current,
        func.count(),
        summed(inner.c.seconds),
        summed(inner.c.attended),
        summed(inner.c.no_show),
        summed(missed),
    ).group_by(inner.c.room_id, inner.c.performer_id, inner.c.current)
    return _frame(db, query, SHIFT_COLUMNS)
