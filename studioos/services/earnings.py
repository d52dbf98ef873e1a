"""Earnings records: manual entry as studios read the platforms' dashboards, the list, and totals.

Two manual modes, both daily figures on one platform account:
- the figure for one day (one per account and day; change it rather than entering it twice);
- the running total of the pay period so far, as a platform's dashboard shows it: StudioOS stores
  the difference to the previous total of the same period (a lower total only as a correction,
  with a reason).

Counting rule (used by every total here, by payroll and by the dashboard): a day of an account
that has ledger entries (an imported token history) counts those entries, and that day's daily
figures count only for their online minutes, so a studio that entered running totals during the
period and imports the token history at its end is not paid twice.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from studioos.importers.values import parse_cents, parse_minutes, parse_whole
from studioos.models import (
    EarningRecord,
    Member,
    Performer,
    PlatformAccount,
    RecordKind,
    RecordSource,
    row_id,
    utcnow,
)
from studioos.services import audit, studio_cache
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.pay_periods import check_open, rule_for
from studioos.services.performers import Page, own_performer_id
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.rates import MONEY_PLATFORMS, RateBook, rate_book
from studioos.services.validation import clean_text, require_id

REASON_MAX = 300
MINUTES_MAX = 24 * 60
TOKENS_MAX = 100_000_000
CENTS_MAX = 100_000_000_00


# ---------------------------------------------------------------- who sees what


def viewer_scope(db: Session, actor: Actor) -> tuple[int, int | None]:
    """(studio, the only model whose earnings the actor may see or None for all of them)."""
    studio_id = require_studio(actor)
    if actor.can(Cap.EARNINGS_VIEW):
        return studio_id, None
    if actor.can(Cap.EARNINGS_OWN):
        own = own_performer_id(db, actor)
        if own is None:
            raise NotFound("Your account is not linked to a model profile yet.")
        return studio_id, own
    raise PermissionDenied()


@functools.cache
def counted() -> ColumnElement[bool]:
    """The records whose tokens and money count (see the module's counting rule). Built once: an
    expression is immutable, and building this one costs as much as running a small query."""
    ledger = aliased(EarningRecord)
    return or_(
        col(EarningRecord.kind) == RecordKind.LEDGER,
        ~exists().where(
            col(ledger.account_id) == EarningRecord.account_id,
            col(ledger.day) == EarningRecord.day,
            col(ledger.kind) == RecordKind.LEDGER,
        ),
    )


def usd_value(tokens: int, usd_cents: int, rate: Decimal | None) -> Decimal:
    """A record's worth in exact cents (a Decimal, not rounded: rounding happens once, at the end of
    a sum). Money the platform reported is the worth; tokens are valued at the day's rate only
    when no money was reported for them (a report that gives both tokens and income gives the
    same earnings twice: counting both would pay them twice)."""
    if usd_cents or rate is None:
        return Decimal(usd_cents)
    return Decimal(tokens) * rate * 100


def round_cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- totals


@dataclass(frozen=True)
class GrossLine:
    performer_id: int
    platform: str
    tokens: int
    usd_cents: int  # money the platform reported directly
    value: Decimal  # exact cents: the money reported, plus tokens reported without money at the day's rate
    online_minutes: int


def gross_lines(
    db: Session,
    studio_id: int,
    first: date,
    last: date,
    *,
    performer_id: int | None = None,
    book: RateBook | None = None,
) -> list[GrossLine]:
    """Per model and platform over the days first..last: summed in the database by day (a token's
    value can change from one day to the next), valued here."""
    book = book or rate_book(db, studio_id)
    is_counted = counted()
    where: list[ColumnElement[bool]] = [
        col(EarningRecord.studio_id) == studio_id,
        col(EarningRecord.day) >= first,
        col(EarningRecord.day) <= last,
    ]
    if performer_id is not None:
        where.append(col(EarningRecord.performer_id) == performer_id)
    rows = db.exec(
        select(  # type: ignore[call-overload]
            EarningRecord.performer_id,
            EarningRecord.platform,
            EarningRecord.day,
            func.sum(case((is_counted, EarningRecord.tokens), else_=0)),
            func.sum(case((is_counted, EarningRecord.usd_cents), else_=0)),
            func.sum(EarningRecord.online_minutes),
            # The tokens whose record reported no money: only those are valued at the rate.
            func.sum(
                case((and_(is_counted, col(EarningRecord.usd_cents) == 0), EarningRecord.tokens), else_=0)
            ),
        )
        .where(*where)
        .group_by(col(EarningRecord.performer_id), col(EarningRecord.platform), col(EarningRecord.day))
    ).all()
    acc: dict[tuple[int, str], _Sum] = defaultdict(_Sum)
    for performer, platform, day, tokens, cents, minutes, unvalued in rows:
        acc[(performer, platform)].add(
            int(tokens or 0), int(cents or 0), int(minutes or 0), int(unvalued or 0), book.on(platform, day)
        )
    return [
        GrossLine(p, platform, v.tokens, v.cents, v.value, v.minutes)
        for (p, platform), v in sorted(acc.items())
    ]


@dataclass
class _Sum:
    tokens: int = 0
    cents: int = 0
    value: Decimal = Decimal(0)
    minutes: int = 0

    def add(self, tokens: int, cents: int, minutes: int, unvalued: int, rate: Decimal | None) -> None:
        self.tokens += tokens
        self.cents += cents
        self.value += Decimal(cents) + usd_value(unvalued, 0, rate)
        self.minutes += minutes


@dataclass(frozen=True)
class ModelTotal:
    performer_id: int
    stage_name: str
    tokens: int
    gross_cents: int
    online_minutes: int


@dataclass(frozen=True)
class EarningsSummary:
    first: date
    last: date
    gross_cents: int
    tokens: int
    online_minutes: int
    by_platform: list[tuple[str, int]]  # (platform, gross cents), largest first
    by_model: list[ModelTotal]  # largest first


def summary(
    db: Session, actor: Actor, first: date, last: date, performer_id: int | None = None
) -> EarningsSummary:
    studio_id, own = viewer_scope(db, actor)
    if own is not None:
        performer_id = own
    # After the permission check, keyed by everything the figures depend on (studio_cache: one
    # studio's revision; no decrypted field in them).
    return studio_cache.remember(
        db,
        actor,
        "earnings.summary",
        lambda: _summary(db, studio_id, first, last, performer_id),
        parts=(first, last, performer_id),
    )


def _summary(
    db: Session, studio_id: int, first: date, last: date, performer_id: int | None
) -> EarningsSummary:
    lines = gross_lines(db, studio_id, first, last, performer_id=performer_id)
    names = _stage_names(db, studio_id, {line.performer_id for line in lines})
    by_platform: dict[str, Decimal] = defaultdict(Decimal)
    by_model: dict[int, _Sum] = defaultdict(_Sum)
    for line in lines:
        by_platform[line.platform] += line.value
        model = by_model[line.performer_id]
        model.tokens += line.tokens
        model.value += line.value
        model.minutes += line.online_minutes
    models = [
        ModelTotal(p, names.get(p, ""), v.tokens, round_cents(v.value), v.minutes)
        for p, v in by_model.items()
    ]
    return EarningsSummary(
        first,
        last,
        round_cents(sum((line.value for line in lines), Decimal(0))),
        sum(line.tokens for line in lines),
        sum(line.online_minutes for line in lines),
        sorted(((p, round_cents(v)) for p, v in by_platform.items()), key=lambda item: (-item[1], item[0])),
        sorted(models, key=lambda m: (-m.gross_cents, m.stage_name)),
    )


def _stage_names(db: Session, studio_id: int, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    return dict(
        db.exec(
            select(Performer.id, Performer.stage_name).where(
                Performer.studio_id == studio_id, col(Performer.id).in_(wanted)
            )
        ).all()  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class RecordRow:
    id: int
    performer_id: int
    stage_name: str
    platform: str
    handle: str
    kind: str
    day: date
    period_start: date | None
    entry_type: str
    member: str
    tokens: int
    usd_cents: int
    value_cents: int  # tokens at the day's value plus money, rounded to the cent for display
    online_minutes: int
    source: str
    batch_id: int | None
    source_line: int | None
    note: str
    correction_reason: str
    counted: bool  # False: a daily figure on a day that has ledger entries (only its minutes count)
    running: bool = False  # entered as the period's running total (changed by removing it)


SORTS: dict[str, Any] = {
    "day": col(EarningRecord.day),
    "model": col(Performer.stage_name),
    "platform": col(EarningRecord.platform),
    "tokens": col(EarningRecord.tokens),
    "usd": col(EarningRecord.usd_cents),
}


def list_records(
    db: Session,
    actor: Actor,
    *,
    first: date,
    last: date,
    performer_id: int | None = None,
    platform: str | None = None,
    batch_id: int | None = None,
    sort: str = "day",
    desc: bool = True,
    page: int = 1,
    per_page: int = 25,
) -> Page[RecordRow]:
    studio_id, own = viewer_scope(db, actor)
    if own is not None:
        performer_id = own
    key = sort if sort in SORTS else "day"
    per_page, page = max(1, min(per_page, 200)), max(1, page)
    query = (first, last, performer_id, platform, batch_id, key, desc, page, per_page)
    return studio_cache.remember(
        db, actor, "earnings.records", lambda: _records(db, studio_id, *query), parts=query
    )


def _records(
    db: Session,
    studio_id: int,
    first: date,
    last: date,
    performer_id: int | None,
    platform: str | None,
    batch_id: int | None,
    key: str,
    desc: bool,
    page: int,
    per_page: int,
) -> Page[RecordRow]:
    is_counted = counted().label("is_counted")
    where: list[ColumnElement[bool]] = [
        col(EarningRecord.studio_id) == studio_id,
        col(EarningRecord.day) >= first,
        col(EarningRecord.day) <= last,
    ]
    if performer_id is not None:
        where.append(col(EarningRecord.performer_id) == performer_id)
    if platform:
        where.append(col(EarningRecord.platform) == platform)
    if batch_id is not None:
        where.append(col(EarningRecord.batch_id) == batch_id)
    total = db.exec(select(func.count()).select_from(EarningRecord).where(*where)).one()
    order = SORTS[key].desc() if desc else SORTS[key].asc()
    found = db.exec(
        select(  # type: ignore[call-overload]
            EarningRecord, Performer.stage_name, PlatformAccount.handle, Member.handle, is_counted
        )
        .join(Performer, col(Performer.id) == EarningRecord.performer_id)
        .join(PlatformAccount, col(PlatformAccount.id) == EarningRecord.account_id)
        .outerjoin(Member, col(Member.id) == EarningRecord.member_id)
        .where(*where)
        .order_by(order, col(EarningRecord.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    book = rate_book(db, studio_id)
    rows = [
        RecordRow(
            id=row_id(r),
            performer_id=r.performer_id,
            stage_name=name,
            platform=r.platform,
            handle=handle,
            kind=r.kind,
            day=r.day,
            period_start=r.period_start,
            entry_type=r.entry_type or "",
            member=member or "",
            tokens=r.tokens,
            usd_cents=r.usd_cents,
            value_cents=round_cents(usd_value(r.tokens, r.usd_cents, book.on(r.platform, r.day))),
            online_minutes=r.online_minutes,
            source=r.source,
            batch_id=r.batch_id,
            source_line=r.source_line,
            note=r.note,
            correction_reason=r.correction_reason,
            counted=bool(in_count),
            running=r.running_tokens is not None,
        )
        for r, name, handle, member, in_count in found
    ]
    return Page(rows, int(total), page, per_page, key)


# ---------------------------------------------------------------- manual entry


@dataclass(frozen=True)
class EntryAccount:
    id: int
    performer_id: int
    stage_name: str
    platform: str
    handle: str
    reports_money: bool  # LiveJasmin, Streamate, Flirt4Free: USD, not tokens


def entry_accounts(db: Session, actor: Actor) -> list[EntryAccount]:
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    return studio_cache.remember(db, actor, "earnings.accounts", lambda: _entry_accounts(db, studio_id))


def _entry_accounts(db: Session, studio_id: int) -> list[EntryAccount]:
    rows = db.exec(
        select(PlatformAccount, Performer.stage_name)
        .join(Performer, col(Performer.id) == PlatformAccount.performer_id)
        .where(PlatformAccount.studio_id == studio_id)
        .order_by(col(Performer.stage_name), col(PlatformAccount.platform), col(PlatformAccount.handle))
    ).all()
    return [
        EntryAccount(row_id(a), a.performer_id, name, a.platform, a.handle, a.platform in MONEY_PLATFORMS)
        for a, name in rows
    ]


@dataclass(frozen=True)
class Figures:
    tokens: int
    cents: int
    minutes: int


def _account(db: Session, studio_id: int, account_id: object) -> PlatformAccount:
    account = db.get(PlatformAccount, require_id(account_id))
    if account is None or account.studio_id != studio_id:
        raise NotFound("That platform account is not in this studio.")
    return account


def _figures(tokens: str, usd: str, minutes: str, *, allow_negative: bool = False) -> Figures:
    errors: dict[str, str] = {}
    values = Figures(0, 0, 0)
    t = c = m = 0
    try:
        t = parse_whole(tokens, "Tokens") if (tokens or "").strip() else 0
    except ValueError as exc:
        errors["tokens"] = str(exc)
    try:
        c = parse_cents(usd, "USD") if (usd or "").strip() else 0
    except ValueError as exc:
        errors["usd"] = str(exc)
    try:
        m = parse_minutes(minutes, "Online time") if (minutes or "").strip() else 0
    except ValueError as exc:
        errors["minutes"] = str(exc)
    if not errors:
        if not allow_negative and t < 0:
            errors["tokens"] = "Tokens can't be negative here."
        if not allow_negative and c < 0:
            errors["usd"] = "The amount can't be negative here."
        if abs(t) > TOKENS_MAX:
            errors["tokens"] = f"At most {TOKENS_MAX:,} tokens."
        if abs(c) > CENTS_MAX:
            errors["usd"] = "That amount is too large."
        if not 0 <= m <= MINUTES_MAX:
            errors["minutes"] = "Online time is between 0 and 24 hours a day."
        if t == 0 and c == 0 and m == 0:
            errors["tokens"] = "Enter tokens, an amount in USD or the online time."
    if errors:
        raise ValidationFailed(errors)
    values = Figures(t, c, m)
    return values


def _check_day(actor: Actor, day: date) -> None:
    if day > actor.today():
        raise ValidationFailed({"day": f"{day_text(day)} has not happened yet."})


def enter_day(
    db: Session, actor: Actor, account_id: object, day: date, tokens: str, usd: str, minutes: str
) -> RecordRow:
    """The figure of one day on one account."""
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    account = _account(db, studio_id, account_id)
    _check_day(actor, day)
    check_open(db, studio_id, day)
    figures = _figures(tokens, usd, minutes)
    if account.platform in MONEY_PLATFORMS and figures.tokens:
        raise ValidationFailed({"tokens": f"{account.platform} pays in USD: enter the amount, not tokens."})
    key = f"day:{day.isoformat()}"
    taken = db.exec(
        select(EarningRecord.id).where(
            EarningRecord.account_id == account.id, EarningRecord.natural_key == key
        )
    ).first()
    if taken is not None:
        raise ValidationFailed(
            {
                "day": f"{account.handle} on {account.platform} already has a figure for "
                f"{day_text(day)}: change it."
            }
        )
    record = _new_record(actor, account, day, figures, key)
    db.add(record)
    db.flush()
    audit.record_by(db, actor, "earnings.entered", f"{account.platform} {account.handle}", day.isoformat())
    return _row_of(db, actor, row_id(record))


def enter_running_total(
    db: Session,
    actor: Actor,
    account_id: object,
    day: date,
    tokens: str,
    usd: str,
    minutes: str,
    *,
    correction: bool = False,
    reason: str = "",
) -> RecordRow:
    """The pay period's total so far on one account, as its dashboard shows it on `day`; stored as
    the difference to the previous total of the same period."""
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    account = _account(db, studio_id, account_id)
    _check_day(actor, day)
    check_open(db, studio_id, day)
    total = _figures(tokens, usd, minutes)
    period = rule_for(db, studio_id).containing(day)
    previous = db.exec(
        select(EarningRecord)
        .where(
            EarningRecord.account_id == account.id,
            col(EarningRecord.running_tokens).is_not(None),
            EarningRecord.day >= period.starts_on,
            EarningRecord.day <= period.ends_on,
        )
        .order_by(col(EarningRecord.day).desc(), col(EarningRecord.id).desc())
        .limit(1)
    ).first()
    before = (
        Figures(previous.running_tokens or 0, previous.running_cents or 0, 0)
        if previous
        else Figures(0, 0, 0)
    )
    if previous is not None and day < previous.day:
        raise ValidationFailed(
            {
                "day": f"The last total was entered for {day_text(previous.day)}: a later total can't be "
                "for an earlier day. Change that entry instead."
            }
        )
    lower = total.tokens < before.tokens or total.cents < before.cents
    why = ""
    if lower and not correction:
        raise ValidationFailed(
            {
                "tokens": f"The total is lower than the last one ({before.tokens:,} tokens, "
                f"{Decimal(before.cents) / 100:.2f} USD on {day_text(previous.day if previous else day)}). "
                "If the platform corrected it, mark this as a correction and say why."
            }
        )
    if correction:
        try:
            why = clean_text(reason, "The reason", REASON_MAX)
        except ValueError as exc:
            raise ValidationFailed({"reason": str(exc)}) from exc
        if not why:
            raise ValidationFailed({"reason": "Say why the total went down (for example a chargeback)."})
    diff = Figures(total.tokens - before.tokens, total.cents - before.cents, total.minutes)
    record = _new_record(
        actor, account, day, diff, f"total:{period.starts_on.isoformat()}:{uuid.uuid4().hex}"
    )
    record.running_tokens, record.running_cents, record.correction_reason = total.tokens, total.cents, why
    db.add(record)
    db.flush()
    audit.record_by(
        db,
        actor,
        "earnings.entered",
        f"{account.platform} {account.handle}",
        f"running total on {day.isoformat()}",
    )
    return _row_of(db, actor, row_id(record))


def _new_record(
    actor: Actor, account: PlatformAccount, day: date, figures: Figures, key: str
) -> EarningRecord:
    return EarningRecord(
        studio_id=account.studio_id,
        performer_id=account.performer_id,
        account_id=row_id(account),
        platform=account.platform,
        kind=RecordKind.DAILY,
        day=day,
        tokens=figures.tokens,
        usd_cents=figures.cents,
        online_minutes=figures.minutes,
        source=RecordSource.MANUAL,
        natural_key=key,
        entered_by_id=actor.user_id,
    )


def _manual_record(db: Session, studio_id: int, record_id: object) -> EarningRecord:
    record = db.get(EarningRecord, require_id(record_id))
    if record is None or record.studio_id != studio_id:
        raise NotFound()
    if record.source != RecordSource.MANUAL:
        raise ValidationFailed(
            {"record": "An imported record changes with its file: undo the import instead."}
        )
    return record


def update_day(
    db: Session, actor: Actor, record_id: object, tokens: str, usd: str, minutes: str
) -> RecordRow:
    """Change a one-day figure (a running total is changed by removing it and entering it again)."""
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    record = _manual_record(db, studio_id, record_id)
    if record.running_tokens is not None:
        raise ValidationFailed(
            {"record": "A running total can't be edited: remove it and enter the total again."}
        )
    check_open(db, studio_id, record.day)
    figures = _figures(tokens, usd, minutes)
    if record.platform in MONEY_PLATFORMS and figures.tokens:
        raise ValidationFailed({"tokens": f"{record.platform} pays in USD: enter the amount, not tokens."})
    record.tokens, record.usd_cents, record.online_minutes = figures.tokens, figures.cents, figures.minutes
    record.updated_at = utcnow()
    db.add(record)
    db.flush()
    audit.record_by(db, actor, "earnings.edited", record.platform, record.day.isoformat())
    return _row_of(db, actor, row_id(record))


def delete_manual(db: Session, actor: Actor, record_id: object) -> None:
    studio_id = require(actor, Cap.STREAMS_MANAGE)
    record = _manual_record(db, studio_id, record_id)
    check_open(db, studio_id, record.day)
    if record.running_tokens is not None:
        later = db.exec(
            select(EarningRecord.id).where(
                EarningRecord.account_id == record.account_id,
                col(EarningRecord.running_tokens).is_not(None),
                col(EarningRecord.natural_key).startswith(record.natural_key.rsplit(":", 1)[0] + ":"),
                or_(
                    col(EarningRecord.day) > record.day,
                    and_(col(EarningRecord.day) == record.day, col(EarningRecord.id) > record.id),
                ),
            )
        ).first()
        if later is not None:
            raise ValidationFailed(
                {"record": "A later running total was entered after this one: remove that one first."}
            )
    db.delete(record)
    audit.record_by(db, actor, "earnings.deleted", record.platform, record.day.isoformat())
    db.flush()


def _row_of(db: Session, actor: Actor, record_id: int) -> RecordRow:
    record = db.get(EarningRecord, record_id)
    if record is None:
        raise NotFound()
    page = list_records(
        db, actor, first=record.day, last=record.day, performer_id=record.performer_id, per_page=200
    )
    for row in page.rows:
        if row.id == record_id:
            return row
    raise NotFound()
