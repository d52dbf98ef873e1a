"""What a platform's token is worth to the studio, from which day on.

The built-in values are what each platform says it pays a broadcaster per token, in USD, as
published in its model / broadcaster FAQ when this was written (2026):

- Chaturbate: $0.05 per token (chaturbate.com, Broadcaster FAQ, "How much is a token worth?").
- Stripchat: $0.05 per token (stripchat.com/models, model FAQ: "1 token = $0.05").
- CamSoda: $0.05 per token (camsoda.com/model-signup, "$0.05 per token").
- MyFreeCams: $0.05 per token (profiles.myfreecams.com/model-faq, "Each token is worth $0.05").
- BongaCams: $0.025 per token (bongacash.com / BongaModels FAQ: models receive 50 % of the
  $0.05 a member pays for a token).

Platforms change these, and studios negotiate their own, so a studio sets its own value from a
day on and that wins over the built-in one. LiveJasmin, Streamate and Flirt4Free report money
(USD) rather than tokens, so they have no token value. A change never reaches into a locked pay
period: the new value must start after the last locked day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from studioos.models import TokenRate, row_id
from studioos.services import audit
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.pay_periods import locked_until
from studioos.services.permissions import Actor, Cap, require
from studioos.services.platforms import list_platforms

BUILTIN_SINCE = date(2000, 1, 1)
DEFAULT_USD_PER_TOKEN: dict[str, Decimal] = {
    "Chaturbate": Decimal("0.05"),
    "Stripchat": Decimal("0.05"),
    "CamSoda": Decimal("0.05"),
    "MyFreeCams": Decimal("0.05"),
    "BongaCams": Decimal("0.025"),
}
MONEY_PLATFORMS: frozenset[str] = frozenset({"LiveJasmin", "Streamate", "Flirt4Free"})
MAX_RATE = Decimal("10")


@dataclass(frozen=True)
class RateRow:
    id: int  # 0 for a built-in value
    platform: str
    effective_from: date | None  # None: built-in, from the start
    usd_per_token: Decimal
    builtin: bool


@dataclass(frozen=True)
class RateBook:
    """A studio's token values, for looking up many days at once without a query each."""

    by_platform: dict[str, list[tuple[date, Decimal]]]  # each list sorted by day, newest last

    def on(self, platform: str, day: date) -> Decimal | None:
        found: Decimal | None = None
        for since, value in self.by_platform.get(platform, ()):
            if since <= day:
                found = value
            else:
                break
        return found


def rate_book(db: Session, studio_id: int) -> RateBook:
    book: dict[str, list[tuple[date, Decimal]]] = {
        p: [(BUILTIN_SINCE, v)] for p, v in DEFAULT_USD_PER_TOKEN.items()
    }
    for rate in db.exec(
        select(TokenRate).where(TokenRate.studio_id == studio_id).order_by(col(TokenRate.effective_from))
    ):
        book.setdefault(rate.platform, []).append((rate.effective_from, Decimal(rate.usd_per_token)))
    for values in book.values():
        values.sort(key=lambda item: item[0])
    return RateBook(book)


def list_rates(db: Session, actor: Actor) -> list[RateRow]:
    studio_id = require(actor, Cap.EARNINGS_VIEW)
    rows = [RateRow(0, p, None, v, True) for p, v in DEFAULT_USD_PER_TOKEN.items()]
    rows += [
        RateRow(row_id(r), r.platform, r.effective_from, Decimal(r.usd_per_token), False)
        for r in db.exec(
            select(TokenRate)
            .where(TokenRate.studio_id == studio_id)
            .order_by(col(TokenRate.platform), col(TokenRate.effective_from))
        )
    ]
    return sorted(rows, key=lambda r: (r.platform, r.effective_from or BUILTIN_SINCE))


def parse_rate(raw: str) -> Decimal:
    text = (raw or "").strip().replace("$", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"'{raw}' is not an amount: write it like 0.05.") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError("A token is worth more than 0.")
    if value > MAX_RATE:
        raise ValueError(f"A token is worth at most {MAX_RATE} USD.")
    if value != value.quantize(Decimal("0.00001")):
        raise ValueError("Use at most five decimals (for example 0.04375).")
    return value


def set_rate(db: Session, actor: Actor, platform: str, effective_from: date, usd_per_token: str) -> RateRow:
    studio_id = require(actor, Cap.PAYROLL)
    errors: dict[str, str] = {}
    if platform in MONEY_PLATFORMS:
        errors["platform"] = f"{platform} reports money, not tokens: it has no token value."
    elif platform not in list_platforms(db, actor):
        errors["platform"] = "Choose a platform from the list."
    try:
        value = parse_rate(usd_per_token)
    except ValueError as exc:
        errors["usd_per_token"] = str(exc)
    frozen = locked_until(db, studio_id)
    if frozen is not None and effective_from <= frozen:
        errors["effective_from"] = (
            f"Payroll is locked up to {day_text(frozen)}: a new value can start on "
            f"{day_text(frozen + timedelta(days=1))} at the earliest."
        )
    if errors:
        raise ValidationFailed(errors)
    row = db.exec(
        select(TokenRate).where(
            TokenRate.studio_id == studio_id,
            TokenRate.platform == platform,
            TokenRate.effective_from == effective_from,
        )
    ).first() or TokenRate(
        studio_id=studio_id, platform=platform, effective_from=effective_from, usd_per_token=value
    )
    row.usd_per_token = value
    db.add(row)
    db.flush()
    audit.record_by(
        db, actor, "rates.set", platform, f"{value} USD per token from {effective_from.isoformat()}"
    )
    return RateRow(row_id(row), platform, effective_from, value, False)


def delete_rate(db: Session, actor: Actor, rate_id: int) -> None:
    studio_id = require(actor, Cap.PAYROLL)
    row = db.get(TokenRate, rate_id)
    if row is None or row.studio_id != studio_id:
        raise NotFound()
    frozen = locked_until(db, studio_id)
    if frozen is not None and row.effective_from <= frozen:
        raise ValidationFailed(
            {"rate": f"This value was used by payroll locked up to {day_text(frozen)}: it stays."}
        )
    db.delete(row)
    audit.record_by(db, actor, "rates.delete", row.platform, row.effective_from.isoformat())
    db.flush()
