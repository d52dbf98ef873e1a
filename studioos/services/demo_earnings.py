"""Demo data for the money side: five months of earnings, members, and a paid payroll.

Called by `studioos seed-demo` after demo_schedule, so the models, their platform accounts and
their shifts exist. Deterministic (seeded by the studio id) and fast. Everything goes in the way a
studio's own data does, through the services the pages use, so the demo holds nothing the app
would never write:

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
import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

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
from studioos.services import audit, demo_schedule, earnings, imports, members, payroll
from studioos.services.pay_periods import Period, rule_for
from studioos.services.permissions import Actor
from studioos.services.rates import MONEY_PLATFORMS
from studioos.services.shifts import local_span, studio_zone, to_utc

T = TypeVar("T")

MONTHS_BACK = 5
# The token histories (tips, shows, refunds, a chargeback) are these models' Chaturbate accounts;
# the first is the model the demo's model sign-in is linked to.
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
    "BongaCams": 2800,  # a BongaCams token is worth half a Chaturbate one
    "MyFreeCams": 1300,
    "CamSoda": 900,
    "LiveJasmin": 9_500,
}
EXCHANGE = ("COP", "4000.50")
TIP_SIZES = (1, 2, 5, 10, 11, 15, 20, 25, 30, 33, 35, 44, 50, 55, 66, 69, 77, 88, 99, 100, 111, 150, 200,
             222, 250, 333, 500, 1000)  # fmt: skip
TIP_WEIGHTS = (3, 2, 8, 14, 3, 8, 8, 9, 3, 3, 3, 2, 7, 2, 2, 3, 2, 2, 2, 5, 2, 2, 2,
               1, 1, 1, 1, 0.3)  # fmt: skip
TIP_CUMULATIVE = tuple(itertools.accumulate(TIP_WEIGHTS))
TIP_NOTES = ("", "", "", "", "", "", "hi!", "love the outfit", "for the song", "good night ❤",
             "tip menu: dance", "you are amazing", "from Texas 🤠", "spin the wheel",
             "ty for the show")  # fmt: skip
REGULARS = ("tokenking77", "velvet_owl", "mike_in_ohio", "djtravel", "quietfan", "nightcrawler_22",
            "marco_polo1", "bluejay_88", "sweden_sven", "rich_uncle_bob")  # fmt: skip
MEMBER_WORDS = (
    ("silent", "night", "blue", "lucky", "dark", "happy", "lonely", "red", "big", "quiet", "wild",
     "gentle", "mister", "captain", "cosmic", "urban", "old", "salty", "sunny", "lazy"),
    ("owl", "rider", "wolf", "jay", "fan", "storm", "tiger", "traveler", "dreamer", "knight", "bear",
     "fox", "sailor", "drifter", "poet", "hawk", "viking", "ghost", "panda", "coyote"),
)  # fmt: skip
CROWD = 90  # members per token history, the regulars first
REGULAR_TAGS = ("VIP, regular", "VIP", "regular")  # for the three biggest tippers
TOP_MEMBER_NOTE = "Tips most in the evening; likes being thanked by name. Asks for private shows on Fridays."


@dataclass(frozen=True)
class DemoEarnings:
    records: int
    members: int
    batches: int
    paid_period: Period | None


@dataclass(frozen=True)
class _Shift:
    starts_at: datetime  # UTC
    minutes: int


@dataclass(frozen=True)
class _LedgerLine:
    at: datetime  # UTC
    member: str
    kind: str  # as Chaturbate's "Transaction type" says it
    tokens: int
    note: str


@dataclass(frozen=True)
class _Figure:
    account: PlatformAccount
    day: date
    amount: int  # tokens, or US cents on a platform that reports money
    minutes: int


def seed(db: Session, studio_id: int, owner_user_id: int, today: date) -> DemoEarnings:
    """Fill a studio's earnings and payroll; does nothing if it already has earnings or no models."""
    if db.exec(select(EarningRecord.id).where(EarningRecord.studio_id == studio_id)).first() is not None:
        return DemoEarnings(0, 0, 0, None)
    models = list(
        db.exec(select(Performer).where(Performer.studio_id == studio_id).order_by(col(Performer.id)))
    )
    if not models:
        return DemoEarnings(0, 0, 0, None)
    rng = random.Random(studio_id)
    actor = imports.command_line_actor(db, studio_id)
    zone = studio_zone(db, studio_id)
    rule = rule_for(db, studio_id)
    current = rule.containing(today)
    paid = rule.previous(current)
    figures, ledgers = _history(db, rng, studio_id, zone, models, today)
    batches = 0
    for account, lines in ledgers:
        for month, month_lines in _by_month(lines, lambda x: x.at.astimezone(zone).date()):
            imports.confirm(
                db,
                actor,
                _ledger_csv(month_lines),
                filename=f"{account.handle_key}-chaturbate-token-history-{month}.csv",
                account_id=account.id,
            )
            batches += 1
    # The platforms' reports arrive once a period is over; the open period is typed in by hand.
    for month, reported in _by_month([f for f in figures if f.day <= paid.ends_on], lambda f: f.day):
        for name, build in (
            ("stripchat-earnings", _stripchat_csv),
            ("bongacams-earnings", _bongacams_csv),
            ("studioos-template", _template_csv),
        ):
            data = build(reported)
            if data is not None:
                imports.confirm(db, actor, data, filename=f"{name}-{month}.csv")
                batches += 1
    for f in figures:
        if f.day >= current.starts_on:
            money = f.account.platform in MONEY_PLATFORMS
            tokens, usd = ("", f"{Decimal(f.amount) / 100:.2f}") if money else (str(f.amount), "")
            earnings.enter_day(db, actor, row_id(f.account), f.day, tokens, usd, str(f.minutes))

    member_count = _tag_regulars(db, actor)
    locked = _payroll(db, actor, paid, current)
    count = db.exec(
        select(func.count()).select_from(EarningRecord).where(EarningRecord.studio_id == studio_id)
    ).one()
    audit.record(
        db,
        "demo.earnings_seeded",
        studio_id=studio_id,
        actor_user_id=owner_user_id,
        detail=f"{count} earnings records, {member_count} members, {batches} imports",
    )
    db.flush()
    return DemoEarnings(int(count), member_count, batches, locked)


def _history(
    db: Session, rng: random.Random, studio_id: int, zone: ZoneInfo, models: list[Performer], today: date
) -> tuple[list[_Figure], list[tuple[PlatformAccount, list[_LedgerLine]]]]:
    """What each account took on each day its model worked, from MONTHS_BACK months ago to
    yesterday: a day's figure, or on the token history accounts every tip and show."""
    accounts = _accounts(db, studio_id, models)
    first = _months_before(today, MONTHS_BACK)
    worked = _work_days(db, studio_id, zone, models, first, today - timedelta(days=1))
    names = {row_id(m): m.stage_name for m in models}
    stars = {row_id(m): rng.uniform(0.55, 1.6) for m in models}
    crowd = _crowd(rng)
    now = utcnow()
    span = max(1, (today - first).days)
    figures: list[_Figure] = []
    ledgers: list[tuple[PlatformAccount, list[_LedgerLine]]] = []
    for account in accounts:
        pid = account.performer_id
        keep_free = SAMPLE_DAYS if (names[pid], account.platform) in NEEDED_ACCOUNTS else frozenset()
        is_ledger = account.platform == "Chaturbate" and names[pid] in LEDGER_MODELS
        lines: list[_LedgerLine] = []
        for day, shift in sorted(worked.get(pid, {}).items()):
            trend = 0.9 + 0.2 * (day - first).days / span  # a studio that grows a little
            weekend = 1.15 if day.weekday() in (4, 5) else 1.0
            amount = (
                TYPICAL_SHIFT[account.platform] * stars[pid] * trend * weekend * rng.lognormvariate(0, 0.3)
            )
            if is_ledger:
                lines += _shift_ledger(rng, crowd, shift, int(amount))
            elif day not in keep_free:
                minutes = max(30, shift.minutes - rng.randint(0, 25))
                figures.append(_Figure(account, day, max(1, int(amount)), minutes))
        if is_ledger:
            lines = _with_refunds(rng, lines, chargeback=names[pid] == LEDGER_MODELS[0])
            # A night shift's tips after midnight are the next day's: the free days are checked here.
            ledgers.append(
                (account, [x for x in lines if x.at <= now and x.at.astimezone(zone).date() not in keep_free])
            )
    return figures, ledgers


# ---------------------------------------------------------------- accounts and working days


def _accounts(db: Session, studio_id: int, models: list[Performer]) -> list[PlatformAccount]:
    """The accounts the active and paused models earn on, adding the ones the samples need."""
    by_name = {m.stage_name: m for m in models}
    existing = list(db.exec(select(PlatformAccount).where(PlatformAccount.studio_id == studio_id)))
    have = {(a.performer_id, a.platform) for a in existing}
    for name, platform in NEEDED_ACCOUNTS:
        model = by_name.get(name)
        if model is None or (row_id(model), platform) in have:
            continue
        handle = name.lower().replace(" ", "")  # as demo_schedule names them
        account = PlatformAccount(
            studio_id=studio_id,
            performer_id=row_id(model),
            platform=platform,
            handle=handle,
            handle_key=handle,
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
    db: Session, studio_id: int, zone: ZoneInfo, models: list[Performer], first: date, last: date
) -> dict[int, dict[date, _Shift]]:
    """Per model, the days first..last she worked: her shifts that took place, and before the
    schedule's first day its rotation continued backwards. A paused model worked every third day
    until the schedule began (she paused before it)."""
    now = utcnow()
    worked: dict[int, dict[date, _Shift]] = defaultdict(dict)
    schedule_start: date | None = None
    since = to_utc(datetime.combine(first, time()), zone)
    for shift in db.exec(select(Shift).where(Shift.studio_id == studio_id, col(Shift.starts_at) >= since)):
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
    slots = demo_schedule.SLOTS
    day = first
    while day < until:
        offset = (day - until).days
        for k, (start_time, end_time, _room) in enumerate(slots if active else ()):
            # demo_schedule's rotation: 3 slots a day through the active models in id order.
            model = active[(offset * len(slots) + k) % len(active)]
            worked[row_id(model)][day] = _slot(day, start_time, end_time, zone)
        for model in paused:
            if (day.toordinal() + row_id(model)) % 3 == 0:
                worked[row_id(model)][day] = _slot(day, slots[0][0], slots[0][1], zone)
        day += timedelta(days=1)
    return worked


def _slot(day: date, start: time, end: time, zone: ZoneInfo) -> _Shift:
    local_start, local_end = local_span(day, start, end)
    starts_at, ends_at = to_utc(local_start, zone), to_utc(local_end, zone)
    return _Shift(starts_at, int((ends_at - starts_at).total_seconds() // 60))


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _by_month(items: Iterable[T], day_of: Callable[[T], date]) -> list[tuple[str, list[T]]]:
    months: dict[str, list[T]] = defaultdict(list)
    for item in items:
        months[day_of(item).strftime("%Y-%m")].append(item)
    return sorted(months.items())


# ---------------------------------------------------------------- token histories


def _crowd(rng: random.Random) -> tuple[list[str], list[float]]:
    """Members and how much of the room each is (cumulative weights): a few regulars give most of
    the tokens."""
    handles = list(REGULARS)
    while len(handles) < CROWD:
        first, second = rng.choice(MEMBER_WORDS[0]), rng.choice(MEMBER_WORDS[1])
        handle = rng.choice(
            (f"{first}_{second}", f"{first}{second}{rng.randint(1, 99)}", f"{second}_{first}")
        )
        if handle not in handles:
            handles.append(handle)
    return handles, list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(handles))))


def _shift_ledger(
    rng: random.Random, crowd: tuple[list[str], list[float]], shift: _Shift, target: int
) -> list[_LedgerLine]:
    """One shift's token history, about `target` tokens: tips, maybe a private show, spying."""
    handles, weights = crowd
    whales = handles[:15]

    def moment() -> datetime:
        return shift.starts_at + timedelta(seconds=rng.randint(60, max(61, shift.minutes * 60 - 60)))

    def someone() -> str:
        return rng.choices(handles, cum_weights=weights)[0]

    lines: list[_LedgerLine] = []
    total = 0
    if rng.random() < 0.6:
        minutes, rate = rng.randint(5, 25), rng.choice((30, 60, 90))
        note = f"Private show, {minutes} min"
        lines.append(_LedgerLine(moment(), rng.choice(whales), "Private Show", minutes * rate, note))
        total += minutes * rate
        for _ in range(rng.randint(0, 2)):
            spied = rng.randint(2, min(12, minutes))
            lines.append(_LedgerLine(moment(), someone(), "Spy Show", spied * 12, f"Spy show, {spied} min"))
            total += spied * 12
    while total < target:
        tokens = rng.choices(TIP_SIZES, cum_weights=TIP_CUMULATIVE)[0]
        lines.append(_LedgerLine(moment(), someone(), "Tip", tokens, rng.choice(TIP_NOTES)))
        total += tokens
    return lines


def _with_refunds(rng: random.Random, lines: list[_LedgerLine], *, chargeback: bool) -> list[_LedgerLine]:
    """A few tips refunded minutes later (tipped by mistake), and perhaps one big tip charged back
    by the member's bank weeks later."""
    ordered = sorted(lines, key=lambda x: x.at)
    tips = [x for x in ordered if x.kind == "Tip" and 20 <= x.tokens <= 200]
    extra: list[_LedgerLine] = []
    for tip in rng.sample(tips, min(len(tips), max(1, len(tips) // 700))):
        extra.append(_LedgerLine(tip.at + timedelta(minutes=rng.randint(2, 9)), tip.member, "Refund",
                                 -tip.tokens, "Refund: tipped by mistake"))  # fmt: skip
    big = [x for x in ordered[: len(ordered) // 3] if x.kind == "Tip" and x.tokens >= 200]
    if chargeback and big:
        tip = rng.choice(big)
        extra.append(_LedgerLine(tip.at + timedelta(days=24, hours=3), tip.member, "Chargeback",
                                 -tip.tokens, "Chargeback"))  # fmt: skip
    return sorted(ordered + extra, key=lambda x: x.at)


def _ledger_csv(lines: list[_LedgerLine]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("User", "Transaction type", "Token change", "Timestamp", "Note"))
    for x in lines:
        writer.writerow((x.member, x.kind, x.tokens, x.at.strftime("%Y-%m-%dT%H:%M:%SZ"), x.note))
    return out.getvalue().encode()


# ---------------------------------------------------------------- the platforms' reports


def _csv(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> bytes | None:
    if not rows:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _stripchat_csv(figures: list[_Figure]) -> bytes | None:
    return _csv(
        ("Username", "Date", "Tokens", "Online time"),
        [
            (f.account.handle, f.day.isoformat(), f.amount, _clock(f.minutes))
            for f in figures
            if f.account.platform == "Stripchat"
        ],
    )


def _bongacams_csv(figures: list[_Figure]) -> bytes | None:
    # Income stays empty: a row's tokens and its money would both count (see the report).
    return _csv(
        ("Username", "Date", "Tokens", "Income", "Online time"),
        [
            (f.account.handle, f.day.strftime("%d.%m.%Y"), f.amount, "", _clock(f.minutes))
            for f in figures
            if f.account.platform == "BongaCams"
        ],
    )


def _template_csv(figures: list[_Figure]) -> bytes | None:
    rows: list[tuple[object, ...]] = []
    for f in figures:
        if f.account.platform in ("Stripchat", "BongaCams"):
            continue
        money = f.account.platform in MONEY_PLATFORMS
        tokens, usd = ("", f"{Decimal(f.amount) / 100:.2f}") if money else (f.amount, "")
        rows.append((f.day.isoformat(), f.account.platform, f.account.handle, tokens, usd, f.minutes))
    return _csv(("date", "platform", "handle", "tokens", "usd", "online_minutes"), rows)


# ---------------------------------------------------------------- members and payroll


def _tag_regulars(db: Session, actor: Actor) -> int:
    """The biggest tippers get the studio's tags, the biggest of all a note; the number of members."""
    studio_id = actor.studio_id
    ranked = db.exec(
        select(MemberTotal.member_id, func.sum(MemberTotal.tokens))
        .where(MemberTotal.studio_id == studio_id)
        .group_by(col(MemberTotal.member_id))
        .order_by(func.sum(MemberTotal.tokens).desc(), col(MemberTotal.member_id))
        .limit(len(REGULAR_TAGS))
    ).all()
    for (member_id, _tokens), tags in zip(ranked, REGULAR_TAGS, strict=False):
        members.set_tags(db, actor, member_id, tags)
    if ranked:
        members.add_note(db, actor, ranked[0][0], TOP_MEMBER_NOTE)
    return int(db.exec(select(func.count()).select_from(Member).where(Member.studio_id == studio_id)).one())


def _payroll(db: Session, actor: Actor, paid: Period, current: Period) -> Period | None:
    """The period before the current one: exchange to COP, a bonus, an advance repaid, locked and
    paid. The current one stays open, with an advance given this week."""
    view = payroll.payroll(db, actor, paid.starts_on)
    ranked = sorted(view.lines, key=lambda line: (-line.gross_cents, line.performer_id))
    if not ranked:
        return None
    payroll.set_exchange(db, actor, paid.starts_on, *EXCHANGE)
    payroll.add_adjustment(
        db, actor, paid.starts_on, ranked[0].performer_id, AdjustmentKind.BONUS, "100.00",
        "Top earner of the period: thank you!",
    )  # fmt: skip
    if len(ranked) > 1:
        repaid = min(Decimal(150), Decimal(ranked[1].model_share_cents) / 400).quantize(Decimal("0.01"))
        payroll.add_adjustment(
            db, actor, paid.starts_on, ranked[1].performer_id, AdjustmentKind.REPAYMENT, f"{repaid:.2f}",
            "Advance of last month, second and last half",
        )  # fmt: skip
    payroll.lock(db, actor, paid.starts_on)
    payroll.mark_paid(db, actor, paid.starts_on)
    payroll.add_adjustment(
        db, actor, current.starts_on, ranked[-1].performer_id, AdjustmentKind.ADVANCE, "200.00",
        "Advance for the rent, repaid from the next two payouts",
    )  # fmt: skip
    return paid
