"""Every Analytics figure is on the studio's clock: a tip at 23:30 in New York (UTC-5 in winter)
counts on that local day and hour, and the heatmap follows summer time on the days it changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from studioos.services import analytics, platforms
from studioos.services.analytics import Filters
from tests.analytics_data import Hand, ledger, member, shift
from tests.factories import setup_studio

NEW_YORK = ZoneInfo("America/New_York")
LATER = date(2026, 12, 1)


def _studio(db: Session) -> tuple[Hand, int, int]:
    studio, owner, ids = setup_studio(db, timezone="America/New_York")
    account = platforms.add_account(db, owner, ids["Anna"], "Chaturbate", "anna_ny").id
    fan = member(db, studio.id or 0, "Chaturbate", "NightFan")
    db.commit()
    return Hand(studio, owner, ids), account, fan


def test_a_tip_at_half_past_eleven_at_night_counts_on_that_local_day(db: Session) -> None:
    hand, account, fan = _studio(db)
    at = datetime(2026, 1, 15, 4, 30, tzinfo=UTC)  # 23:30 on Wednesday 14 January in New York
    ledger(db, account, fan, at, 100, zone=NEW_YORK)  # 5.00
    shift(db, hand, "Anna", "Room 1", date(2026, 1, 14), "23:30", "03:30", attended=True)
    db.commit()
    day = analytics.dashboard(db, hand.owner, Filters(date(2026, 1, 14), date(2026, 1, 14)), today=LATER)
    assert day.kpi("gross").value == 500
    assert [(r.first_day, r.total_cents) for r in day.series] == [(date(2026, 1, 14), 500)]
    assert [(c.weekday, c.hour, c.value_cents) for c in day.heatmap if c.entries] == [(2, 23, 500)]
    # The shift starting at 23:30 local (04:30 UTC on the 15th) belongs to the 14th too.
    assert day.kpi("attendance").value == 10_000
    assert [(r.name, r.scheduled_minutes) for r in day.rooms] == [("Room 1", 240), ("Room 2", 0)]
    records = analytics.day_records(
        db, hand.owner, Filters(date(2026, 1, 14), date(2026, 1, 14)), date(2026, 1, 14), today=LATER
    )
    assert [(r.local_time, r.value_cents) for r in records.rows] == [("23:30", 500)]
    after = analytics.dashboard(db, hand.owner, Filters(date(2026, 1, 15), date(2026, 1, 15)), today=LATER)
    assert after.kpi("gross").value == 0 and after.kpi("attendance").value is None
    # The room filter ties the tip to Room 1: the shift covers the 14th (and the 15th after midnight).
    in_room = analytics.dashboard(
        db, hand.owner, Filters(date(2026, 1, 14), date(2026, 1, 14), room_id=hand.ids["Room 1"]), today=LATER
    )
    assert in_room.kpi("gross").value == 500
    other_room = analytics.dashboard(
        db, hand.owner, Filters(date(2026, 1, 14), date(2026, 1, 14), room_id=hand.ids["Room 2"]), today=LATER
    )
    assert other_room.kpi("gross").value == 0


def test_the_heatmap_on_the_days_summer_time_starts_and_ends(db: Session) -> None:
    hand, account, fan = _studio(db)
    for at, tokens in (
        # Sunday 8 March 2026: at 02:00 EST the clock jumps to 03:00 EDT. No hour 2 that night.
        (datetime(2026, 3, 8, 6, 59, tzinfo=UTC), 10),  # 01:59 EST
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), 20),  # 03:00 EDT
        # Sunday 1 November 2026: at 02:00 EDT the clock goes back to 01:00 EST. Hour 1 twice.
        (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), 30),  # 01:30 EDT
        (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), 40),  # 01:30 EST
        (datetime(2026, 11, 1, 7, 0, tzinfo=UTC), 50),  # 02:00 EST
    ):
        ledger(db, account, fan, at, tokens, zone=NEW_YORK)
    db.commit()
    march = analytics.dashboard(db, hand.owner, Filters(date(2026, 3, 8), date(2026, 3, 8)), today=LATER)
    assert [(c.weekday, c.hour, c.value_cents, c.entries) for c in march.heatmap if c.entries] == [
        (6, 1, 50, 1),
        (6, 3, 100, 1),
    ]
    november = analytics.dashboard(db, hand.owner, Filters(date(2026, 11, 1), date(2026, 11, 1)), today=LATER)
    assert [(c.weekday, c.hour, c.value_cents, c.entries) for c in november.heatmap if c.entries] == [
        (6, 1, 350, 2),
        (6, 2, 250, 1),
    ]
    # A range over both changes places every entry on its own local hour.
    year = analytics.dashboard(db, hand.owner, Filters(date(2026, 1, 1), date(2026, 11, 30)), today=LATER)
    assert {(c.hour, c.entries) for c in year.heatmap if c.entries} == {(1, 3), (2, 1), (3, 1)}
    assert year.heatmap_untimed_cents == 0
