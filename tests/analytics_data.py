"""The Analytics tests' hand-built studio: a few records whose every figure was worked out by hand.

A studio in Bogota (UTC-5, no summer time) paid monthly, three models, four platforms, a token
value change in the middle of February, ledger entries from three members and daily figures
(one of them set aside by the counting rule), shifts with check-ins, no-shows and a cancellation.
The expected numbers are in tests/unit/test_analytics.py, each with its arithmetic.

Not a test module: the analytics test modules share it, as every test module shares factories.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from studioos.models import EarningRecord, Member, Performer, RecordKind, RecordSource, Shift, Studio
from studioos.services import pay_periods, platforms, rates
from studioos.services.permissions import Actor
from tests.factories import book, setup_studio

ZONE = ZoneInfo("America/Bogota")
FEB = (date(2026, 2, 1), date(2026, 2, 28))
TODAY = date(2026, 4, 1)  # the tests' "today": after every record


@dataclass
class Hand:
    studio: Studio
    owner: Actor
    ids: dict[str, int]


def local(day: date, hh: int, mm: int = 0, zone: ZoneInfo = ZONE) -> datetime:
    """A wall-clock time in the studio's zone, as the UTC instant the database stores."""
    return datetime.combine(day, time(hh, mm), tzinfo=zone).astimezone(UTC)


def ledger(
    db: Session,
    account: int,
    member: int | None,
    at: datetime,
    tokens: int,
    *,
    entry_type: str = "tip",
    zone: ZoneInfo = ZONE,
    key: str = "",
) -> None:
    """A ledger entry as an import lands it: its day is the studio-local date of its time."""
    acc = _account(db, account)
    db.add(
        EarningRecord(
            studio_id=acc[0],
            performer_id=acc[1],
            account_id=account,
            platform=acc[2],
            kind=RecordKind.LEDGER,
            day=at.astimezone(zone).date(),
            occurred_at=at,
            member_id=member,
            entry_type=entry_type,
            tokens=tokens,
            source=RecordSource.IMPORT,
            natural_key=key or f"l:{at.isoformat()}:{member}:{tokens}",
        )
    )


def daily(db: Session, account: int, day: date, tokens: int = 0, cents: int = 0, minutes: int = 0) -> None:
    acc = _account(db, account)
    db.add(
        EarningRecord(
            studio_id=acc[0],
            performer_id=acc[1],
            account_id=account,
            platform=acc[2],
            kind=RecordKind.DAILY,
            day=day,
            tokens=tokens,
            usd_cents=cents,
            online_minutes=minutes,
            source=RecordSource.MANUAL,
            natural_key=f"day:{day.isoformat()}",
        )
    )


def _account(db: Session, account_id: int) -> tuple[int, int, str]:
    from studioos.models import PlatformAccount

    found = db.get(PlatformAccount, account_id)
    assert found is not None
    return found.studio_id, found.performer_id, found.platform


def member(db: Session, studio_id: int, platform: str, handle: str) -> int:
    row = Member(studio_id=studio_id, platform=platform, handle=handle, handle_key=handle.lower())
    db.add(row)
    db.flush()
    assert row.id is not None
    return row.id


def shift(
    db: Session,
    hand: Hand,
    who: str,
    room: str,
    day: date,
    start: str,
    end: str,
    *,
    attended: bool = False,
    no_show: bool = False,
    cancelled: bool = False,
) -> int:
    row = book(db, hand.owner, hand.ids, who, room, day, start, end)
    found = db.get(Shift, row.id)
    assert found is not None
    if attended:
        found.checked_in_at = found.starts_at
    found.no_show = no_show
    if cancelled:
        found.status = "cancelled"
    db.add(found)
    db.flush()
    return row.id


def build(db: Session) -> Hand:
    studio, owner, ids = setup_studio(db, timezone="America/Bogota")
    hand = Hand(studio, owner, ids)
    sid = studio.id or 0
    pay_periods.update_settings(db, owner, "monthly", "USD")
    rates.set_rate(db, owner, "Chaturbate", date(2026, 2, 15), "0.04")
    for name, split in (("Anna", "60"), ("Bella", "50"), ("Carla", "40")):
        performer = db.get(Performer, ids[name])
        assert performer is not None
        performer.payout_split = Decimal(split)
        db.add(performer)
    for name, platform, handle in (
        ("Anna", "Chaturbate", "anna_cb"),
        ("Anna", "LiveJasmin", "AnnaLJ"),
        ("Bella", "Stripchat", "bella_sc"),
        ("Bella", "BongaCams", "bella_bc"),
        ("Carla", "Chaturbate", "carla_cb"),
    ):
        ids[handle] = platforms.add_account(db, owner, ids[name], platform, handle).id
    m1 = ids["m1"] = member(db, sid, "Chaturbate", "BigTipper")
    m2 = ids["m2"] = member(db, sid, "Chaturbate", "NightOwl")
    m3 = ids["m3"] = member(db, sid, "Stripchat", "ShyGuy")
    m4 = ids["m4"] = member(db, sid, "Chaturbate", "NewFan")

    # January: Jan 3 is outside February's previous window (Jan 4 - Jan 31).
    daily(db, ids["anna_cb"], date(2026, 1, 3), tokens=1000)  # 50.00
    daily(db, ids["anna_cb"], date(2026, 1, 4), tokens=200, minutes=60)  # 10.00
    ledger(db, ids["anna_cb"], m1, local(date(2026, 1, 20), 12), 50)  # 2.50, BigTipper's first tip
    daily(db, ids["carla_cb"], date(2026, 1, 15), tokens=400, minutes=120)  # 20.00
    daily(db, ids["bella_sc"], date(2026, 1, 31), tokens=100)  # 5.00

    # February.
    ledger(db, ids["anna_cb"], m1, local(date(2026, 2, 2), 23, 30), 100)  # 5.00, Mon 23:xx
    ledger(db, ids["anna_cb"], m2, local(date(2026, 2, 2), 10, 15), 240, entry_type="private")  # 12.00
    daily(db, ids["anna_cb"], date(2026, 2, 2), tokens=900, minutes=180)  # set aside: only minutes
    daily(db, ids["anna_cb"], date(2026, 2, 10), tokens=500, minutes=240)  # 25.00
    ledger(db, ids["anna_cb"], m1, local(date(2026, 2, 20), 21), 333)  # 13.32 at 0.04, Fri 21:xx
    ledger(db, ids["anna_cb"], m2, local(date(2026, 2, 20), 21, 5), -50, entry_type="refund")  # -2.00
    daily(db, ids["AnnaLJ"], date(2026, 2, 3), cents=12010, minutes=300)  # 120.10
    daily(db, ids["bella_sc"], date(2026, 2, 5), tokens=1001, minutes=120)  # 50.05
    ledger(db, ids["bella_sc"], m3, local(date(2026, 2, 14), 3), 7)  # 0.35, Sat 03:xx
    daily(db, ids["bella_bc"], date(2026, 2, 27), tokens=333, minutes=60)  # 8.325 at 0.025
    daily(db, ids["bella_sc"], date(2026, 2, 28), tokens=200, cents=999)  # 9.99: the money, not the tokens

    # March: for the cohorts.
    ledger(db, ids["anna_cb"], m2, local(date(2026, 3, 5), 20), 10)  # 0.40
    ledger(db, ids["anna_cb"], m4, local(date(2026, 3, 6), 20), 20)  # 0.80, NewFan's first tip

    # Shifts: Room 1 Anna, Room 2 Bella (and Carla).
    shift(db, hand, "Anna", "Room 1", date(2026, 1, 20), "10:00", "18:00", attended=True)
    shift(db, hand, "Anna", "Room 1", date(2026, 1, 21), "10:00", "18:00", attended=True)
    shift(db, hand, "Carla", "Room 2", date(2026, 1, 15), "12:00", "16:00", no_show=True)
    shift(db, hand, "Anna", "Room 1", date(2026, 2, 2), "18:00", "02:00", attended=True)
    shift(db, hand, "Anna", "Room 1", date(2026, 2, 10), "18:00", "00:00", no_show=True)
    shift(db, hand, "Bella", "Room 2", date(2026, 2, 5), "10:00", "16:00", attended=True)
    shift(db, hand, "Bella", "Room 2", date(2026, 2, 14), "20:00", "23:00", no_show=True)
    shift(db, hand, "Carla", "Room 2", date(2026, 2, 20), "12:00", "16:00", cancelled=True)
    db.commit()
    return hand


def day_of(at: datetime, zone: ZoneInfo = ZONE) -> date:
    return at.astimezone(zone).date()


ONE_DAY = timedelta(days=1)
