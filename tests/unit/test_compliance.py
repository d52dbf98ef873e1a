"""Document reminders (30 and 7 days, never twice), the expired flag, and the demo data."""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, func, select

from studioos.jobs.attendance import mark_no_shows
from studioos.jobs.compliance import send_document_reminders
from studioos.models import Notification, Performer, Role, Shift
from studioos.services import demo_schedule, notifications, performers, shifts
from studioos.services.performers import LegalInput
from tests.factories import actor_for, add_member, make_studio, new_performer

# The jobs are handed their day, so any day will do: today's, so that no date here ever lies in the
# past when the models are entered.
TODAY = date.today()


def test_reminders_at_30_and_7_days_once_each(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    manager = actor_for(db, add_member(db, studio, Role.MANAGER), studio)
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    expiry = TODAY + timedelta(days=30)
    pid = new_performer(db, actor, "Anna", doc_expiry=expiry)
    new_performer(db, actor, "Bella", doc_expiry=TODAY + timedelta(days=200))

    assert send_document_reminders(db, TODAY - timedelta(days=1)) == 0  # 31 days left
    assert send_document_reminders(db, TODAY) == 1
    assert send_document_reminders(db, TODAY) == 0  # idempotent
    assert send_document_reminders(db, TODAY + timedelta(days=5)) == 0
    assert send_document_reminders(db, TODAY + timedelta(days=23)) == 1  # 7 days left
    assert send_document_reminders(db, TODAY + timedelta(days=25)) == 0
    db.commit()
    for who in (actor, manager):
        titles = [n.title for n in notifications.list_notifications(db, who)]
        assert titles == [
            "Anna's ID document expires in 7 days",
            "Anna's ID document expires in 30 days",
        ]
    assert notifications.unread_count(db, analyst) == 0

    # A renewed document gets reminders of its own.
    performers.update_legal(
        db,
        actor,
        pid,
        LegalInput("Anna Legal Surname", "1998-04-23", "passport", "NEW1", "RO", expiry + timedelta(days=30)),
    )
    assert send_document_reminders(db, expiry) == 1


def test_missed_days_send_only_the_nearest_threshold(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    new_performer(db, actor, "Anna", doc_expiry=TODAY + timedelta(days=5))
    assert send_document_reminders(db, TODAY) == 1
    assert send_document_reminders(db, TODAY + timedelta(days=1)) == 0
    assert db.exec(select(func.count()).select_from(Notification)).one() == 1


def test_demo_seed_is_believable_and_fast(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    today = performers.studio_today(db, studio.id or 0)
    started = clock.perf_counter()
    summary = demo_schedule.seed(db, studio.id or 0, owner.id or 0, today)
    db.commit()
    assert clock.perf_counter() - started < 10
    assert summary.performers == 12 and summary.rooms == 4 and summary.shifts == 3 * 70
    assert summary.accounts >= 12
    assert demo_schedule.seed(db, studio.id or 0, owner.id or 0, today).shifts == 0  # only once
    rows = performers.list_performers(db, actor, per_page=50).rows
    assert sum(r.doc_expires_soon for r in rows) == 1
    midnight = shifts.to_utc(datetime.combine(today, time()), shifts.studio_zone(db, studio.id or 0))
    past = db.exec(select(Shift).where(Shift.studio_id == studio.id, Shift.ends_at <= midnight)).all()
    assert any(s.late for s in past) and any(s.no_show for s in past)
    # No seeded shift clashes with another.
    all_shifts = db.exec(select(Shift).where(Shift.studio_id == studio.id)).all()
    for s in all_shifts:
        assert (
            shifts.find_clashes(
                db,
                studio.id or 0,
                [(s.starts_at, s.ends_at)],
                room_id=s.room_id,
                performer_id=s.performer_id,
                exclude_ids=[s.id or 0],
            )
            == {}
        )
    assert mark_no_shows(db, midnight) == 0  # past shifts already carry their attendance
    p = db.exec(select(Performer).where(Performer.studio_id == studio.id)).first()
    assert p is not None and p.legal_name  # encrypted fields went through the column type
