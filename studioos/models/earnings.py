"""Money in: earnings records, imports, token rates, members, pay periods and payroll.

Tokens are integers and money is integer cents (USD, what the platforms pay in); a rate per token
and a payout exchange rate are Decimals. Days are studio-local calendar days, instants are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from studioos.crypto import EncryptedString
from studioos.models.types import utc_field


class PayPeriodKind(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    SEMI_MONTHLY = "semi_monthly"  # 1st-15th and 16th-end of month, usual in Colombia
    MONTHLY = "monthly"


class PayrollSettings(SQLModel, table=True):
    """A studio's pay period and payout currency (a row appears the first time one is changed)."""

    studio_id: int = Field(foreign_key="studio.id", primary_key=True, ondelete="CASCADE")
    pay_period: str = Field(default=PayPeriodKind.SEMI_MONTHLY, max_length=16)
    # Biweekly periods run 14 days from this Monday (and every 14 days before and after it).
    period_anchor: date = Field(default=date(2024, 1, 1))
    payout_currency: str = Field(default="USD", max_length=3)


class TokenRate(SQLModel, table=True):
    """A studio's own value of a platform's token from a day on (the built-in defaults are in
    studioos.services.rates)."""

    __table_args__ = (UniqueConstraint("studio_id", "platform", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    platform: str = Field(max_length=60)
    effective_from: date
    usd_per_token: Decimal = Field(sa_type=Numeric(10, 5))
    created_at: datetime = utc_field(default_now=True)


class BatchStatus(StrEnum):
    LANDED = "landed"
    UNDONE = "undone"


class ImportBatch(SQLModel, table=True):
    """One confirmed import of one file: what was read, landed, skipped and refused."""

    __table_args__ = (Index("ix_importbatch_studio_hash", "studio_id", "file_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    format: str = Field(max_length=40)
    filename: str = Field(default="", max_length=255)
    file_hash: str = Field(max_length=64)
    # The account a one-account file (a Chaturbate token history) was imported into.
    account_id: int | None = Field(default=None, foreign_key="platformaccount.id", ondelete="SET NULL")
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    rows_read: int = 0
    rows_landed: int = 0
    rows_duplicate: int = 0
    rows_refused: int = 0
    # The refused rows as JSON [{"line": n, "reason": "..."}]: the batch's report stays readable.
    refusals: str = Field(default="[]", sa_type=Text)
    status: str = Field(default=BatchStatus.LANDED, max_length=16)
    created_at: datetime = utc_field(default_now=True)
    undone_at: datetime | None = utc_field(nullable=True)


class Member(SQLModel, table=True):
    """A tipper on a platform (the trade's word: member). Tags are the studio's own labels."""

    __table_args__ = (UniqueConstraint("studio_id", "platform", "handle_key"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    platform: str = Field(max_length=60)
    handle: str = Field(max_length=120)
    handle_key: str = Field(max_length=120)
    tags: str = Field(default="", max_length=500)  # comma-separated
    created_at: datetime = utc_field(default_now=True)


class MemberTotal(SQLModel, table=True):
    """What a member gave one model, kept up to date by imports and undos."""

    member_id: int = Field(foreign_key="member.id", primary_key=True, ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", primary_key=True, ondelete="CASCADE")
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    tokens: int = 0
    tips: int = 0
    first_tip_at: datetime | None = utc_field(nullable=True)
    last_tip_at: datetime | None = utc_field(nullable=True)


class MemberNote(SQLModel, table=True):
    """A note about a member, as private as a model's legal identity: encrypted at rest."""

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    body: str = Field(sa_type=EncryptedString)
    created_at: datetime = utc_field(default_now=True)


class RecordKind(StrEnum):
    LEDGER = "ledger"
    DAILY = "daily"


class RecordSource(StrEnum):
    MANUAL = "manual"
    IMPORT = "import"


class EarningRecord(SQLModel, table=True):
    """One ledger entry (a tip, a show, a refund...) or one day's figure, on one platform account."""

    __table_args__ = (
        UniqueConstraint("account_id", "natural_key"),
        Index("ix_earning_studio_day", "studio_id", "day"),
        Index("ix_earning_performer_day", "performer_id", "day"),
        # The counting rule asks, for each record, whether its account has ledger entries that day.
        Index("ix_earning_account_day", "account_id", "day", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", ondelete="CASCADE")
    account_id: int = Field(foreign_key="platformaccount.id", ondelete="CASCADE")
    platform: str = Field(max_length=60)
    kind: str = Field(max_length=8)
    # The studio-local day the record counts on: a ledger entry's local date, a figure's day (or
    # the last day of the period it covers, from `period_start`).
    day: date
    period_start: date | None = None
    occurred_at: datetime | None = utc_field(nullable=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True, ondelete="SET NULL")
    entry_type: str | None = Field(default=None, max_length=16)
    tokens: int = 0
    usd_cents: int = 0
    online_minutes: int = 0
    note: str = Field(default="", max_length=500)
    source: str = Field(max_length=8)
    batch_id: int | None = Field(default=None, foreign_key="importbatch.id", index=True, ondelete="CASCADE")
    source_line: int | None = None
    natural_key: str = Field(max_length=120)
    # Manual entry of the pay period's running total: the total as read, so the next entry can
    # store its own difference; and a lower total than the last one only as a correction.
    running_tokens: int | None = None
    running_cents: int | None = None
    correction_reason: str = Field(default="", max_length=300)
    entered_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class PeriodStatus(StrEnum):
    OPEN = "open"
    LOCKED = "locked"
    PAID = "paid"


class PayrollPeriod(SQLModel, table=True):
    """A pay period's payroll: open while numbers may change, then locked (frozen), then paid."""

    __table_args__ = (UniqueConstraint("studio_id", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    starts_on: date
    ends_on: date
    status: str = Field(default=PeriodStatus.OPEN, max_length=8)
    payout_currency: str = Field(default="USD", max_length=3)
    # Units of the payout currency for one US dollar, as entered for the period.
    fx_rate: Decimal = Field(default=Decimal(1), sa_type=Numeric(18, 6))
    locked_at: datetime | None = utc_field(nullable=True)
    locked_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    paid_at: datetime | None = utc_field(nullable=True)
    paid_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = utc_field(default_now=True)


class PayTier(SQLModel, table=True):
    """A step of a tiered split: from `from_cents` of a period's gross up, the model's share is
    `percent` (marginal, like tax brackets). A model's own tiers replace the studio's."""

    __table_args__ = (UniqueConstraint("studio_id", "performer_id", "from_cents"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    performer_id: int | None = Field(default=None, foreign_key="performer.id", ondelete="CASCADE")
    from_cents: int = 0
    percent: Decimal = Field(sa_type=Numeric(5, 2))


class AdjustmentKind(StrEnum):
    BONUS = "bonus"
    ADVANCE = "advance"
    REPAYMENT = "repayment"  # of an earlier advance
    DEDUCTION = "deduction"
    HOLD = "hold"  # a platform hold or chargeback passed on


class PayrollAdjustment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    period_id: int = Field(foreign_key="payrollperiod.id", index=True, ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    amount_cents: int  # positive; the kind says which way it goes
    note: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = utc_field(default_now=True)


class Payout(SQLModel, table=True):
    """A model's pay for a locked period, frozen when it was locked."""

    __table_args__ = (UniqueConstraint("period_id", "performer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    period_id: int = Field(foreign_key="payrollperiod.id", ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", index=True, ondelete="CASCADE")
    gross_cents: int
    model_share_cents: int
    studio_share_cents: int
    adjustments_cents: int
    net_cents: int
    payout_currency: str = Field(max_length=3)
    fx_rate: Decimal = Field(sa_type=Numeric(18, 6))
    net_payout: Decimal = Field(sa_type=Numeric(18, 2))  # in the payout currency
    split: str = Field(max_length=200)  # how the share was worked out, as the statement says it
    # The per-platform lines, as JSON: [{"platform", "tokens", "usd_cents", "rate", "gross_cents"}].
    lines: str = Field(default="[]", sa_type=Text)
