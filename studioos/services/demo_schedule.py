"""Demo data for the schedule side: models, platform accounts, rooms, ten weeks of shifts.

Called by `studioos seed-demo` after the studio and its owner exist. Deterministic (seeded by the
studio id) and fast: performers go in through the ORM (their legal fields must be encrypted by the
column type), shifts in one bulk INSERT.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlmodel import Session, select

from studioos.models import Performer, PerformerStatus, PlatformAccount, Room, Shift, ShiftStatus, utcnow
from studioos.services import audit
from studioos.services.shifts import local_span, studio_zone, to_utc

STAGE_NAMES = (
    "Amber Skye", "Bianca Rose", "Cleo Moon", "Daria Vex", "Elena Fox", "Freya Lux",
    "Gina Star", "Hana Blue", "Iris Vale", "Jade Nyx", "Kira Dawn", "Luna Mae",
)  # fmt: skip
LEGAL_FIRST = ("Ana", "Bianca", "Cristina", "Daria", "Elena", "Florina", "Georgiana", "Hanna", "Ioana",
               "Julia", "Karina", "Laura")  # fmt: skip
LEGAL_LAST = ("Popescu", "Ionescu", "Dumitru", "Stan", "Gheorghe", "Rusu", "Munteanu", "Matei",
              "Constantin", "Marin", "Tudor", "Lungu")  # fmt: skip
ROOMS = (
    ("Room 1 - Pink", "Ring light, 4K camera"),
    ("Room 2 - Loft", "Sofa set"),
    ("Room 3 - Studio", "Green screen"),
    ("Room 4 - Boudoir", "Quiet, good for night shifts"),
)
PLATFORMS = ("Chaturbate", "Stripchat", "BongaCams", "MyFreeCams", "LiveJasmin", "CamSoda")
# Three shifts a day: (start, end, room index). Night shifts cross midnight.
SLOTS = ((time(10), time(16), 0), (time(18), time(2), 1), (time(22), time(6), 2))
PAST_WEEKS, FUTURE_WEEKS = 8, 2


@dataclass(frozen=True)
class DemoSummary:
    performers: int
    accounts: int
    rooms: int
    shifts: int


def seed(db: Session, studio_id: int, owner_user_id: int, today: date) -> DemoSummary:
    """Fill a studio with a believable schedule; does nothing if it already has models."""
    if db.exec(select(Performer.id).where(Performer.studio_id == studio_id)).first() is not None:
        return DemoSummary(0, 0, 0, 0)
    rng = random.Random(studio_id)
    performers = []
    for i, stage in enumerate(STAGE_NAMES):
        status = PerformerStatus.ACTIVE
        if i == 10:
            status = PerformerStatus.PAUSED
        elif i == 11:
            status = PerformerStatus.APPLICANT
        expiry = today + timedelta(days=rng.randint(200, 1500))
        if i == 3:
            expiry = today + timedelta(days=21)  # the one document expiring soon
        handle = stage.lower().replace(" ", "_")
        performers.append(
            Performer(
                studio_id=studio_id,
                stage_name=stage,
                status=status,
                email=f"{handle}@example.com",
                phone=f"+40 7{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                telegram=f"@{handle}",
                payout_split=Decimal(rng.choice(("50.00", "55.00", "60.00", "62.50", "65.00"))),
                legal_name=f"{LEGAL_FIRST[i]} {LEGAL_LAST[i]}",
                birth_date=date(today.year - rng.randint(20, 34), rng.randint(1, 12), rng.randint(1, 28)),
                doc_type=rng.choice(("passport", "id_card")),
                doc_number=f"{rng.choice('ABCDEFGH')}{rng.randint(1000000, 9999999)}",
                doc_country=rng.choice(("RO", "RO", "RO", "MD", "UA")),
                doc_expiry=expiry,
            )
        )
    db.add_all(performers)
    rooms = [Room(studio_id=studio_id, name=name, notes=notes) for name, notes in ROOMS]
    db.add_all(rooms)
    db.flush()

    accounts = []
    for p in performers:
        handle = p.stage_name.lower().replace(" ", "")
        for platform in rng.sample(PLATFORMS, rng.randint(1, 3)):
            accounts.append(
                {
                    "studio_id": studio_id,
                    "performer_id": p.id,
                    "platform": platform,
                    "handle": handle,
                    "handle_key": handle,
                    "created_at": utcnow(),
                }
            )
    db.execute(insert(PlatformAccount), accounts)

    zone = studio_zone(db, studio_id)
    active = [p for p in performers if p.status == PerformerStatus.ACTIVE]
    now = utcnow()
    rows = []
    first = today - timedelta(weeks=PAST_WEEKS)
    for offset in range((PAST_WEEKS + FUTURE_WEEKS) * 7):
        day = first + timedelta(days=offset)
        for k, (start, end, room_index) in enumerate(SLOTS):
            # Rotating through 10 models, 3 a day, never gives one model overlapping slots.
            performer = active[(offset * len(SLOTS) + k) % len(active)]
            local_start, local_end = local_span(day, start, end)
            starts_at, ends_at = to_utc(local_start, zone), to_utc(local_end, zone)
            row = {
                "studio_id": studio_id,
                "performer_id": performer.id,
                "room_id": rooms[room_index].id,
                "series_id": None,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "status": ShiftStatus.SCHEDULED,
                "notes": "",
                "checked_in_at": None,
                "checked_out_at": None,
                "late": False,
                "no_show": False,
                "created_at": now,
            }
            if ends_at <= now:
                roll = rng.random()
                if roll < 0.05:
                    row["no_show"] = True
                else:
                    late = roll < 0.15
                    delay = rng.randint(12, 45) if late else rng.randint(-10, 8)
                    row["checked_in_at"] = starts_at + timedelta(minutes=delay)
                    row["checked_out_at"] = ends_at + timedelta(minutes=rng.randint(-15, 10))
                    row["late"] = late
            rows.append(row)
    db.execute(insert(Shift), rows)
    audit.record(
        db,
        "demo.schedule_seeded",
        studio_id=studio_id,
        actor_user_id=owner_user_id,
        detail=f"{len(performers)} models, {len(rows)} shifts",
    )
    db.flush()
    return DemoSummary(len(performers), len(accounts), len(rooms), len(rows))
