"""Payroll: what each model earned in a pay period and what she is paid.

Per model: gross per platform (tokens at the day's token value, plus money the platform reported),
then her share by her split (flat `payout_split`, or marginal tiers: for example 50 % of the first
1,000 USD and 60 % above), then adjustments (bonus, advance, repayment of an advance, deduction,
platform hold), then net, converted to the payout currency at the rate entered for the period.

Rounding happens once, at the end, half-up to the cent: gross and her share are worked out exactly
(Decimal) and each rounded once; the studio's share is the rounded gross minus her rounded share,
so the two always add up to the gross to the cent.

Locking a period freezes every number (the Payout rows); a locked period's earnings, adjustments,
rate and token values can no longer change. A locked period is then marked paid.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlmodel import Session, col, delete, select

from studioos.models import (
    AdjustmentKind,
    Payout,
    PayrollAdjustment,
    PayrollPeriod,
    PayTier,
    Performer,
    PeriodStatus,
    Studio,
    row_id,
    utcnow,
)
from studioos.services import audit, studio_cache
from studioos.services.earnings import GrossLine, gross_lines, round_cents, viewer_scope
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.pay_periods import Period, locked_message, rule_for, settings_row
from studioos.services.permissions import Actor, Cap, require
from studioos.services.rates import rate_book
from studioos.services.validation import clean_currency, clean_text

ADJUSTMENT_LABELS: dict[str, str] = {
    AdjustmentKind.BONUS: "Bonus",
    AdjustmentKind.ADVANCE: "Advance",
    AdjustmentKind.REPAYMENT: "Advance repaid",
    AdjustmentKind.DEDUCTION: "Deduction",
    AdjustmentKind.HOLD: "Platform hold or chargeback",
}
ADDS: frozenset[str] = frozenset({AdjustmentKind.BONUS, AdjustmentKind.ADVANCE})
NOTE_MAX = 500
AMOUNT_MAX_CENTS = 10_000_000_00
HUNDRED = Decimal(100)


# ---------------------------------------------------------------- the arithmetic (pure)


@dataclass(frozen=True)
class Tier:
    from_cents: int
    percent: Decimal


def model_share(gross: Decimal, tiers: list[Tier]) -> Decimal:
    """Her exact share (cents, not rounded) of an exact gross, by marginal tiers."""
    if gross <= 0:
        # A period that ends below zero (refunds, chargebacks) is shared at the first tier's rate.
        return gross * tiers[0].percent / HUNDRED
    ordered = sorted(tiers, key=lambda t: t.from_cents)
    share = Decimal(0)
    for i, tier in enumerate(ordered):
        top = Decimal(ordered[i + 1].from_cents) if i + 1 < len(ordered) else None
        low = Decimal(tier.from_cents)
        if gross <= low:
            break
        part = (min(gross, top) if top is not None else gross) - low
        share += part * tier.percent / HUNDRED
    return share


def split_text(tiers: list[Tier]) -> str:
    if len(tiers) == 1:
        return f"{_percent(tiers[0].percent)} of gross"
    parts = []
    ordered = sorted(tiers, key=lambda t: t.from_cents)
    for i, tier in enumerate(ordered):
        if i + 1 < len(ordered):
            parts.append(f"{_percent(tier.percent)} up to {_usd(ordered[i + 1].from_cents)}")
        else:
            parts.append(f"{_percent(tier.percent)} above {_usd(tier.from_cents)}")
    return ", ".join(parts)


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def _usd(cents: int) -> str:
    return f"{Decimal(cents) / 100:,.2f} USD"


def signed(kind: str, amount_cents: int) -> int:
    return amount_cents if kind in ADDS else -amount_cents


def to_payout(net_cents: int, fx_rate: Decimal) -> Decimal:
    """The net in the payout currency, half-up to its hundredth."""
    return (Decimal(net_cents) / HUNDRED * fx_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class PlatformLine:
    platform: str
    tokens: int
    usd_cents: int
    rate: str  # "0.05" or "varies" or "" for money platforms
    gross_cents: int


@dataclass(frozen=True)
class AdjustmentRow:
    id: int
    kind: str
    label: str
    amount_cents: int  # signed: what it does to the net
    note: str  # "" for those who may not read adjustment notes


@dataclass(frozen=True)
class PayLine:
    performer_id: int
    stage_name: str
    platforms: list[PlatformLine]
    gross_cents: int
    model_share_cents: int
    studio_share_cents: int
    adjustments_cents: int
    net_cents: int
    net_payout: Decimal
    split: str
    adjustments: list[AdjustmentRow]
    online_minutes: int


@dataclass(frozen=True)
class PayrollView:
    starts_on: date
    ends_on: date
    status: str  # open | locked | paid
    period_id: int | None
    payout_currency: str
    fx_rate: Decimal
    lines: list[PayLine]
    gross_cents: int
    model_share_cents: int
    studio_share_cents: int
    net_cents: int
    net_payout: Decimal
    locked: bool


def _tier_book(db: Session, studio_id: int) -> dict[int | None, list[Tier]]:
    """The studio's tiers (key None) and each model's own, read once for a whole payroll."""
    book: dict[int | None, list[Tier]] = defaultdict(list)
    for r in db.exec(select(PayTier).where(PayTier.studio_id == studio_id).order_by(col(PayTier.from_cents))):
        book[r.performer_id].append(Tier(r.from_cents, Decimal(r.percent)))
    return book


def _tiers(book: dict[int | None, list[Tier]], performer: Performer) -> list[Tier]:
    """A model's own tiers, else the studio's, else her flat split."""
    return book.get(performer.id) or book.get(None) or [Tier(0, Decimal(performer.payout_split))]


def _period_row(db: Session, studio_id: int, starts_on: date) -> PayrollPeriod | None:
    return db.exec(
        select(PayrollPeriod).where(
            PayrollPeriod.studio_id == studio_id, PayrollPeriod.starts_on == starts_on
        )
    ).first()


def _period(db: Session, studio_id: int, day: date) -> tuple[Period, PayrollPeriod | None]:
    row = db.exec(
        select(PayrollPeriod).where(
            PayrollPeriod.studio_id == studio_id, PayrollPeriod.starts_on <= day, PayrollPeriod.ends_on >= day
        )
    ).first()
    if row is not None:
        return Period(row.starts_on, row.ends_on), row
    return rule_for(db, studio_id).containing(day), None


def _line_view(lines: list[GrossLine], rates: dict[str, set[Decimal]]) -> list[PlatformLine]:
    out = []
    for line in lines:
        used = rates.get(line.platform, set())
        rate = "" if not used else (f"{next(iter(used)).normalize():f}" if len(used) == 1 else "varies")
        out.append(PlatformLine(line.platform, line.tokens, line.usd_cents, rate, round_cents(line.value)))
    return out


def _compute(
    db: Session,
    studio_id: int,
    period: Period,
    row: PayrollPeriod | None,
    currency: str,
    fx: Decimal,
    notes: bool,
    performer_id: int | None,
) -> list[PayLine]:
    book = rate_book(db, studio_id)
    gross = gross_lines(db, studio_id, period.starts_on, period.ends_on, performer_id=performer_id, book=book)
    rates: dict[str, set[Decimal]] = defaultdict(set)
    day = period.starts_on
    while day <= period.ends_on:
        for platform in {g.platform for g in gross}:
            value = book.on(platform, day)
            if value is not None:
                rates[platform].add(value)
        day = date.fromordinal(day.toordinal() + 1)
    by_model: dict[int, list[GrossLine]] = defaultdict(list)
    for line in gross:
        by_model[line.performer_id].append(line)
    adjustments: dict[int, list[PayrollAdjustment]] = defaultdict(list)
    if row is not None:
        for adj in db.exec(
            select(PayrollAdjustment)
            .where(PayrollAdjustment.period_id == row.id)
            .order_by(col(PayrollAdjustment.created_at))
        ):
            adjustments[adj.performer_id].append(adj)
    ids = set(by_model) | set(adjustments)
    if performer_id is not None:
        ids &= {performer_id}
    performers = {
        p.id: p
        for p in db.exec(
            select(Performer).where(Performer.studio_id == studio_id, col(Performer.id).in_(ids))
        )
    }
    tier_book = _tier_book(db, studio_id)
    result = []
    for pid in sorted(ids, key=lambda i: performers[i].stage_name.lower() if i in performers else ""):
        performer = performers.get(pid)
        if performer is None:
            continue
        lines = by_model.get(pid, [])
        exact = sum((line.value for line in lines), Decimal(0))
        tiers = _tiers(tier_book, performer)
        gross_cents = round_cents(exact)
        share_cents = round_cents(model_share(exact, tiers))
        adj_rows = [
            AdjustmentRow(
                row_id(a),
                a.kind,
                ADJUSTMENT_LABELS.get(a.kind, a.kind),
                signed(a.kind, a.amount_cents),
                a.note if notes else "",
            )
            for a in adjustments.get(pid, [])
        ]
        adj_total = sum(a.amount_cents for a in adj_rows)
        net = share_cents + adj_total
        result.append(
            PayLine(
                performer_id=pid,
                stage_name=performer.stage_name,
                platforms=_line_view(lines, rates),
                gross_cents=gross_cents,
                model_share_cents=share_cents,
                studio_share_cents=gross_cents - share_cents,
                adjustments_cents=adj_total,
                net_cents=net,
                net_payout=to_payout(net, fx),
                split=split_text(tiers),
                adjustments=adj_rows,
                online_minutes=sum(line.online_minutes for line in lines),
            )
        )
    return result


def _frozen(db: Session, row: PayrollPeriod, notes: bool, performer_id: int | None) -> list[PayLine]:
    where = [Payout.period_id == row.id]
    if performer_id is not None:
        where.append(Payout.performer_id == performer_id)
    names = dict(
        db.exec(select(Performer.id, Performer.stage_name).where(Performer.studio_id == row.studio_id)).all()
    )
    adjustments: dict[int, list[AdjustmentRow]] = defaultdict(list)
    for a in db.exec(select(PayrollAdjustment).where(PayrollAdjustment.period_id == row.id)):
        adjustments[a.performer_id].append(
            AdjustmentRow(
                row_id(a),
                a.kind,
                ADJUSTMENT_LABELS.get(a.kind, a.kind),
                signed(a.kind, a.amount_cents),
                a.note if notes else "",
            )
        )
    out = []
    for p in db.exec(select(Payout).where(*where)):
        platforms = [PlatformLine(**item) for item in json.loads(p.lines)]
        out.append(
            PayLine(
                performer_id=p.performer_id,
                stage_name=names.get(p.performer_id, ""),
                platforms=platforms,
                gross_cents=p.gross_cents,
                model_share_cents=p.model_share_cents,
                studio_share_cents=p.studio_share_cents,
                adjustments_cents=p.adjustments_cents,
                net_cents=p.net_cents,
                net_payout=Decimal(p.net_payout),
                split=p.split,
                adjustments=adjustments.get(p.performer_id, []),
                online_minutes=0,
            )
        )
    return sorted(out, key=lambda line: line.stage_name.lower())


def _view(
    db: Session, studio_id: int, day: date, *, notes: bool, performer_id: int | None = None
) -> PayrollView:
    period, row = _period(db, studio_id, day)
    settings = settings_row(db, studio_id)
    currency = row.payout_currency if row is not None else settings.payout_currency
    fx = Decimal(row.fx_rate) if row is not None else Decimal(1)
    status = row.status if row is not None else PeriodStatus.OPEN
    if row is not None and status != PeriodStatus.OPEN:
        lines = _frozen(db, row, notes, performer_id)
    else:
        lines = _compute(db, studio_id, period, row, currency, fx, notes, performer_id)
    net = sum(line.net_cents for line in lines)
    return PayrollView(
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        status=status,
        period_id=row.id if row is not None else None,
        payout_currency=currency,
        fx_rate=fx,
        lines=lines,
        gross_cents=sum(line.gross_cents for line in lines),
        model_share_cents=sum(line.model_share_cents for line in lines),
        studio_share_cents=sum(line.studio_share_cents for line in lines),
        net_cents=net,
        net_payout=sum((line.net_payout for line in lines), Decimal(0)),
        locked=status != PeriodStatus.OPEN,
    )


def payroll(db: Session, actor: Actor, day: date) -> PayrollView:
    """The payroll of the period containing `day`: owners and managers in full, analysts without
    adjustment notes, a model only her own line."""
    studio_id, own = viewer_scope(db, actor)
    notes = actor.can(Cap.PAYROLL)
    # After the permission check, keyed by what the view depends on: who may read notes, whose
    # line, the day (studio_cache: the studio's revision; no decrypted field in it).
    return studio_cache.remember(
        db,
        actor,
        "payroll.view",
        lambda: _view(db, studio_id, day, notes=notes, performer_id=own),
        parts=(day, notes, own),
    )


@dataclass(frozen=True)
class PeriodChoice:
    starts_on: date
    ends_on: date
    status: str


def recent_periods(db: Session, actor: Actor, count: int = 12) -> list[PeriodChoice]:
    """The current period and the ones before it, newest first, with their payroll's status (a
    payroll already run keeps its own days, whatever the studio's pay period is now)."""
    studio_id, _own = viewer_scope(db, actor)
    today = actor.today()
    return studio_cache.remember(
        db, actor, "payroll.periods", lambda: _recent(db, studio_id, today, count), day=today, parts=(count,)
    )


def _recent(db: Session, studio_id: int, today: date, count: int) -> list[PeriodChoice]:
    runs = list(db.exec(select(PayrollPeriod).where(PayrollPeriod.studio_id == studio_id)))
    rule = rule_for(db, studio_id)
    out: list[PeriodChoice] = []
    day = today
    while len(out) < count:
        run = next((r for r in runs if r.starts_on <= day <= r.ends_on), None)
        if run is not None:
            out.append(PeriodChoice(run.starts_on, run.ends_on, run.status))
        else:
            period = rule.containing(day)
            out.append(PeriodChoice(period.starts_on, period.ends_on, PeriodStatus.OPEN))
        day = date.fromordinal(out[-1].starts_on.toordinal() - 1)
    return out


def period_of(db: Session, actor: Actor, day: date) -> PeriodChoice:
    """The pay period containing `day`: its payroll's days when one was run, else the studio's rule."""
    studio_id, _own = viewer_scope(db, actor)

    def find() -> PeriodChoice:
        period, row = _period(db, studio_id, day)
        return PeriodChoice(period.starts_on, period.ends_on, row.status if row else PeriodStatus.OPEN)

    return studio_cache.remember(db, actor, "payroll.period_of", find, parts=(day,))


# ---------------------------------------------------------------- changes (payroll managers)


def _open_row(db: Session, actor: Actor, studio_id: int, day: date) -> PayrollPeriod:
    period, row = _period(db, studio_id, day)
    if row is None:
        settings = settings_row(db, studio_id)
        row = PayrollPeriod(
            studio_id=studio_id,
            starts_on=period.starts_on,
            ends_on=period.ends_on,
            payout_currency=settings.payout_currency,
        )
        db.add(row)
        db.flush()
    if row.status != PeriodStatus.OPEN:
        raise ValidationFailed({"period": locked_message(row)}, locked_message(row))
    return row


def parse_amount_cents(raw: str, label: str = "The amount", *, allow_zero: bool = False) -> int:
    text = (raw or "").strip().replace("$", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{label} '{raw}' is not an amount: write it like 150.00.") from exc
    if not value.is_finite() or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{label} is more than 0.")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{label} has at most two decimals.")
    if cents > AMOUNT_MAX_CENTS:
        raise ValueError(f"{label} is too large.")
    return int(cents)


def add_adjustment(
    db: Session, actor: Actor, day: date, performer_id: object, kind: str, amount: str, note: str
) -> AdjustmentRow:
    studio_id = require(actor, Cap.PAYROLL)
    errors: dict[str, str] = {}
    performer = db.get(Performer, int(str(performer_id))) if str(performer_id).isdigit() else None
    if performer is None or performer.studio_id != studio_id:
        errors["performer_id"] = "Choose a model."
    if kind not in ADJUSTMENT_LABELS:
        errors["kind"] = "Choose the kind of adjustment."
    cents = 0
    try:
        cents = parse_amount_cents(amount)
    except ValueError as exc:
        errors["amount"] = str(exc)
    try:
        text = clean_text(note, "The note", NOTE_MAX)
    except ValueError as exc:
        errors["note"] = str(exc)
        text = ""
    if not errors and not text:
        errors["note"] = "Say what it is for: the model reads it on her statement."
    if errors:
        raise ValidationFailed(errors)
    row = _open_row(db, actor, studio_id, day)
    adj = PayrollAdjustment(
        studio_id=studio_id,
        period_id=row_id(row),
        performer_id=row_id(performer),  # type: ignore[arg-type]
        kind=kind,
        amount_cents=cents,
        note=text,
        created_by_id=actor.user_id,
    )
    db.add(adj)
    db.flush()
    audit.record_by(
        db, actor, "payroll.adjustment_added", performer.stage_name if performer else "", f"{kind} {cents}"
    )
    return AdjustmentRow(row_id(adj), kind, ADJUSTMENT_LABELS[kind], signed(kind, cents), text)


def remove_adjustment(db: Session, actor: Actor, adjustment_id: object) -> None:
    studio_id = require(actor, Cap.PAYROLL)
    adj = db.get(PayrollAdjustment, int(str(adjustment_id))) if str(adjustment_id).isdigit() else None
    if adj is None or adj.studio_id != studio_id:
        raise NotFound()
    period = db.get(PayrollPeriod, adj.period_id)
    if period is not None and period.status != PeriodStatus.OPEN:
        raise ValidationFailed({"period": locked_message(period)}, locked_message(period))
    db.delete(adj)
    audit.record_by(
        db, actor, "payroll.adjustment_removed", str(adj.performer_id), f"{adj.kind} {adj.amount_cents}"
    )
    db.flush()


def set_exchange(db: Session, actor: Actor, day: date, currency: str, rate: str) -> PayrollView:
    """The payout currency and its rate (units for one USD) for the period containing `day`."""
    studio_id = require(actor, Cap.PAYROLL)
    errors: dict[str, str] = {}
    try:
        code = clean_currency(currency)
    except ValueError as exc:
        errors["currency"] = str(exc)
        code = ""
    try:
        value = Decimal((rate or "").strip().replace(",", "."))
        if not value.is_finite() or value <= 0 or value > Decimal("1000000"):
            raise InvalidOperation
        if value != value.quantize(Decimal("0.000001")):
            errors["fx_rate"] = "Use at most six decimals."
    except InvalidOperation:
        errors["fx_rate"] = f"Enter how many {code or 'units'} one US dollar buys, like 4150.50."
        value = Decimal(1)
    if code == "USD" and value != 1:
        errors["fx_rate"] = "One US dollar is one US dollar: the rate is 1."
    if errors:
        raise ValidationFailed(errors)
    row = _open_row(db, actor, studio_id, day)
    row.payout_currency, row.fx_rate = code, value
    db.add(row)
    db.flush()
    return _view(db, studio_id, day, notes=True)


def lock(db: Session, actor: Actor, day: date) -> PayrollView:
    """Freeze the period containing `day`: every number is stored as it is now."""
    studio_id = require(actor, Cap.PAYROLL)
    row = _open_row(db, actor, studio_id, day)
    if row.ends_on >= actor.today():
        raise ValidationFailed(
            {"period": f"This period runs until {day_text(row.ends_on)}: lock it once it is over."}
        )
    earlier_open = db.exec(
        select(PayrollPeriod).where(
            PayrollPeriod.studio_id == studio_id,
            PayrollPeriod.status == PeriodStatus.OPEN,
            PayrollPeriod.ends_on < row.starts_on,
        )
    ).first()
    if earlier_open is not None:
        raise ValidationFailed(
            {
                "period": f"Lock the payroll of {day_text(earlier_open.starts_on)} to "
                f"{day_text(earlier_open.ends_on)} first."
            }
        )
    view = _view(db, studio_id, day, notes=True)
    db.exec(delete(Payout).where(col(Payout.period_id) == row.id))
    for line in view.lines:
        db.add(
            Payout(
                studio_id=studio_id,
                period_id=row_id(row),
                performer_id=line.performer_id,
                gross_cents=line.gross_cents,
                model_share_cents=line.model_share_cents,
                studio_share_cents=line.studio_share_cents,
                adjustments_cents=line.adjustments_cents,
                net_cents=line.net_cents,
                payout_currency=view.payout_currency,
                fx_rate=view.fx_rate,
                net_payout=line.net_payout,
                split=line.split[:200],
                lines=json.dumps([p.__dict__ for p in line.platforms]),
            )
        )
    row.status, row.locked_at, row.locked_by_id = PeriodStatus.LOCKED, utcnow(), actor.user_id
    db.add(row)
    db.flush()
    audit.record_by(db, actor, "payroll.locked", f"{row.starts_on} to {row.ends_on}", f"net {view.net_cents}")
    return _view(db, studio_id, day, notes=True)


def mark_paid(db: Session, actor: Actor, day: date) -> PayrollView:
    studio_id = require(actor, Cap.PAYROLL)
    _, row = _period(db, studio_id, day)
    if row is None or row.status == PeriodStatus.OPEN:
        raise ValidationFailed({"period": "Lock the payroll before marking it paid."})
    if row.status == PeriodStatus.PAID:
        raise ValidationFailed({"period": "This payroll is already marked paid."})
    row.status, row.paid_at, row.paid_by_id = PeriodStatus.PAID, utcnow(), actor.user_id
    db.add(row)
    db.flush()
    audit.record_by(db, actor, "payroll.paid", f"{row.starts_on} to {row.ends_on}")
    return _view(db, studio_id, day, notes=True)


def set_tiers(
    db: Session, actor: Actor, performer_id: int | None, tiers: list[tuple[str, str]]
) -> list[Tier]:
    """Replace the studio's (performer_id None) or one model's tiers: (from USD, percent) pairs.
    An empty list removes them (back to the flat split)."""
    studio_id = require(actor, Cap.PAYROLL)
    if performer_id is not None:
        performer = db.get(Performer, performer_id)
        if performer is None or performer.studio_id != studio_id:
            raise NotFound()
    parsed: list[Tier] = []
    errors: dict[str, str] = {}
    for i, (start, percent) in enumerate(tiers):
        try:
            cents = parse_amount_cents(start or "0", "The threshold", allow_zero=True)
        except ValueError as exc:
            errors[f"from_{i}"] = str(exc)
            continue
        try:
            value = Decimal((percent or "").strip().rstrip("%").strip())
            if not value.is_finite() or not 0 <= value <= 100:
                raise InvalidOperation
        except InvalidOperation:
            errors[f"percent_{i}"] = "A share is a percentage between 0 and 100."
            continue
        parsed.append(Tier(cents, value.quantize(Decimal("0.01"))))
    if parsed and parsed[0].from_cents != 0:
        errors["from_0"] = "The first tier starts at 0."
    starts = [t.from_cents for t in parsed]
    if len(set(starts)) != len(starts) or starts != sorted(starts):
        errors["tiers"] = "Each tier starts above the one before it."
    if errors:
        raise ValidationFailed(errors)
    where = [col(PayTier.studio_id) == studio_id]
    where.append(
        col(PayTier.performer_id) == performer_id
        if performer_id is not None
        else col(PayTier.performer_id).is_(None)
    )
    db.exec(delete(PayTier).where(*where))
    for tier in parsed:
        db.add(
            PayTier(
                studio_id=studio_id,
                performer_id=performer_id,
                from_cents=tier.from_cents,
                percent=tier.percent,
            )
        )
    db.flush()
    return parsed


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Statement:
    studio_name: str
    stage_name: str
    starts_on: date
    ends_on: date
    status: str
    line: PayLine
    payout_currency: str
    fx_rate: Decimal


def statement(db: Session, actor: Actor, day: date, performer_id: int) -> Statement:
    """One model's payout statement: staff with payroll or earnings access for any model of the
    studio, a model for herself only (anyone else's id is not found)."""
    studio_id, own = viewer_scope(db, actor)
    if own is not None and own != performer_id:
        raise NotFound()
    performer = db.get(Performer, performer_id)
    if performer is None or performer.studio_id != studio_id:
        raise NotFound()
    view = _view(
        db, studio_id, day, notes=actor.can(Cap.PAYROLL) or own is not None, performer_id=performer_id
    )
    studio = db.get(Studio, studio_id)
    line = next((line for line in view.lines if line.performer_id == performer_id), None)
    if line is None:
        line = PayLine(performer_id, performer.stage_name, [], 0, 0, 0, 0, 0, Decimal(0), "", [], 0)
    return Statement(
        studio.name if studio else "",
        performer.stage_name,
        view.starts_on,
        view.ends_on,
        view.status,
        line,
        view.payout_currency,
        view.fx_rate,
    )


def statements(db: Session, actor: Actor, day: date) -> list[Statement]:
    """Every model's statement of a period (the owner's ZIP)."""
    require(actor, Cap.PAYROLL)
    view = payroll(db, actor, day)
    return [statement(db, actor, day, line.performer_id) for line in view.lines]
