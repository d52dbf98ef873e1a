"""Model payouts and the studio's share over any range of days.

Payroll shares a model's gross per pay period, and not in proportion (marginal tiers: 50 % of
the first 1,000 USD of a period, 60 % above), so a share over an arbitrary range is defined from
the periods it touches. For each model and each pay period that overlaps the range:

- her share of the period is what payroll gives her: the frozen `Payout` of a locked or paid
  period (so a split changed since does not rewrite it), else her share of the period's whole
  gross by her tiers or split now, exactly as the open payroll computes it;
- her payout in the range is that share when the whole period lies in the range (and no platform
  or room filter narrows it): payroll's cents exactly; otherwise the share times the part of the
  period's gross that falls in the range (and in the filters) over the period's whole gross,
  rounded half-up to the cent once per model and period.

Model payouts are the sum of those; the studio's share is the gross minus model payouts, so the
two always add up to the gross. Adjustments (bonuses, advances, deductions) are cash between the
studio and a model, not a share of earnings: they are left out, as in payroll's two shares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from sqlmodel import Session, col, select

from studioos.models import Payout, PayrollPeriod, Performer, PeriodStatus
from studioos.services.analytics_sql import MILLI
from studioos.services.earnings import round_cents
from studioos.services.pay_periods import Period
from studioos.services.payroll import Tier, _tier_book, model_share


def periods_between(period_of: Callable[[date], Period], first: date, last: date) -> list[Period]:
    """The pay periods that cover first..last, in order."""
    out: list[Period] = []
    day = first
    while day <= last:
        found = period_of(day)
        out.append(found)
        day = found.ends_on + timedelta(days=1)
    return out


def tag_periods(days: pd.Series, periods: list[Period]) -> np.ndarray:
    """The index in `periods` of each day (datetime64 values)."""
    starts = np.array([np.datetime64(p.starts_on, "ns") for p in periods])
    found: np.ndarray = np.searchsorted(starts, days.to_numpy(dtype="datetime64[ns]"), side="right") - 1
    return found


def _frozen(
    db: Session, studio_id: int, performer_id: int | None, first: date, last: date
) -> dict[tuple[date, int], tuple[int, int]]:
    """(period start, model) -> (her share, gross) as locked, for the locked periods in the window."""
    where = [
        col(PayrollPeriod.studio_id) == studio_id,
        col(PayrollPeriod.status).in_([PeriodStatus.LOCKED, PeriodStatus.PAID]),
        col(PayrollPeriod.starts_on) <= last,
        col(PayrollPeriod.ends_on) >= first,
    ]
    if performer_id is not None:
        where.append(col(Payout.performer_id) == performer_id)
    rows = db.exec(
        select(  # type: ignore[call-overload]
            PayrollPeriod.starts_on, Payout.performer_id, Payout.model_share_cents, Payout.gross_cents
        )
        .join(Payout, col(Payout.period_id) == PayrollPeriod.id)
        .where(*where)
    ).all()
    return {(start, pid): (share, gross) for start, pid, share, gross in rows}


def _tiers_of(db: Session, studio_id: int, ids: set[int]) -> dict[int, list[Tier]]:
    """Each model's tiers as payroll picks them (payroll._tiers): her own, else the studio's, else
    her flat split."""
    book = _tier_book(db, studio_id)
    splits: dict[int, Decimal] = {
        int(pid or 0): Decimal(split)
        for pid, split in db.exec(
            select(col(Performer.id), col(Performer.payout_split)).where(
                Performer.studio_id == studio_id, col(Performer.id).in_(sorted(ids))
            )
        ).all()
    }
    return {pid: book.get(pid) or book.get(None) or [Tier(0, splits.get(pid, Decimal(0)))] for pid in ids}


def _cents(millicents: int) -> Decimal:
    return Decimal(millicents) / MILLI


def payouts(
    db: Session,
    studio_id: int,
    performer_id: int | None,
    whole: pd.DataFrame,
    scoped: pd.DataFrame,
    windows: list[tuple[date, date]],
    periods: list[Period],
) -> list[dict[int, int]]:
    """Per window, each model's payout in cents (the module's rule).

    whole: per model and day (datetime64) the counted milli-cents over every platform and room,
        covering `periods` entirely; scoped: the same under the page's filters.
    """
    if scoped.empty:
        return [{} for _ in windows]
    whole = whole.assign(period=tag_periods(whole["day"], periods))
    scoped = scoped.assign(period=tag_periods(scoped["day"], periods))
    period_gross = whole.groupby(["performer_id", "period"])["value_mc"].sum().to_dict()
    frozen = _frozen(db, studio_id, performer_id, periods[0].starts_on, periods[-1].ends_on)
    tiers = _tiers_of(db, studio_id, {int(p) for p in scoped["performer_id"].unique()})
    out: list[dict[int, int]] = []
    for first, last in windows:
        inside = scoped[(scoped["day"] >= pd.Timestamp(first)) & (scoped["day"] <= pd.Timestamp(last))]
        parts = inside.groupby(["performer_id", "period"])["value_mc"].sum()
        pay: dict[int, int] = defaultdict(int)
        for (pid_raw, index_raw), part_raw in parts.items():
            pid, index, part = int(pid_raw), int(index_raw), int(part_raw)
            period = periods[index]
            gross = int(period_gross.get((pid_raw, index_raw), 0))
            whole_period = first <= period.starts_on and period.ends_on <= last and part == gross
            locked = frozen.get((period.starts_on, pid))
            if locked is not None:
                share_cents, gross_cents = locked
                if whole_period:
                    pay[pid] += share_cents
                elif gross_cents:
                    pay[pid] += round_cents(Decimal(share_cents) * _cents(part) / gross_cents)
                continue
            share = model_share(_cents(gross), tiers[pid])
            if whole_period:
                pay[pid] += round_cents(share)
            elif gross:
                pay[pid] += round_cents(share * part / gross)
            else:
                # The period nets to nothing (refunds) while this part does not: her split of it.
                pay[pid] += round_cents(model_share(_cents(part), tiers[pid]))
        out.append(dict(pay))
    return out
