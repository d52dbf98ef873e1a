"""How fast the Analytics page's figures come, against the bare SQL GROUP BYs behind the same numbers.

    .venv/bin/python bench/analytics_bench.py              # 1,000,000 records, SQLite then PostgreSQL
    .venv/bin/python bench/analytics_bench.py --records 100000 --no-postgres
    .venv/bin/python bench/analytics_bench.py --profile    # and where the service's time goes

For each database it makes a fresh one (a temporary SQLite file; a temporary PostgreSQL database at
127.0.0.1:5432, user postgres, dropped at the end), migrates it as the tests do, and adds a studio
(Europe/Bucharest, so the heatmap crosses summer time) with 100 models, 10 rooms, two platform
accounts per model on five platforms, 20,000 members and a token value change, through the
services. Then two years of work land with bulk inserts (COPY on PostgreSQL, executemany on
SQLite, `imports.bulk_insert`): about four shifts a week per model (some missed) and, for every
account on every day worked, a daily figure (30 %), a token history of that day (60 %), or both
(10 %: the counting rule sets the figure aside). `--records` sets how many records in all.

Then, with the per-studio cache emptied before every run:

- service: `analytics.dashboard` over the whole two years (by month), the call the page makes;
- baseline: the bare SQL GROUP BY queries that give the same numbers from the raw records (the
  chart's series, each model's figures in both windows, each model's days for the payouts, the
  heatmap, the top members of both windows, the member cohorts, the shifts), through the
  driver, nothing shaped; their results are checked against the service's;
- filter changes: the page's default range (the last 30 days) with each filter, and wider ranges.

It prints each figure beside the baseline and the ratio. Nothing is asserted: the figures are for
people; the targets are a ratio of at most 1.5 and a filter change under 1 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = os.environ.get(
    "STUDIOOS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ZONE_NAME = "Europe/Bucharest"
END = date(2026, 11, 30)  # the bench's "today": the last day of the two years
DAYS = 730
FIRST = END - timedelta(days=DAYS - 1)
MODELS = 100
ROOMS = 10
MEMBERS = 20_000
PLATFORMS = ("Chaturbate", "Stripchat", "BongaCams", "CamSoda", "LiveJasmin")
TOKEN_PLATFORMS = PLATFORMS[:4]
RATE_CHANGE = (FIRST + timedelta(days=400), "0.04")  # Chaturbate's value for the studio from then
TIP_SIZES = (1, 5, 10, 15, 20, 25, 33, 50, 69, 77, 100, 111, 200, 250, 500, 1000)
CHUNK = 100_000
RUNS = 3


# ---------------------------------------------------------------- the data


def migrate(url: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


@dataclass
class Studio:
    studio_id: int
    performers: list[int]
    rooms: list[int]
    accounts: list[tuple[int, int, str]]  # (account, model, platform)
    members: dict[str, list[int]]  # platform -> member ids


def make_studio(db: Any) -> Studio:
    """The studio, its people, rooms, accounts and members, as the app creates them."""
    from sqlmodel import col, select

    from studioos.models import Member
    from studioos.services import auth, imports, performers, platforms, rates, rooms
    from studioos.services.imports import bulk_insert
    from studioos.services.passwords import hash_password
    from studioos.services.performers import LegalInput, ProfileInput

    rng = random.Random(11)
    studio, _owner = auth.create_studio_and_owner(
        db,
        studio_name="Bench Studio",
        timezone=ZONE_NAME,
        currency="EUR",
        name="Bench Owner",
        email=f"owner-{uuid.uuid4().hex[:8]}@example.com",
        password_hash=hash_password("bench password 2026"),
        client=auth.Client(ip="127.0.0.1", user_agent="analytics bench", browser="b" * 64),
    )
    studio_id = studio.id or 0
    actor = imports.command_line_actor(db, studio_id)
    room_ids = [rooms.create_room(db, actor, f"Room {i + 1}").id for i in range(ROOMS)]
    performer_ids, accounts = [], []
    for i in range(MODELS):
        model = performers.create_performer(
            db,
            actor,
            ProfileInput(stage_name=f"Model {i + 1:03d}", status="active", email="", payout_split="60"),
            LegalInput(
                legal_name=f"Legal Name {i}",
                birth_date=date(1998, 4, 23),
                doc_type="passport",
                doc_number=f"P{i:08d}",
                doc_country="RO",
                doc_expiry=END + timedelta(days=1000),
            ),
        )
        performer_ids.append(model.id)
        for platform in rng.sample(PLATFORMS, 2):
            row = platforms.add_account(db, actor, model.id, platform, f"model{i + 1:03d}_{platform.lower()}")
            accounts.append((row.id, model.id, platform))
    rates.set_rate(db, actor, "Chaturbate", RATE_CHANGE[0], RATE_CHANGE[1])
    per_platform = MEMBERS // len(TOKEN_PLATFORMS)
    table = Member.__table__  # type: ignore[attr-defined]
    rows = [
        (platform, f"fan_{platform.lower()}_{n}", f"fan_{platform.lower()}_{n}")
        for platform in TOKEN_PLATFORMS
        for n in range(per_platform)
    ]
    bulk_insert(
        db,
        table,
        ("platform", "handle", "handle_key"),
        rows,
        constants={"studio_id": studio_id, "tags": "", "created_at": datetime.now(UTC)},
    )
    members: dict[str, list[int]] = defaultdict(list)
    for member_id, platform in db.exec(
        select(Member.id, Member.platform).where(Member.studio_id == studio_id).order_by(col(Member.id))
    ):
        members[platform].append(member_id)
    db.commit()
    return Studio(studio_id, performer_ids, room_ids, accounts, dict(members))


@dataclass
class Work:
    """Which days each model works, and in which room and hours (studio-local)."""

    days: dict[int, list[tuple[date, int, int]]] = field(default_factory=dict)  # model -> (day, room, hour)


def plan_work(studio: Studio, rng: random.Random) -> Work:
    work = Work()
    for i, model in enumerate(studio.performers):
        room = studio.rooms[i % ROOMS]
        hour = 10 if i % 2 else 18
        off = set(rng.sample(range(7), 3))  # four working days a week
        work.days[model] = [
            (FIRST + timedelta(days=d), room, hour)
            for d in range(DAYS)
            if (FIRST + timedelta(days=d)).weekday() not in off
        ]
    return work


RECORD_COLUMNS = (
    "performer_id",
    "account_id",
    "platform",
    "kind",
    "day",
    "occurred_at",
    "member_id",
    "entry_type",
    "tokens",
    "usd_cents",
    "online_minutes",
    "natural_key",
)


def records(studio: Studio, work: Work, wanted: int, rng: random.Random) -> Iterator[list[tuple[Any, ...]]]:
    """Chunks of earnings records, about `wanted` in all, spread over every account's working days."""
    zone = ZoneInfo(ZONE_NAME)
    account_days = [
        (account, model, platform, day, hour)
        for account, model, platform in studio.accounts
        for day, _room, hour in work.days[model]
    ]
    # 30 % daily figure only, 60 % token history, 10 % both (money platforms: a daily figure
    # every day worked), so a token account-day holds 0.4 + 0.7 x `entries` records.
    money_days = sum(1 for _, _, platform, _, _ in account_days if platform == "LiveJasmin")
    token_days = len(account_days) - money_days
    entries = max(1.0, (wanted - money_days - 0.4 * token_days) / (0.7 * token_days))
    # A few members give most (as on the sites): the n-th most generous weighs 1/n.
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(MEMBERS // len(TOKEN_PLATFORMS))))
    chunk: list[tuple[Any, ...]] = []
    serial = 0
    for account, model, platform, day, hour in account_days:
        roll = rng.random()
        money = platform == "LiveJasmin"
        if roll < 0.4 or money:
            minutes = rng.randint(240, 480)
            # A money platform reports USD, the others tokens (one draw either way).
            tokens, cents = (0, rng.randint(2000, 90000)) if money else (rng.randint(200, 6000), 0)
            chunk.append(
                (
                    model,
                    account,
                    platform,
                    "daily",
                    day,
                    None,
                    None,
                    None,
                    tokens,
                    cents,
                    minutes,
                    f"day:{day}",
                )
            )
        if roll >= 0.3 and not money:
            start = datetime.combine(day, clock(hour), tzinfo=zone).astimezone(UTC)
            count = 1 + round(rng.expovariate(1 / (entries - 1))) if entries > 1 else 1
            fans = rng.choices(studio.members[platform], cum_weights=weights, k=count)
            for fan in fans:
                serial += 1
                at = start + timedelta(seconds=rng.randint(0, 8 * 3600 - 1))
                kind = "tip" if rng.random() < 0.93 else "private"
                tokens = rng.choice(TIP_SIZES) if kind == "tip" else rng.randint(5, 25) * 60
                if rng.random() < 0.005:
                    kind, tokens = "refund", -rng.choice(TIP_SIZES)
                local_day = at.astimezone(zone).date()
                chunk.append(
                    (model, account, platform, "ledger", local_day, at, fan, kind, tokens, 0, 0, f"b{serial}")
                )
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


SHIFT_COLUMNS = (
    "performer_id",
    "room_id",
    "starts_at",
    "ends_at",
    "checked_in_at",
    "no_show",
    "late",
)


def shifts(work: Work, rng: random.Random) -> list[tuple[Any, ...]]:
    zone = ZoneInfo(ZONE_NAME)
    out = []
    for model, days in work.days.items():
        for day, room, hour in days:
            starts = datetime.combine(day, clock(hour), tzinfo=zone).astimezone(UTC)
            missed = rng.random() < 0.05
            out.append(
                (model, room, starts, starts + timedelta(hours=8), None if missed else starts, missed, False)
            )
    return out


def load(url: str, wanted: int) -> tuple[Studio, int, int, float]:
    """The studio and its two years, bulk-inserted; (studio, records, shifts, seconds)."""
    from sqlmodel import Session, text

    from studioos.db import make_engine
    from studioos.models import EarningRecord, Shift
    from studioos.services.imports import bulk_insert

    rng = random.Random(7)
    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as db:
        studio = make_studio(db)
        work = plan_work(studio, rng)
        now = datetime.now(UTC)
        landed = 0
        for chunk in records(studio, work, wanted, rng):
            bulk_insert(
                db,
                EarningRecord.__table__,  # type: ignore[attr-defined]
                RECORD_COLUMNS,
                chunk,
                constants={
                    "studio_id": studio.studio_id,
                    "note": "",
                    "source": "import",
                    "correction_reason": "",
                    "created_at": now,
                    "updated_at": now,
                },
            )
            landed += len(chunk)
            db.commit()
            print(f"\r  {landed:,} records", end="", flush=True)
        booked = shifts(work, rng)
        bulk_insert(
            db,
            Shift.__table__,  # type: ignore[attr-defined]
            SHIFT_COLUMNS,
            booked,
            constants={
                "studio_id": studio.studio_id,
                "status": "scheduled",
                "notes": "",
                "created_at": now - timedelta(days=800),
            },
        )
        db.commit()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()
    engine.dispose()
    print()
    return studio, landed, len(booked), time.perf_counter() - started


# ---------------------------------------------------------------- the service


class QueryClock:
    """Time spent inside the driver's execute (the database's own work, and the round trip)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.seconds = 0.0
        self.queries = 0
        self.by_query: dict[str, float] = defaultdict(float)
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        took = time.perf_counter() - self._started.pop()
        self.seconds += took
        self.queries += 1
        self.by_query[_label(statement)] += took

    def reset(self) -> None:
        self.seconds, self.queries = 0.0, 0
        self.by_query = defaultdict(float)


def _label(statement: str) -> str:
    """Which of the service's queries a statement is."""
    for marker, name in (
        ("earningrecord.platform, earningrecord.day", "earnings by model, platform and day"),
        ("AS timed", "heatmap"),
        ("WITH active AS", "member cohorts"),
        ("ORDER BY value_mc DESC", "top members (both windows)"),
        ("FROM shift", "shifts"),
        ("earningrecord.performer_id, earningrecord.day", "model days for the payouts"),
    ):
        if marker in statement:
            return name
    return "small lookups (rates, periods, names, rooms)"


@contextmanager
def profiled(enabled: bool) -> Iterator[None]:
    profiler = cProfile.Profile() if enabled else None
    if profiler is not None:
        profiler.enable()
    try:
        yield
    finally:
        if profiler is not None:
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)


def run_service(db: Any, actor: Any, filters: Any, today: date) -> tuple[Any, float]:
    from studioos.services import analytics, studio_cache

    studio_cache.clear()
    started = time.perf_counter()
    view = analytics.dashboard(db, actor, filters, today=today)
    elapsed = time.perf_counter() - started
    db.rollback()  # end the read transaction: each run starts as a fresh page event would
    return view, elapsed


# ---------------------------------------------------------------- the baseline


@dataclass(frozen=True)
class Sql:
    dialect: str

    def month(self, expr: str) -> str:
        if self.dialect == "postgresql":
            year, month = f"date_part('year', {expr})", f"date_part('month', {expr})"
        else:
            year, month = f"strftime('%Y', {expr})", f"strftime('%m', {expr})"
        return f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER) - 1)"

    def seconds(self, expr: str) -> str:
        if self.dialect == "postgresql":
            return f"CAST(floor(date_part('epoch', {expr})) AS BIGINT)"
        return f"CAST(strftime('%s', {expr}) AS INTEGER)"


def rate_sql(book: Any) -> str:
    from studioos.services.analytics_sql import millicents_per_token

    whens = []
    for platform, steps in sorted(book.by_platform.items()):
        for since, value in sorted(steps, reverse=True):
            whens.append(
                f"WHEN e.platform = '{platform}' AND e.day >= '{since.isoformat()}' "
                f"THEN {millicents_per_token(value)}"
            )
    return f"CASE {' '.join(whens)} ELSE 0 END"


def baseline_queries(sql: Sql, book: Any, zone: ZoneInfo, lo: datetime, hi: datetime) -> dict[str, str]:
    """The bare SQL behind the page: the counting rule and token values written out."""
    value = (
        "(CASE WHEN e.usd_cents <> 0 THEN CAST(e.usd_cents AS BIGINT) * 1000 "
        f"ELSE CAST(e.tokens AS BIGINT) * {rate_sql(book)} END)"
    )
    counted = (
        "(e.kind = 'ledger' OR NOT EXISTS (SELECT 1 FROM earningrecord l "
        "WHERE l.account_id = e.account_id AND l.day = e.day AND l.kind = 'ledger'))"
    )
    cvalue = f"(CASE WHEN {counted} THEN {value} ELSE 0 END)"
    records = "FROM earningrecord e WHERE e.studio_id = :studio"
    current = "e.day BETWEEN :first AND :last"
    if sql.dialect == "postgresql":
        heat_keys = (
            "CAST(extract(isodow FROM e.occurred_at AT TIME ZONE :zone) AS INTEGER) - 1, "
            "CAST(extract(hour FROM e.occurred_at AT TIME ZONE :zone) AS INTEGER)"
        )
    else:
        from studioos.services.analytics_sql import utc_offsets

        changes = utc_offsets(zone, lo, hi)
        whens = " ".join(
            f"WHEN e.occurred_at < '{since.strftime('%Y-%m-%d %H:%M:%S')}' THEN {before}"
            for (since, _), (_, before) in zip(changes[1:], changes, strict=False)
        )
        local = f"({sql.seconds('e.occurred_at')} + CASE {whens} ELSE {changes[-1][1]} END)"
        heat_keys = f"(({local} / 86400) + 3) % 7, ({local} / 3600) % 24"
    ledger = "e.kind = 'ledger' AND e.member_id IS NOT NULL"
    paying = f"{ledger} AND (e.tokens > 0 OR e.usd_cents > 0)"
    top = f"SELECT e.member_id, SUM({value}) AS v, COUNT(*) {records} AND {ledger}"
    top_order = "GROUP BY e.member_id ORDER BY v DESC, e.member_id LIMIT 10"
    earlier = (
        "SELECT 1 FROM earningrecord x WHERE x.member_id = c.member_id AND x.studio_id = :studio "
        "AND x.kind = 'ledger' AND x.day < :first AND (x.tokens > 0 OR x.usd_cents > 0)"
    )
    duration = f"({sql.seconds('s.ends_at')} - {sql.seconds('s.starts_at')})"
    return {
        "series": f"SELECT {sql.month('e.day')}, e.platform, SUM({cvalue}) {records} AND {current} "
        "GROUP BY 1, 2",
        "models": "SELECT e.performer_id, CASE WHEN e.day >= :first THEN 1 ELSE 0 END, "
        f"SUM({cvalue}), SUM(e.online_minutes), COUNT(*) {records} "
        "AND e.day BETWEEN :previous_first AND :last GROUP BY 1, 2",
        "payout_days": f"SELECT e.performer_id, e.day, SUM({cvalue}) {records} "
        "AND e.day BETWEEN :periods_first AND :periods_last GROUP BY 1, 2",
        "heatmap": f"SELECT {heat_keys}, SUM({value}), COUNT(*) {records} "
        f"AND e.kind = 'ledger' AND e.occurred_at IS NOT NULL AND {current} GROUP BY 1, 2",
        "members": f"{top} AND {current} {top_order}",
        "members_before": f"{top} AND e.day BETWEEN :previous_first AND :previous_last {top_order}",
        "cohorts": f"WITH c AS (SELECT e.member_id, MIN(e.day) AS first_day {records} AND {paying} "
        f"AND {current} GROUP BY e.member_id), "
        f"n AS (SELECT c.member_id, c.first_day FROM c WHERE NOT EXISTS ({earlier})), "
        f"a AS (SELECT DISTINCT e.member_id, {sql.month('e.day')} AS m {records} AND {paying} AND {current}) "
        f"SELECT {sql.month('n.first_day')}, a.m, COUNT(*) FROM n JOIN a ON a.member_id = n.member_id "
        "GROUP BY 1, 2",
        "shifts": "SELECT s.room_id, s.performer_id, CASE WHEN s.starts_at >= :current_lo THEN 1 ELSE 0 END, "
        f"COUNT(*), SUM({duration}), SUM(CASE WHEN s.checked_in_at IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN s.no_show THEN 1 ELSE 0 END), SUM(CASE WHEN s.no_show THEN {duration} ELSE 0 END) "
        "FROM shift s WHERE s.studio_id = :studio AND s.status = 'scheduled' AND s.starts_at >= :previous_lo "
        "AND s.starts_at < :current_hi GROUP BY 1, 2, 3",
    }


def run_baseline(
    db: Any, queries: dict[str, str], params: dict[str, Any]
) -> tuple[dict[str, list[Any]], float]:
    from sqlalchemy import text

    from studioos.services.analytics_sql import tune

    conn = db.connection()
    started = time.perf_counter()
    tune(db)  # the service's own PostgreSQL setting (no JIT), for a fair race
    results = {
        name: [tuple(r) for r in conn.execute(text(sql), params).fetchall()] for name, sql in queries.items()
    }
    elapsed = time.perf_counter() - started
    db.rollback()
    return results, elapsed


# ---------------------------------------------------------------- do they agree?


def cents(mc: Any) -> int:
    from studioos.services.analytics_scope import cents as rounded

    return rounded(int(mc))


def disagreements(view: Any, base: dict[str, list[Any]]) -> list[str]:
    """What the service says that the bare SQL does not (empty: they agree)."""
    out = []
    months: dict[tuple[int, str], int] = {(int(m), p): int(v) for m, p, v in base["series"]}
    gross = sum(months.values())
    if view.kpi("gross").value != cents(gross):
        out.append(f"gross {view.kpi('gross').value} != {cents(gross)}")
    for row in view.series:
        key = row.first_day.year * 12 + row.first_day.month - 1
        for platform, value in zip(view.platforms, row.values_cents, strict=True):
            if value != cents(months.get((key, platform), 0)):
                out.append(
                    f"series {row.first_day} {platform}: {value} != {cents(months.get((key, platform), 0))}"
                )
    models = {int(p): (int(v), int(m)) for p, current, v, m, _ in base["models"] if int(current) == 1}
    for row in view.per_hour:
        if (row.gross_cents, row.online_minutes) != (
            cents(models[row.performer_id][0]),
            models[row.performer_id][1],
        ):
            out.append(f"model {row.performer_id}: {row.gross_cents}, {row.online_minutes}")
    if view.kpi("active_models").value != len(models):
        out.append(f"active models {view.kpi('active_models').value} != {len(models)}")
    heat = {(int(w), int(h)): (cents(v), int(n)) for w, h, v, n in base["heatmap"]}
    for cell in view.heatmap:
        if (cell.value_cents, cell.entries) != heat.get((cell.weekday, cell.hour), (0, 0)):
            out.append(f"heatmap {cell.weekday} {cell.hour}: {cell.value_cents}, {cell.entries}")
    members = [(int(m), cents(v), int(n)) for m, v, n in base["members"]]
    if [(m.member_id, m.value_cents, m.entries) for m in view.top_members] != members:
        out.append("top members differ")
    cohorts = {(int(c), int(m)): int(n) for c, m, n in base["cohorts"]}
    for c in view.cohorts:
        key = c.month.year * 12 + c.month.month - 1
        mine = (c.members, *c.retained)
        theirs = tuple(cohorts.get((key, key + k), 0) for k in range(len(mine)))
        if mine != theirs:
            out.append(f"cohort {c.month}: {mine} != {theirs}")
    attended = sum(int(r[5]) for r in base["shifts"] if int(r[2]) == 1)
    missed = sum(int(r[6]) for r in base["shifts"] if int(r[2]) == 1)
    from studioos.services.analytics_scope import basis_points

    if view.kpi("attendance").value != basis_points(attended, attended + missed):
        out.append("attendance differs")
    minutes: dict[int, int] = defaultdict(int)
    for r in base["shifts"]:
        if int(r[2]) == 1:
            minutes[int(r[0])] += int(r[4])
    for room in view.rooms:
        if room.scheduled_minutes != minutes.get(room.room_id, 0) // 60:
            out.append(f"room {room.name}: {room.scheduled_minutes} != {minutes.get(room.room_id, 0) // 60}")
    return out


# ---------------------------------------------------------------- one database


@dataclass
class Figures:
    database: str
    records: int
    shifts: int
    load_s: float
    service: list[float]
    service_sql: list[float]
    baseline: list[float]
    agree: list[str]
    changes: list[tuple[str, float, float]]  # (what, seconds, of which in the driver)
    by_query: dict[str, float] = field(default_factory=dict)  # the last whole run, per query


def bench(database: str, url: str, wanted: int, profile: bool) -> Figures:
    from sqlmodel import Session

    from studioos.db import make_engine
    from studioos.services import imports
    from studioos.services.analytics import Filters
    from studioos.services.analytics_filters import period_lookup
    from studioos.services.analytics_payouts import periods_between
    from studioos.services.rates import rate_book
    from studioos.services.shifts import day_window

    print(f"{database}: loading two years of work...")
    migrate(url)
    studio, landed, booked, load_s = load(url, wanted)
    engine = make_engine(url)
    timer = QueryClock(engine)
    zone = ZoneInfo(ZONE_NAME)
    whole = Filters(FIRST, END, grain="month")
    figures = Figures(database, landed, booked, load_s, [], [], [], [], [])
    with Session(engine, expire_on_commit=False) as db:
        actor = imports.command_line_actor(db, studio.studio_id)
        book = rate_book(db, studio.studio_id)
        previous_first, previous_last = whole.previous
        periods = periods_between(period_lookup(db, studio.studio_id), previous_first, END)
        previous_lo, _ = day_window(zone, previous_first, previous_last)
        current_lo, current_hi = day_window(zone, FIRST, END)
        params = {
            "studio": studio.studio_id,
            "first": FIRST,
            "last": END,
            "previous_first": previous_first,
            "previous_last": previous_last,
            "periods_first": periods[0].starts_on,
            "periods_last": periods[-1].ends_on,
            "zone": ZONE_NAME,
            "previous_lo": previous_lo,
            "current_lo": current_lo,
            "current_hi": current_hi,
        }
        if engine.dialect.name == "sqlite":
            # The driver stores instants as text: compare them as the app's columns store them.
            for key in ("previous_lo", "current_lo", "current_hi"):
                params[key] = params[key].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        lo = datetime.combine(FIRST - timedelta(days=2), clock(), tzinfo=UTC)
        hi = datetime.combine(END + timedelta(days=3), clock(), tzinfo=UTC)
        queries = baseline_queries(_sql(engine), book, zone, lo, hi)
        db.rollback()
        base: dict[str, list[Any]] = {}
        for run in range(RUNS):
            # Alternating, so the machine's noise hits both alike.
            timer.reset()
            with profiled(profile and run == RUNS - 1):
                view, seconds = run_service(db, actor, whole, END)
            figures.service.append(seconds)
            figures.service_sql.append(timer.seconds)
            figures.by_query = dict(timer.by_query)
            base, seconds = run_baseline(db, queries, params)
            figures.baseline.append(seconds)
        figures.agree = disagreements(view, base)
        model = studio.performers[0]
        last_30 = Filters(END - timedelta(days=29), END)
        for what, filters in (
            ("last 30 days (the page's default)", last_30),
            ("  + platform Chaturbate", Filters(last_30.first_day, END, platform="Chaturbate")),
            ("  + one model", Filters(last_30.first_day, END, performer_id=model)),
            ("  + one room", Filters(last_30.first_day, END, room_id=studio.rooms[0])),
            ("last 90 days", Filters(END - timedelta(days=89), END, grain="week")),
            ("this year (11 months)", Filters(date(END.year, 1, 1), END, grain="month")),
            ("two years, one model", Filters(FIRST, END, performer_id=model, grain="month")),
            ("two years, platform Stripchat", Filters(FIRST, END, platform="Stripchat", grain="month")),
        ):
            timer.reset()
            _view, seconds = run_service(db, actor, filters, END)
            figures.changes.append((what, seconds, timer.seconds))
    engine.dispose()
    return figures


def _sql(engine: Any) -> Sql:
    return Sql(engine.dialect.name)


def sqlite_figures(wanted: int, profile: bool) -> Figures:
    with tempfile.TemporaryDirectory(prefix="studioos-analytics-bench-") as folder:
        return bench("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", wanted, profile)


def postgres_figures(wanted: int, profile: bool) -> Figures | None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        print(f"PostgreSQL skipped: {PG_ADMIN_URL} is not reachable ({type(exc).__name__}).")
        admin.dispose()
        return None
    name = f"studioos_analytics_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return bench("PostgreSQL", PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", wanted, profile)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(f: Figures) -> None:
    service, baseline = statistics.median(f.service), statistics.median(f.baseline)
    in_sql = statistics.median(f.service_sql)

    def runs(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    print(f"{f.database}: {f.records:,} records, {f.shifts:,} shifts (loaded in {f.load_s:.0f} s)")
    print(f"  the whole dashboard over two years (median of {RUNS} runs):")
    print(
        f"    service: analytics.dashboard           {service:6.2f} s  (runs {runs(f.service)}; "
        f"in the driver {in_sql:.2f} s)"
    )
    print(f"    baseline: the bare GROUP BY queries    {baseline:6.2f} s  (runs {runs(f.baseline)})")
    print(f"    ratio service / baseline: {service / baseline:.2f}   (target: at most 1.5)")
    print("    the two agree" if not f.agree else f"    DISAGREE: {f.agree[:10]}")
    print("    the service's last run, in the driver per query:")
    for name, seconds in sorted(f.by_query.items(), key=lambda item: -item[1]):
        print(f"      {name:<46} {seconds:6.2f} s")
    print("  a filter change (the service, cache emptied; target on PostgreSQL: under 1 s):")
    for what, seconds, sql in f.changes:
        print(f"    {what:<40} {seconds:6.2f} s  (in the driver {sql:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--profile", action="store_true", help="cProfile the service's last run")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="studioos-analytics-bench-data-")
    os.environ.setdefault("STUDIOOS_DATA_DIR", scratch)
    if not os.environ.get("STUDIOOS_ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        # The models' legal fields are encrypted; a throwaway key for a throwaway database.
        os.environ["STUDIOOS_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    from studioos.settings import reset_settings_cache

    reset_settings_cache()
    results = []
    if not args.no_sqlite:
        results.append(sqlite_figures(args.records, args.profile))
    if not args.no_postgres:
        figures = postgres_figures(args.records, args.profile)
        if figures is not None:
            results.append(figures)
    print()
    for figures in results:
        report(figures)


if __name__ == "__main__":
    main()
