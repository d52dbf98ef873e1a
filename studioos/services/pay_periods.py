"""Pay periods: which days a studio pays together, and which of them are locked.

A period is a run of studio-local calendar days. Its kind is a studio setting (weekly, biweekly,
semi-monthly or monthly). A payroll that has been locked freezes its days: no earning on them may
be entered, changed, imported or undone, and no token rate may change under them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from studioos.models import PayPeriodKind, PayrollPeriod, PayrollSettings, PeriodStatus
from studioos.services import audit
from studioos.services.errors import ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.validation import clean_currency

KIND_LABELS: dict[str, str] = {
    PayPeriodKind.WEEKLY: "Weekly (Monday to Sunday)",
    PayPeriodKind.BIWEEKLY: "Every two weeks",
    PayPeriodKind.SEMI_MONTHLY: "Twice a month (1st-15th, 16th-end)",
    PayPeriodKind.MONTHLY: "Monthly",
}


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.starts_on <= day <= self.ends_on

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class PeriodRule:
    kind: str
    anchor: date  # a Monday: where biweekly periods start

    def containing(self, day: date) -> Period:
        if self.kind == PayPeriodKind.WEEKLY:
            start = day - timedelta(days=day.weekday())
            return Period(start, start + timedelta(days=6))
        if self.kind == PayPeriodKind.BIWEEKLY:
            start = self.anchor + timedelta(days=((day - self.anchor).days // 14) * 14)
            return Period(start, start + timedelta(days=13))
        last = calendar.monthrange(day.year, day.month)[1]
        if self.kind == PayPeriodKind.SEMI_MONTHLY:
            if day.day <= 15:
                return Period(day.replace(day=1), day.replace(day=15))
            return Period(day.replace(day=16), day.replace(day=last))
        return Period(day.replace(day=1), day.replace(day=last))

    def previous(self, period: Period) -> Period:
        return self.containing(period.starts_on - timedelta(days=1))

    def following(self, period: Period) -> Period:
        return self.containing(period.ends_on + timedelta(days=1))


@dataclass(frozen=True)
class PayrollSettingsView:
    pay_period: str
    period_anchor: date
    payout_currency: str


def settings_row(db: Session, studio_id: int) -> PayrollSettings:
    found = db.get(PayrollSettings, studio_id)
    return found if found is not None else PayrollSettings(studio_id=studio_id)


def rule_for(db: Session, studio_id: int) -> PeriodRule:
    row = settings_row(db, studio_id)
    return PeriodRule(row.pay_period, row.period_anchor)


def get_settings(db: Session, actor: Actor) -> PayrollSettingsView:
    studio_id = require_studio(actor)
    row = settings_row(db, studio_id)
    return PayrollSettingsView(row.pay_period, row.period_anchor, row.payout_currency)


def update_settings(
    db: Session, actor: Actor, pay_period: str, payout_currency: str, anchor: date | None = None
) -> PayrollSettingsView:
    studio_id = require(actor, Cap.PAYROLL)
    errors: dict[str, str] = {}
    if pay_period not in KIND_LABELS:
        errors["pay_period"] = "Choose how often the studio pays its models."
    try:
        currency = clean_currency(payout_currency)
    except ValueError as exc:
        errors["payout_currency"] = str(exc)
    if anchor is not None and anchor.weekday() != 0:
        errors["period_anchor"] = "Two-week periods start on a Monday."
    if errors:
        raise ValidationFailed(errors)
    row = db.get(PayrollSettings, studio_id) or PayrollSettings(studio_id=studio_id)
    changed = row.pay_period != pay_period or (anchor is not None and anchor != row.period_anchor)
    if changed and _locked_or_open_runs(db, studio_id):
        # Periods already run keep their days; a new kind applies from the day after the last one.
        last = latest_run_end(db, studio_id)
        rule = PeriodRule(pay_period, anchor or row.period_anchor)
        if last is not None and rule.containing(last + timedelta(days=1)).starts_on != last + timedelta(
            days=1
        ):
            raise ValidationFailed(
                {
                    "pay_period": "The new periods must start right after the last payroll, which ends on "
                    f"{day_text(last)}: choose a kind (or a two-week start) whose period starts on "
                    f"{day_text(last + timedelta(days=1))}."
                }
            )
    row.pay_period = pay_period
    row.payout_currency = currency
    if anchor is not None:
        row.period_anchor = anchor
    db.add(row)
    audit.record_by(db, actor, "payroll.settings", detail=f"{pay_period}, {currency}")
    db.flush()
    return PayrollSettingsView(row.pay_period, row.period_anchor, row.payout_currency)


def _locked_or_open_runs(db: Session, studio_id: int) -> bool:
    return (
        db.exec(select(PayrollPeriod.id).where(PayrollPeriod.studio_id == studio_id).limit(1)).first()
        is not None
    )


def latest_run_end(db: Session, studio_id: int) -> date | None:
    return db.exec(
        select(col(PayrollPeriod.ends_on))
        .where(PayrollPeriod.studio_id == studio_id)
        .order_by(col(PayrollPeriod.ends_on).desc())
        .limit(1)
    ).first()


def locked_until(db: Session, studio_id: int) -> date | None:
    """The last day of the latest locked (or paid) payroll: nothing on or before it may change."""
    return db.exec(
        select(col(PayrollPeriod.ends_on))
        .where(
            PayrollPeriod.studio_id == studio_id,
            col(PayrollPeriod.status).in_([PeriodStatus.LOCKED, PeriodStatus.PAID]),
        )
        .order_by(col(PayrollPeriod.ends_on).desc())
        .limit(1)
    ).first()


def locked_period_of(db: Session, studio_id: int, day: date) -> PayrollPeriod | None:
    return db.exec(
        select(PayrollPeriod).where(
            PayrollPeriod.studio_id == studio_id,
            col(PayrollPeriod.status).in_([PeriodStatus.LOCKED, PeriodStatus.PAID]),
            PayrollPeriod.starts_on <= day,
            PayrollPeriod.ends_on >= day,
        )
    ).first()


def locked_message(period: PayrollPeriod) -> str:
    word = "paid" if period.status == PeriodStatus.PAID else "locked"
    return (
        f"The payroll of {day_text(period.starts_on)} to {day_text(period.ends_on)} is {word}: "
        "its earnings can no longer change."
    )


def check_open(db: Session, studio_id: int, day: date, field: str = "day") -> None:
    """Refuse a change to an earning on `day` when its payroll is locked or paid."""
    period = locked_period_of(db, studio_id, day)
    if period is not None:
        raise ValidationFailed({field: locked_message(period)}, locked_message(period))
