"""How fast an earnings import lands, against a bare INSERT of the same rows, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_bench.py                    # 100,000 rows, SQLite then PostgreSQL
    .venv/bin/python bench/import_bench.py --rows 20000 --no-postgres
    .venv/bin/python bench/import_bench.py --profile          # and where the service's time goes

For each database it makes a fresh one (a temporary SQLite file; a temporary PostgreSQL database
at 127.0.0.1:5432, user postgres, dropped at the end; PostgreSQL is skipped with a message when it
is not reachable), migrates it with alembic as the tests do, and adds a studio with its owner, one
model and her Chaturbate account through the services. Then:

- service: a generated Chaturbate token history (CSV, in memory, one line per tip or show from a
  few thousand members over the last two months) goes through `imports.confirm`, the service the
  import page and `studioos import` use: parse, plan, insert the records and the members, recount
  the members' totals, commit;
- baseline: the very rows the service stored, read back, inserted with the driver's bare
  `executemany` (sqlite3 / psycopg) into a fresh table of the same columns, and committed; then
  once more into a table that also has the earnings table's indexes and unique key.

It prints rows per second for each and the ratio service / baseline (1.0: as fast as the bare
insert). Nothing is asserted: the figures are for people, and the target is a ratio of at least 0.5.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import os
import pstats
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = os.environ.get(
    "STUDIOOS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
WORDS = (
    ("silent", "night", "blue", "lucky", "dark", "happy", "lonely", "red", "big", "quiet", "wild", "old"),
    ("owl", "rider", "wolf", "jay", "fan", "storm", "tiger", "traveler", "dreamer", "knight", "bear", "fox"),
)
KINDS = (("Tip", 0.93), ("Private Show", 0.04), ("Spy Show", 0.025), ("Refund", 0.005))
TIP_SIZES = (1, 5, 10, 15, 20, 25, 33, 50, 69, 77, 100, 111, 200, 250, 500, 1000)


@dataclass
class Figures:
    database: str
    rows: int
    service_s: float
    baselines: list[tuple[str, float]]  # (what, seconds); the first is the one the ratio is about


def token_history(rows: int, today: date, seed: int = 7) -> bytes:
    """A believable Chaturbate token history with `rows` lines, all on days before `today`."""
    rng = random.Random(seed)
    members = [f"{rng.choice(WORDS[0])}_{rng.choice(WORDS[1])}{n}" for n in range(3000)]
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(members))))
    start = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=60)
    step = 60 * 86400 / rows  # seconds between lines, so they spread over the 60 days
    out = io.StringIO()
    out.write("User,Transaction type,Token change,Timestamp,Note\r\n")
    kinds, kind_weights = zip(*KINDS, strict=True)
    for i in range(rows):
        at = start + timedelta(seconds=int(i * step) + rng.randint(0, max(0, int(step) - 1)))
        kind = rng.choices(kinds, kind_weights)[0]
        tokens = rng.choice(TIP_SIZES)
        note = ""
        if kind == "Private Show":
            minutes = rng.randint(5, 25)
            tokens, note = minutes * 60, f"Private show, {minutes} min"
        elif kind == "Spy Show":
            minutes = rng.randint(2, 10)
            tokens, note = minutes * 12, f"Spy show, {minutes} min"
        elif kind == "Refund":
            tokens, note = -tokens, "Refund"
        member = rng.choices(members, cum_weights=weights)[0]
        out.write(f"{member},{kind},{tokens},{at.strftime('%Y-%m-%dT%H:%M:%SZ')},{note}\r\n")
    return out.getvalue().encode()


def migrate(url: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


def studio_with_account(url: str) -> tuple[int, int]:
    """A studio, its owner, one model and her Chaturbate account, as the app creates them."""
    from sqlmodel import Session

    from studioos.db import make_engine
    from studioos.services import auth, imports, performers, platforms
    from studioos.services.passwords import hash_password
    from studioos.services.performers import LegalInput, ProfileInput

    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        studio, _owner = auth.create_studio_and_owner(
            db,
            studio_name="Bench Studio",
            timezone="Europe/Bucharest",
            currency="EUR",
            name="Bench Owner",
            email=f"owner-{uuid.uuid4().hex[:8]}@example.com",
            password_hash=hash_password("bench password 2026"),
            client=auth.Client(ip="127.0.0.1", user_agent="import bench", browser="b" * 64),
        )
        studio_id = studio.id or 0
        actor = imports.command_line_actor(db, studio_id)
        model = performers.create_performer(
            db,
            actor,
            ProfileInput(stage_name="Luna Rose", status="active", email="", payout_split="60"),
            LegalInput(
                legal_name="Laura Marin",
                birth_date=date(1998, 4, 23),
                doc_type="passport",
                doc_number="P12345678",
                doc_country="RO",
                doc_expiry=date.today() + timedelta(days=1000),
            ),
        )
        account = platforms.add_account(db, actor, model.id, "Chaturbate", "lunarose")
        db.commit()
    engine.dispose()
    return studio_id, account.id


def run_service(url: str, studio_id: int, account_id: int, data: bytes, profile: bool) -> tuple[float, int]:
    """Seconds for parse + plan + insert + commit, and the rows landed."""
    from sqlmodel import Session

    from studioos.db import make_engine
    from studioos.services import imports

    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        actor = imports.command_line_actor(db, studio_id)
        db.commit()  # the actor's lookups are not what is measured
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = imports.confirm(db, actor, data, filename="lunarose_tokens.csv", account_id=account_id)
        db.commit()
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - started
    engine.dispose()
    if profiler is not None:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)
    if report.rows_refused:
        print(f"  note: {report.rows_refused} rows refused, first: {report.refused[:3]}")
    return elapsed, report.rows_landed


def baseline_tables(url: str) -> list[str]:
    """Two empty tables with the earnings table's columns: bare, and with its indexes and unique key."""
    from sqlalchemy import Column, Index, MetaData, Table, UniqueConstraint

    from studioos.db import make_engine
    from studioos.models import EarningRecord

    source: Table = EarningRecord.__table__  # type: ignore[attr-defined]
    meta = MetaData()

    def columns() -> list[Column[Any]]:
        return [
            Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in source.columns
        ]

    Table("bench_bare", meta, *columns())
    indexed = Table("bench_indexed", meta, *columns(), UniqueConstraint("account_id", "natural_key"))
    Index("ix_bench_studio_day", indexed.c.studio_id, indexed.c.day)
    Index("ix_bench_performer_day", indexed.c.performer_id, indexed.c.day)
    Index("ix_bench_member", indexed.c.member_id)
    Index("ix_bench_batch", indexed.c.batch_id)
    engine = make_engine(url)
    meta.create_all(engine)
    engine.dispose()
    return [c.name for c in source.columns if c.name != "id"]


def stored_rows(connect: Callable[[], Any], names: list[str]) -> list[tuple[Any, ...]]:
    """The rows the service stored, as the driver gives them back (what the baselines insert)."""
    conn = connect()
    cursor = conn.cursor()
    cursor.execute(f"SELECT {', '.join(names)} FROM earningrecord ORDER BY id")
    rows = cursor.fetchall()
    conn.close()
    return [tuple(r) for r in rows]


def run_baseline(
    connect: Callable[[], Any], placeholder: str, names: list[str], rows: list[tuple[Any, ...]], table: str
) -> float:
    """Seconds for a bare executemany of `rows` into `table`, and its commit."""
    conn = connect()
    cursor = conn.cursor()
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join([placeholder] * len(names))})"
    started = time.perf_counter()
    cursor.executemany(sql, rows)
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def run_copy(connect: Callable[[], Any], names: list[str], rows: list[tuple[Any, ...]], table: str) -> float:
    """Seconds for PostgreSQL's COPY of `rows` into `table`, and its commit."""
    conn = connect()
    cursor = conn.cursor()
    started = time.perf_counter()
    with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def again(names: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The same rows under other natural keys, so they fit beside the service's in its own table."""
    at = names.index("natural_key")
    return [(*r[:at], f"{r[at]}~", *r[at + 1 :]) for r in rows]


def bench(
    database: str, url: str, connect: Callable[[], Any], placeholder: str, data: bytes, profile: bool
) -> Figures:
    migrate(url)
    studio_id, account_id = studio_with_account(url)
    service_s, landed = run_service(url, studio_id, account_id, data, profile)
    names = baseline_tables(url)
    rows = stored_rows(connect, names)
    if len(rows) != landed:
        print(f"  note: the service landed {landed} rows, the table holds {len(rows)}")
    baselines = [
        (
            "baseline: bare executemany, same columns",
            run_baseline(connect, placeholder, names, rows, "bench_bare"),
        ),
        (
            "the same, with the table's indexes",
            run_baseline(connect, placeholder, names, rows, "bench_indexed"),
        ),
        (
            "the same, into the earnings table (indexes, foreign keys)",
            run_baseline(connect, placeholder, names, again(names, rows), "earningrecord"),
        ),
    ]
    if placeholder == "%s":
        baselines.append(
            (
                "COPY into the earnings table",
                run_copy(connect, names, again(names, again(names, rows)), "earningrecord"),
            )
        )
    return Figures(database, landed, service_s, baselines)


def sqlite_figures(data: bytes, profile: bool) -> Figures:
    import sqlite3

    with tempfile.TemporaryDirectory(prefix="studioos-import-bench-") as folder:
        path = Path(folder) / "bench.db"

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA foreign_keys=ON")  # as the app's connections do
            return conn

        return bench("SQLite", f"sqlite:///{path}", connect, "?", data, profile)


def postgres_figures(data: bytes, profile: bool) -> Figures | None:
    import psycopg
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        print(f"PostgreSQL skipped: {PG_ADMIN_URL} is not reachable ({type(exc).__name__}).")
        admin.dispose()
        return None
    name = f"studioos_import_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        return bench("PostgreSQL", url, lambda: psycopg.connect(libpq), "%s", data, profile)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(f: Figures) -> None:
    def line(label: str, seconds: float, indent: int = 2) -> str:
        return f"{' ' * indent}{label:<{62 - indent}} {seconds:6.2f} s {f.rows / seconds:>9,.0f} rows/s"

    (label, baseline), *others = f.baselines
    print(f"{f.database}: {f.rows:,} rows")
    print(line("service: imports.confirm (parse, plan, insert, commit)", f.service_s))
    print(line(label, baseline))
    print(f"  ratio service / baseline: {baseline / f.service_s:.2f}")
    print("  other baselines, for where the time goes (ratio of the service to each):")
    for label, seconds in others:
        print(f"{line(label, seconds, 4)}  {seconds / f.service_s:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--profile", action="store_true", help="cProfile the service's import")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="studioos-import-bench-data-")
    os.environ.setdefault("STUDIOOS_DATA_DIR", scratch)
    if not os.environ.get("STUDIOOS_ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        # The model's legal fields are encrypted; a throwaway key for a throwaway database.
        os.environ["STUDIOOS_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()

    from studioos.settings import reset_settings_cache

    reset_settings_cache()
    started = time.perf_counter()
    data = token_history(args.rows, datetime.now(UTC).date())
    print(
        f"Generated a {len(data) / 1e6:.1f} MB token history of {args.rows:,} lines "
        f"in {time.perf_counter() - started:.1f} s.\n"
    )
    report(sqlite_figures(data, args.profile))
    if not args.no_postgres:
        figures = postgres_figures(data, args.profile)
        if figures is not None:
            report(figures)


if __name__ == "__main__":
    main()
