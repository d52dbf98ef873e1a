"""Demo data for the money side: five months of earnings, members, and a paid payroll.

Called by `studioos seed-demo` after demo_schedule, so the models, their platform accounts and
their shifts exist. Deterministic (seeded by the studio id) and fast. Everything goes in the way a
studio's data does, through the services the pages use, so the demo can't hold what the app would
never write:

- each month's platform reports (Stripchat and BongaCams earnings by model, the StudioOS template
  for Chaturbate, LiveJasmin and the rest) and two models' Chaturbate token histories are written
  as the CSV files a studio exports, and land through `imports.confirm` (which also files the
  members and their totals);
- the current pay period so far is entered by hand, day by day (`earnings.enter_day`);
- the period before it gets a bonus, an advance repaid and an exchange rate to COP, and is locked
  and marked paid; the current one stays open, with an advance.

A model earns on the days she worked: her shifts where the schedule has them, and before its first
day the same rotation run backwards.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from studioos.models import (
    AdjustmentKind,
    EarningRecord,
    Member,
    MemberTotal,
    Performer,
    PerformerStatus,
    PlatformAccount,
    Shift,
    row_id,
    utcnow,
)
from studioos.services import audit, demo_schedule, earnings, imports, payroll
from studioos.services.pay_periods import Period, rule_for
from studioos.services.permissions import Actor
from studioos.services.rates import MONEY_PLATFORMS
from studioos.services.shifts import local_span, studio_zone, to_utc

MONTHS_BACK = 5
# The token histories (tips, shows, a refund, a chargeback) are these models' Chaturbate accounts;
# the first is the one the demo model signs in as.
LEDGER_MODELS = ("Amber Skye", "Hana Blue")
# Accounts the token histories and assets/samples/ name. demo_schedule draws each model's platforms
# at random (seeded by the studio id), so a draw that left one out gets it here.
NEEDED_ACCOUNTS = (
    ("Amber Skye", "Chaturbate"),
    ("Amber Skye", "Stripchat"),
    ("Hana Blue", "Chaturbate"),
    ("Hana Blue", "Stripchat"),
    ("Jade Nyx", "Stripchat"),
    ("Bianca Rose", "BongaCams"),
    ("Bianca Rose", "LiveJasmin"),
    ("Elena Fox", "BongaCams"),
    ("Gina Star", "BongaCams"),
    ("Iris Vale", "BongaCams"),
    ("Freya Lux", "LiveJasmin"),
    ("Cleo Moon", "Chaturbate"),
)
# The days assets/samples/ hold. The seed leaves them empty on the accounts above, so trying a
# sample on the demo lands its rows instead of finding them "already in".
SAMPLE_DAYS = frozenset({date(2026, 9, 14), date(2026, 9, 15), date(2026, 9, 16)})
# A typical shift's takings: tokens, or US cents on LiveJasmin (it reports money).
TYPICAL_SHIFT = {
    "Chaturbate": 1900,
    "Stripchat": 1600,
    "BongaCams": 2800,  # worth half a Chaturbate token
    "MyFreeCams": 1300,
    "CamSoda": 900,
    "LiveJasmin": 9_500,
}
EXCHANGE = ("COP", "4000.50")
TIP_SIZES = (1, 2, 5, 10, 11, 15, 20, 25, 30, 33, 35, 44, 50, 55, 66, 69, 77, 88, 99, 100, 111, 150, 200,
             222, 250, 333, 500, 1000)  # fmt: skip
TIP_WEIGHTS = (3, 2, 8, 14, 3, 8, 8, 9, 3, 3, 3, 2, 7, 2, 2, 3, 2, 2, 2, 5, 2, 2, 2, 1, 1, 1, 1, 0.3)  # fmt: skip
TIP_NOTES = ("", "", "", "", "", "hi!", "love the outfit", "for the song", "good night ❤", "tip menu: dance",
             "you are amazing", "from Texas 🤠", "happy birthday!!", "spin the wheel", "ty for the show")  # fmt: skip
MEMBER_WORDS = (
    ("silent", "night", "blue", "lucky", "dark", "velvet", "happy", "lonely", "red", "big", "quiet",
     "wild", "gentle", "mister", "captain", "cosmic", "urban", "old", "salty", "sunny"),
    ("owl", "rider", "wolf", "jay", "fan", "storm", "tiger", "traveler", "dreamer", "knight", "bear",
     "fox", "sailor", "drifter", "poet", "hawk", "viking", "ghost", "panda", "coyote"),
)  # fmt: skip
REGULARS = ("tokenking77", "velvet_owl", "mike_in_ohio", "djtravel", "quietfan", "nightcrawler_22",
            "marco_polo1", "bluejay_88", "sweden_sven", "rich_uncle_bob")  # fmt: skip


@dataclass(frozen=True)
class EarningsSummary:
    records: int
    members: int
    batches: int
    paid_period: Period | None


@dataclass(frozen=True)
class _Shift:
    starts_at: datetime  # UTC
    minutes: int


def seed(db: Session, studio_id: int, owner_user_id: int, today: date) -> EarningsSummary:
    """Fill a studio's earnings and payroll; does nothing if it already has earnings or no models."""
    if db.exec(select(EarningRecord.id).where(EarningRecord.studio_id == studio_id)).first() is not None:
        return EarningsSummary(0, 0, 0, None)
    models = list(
        db.exec(select(Performer).where(Performer.studio_id == studio_id).order_by(col(Performer.id)))
    )
    if not models:
        return EarningsSummary(0, 0, 0, None)
    rng = random.Random(studio_id)
    actor = imports.command_line_actor(db, studio_id)
    accounts = _accounts(db, studio_id, models)
    first = _months_before(today, MONTHS_BACK)
    rule = rule_for(db, studio_id)
    current = rule.containing(today)
    locked = rule.previous(current)
    worked = _work_days(db, studio_id, models, first, today - timedelta(days=1))
    names = {row_id(m): m.stage_name for m in models}
    stars = {row_id(m): rng.uniform(0.55, 1.6) for m in models}
    sample_accounts = {(n, p) for n, p in NEEDED_ACCOUNTS}

    daily: list[tuple[PlatformAccount, date, int, int]] = []  # (account, day, tokens or cents, minutes)
    ledgers: dict[int, list[_LedgerLine]] = {}
    span = max(1, (today - first).days)
    for account in accounts:
        pid = account.performer_id
        skip = SAMPLE_DAYS if (names[pid], account.platform) in sample_accounts else frozenset()
        ledger = account.platform == "Chaturbate" and names[pid] in LEDGER_MODELS
        lines: list[_LedgerLine] = []
        for day, shift in sorted(worked.get(pid, {}).items()):
            if day in skip:
                continue
            trend = 0.9 + 0.2 * (day - first).days / span
            weekend = 1.15 if day.weekday() in (4, 5) else 1.0
            amount = TYPICAL_SHIFT[account.platform] * stars[pid] * trend * weekend
            amount *= rng.lognormvariate(0, 0.3)
            if ledger:
                lines += _shift_ledger(rng, shift, int(amount))
            else:
                daily.append((account, day, max(1, int(amount)), max(30, shift.minutes - rng.randint(0, 25))))
        if ledger:
            ledgers[row_id(account)] = _with_refunds(rng, lines, chargeback=names[pid] == LEDGER_MODELS[0])

    now = utcnow()
    batches = 0
    for account_id, lines in ledgers.items():
        account = next(a for a in accounts if a.id == account_id)
        for month, rows in _by_month(
            [line for line in lines if line.at <= now and _local_day(line.at, actor) not in skip_of(account)],
            lambda line: _local_day(line.at, actor),
        ):
            imports.confirm(
                db,
                actor,
                _ledger_csv(rows),
                filename=f"{account.handle_key}-chaturbate-token-history-{month}.csv",
                account_id=account_id,
            )
            batches += 1
    reported = [d for d in daily if d[1] <= locked.ends_on]
    for month, rows in _by_month(reported, lambda d: d[1]):
        for name, build in (
            ("stripchat-earnings", _stripchat_csv),
            ("bongacams-earnings", _bongacams_csv),
            ("studioos-template", _template_csv),
        ):
            data = build(rows)
            if data is not None:
                imports.confirm(db, actor, data, filename=f"{name}-{month}.csv")
                batches += 1
    for account, day, amount, minutes in daily:
        if day >= current.starts_on:
            money = account.platform in MONEY_PLATFORMS
            earnings.enter_day(
                db,
                actor,
                row_id(account),
                day,
                "" if money else str(amount),
                f"{amount / 100:.2f}" if money else "",
                str(minutes),
            )

    members = _tag_regulars(db, studio_id)
    paid = _payroll(db, actor, locked, current, models)
    count = len(db.exec(select(EarningRecord.id).where(EarningRecord.studio_id == studio_id)).all())
    audit.record(
        db,
        "demo.earnings_seeded",
        studio_id=studio_id,
        actor_user_id=owner_user_id,
        detail=f"{count} earnings records, {members} members, {batches} imports",
    )
    db.flush()
    return EarningsSummary(count, members, batches, paid)


def skip_of(account: PlatformAccount) -> frozenset[date]:
    """Ledger accounts are all in NEEDED_ACCOUNTS: the sample days stay empty on them."""
    return SAMPLE_DAYS


# ---------------------------------------------------------------- accounts and working days


def _handle(stage_name: str) -> str:
    return stage_name.lower().replace(" ", "")  # as demo_schedule names them


def _accounts(db: Session, studio_id: int, models: list[Performer]) -> list[PlatformAccount]:
    """The accounts the active and paused models earn on, adding the ones the samples need."""
    by_name = {m.stage_name: m for m in models}
    existing = list(db.exec(select(PlatformAccount).where(PlatformAccount.studio_id == studio_id)))
    have = {(a.performer_id, a.platform) for a in existing}
    for name, platform in NEEDED_ACCOUNTS:
        model = by_name.get(name)
        if model is None or (row_id(model), platform) in have:
            continue
        handle = _handle(name)
        account = PlatformAccount(
            studio_id=studio_id, performer_id=row_id(model), platform=platform, handle=handle, handle_key=handle
        )
        db.add(account)
        existing.append(account)
        have.add((row_id(model), platform))
    db.flush()
    earning = {row_id(m) for m in models if m.status in (PerformerStatus.ACTIVE, PerformerStatus.PAUSED)}
    return sorted(
        (a for a in existing if a.performer_id in earning and a.platform in TYPICAL_SHIFT),
        key=lambda a: (a.performer_id, a.platform),
    )


def _work_days(
    db: Session, studio_id: int, models: list[Performer], first: date, last: date
) -> dict[int, dict[date, _Shift]]:
    """Per model, the days she worked (first..last): her shifts that happened, and before the
    schedule's first day its rotation continued backwards. A paused model worked every third day
    until the schedule began (she paused before it)."""
    zone = studio_zone(db, studio_id)
    now = utcnow()
    worked: dict[int, dict[date, _Shift]] = defaultdict(dict)
    schedule_start: date | None = None
    for shift in db.exec(
        select(Shift).where(Shift.studio_id == studio_id, col(Shift.starts_at) >= to_utc(
            datetime.combine(first, datetime.min.time()), zone))
    ):
        day = shift.starts_at.astimezone(zone).date()
        schedule_start = day if schedule_start is None else min(schedule_start, day)
        if shift.no_show or shift.ends_at > now or not first <= day <= last:
            continue
        start = shift.checked_in_at or shift.starts_at
        end = shift.checked_out_at or shift.ends_at
        worked[shift.performer_id][day] = _Shift(start, int((end - start).total_seconds() // 60))
    until = min(schedule_start or last + timedelta(days=1), last + timedelta(days=1))
    active = [m for m in models if m.status == PerformerStatus.ACTIVE]
    paused = [m for m in models if m.status == PerformerStatus.PAUSED]
    day = first
    while day < until:
        offset = (day - (schedule_start or until)).days
        for k, (start_time, end_time, _room) in enumerate(demo_schedule.SLOTS):
            if not active:
                break
            model = active[(offset * len(demo_schedule.SLOTS) + k) % len(active)]
            worked[row_id(model)][day] = _slot(day, start_time, end_time, zone)
        for model in paused:
            if (day.toordinal() + row_id(model)) % 3 == 0:
                start_time, end_time, _room = demo_schedule.SLOTS[0]
                worked[row_id(model)][day] = _slot(day, start_time, end_time, zone)
        day += timedelta(days=1)
    return worked


def _slot(day: date, start: object, end: object, zone: object) -> _Shift:
    from datetime import time
    from zoneinfo import ZoneInfo

    assert isinstance(start, time) and isinstance(end, time) and isinstance(zone, ZoneInfo)
    local_start, local_end = local_span(day, start, end)
    starts_at, ends_at = to_utc(local_start, zone), to_utc(local_end, zone)
    return _Shift(starts_at, int((ends_at - starts_at).total_seconds() // 60))


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
