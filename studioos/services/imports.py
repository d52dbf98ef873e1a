"""Importing earnings files: preview, confirm, undo, the batch list.

The parser (studioos.importers) says what each line holds; this service decides what lands:
which account each row is on (a handle the studio knows, one the uploader maps to a model now, or
the account a one-account file was uploaded for), which rows are already in (the same account
and natural key: a re-import, or a file that overlaps an earlier one) and which are refused (bad
lines, unknown handles or platforms, days of a locked payroll). Preview and confirm run the same
plan, so what the preview shows is what lands. Confirm writes the batch, its records and the
members' totals in one transaction (bulk inserts: a 100,000-row file lands in seconds), so a
file never half-lands; a bad row only ever costs itself.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from cryptography.fernet import InvalidToken
from sqlalchemy import Table, case, delete, insert, literal, tuple_
from sqlmodel import Session, col, func, select

from studioos import crypto, importers
from studioos.importers.base import EntryType, FileRefused, ParsedRow, ParseResult, RecordKind, RowError
from studioos.models import (
    BatchStatus,
    EarningRecord,
    ImportBatch,
    Member,
    MemberTotal,
    PayrollPeriod,
    Performer,
    PeriodStatus,
    PlatformAccount,
    RecordSource,
    row_id,
    utcnow,
)
from studioos.models.revision import changed_in_bulk
from studioos.services import audit
from studioos.services.earnings import round_cents, usd_value
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.pay_periods import locked_message
from studioos.services.performers import Page
from studioos.services.permissions import Actor, Cap, require
from studioos.services.platforms import HANDLE_RE
from studioos.services.rates import rate_book
from studioos.settings import get_settings

MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 500
_INSERT_CHUNK = 5000
STASH_HOURS = 24


@dataclass(frozen=True)
class FormatChoice:
    name: str
    label: str


def formats() -> list[FormatChoice]:
    return [FormatChoice(f.name, f.label) for f in importers.FORMATS.values()]


@dataclass(frozen=True)
class UnknownHandle:
    platform: str
    handle: str
    rows: int
    first_line: int


@dataclass(frozen=True)
class ModelLine:
    stage_name: str
    platform: str
    handle: str
    records: int
    tokens: int
    usd_cents: int
    value_cents: int


@dataclass(frozen=True)
class ImportPreview:
    format: str
    format_label: str
    filename: str
    file_hash: str
    one_account: bool
    account_id: int | None
    rows_read: int
    to_land: int
    duplicates: int
    refused: list[RowError]
    unknown_handles: list[UnknownHandle]
    by_model: list[ModelLine]
    first_day: date | None
    last_day: date | None
    imported_before: int | None  # a landed batch of the very same file


@dataclass(frozen=True)
class BatchReport:
    id: int
    format: str
    filename: str
    status: str
    created_at: datetime
    rows_read: int
    rows_landed: int
    rows_duplicate: int
    rows_refused: int
    refused: list[RowError]


class _Planned(NamedTuple):
    """A row that will land: its account, its member (platform, handle key), the parsed row and
    the studio-local day it counts on."""

    account: PlatformAccount
    member_key: tuple[str, str] | None
    row: ParsedRow
    day: date


@dataclass
class _Plan:
    result: ParseResult
    file_hash: str
    account_id: int | None
    records: list[_Planned] = field(default_factory=list)
    duplicates: int = 0
    refused: list[RowError] = field(default_factory=list)
    unknown: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    members: dict[tuple[str, str], str] = field(default_factory=dict)  # (platform, key) -> handle
    new_accounts: list[PlatformAccount] = field(default_factory=list)


# ---------------------------------------------------------------- the plan


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Hold the cyclic garbage collector off while a file is read and landed. A 100,000-row file
    makes a few hundred thousand objects in a row, none of them in a reference cycle, yet each
    700 new objects trigger a collection and the older generations get walked again and again
    (in the app, along with everything else the process holds): a quarter of the parse time or more.
    Reference counting still frees all of it at once; cycles wait until the import is done.
    The collector is process-wide: it is switched back on only by whoever switched it off."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _zone(db: Session, studio_id: int) -> ZoneInfo:
    from studioos.services.shifts import studio_zone

    return studio_zone(db, studio_id)


def _parse(data: bytes, filename: str, format_name: str | None, zone: ZoneInfo) -> ParseResult:
    if not data:
        raise ValidationFailed({"file": "The file is empty."})
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."})
    try:
        return importers.parse_file(data, zone=zone, filename=filename, format=format_name or None)
    except FileRefused as exc:
        raise ValidationFailed({"file": str(exc)}, str(exc)) from exc


def _canonical(db: Session, studio_id: int, raw: str, cache: dict[str, str | None]) -> str | None:
    from studioos.services.platforms import _canonical_platform

    key = " ".join(raw.split()).lower()
    if key not in cache:
        cache[key] = _canonical_platform(db, studio_id, raw)
    return cache[key]


def _one_account(
    db: Session, studio_id: int, platform: str | None, account_id: object, filename: str
) -> PlatformAccount:
    """The account a one-account file is for: the one chosen, else the one its name names."""
    if account_id not in (None, "", 0, "0"):
        try:
            wanted = int(str(account_id))
        except ValueError as exc:
            raise ValidationFailed({"account": "Choose the account this file is for."}) from exc
        account = db.get(PlatformAccount, wanted)
        if account is None or account.studio_id != studio_id:
            raise NotFound("That platform account is not in this studio.")
        if platform is not None and account.platform != platform:
            raise ValidationFailed(
                {"account": f"This is a {platform} file, and that account is on {account.platform}."}
            )
        return account
    name = filename.lower()
    candidates = [
        a
        for a in db.exec(
            select(PlatformAccount).where(
                PlatformAccount.studio_id == studio_id, PlatformAccount.platform == platform
            )
        )
        if a.handle_key and a.handle_key in name
    ]
    # The longest handle in the name wins ("luna" and "lunarose" both in "lunarose_tokens.csv").
    candidates.sort(key=lambda a: -len(a.handle_key))
    if candidates and (len(candidates) == 1 or len(candidates[0].handle_key) > len(candidates[1].handle_key)):
        return candidates[0]
    raise ValidationFailed(
        {"account": f"This file is one {platform} account's history: choose which model's account it is."}
    )


def _locked_spans(db: Session, studio_id: int) -> list[PayrollPeriod]:
    return list(
        db.exec(
            select(PayrollPeriod).where(
                PayrollPeriod.studio_id == studio_id,
                col(PayrollPeriod.status).in_([PeriodStatus.LOCKED, PeriodStatus.PAID]),
            )
        )
    )


def _plan(
    db: Session,
    actor: Actor,
    studio_id: int,
    data: bytes,
    *,
    filename: str,
    format_name: str | None,
    account_id: object,
    mapping: Mapping[str, object],
) -> _Plan:
    zone = _zone(db, studio_id)
    result = _parse(data, filename, format_name, zone)
    fmt = importers.get_format(result.format)
    plan = _Plan(result, hashlib.sha256(data).hexdigest(), None, refused=list(result.errors))
    fixed = _one_account(db, studio_id, fmt.platform, account_id, filename) if result.one_account else None
    plan.account_id = fixed.id if fixed is not None else None
    accounts = {
        (a.platform, a.handle_key): a
        for a in db.exec(select(PlatformAccount).where(PlatformAccount.studio_id == studio_id))
    }
    performers = {
        i for i in db.exec(select(Performer.id).where(Performer.studio_id == studio_id)) if i is not None
    }
    locked = _locked_spans(db, studio_id)
    platforms: dict[str, str | None] = {}
    today = actor.today()
    # Hot loops over every row of the file: hoisted lookups, bound methods, no per-row objects
    # beyond the ones that land.
    fixed_platform = fmt.platform
    ledger = RecordKind.LEDGER
    refuse = plan.refused.append
    keyed: list[tuple[ParsedRow, PlatformAccount, date]] = []
    keep = keyed.append
    for row in result.rows:
        platform = fixed_platform or _canonical(db, studio_id, row.platform, platforms)
        if platform is None:
            refuse(RowError(row.line, f"Unknown platform '{row.platform}': add it to the list first."))
            continue
        account = fixed
        if account is None:
            handle = (row.handle or "").strip()
            if not handle:
                refuse(RowError(row.line, "No handle: the row does not say whose earnings these are."))
                continue
            account = accounts.get((platform, handle.lower()))
            if account is None:
                account = _mapped(plan, mapping, platform, handle, performers, studio_id, accounts)
            if account is None:
                plan.unknown.setdefault((platform, handle), []).append(row.line)
                refuse(
                    RowError(
                        row.line,
                        f"Unknown handle '{handle}' on {platform}: no model has it. "
                        "Map it to a model, or add it to her profile.",
                    )
                )
                continue
        occurred_at = row.occurred_at
        day = (
            occurred_at.astimezone(zone).date() if occurred_at is not None and row.kind == ledger else row.day
        )
        if day is None:
            refuse(RowError(row.line, "No date."))
            continue
        if day > today:
            refuse(RowError(row.line, f"{day_text(day)} has not happened yet."))
            continue
        if locked:
            closed = next((p for p in locked if p.starts_on <= day <= p.ends_on), None)
            if closed is not None:
                refuse(RowError(row.line, locked_message(closed)))
                continue
        keep((row, account, day))
    existing = _existing_keys(db, keyed)
    # Within the file, records are told apart by account object: two handles mapped to new
    # accounts in this upload have no database id yet, and are still two accounts.
    seen: dict[tuple[int, str], int] = {}
    # Per account and per member as the file spells them: ORM attributes and string work once
    # each, not once per row.
    account_ids: dict[int, int | None] = {}
    member_keys: dict[tuple[int, str], tuple[str, str]] = {}
    members = plan.members
    land = plan.records.append
    for row, account, day in keyed:
        ref = id(account)
        account_db_id = account_ids.get(ref, 0)
        if account_db_id == 0:
            account_db_id = account_ids[ref] = account.id
        if (account_db_id, row.natural_key) in existing:
            plan.duplicates += 1
            continue
        in_file = (ref, row.natural_key)
        if in_file in seen:
            refuse(RowError(row.line, f"The same record as line {seen[in_file]}: counted once."))
            continue
        seen[in_file] = row.line
        member_key = None
        member = row.member
        if member:
            member_key = member_keys.get((ref, member))
            if member_key is None:
                member_key = member_keys[(ref, member)] = (account.platform, member.strip().lower())
                members.setdefault(member_key, member.strip())
        land(_Planned(account, member_key, row, day))
    plan.refused.sort(key=lambda e: e.line)
    return plan


def _mapped(
    plan: _Plan,
    mapping: Mapping[str, object],
    platform: str,
    handle: str,
    performers: set[int],
    studio_id: int,
    accounts: dict[tuple[str, str], PlatformAccount],
) -> PlatformAccount | None:
    """An unknown handle the uploader mapped to a model: her new account on the platform."""
    raw = mapping.get(mapping_key(platform, handle))
    try:
        performer_id = int(str(raw)) if raw not in (None, "") else 0
    except ValueError:
        performer_id = 0
    if performer_id not in performers:
        return None
    if not HANDLE_RE.fullmatch(handle):
        return None
    account = PlatformAccount(
        studio_id=studio_id,
        performer_id=performer_id,
        platform=platform,
        handle=handle,
        handle_key=handle.lower(),
    )
    accounts[(platform, handle.lower())] = account
    plan.new_accounts.append(account)
    return account


def mapping_key(platform: str, handle: str) -> str:
    """How the page names an unknown handle in its mapping (platform and handle, lower-cased)."""
    return f"{platform}|{handle.strip().lower()}"


def _existing_keys(db: Session, keyed: list[tuple[ParsedRow, PlatformAccount, date]]) -> set[tuple[int, str]]:
    """The (account, natural key) pairs already stored among the file's: one query per account over
    the days the file covers (a key belongs to its day, so nothing outside them can match)."""
    spans: dict[int, list[date]] = {}
    for _row, account, day in keyed:
        if account.id is None:
            continue  # an account mapped just now has no records yet
        span = spans.setdefault(account.id, [day, day])
        if day < span[0]:
            span[0] = day
        elif day > span[1]:
            span[1] = day
    found: set[tuple[int, str]] = set()
    for account_id, (first, last) in spans.items():
        found |= {
            (account_id, key)
            for key in db.exec(
                select(EarningRecord.natural_key).where(
                    col(EarningRecord.account_id) == account_id,
                    col(EarningRecord.day) >= first,
                    col(EarningRecord.day) <= last,
                )
            )
        }
    return found


# ---------------------------------------------------------------- preview, confirm, undo


@_no_cycle_collection()
def preview(
    db: Session,
    actor: Actor,
    data: bytes,
    *,
    filename: str = "",
    format_name: str | None = None,
    account_id: object = None,
    mapping: Mapping[str, object] | None = None,
) -> ImportPreview:
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    plan = _plan(
        db,
        actor,
        studio_id,
        data,
        filename=filename,
        format_name=format_name,
        account_id=account_id,
        mapping=mapping or {},
    )
    return _preview_of(db, studio_id, plan, filename)


def _preview_of(db: Session, studio_id: int, plan: _Plan, filename: str) -> ImportPreview:
    book = rate_book(db, studio_id)
    names = dict(
        db.exec(select(Performer.id, Performer.stage_name).where(Performer.studio_id == studio_id)).all()
    )
    lines: dict[tuple[int, str, str], list[Any]] = {}
    days: list[date] = []
    for account, _member, row, day in plan.records:
        line = lines.setdefault(
            (account.performer_id, account.platform, account.handle), [0, 0, 0, Decimal(0)]
        )
        tokens, cents = row.tokens or 0, row.usd_cents or 0
        line[0] += 1
        line[1] += tokens
        line[2] += cents
        line[3] += usd_value(tokens, cents, book.on(account.platform, day))
        days.append(day)
    fmt = importers.get_format(plan.result.format)
    before = db.exec(
        select(ImportBatch.id).where(
            ImportBatch.studio_id == studio_id,
            ImportBatch.file_hash == plan.file_hash,
            ImportBatch.status == BatchStatus.LANDED,
        )
    ).first()
    return ImportPreview(
        format=fmt.name,
        format_label=fmt.label,
        filename=filename,
        file_hash=plan.file_hash,
        one_account=plan.result.one_account,
        account_id=plan.account_id,
        rows_read=len(plan.result.rows) + len(plan.result.errors),
        to_land=len(plan.records),
        duplicates=plan.duplicates,
        refused=plan.refused,
        unknown_handles=[
            UnknownHandle(platform, handle, len(found), min(found))
            for (platform, handle), found in sorted(plan.unknown.items(), key=lambda kv: min(kv[1]))
        ],
        by_model=sorted(
            (
                ModelLine(names.get(p, ""), platform, handle, v[0], v[1], v[2], round_cents(v[3]))
                for (p, platform, handle), v in lines.items()
            ),
            key=lambda m: (m.stage_name, m.platform, m.handle),
        ),
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
        imported_before=before,
    )


@_no_cycle_collection()
def confirm(
    db: Session,
    actor: Actor,
    data: bytes,
    *,
    filename: str = "",
    format_name: str | None = None,
    account_id: object = None,
    mapping: Mapping[str, object] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchReport:
    """Land the file's good rows, all of them or none (one transaction, the caller's unit of work).
    `progress(done, total)` hears how many records are written so far (the page's progress bar)."""
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    plan = _plan(
        db,
        actor,
        studio_id,
        data,
        filename=filename,
        format_name=format_name,
        account_id=account_id,
        mapping=mapping or {},
    )
    for account in plan.new_accounts:
        db.add(account)
    batch = ImportBatch(
        studio_id=studio_id,
        format=plan.result.format,
        filename=filename[:255],
        file_hash=plan.file_hash,
        account_id=plan.account_id,
        uploaded_by_id=actor.user_id,
        rows_read=len(plan.result.rows) + len(plan.result.errors),
        rows_landed=len(plan.records),
        rows_duplicate=plan.duplicates,
        rows_refused=len(plan.refused),
        refusals=json.dumps([{"line": e.line, "reason": e.reason} for e in plan.refused]),
    )
    db.add(batch)
    db.flush()
    for account in plan.new_accounts:
        audit.record_by(
            db,
            actor,
            "platform_account.added",
            f"{account.platform} {account.handle}",
            "mapped on import",
        )
    member_ids = _members(db, studio_id, plan.members)
    batch_id = row_id(batch)
    now = utcnow()
    # Read once per account and kind, not once per row (ORM attributes and enums cost per access).
    owners = {
        id(a): (a.performer_id, a.id, a.platform)
        for a in {id(r.account): r.account for r in plan.records}.values()
    }
    kinds = {k: k.value for k in RecordKind}
    entry_types: dict[EntryType | None, str | None] = {e: e.value for e in EntryType}
    entry_types[None] = None
    rows = [
        (
            *owners[id(account)],
            kinds[row.kind],
            day,
            row.period_start,
            row.occurred_at,
            member_ids.get(member) if member is not None else None,
            entry_types[row.entry_type],
            row.tokens or 0,
            row.usd_cents or 0,
            row.online_minutes or 0,
            row.note[:500] if row.note else "",
            row.line,
            row.natural_key[:120],
        )
        for account, member, row, day in plan.records
    ]
    constants = {
        "studio_id": studio_id,
        "source": RecordSource.IMPORT.value,
        "batch_id": batch_id,
        "correction_reason": "",
        "entered_by_id": actor.user_id,
        "created_at": now,
        "updated_at": now,
    }
    table = EarningRecord.__table__  # type: ignore[attr-defined]
    bulk_insert(db, table, _RECORD_COLUMNS, rows, constants=constants, progress=progress)
    _refresh_member_totals(db, studio_id, set(member_ids.values()) if plan.members else set())
    changed_in_bulk(db, studio_id)
    audit.record_by(
        db,
        actor,
        "import.landed",
        filename[:255],
        f"batch {batch_id}: {len(plan.records)} landed, {plan.duplicates} already in, "
        f"{len(plan.refused)} refused",
    )
    db.flush()
    return _report(batch)


def row_id_of(value: int | None) -> int:
    if value is None:
        raise ValueError("a stored member has an id")
    return value


_RECORD_COLUMNS = (
    "performer_id",
    "account_id",
    "platform",
    "kind",
    "day",
    "period_start",
    "occurred_at",
    "member_id",
    "entry_type",
    "tokens",
    "usd_cents",
    "online_minutes",
    "note",
    "source_line",
    "natural_key",
)


def bulk_insert(
    db: Session,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    constants: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Rows (tuples in `columns` order, then `constants`, the same in every row) into `table`, in
    the unit of work's transaction, the fastest way each database takes them: one COPY on
    PostgreSQL, the driver's executemany on SQLite; with each column's own conversion (UTC
    datetimes, dates) applied as SQLAlchemy would, once per distinct value."""
    connection = db.connection()
    dialect = connection.dialect
    fixed = dict(constants or {})
    names = [*columns, *fixed]

    def processor(name: str) -> Callable[[Any], Any] | None:
        return table.c[name].type._cached_bind_processor(dialect)

    tail = tuple(p(v) if (p := processor(c)) else v for c, v in fixed.items())
    convert = [(i, p) for i, c in enumerate(columns) if (p := processor(c)) is not None]
    quote = dialect.identifier_preparer.quote
    column_list = ", ".join(quote(c) for c in names)
    total = len(rows)
    chunks = (
        (min(start + _INSERT_CHUNK, total), _driver_rows(rows[start : start + _INSERT_CHUNK], convert, tail))
        for start in range(0, total, _INSERT_CHUNK)
    )
    if dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None  # a checked-out connection has its driver's
        # One COPY for the whole file: the server works through the rows while the next ones are
        # made (a COPY per chunk would wait for it at the end of each).
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {quote(table.name)} ({column_list}) FROM STDIN") as copy,
        ):
            write = copy.write_row
            for done, chunk in chunks:
                for values in chunk:
                    write(values)
                if progress is not None:
                    progress(done, total)
        return
    marks = ", ".join("?" for _ in names)
    # Table and column names come from the model's metadata; every value is a parameter.
    sql = f"INSERT INTO {quote(table.name)} ({column_list}) VALUES ({marks})"  # noqa: S608  # nosec B608  # quoted names from code, values bound
    for done, chunk in chunks:
        connection.exec_driver_sql(sql, chunk)
        if progress is not None:
            progress(done, total)


def _driver_rows(
    rows: list[tuple[Any, ...]], convert: list[tuple[int, Callable[[Any], Any]]], tail: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    """The rows as the driver takes them: converted column by column and zipped back into tuples
    (no per-row Python loop), each distinct value converted once (a file has a few dozen days)."""
    if not rows:
        return []
    values: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for i, convert_one in convert:
        done: dict[Any, Any] = {}
        values[i] = [done[v] if v in done else done.setdefault(v, convert_one(v)) for v in values[i]]
    count = len(rows)
    return list(zip(*values, *(itertools.repeat(v, count) for v in tail), strict=True))


def _members(db: Session, studio_id: int, wanted: dict[tuple[str, str], str]) -> dict[tuple[str, str], int]:
    """Ids of the file's members, adding the new ones."""
    found: dict[tuple[str, str], int] = {}
    keys = list(wanted)
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        for member_id, platform, key in db.exec(
            select(Member.id, Member.platform, Member.handle_key).where(
                Member.studio_id == studio_id, tuple_(col(Member.platform), col(Member.handle_key)).in_(chunk)
            )
        ).all():
            found[(platform, key)] = row_id_of(member_id)
    new = [k for k in keys if k not in found]
    if new:
        now = utcnow()
        members = Member.__table__  # type: ignore[attr-defined]
        # The new ids come back from the insert itself, in the order given: no second lookup.
        added = db.connection().execute(
            insert(members).returning(members.c.id, sort_by_parameter_order=True),
            [
                {
                    "studio_id": studio_id,
                    "platform": p,
                    "handle": wanted[(p, k)][:120],
                    "handle_key": k[:120],
                    "tags": "",
                    "created_at": now,
                }
                for p, k in new
            ],
        )
        found.update(zip(new, added.scalars().all(), strict=True))
    return found


def _refresh_member_totals(db: Session, studio_id: int, member_ids: set[int]) -> None:
    """Recount what each of these members gave each model, from the records (never by adding to
    a stored figure, so an undo and a re-import can't drift). The database sums and writes the
    totals itself (INSERT ... SELECT): nothing makes the trip to Python and back."""
    ids = sorted(member_ids)
    totals = MemberTotal.__table__  # type: ignore[attr-defined]
    positive = col(EarningRecord.tokens) > 0
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        db.connection().execute(delete(totals).where(col(MemberTotal.member_id).in_(chunk)))
        counted = (
            select(  # type: ignore[call-overload]
                EarningRecord.member_id,
                EarningRecord.performer_id,
                literal(studio_id),
                func.sum(EarningRecord.tokens),
                func.sum(case((col(EarningRecord.entry_type) == "tip", 1), else_=0)),
                func.min(case((positive, EarningRecord.occurred_at), else_=None)),
                func.max(case((positive, EarningRecord.occurred_at), else_=None)),
            )
            .where(
                EarningRecord.studio_id == studio_id,
                EarningRecord.kind == RecordKind.LEDGER,
                col(EarningRecord.member_id).in_(chunk),
            )
            .group_by(col(EarningRecord.member_id), col(EarningRecord.performer_id))
        )
        db.connection().execute(
            insert(totals).from_select(
                ["member_id", "performer_id", "studio_id", "tokens", "tips", "first_tip_at", "last_tip_at"],
                counted,
            )
        )


def undo(db: Session, actor: Actor, batch_id: object) -> BatchReport:
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    batch = _batch(db, studio_id, batch_id)
    if batch.status != BatchStatus.LANDED:
        raise ValidationFailed({"batch": "This import was already undone."})
    for period in _locked_spans(db, studio_id):
        hit = db.exec(
            select(EarningRecord.id).where(
                EarningRecord.batch_id == batch.id,
                EarningRecord.day >= period.starts_on,
                EarningRecord.day <= period.ends_on,
            )
        ).first()
        if hit is not None:
            raise ValidationFailed({"batch": locked_message(period) + " This import has rows in it."})
    members = set(
        db.exec(
            select(EarningRecord.member_id)
            .where(EarningRecord.batch_id == batch.id, col(EarningRecord.member_id).is_not(None))
            .distinct()
        )
    )
    db.connection().execute(delete(EarningRecord.__table__).where(col(EarningRecord.batch_id) == batch.id))  # type: ignore[attr-defined]
    _refresh_member_totals(db, studio_id, {m for m in members if m is not None})
    batch.status, batch.undone_at = BatchStatus.UNDONE, utcnow()
    db.add(batch)
    changed_in_bulk(db, studio_id)
    audit.record_by(
        db, actor, "import.undone", batch.filename, f"batch {batch.id}: {batch.rows_landed} rows removed"
    )
    db.flush()
    return _report(batch)


def _batch(db: Session, studio_id: int, batch_id: object) -> ImportBatch:
    try:
        wanted = int(str(batch_id))
    except ValueError as exc:
        raise NotFound() from exc
    batch = db.get(ImportBatch, wanted)
    if batch is None or batch.studio_id != studio_id:
        raise NotFound()
    return batch


def _report(batch: ImportBatch) -> BatchReport:
    refused = [RowError(int(e["line"]), str(e["reason"])) for e in json.loads(batch.refusals or "[]")]
    return BatchReport(
        id=row_id(batch),
        format=batch.format,
        filename=batch.filename,
        status=batch.status,
        created_at=batch.created_at,
        rows_read=batch.rows_read,
        rows_landed=batch.rows_landed,
        rows_duplicate=batch.rows_duplicate,
        rows_refused=batch.rows_refused,
        refused=refused,
    )


def get_batch(db: Session, actor: Actor, batch_id: object) -> BatchReport:
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    return _report(_batch(db, studio_id, batch_id))


def list_batches(db: Session, actor: Actor, *, page: int = 1, per_page: int = 25) -> Page[BatchReport]:
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    total = db.exec(
        select(func.count()).select_from(ImportBatch).where(ImportBatch.studio_id == studio_id)
    ).one()
    found = db.exec(
        select(ImportBatch)
        .where(ImportBatch.studio_id == studio_id)
        .order_by(col(ImportBatch.created_at).desc(), col(ImportBatch.id).desc())
        .offset((max(1, page) - 1) * per_page)
        .limit(per_page)
    )
    return Page([_report(b) for b in found], int(total), page, per_page, "created")


def command_line_actor(db: Session, studio_id: int) -> Actor:
    """Who `studioos import` acts as: the studio's first owner (whoever runs the command already
    holds the database; the audit log names the owner and says it came from the command line)."""
    from studioos.models import Membership, Role, Studio, User

    studio = db.get(Studio, studio_id)
    owner = db.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.studio_id == studio_id, Membership.role == Role.OWNER)
        .order_by(col(Membership.id))
    ).first()
    if studio is None or owner is None:
        raise NotFound(f"There is no studio {studio_id} with an owner.")
    return Actor(
        user_id=row_id(owner),
        email=owner.email,
        name=owner.name,
        studio_id=studio_id,
        role=Role.OWNER,
        ip="command line",
        user_agent="studioos import",
        timezone=studio.timezone,
        currency=studio.currency,
    )


def account_by_handle(db: Session, studio_id: int, platform: str | None, handle: str) -> int:
    """The account `--model HANDLE` names, for a one-account file."""
    where = [PlatformAccount.studio_id == studio_id, PlatformAccount.handle_key == handle.strip().lower()]
    if platform is not None:
        where.append(PlatformAccount.platform == platform)
    found = db.exec(select(PlatformAccount).where(*where)).all()
    if len(found) != 1:
        raise ValidationFailed(
            {"account": f"No single {platform or 'platform'} account has the handle '{handle}'."}
        )
    return row_id(found[0])


# ---------------------------------------------------------------- the upload between preview and confirm


def stash(actor: Actor, data: bytes, filename: str) -> str:
    """Keep an uploaded file until its import is confirmed, encrypted at rest (a ledger names
    members), under a random name bound to the studio; the page keeps only that name."""
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."})
    _purge_stash()
    token = f"{studio_id}-{secrets.token_urlsafe(24)}"
    payload = json.dumps({"filename": filename[:255]}).encode() + b"\n" + data
    _stash_path(token).write_bytes(crypto.fernet().encrypt(payload))
    return token


def unstash(actor: Actor, token: str) -> tuple[bytes, str]:
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    if not _STASH_NAME.fullmatch(token or "") or not token.startswith(f"{studio_id}-"):
        raise NotFound("Upload the file again: this upload is not known.")
    path = _stash_path(token)
    try:
        payload = crypto.fernet().decrypt(path.read_bytes())
    except (OSError, InvalidToken) as exc:
        raise NotFound("Upload the file again: this upload has expired.") from exc
    head, _, data = payload.partition(b"\n")
    return data, str(json.loads(head).get("filename", ""))


def drop_stash(token: str) -> None:
    if _STASH_NAME.fullmatch(token or ""):
        _stash_path(token).unlink(missing_ok=True)


_STASH_NAME = re.compile(r"[0-9]+-[A-Za-z0-9_-]{32}")


def _stash_path(token: str) -> Path:
    folder = get_settings().data_dir / "import_uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{token}.bin"


def _purge_stash() -> None:
    """Uploads nobody confirmed are deleted after a day."""
    folder = get_settings().data_dir / "import_uploads"
    if not folder.is_dir():
        return
    cutoff = time.time() - STASH_HOURS * 3600
    for path in folder.glob("*.bin"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
