"""The dashboard's floor figures: today's shifts and the ID documents that need action."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from studioos.services import dashboard, performers
from studioos.services.permissions import Cap
from tests.factories import actor_for, add_member, make_studio
from tests.unit.test_performers import new_performer
from tests.unit.test_shifts import book, setup_studio


def test_operations_count_todays_shifts_and_documents_to_renew(db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    today = performers.studio_today(db, studio.id or 0)
    book(db, actor, ids, "Anna", "Room 1", today, "10:00", "16:00")
    book(db, actor, ids, "Bella", "Room 2", today, "18:00", "02:00")
    book(db, actor, ids, "Carla", "Room 1", today + timedelta(days=1), "10:00", "16:00")
    # Entered a year ago with a document that has expired since, and one expiring in 10 days.
    new_performer(db, actor, "Dana", doc_expiry=today - timedelta(days=3), today=today - timedelta(days=365))
    new_performer(db, actor, "Eva", doc_expiry=today + timedelta(days=10))
    db.commit()

    ops = dashboard.operations(db, actor)
    assert ops is not None
    assert ops.shifts_today == 2
    assert ops.checked_in_today == 0
    assert ops.active_models == 5
    assert (ops.docs_expired, ops.docs_expiring_soon) == (1, 1)


def test_operations_are_for_owners_and_managers_only(db: Session) -> None:
    studio, owner = make_studio(db)
    for role in ("analyst", "performer"):
        who = actor_for(db, add_member(db, studio, role), studio)
        assert not who.can(Cap.PERFORMERS_MANAGE)
        assert dashboard.operations(db, who) is None
    assert dashboard.operations(db, actor_for(db, owner, studio)) is not None
