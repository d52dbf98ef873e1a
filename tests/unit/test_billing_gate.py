"""A lapsed studio is read-only for people: every write to its data is refused in one place, with
the banner's words; privacy rights, support and billing itself never are; jobs are not gated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from studioos.models import Membership, Role, Room, Studio, SupportRequest, utcnow
from studioos.services import billing, billing_gate, data_export, rooms, studios, support
from studioos.services.billing import StudioReadOnly
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, make_studio


def _lapse(db: Session, studio: Studio) -> None:
    studio.trial_ends_at = utcnow() - timedelta(hours=1)
    db.add(studio)
    db.commit()


def _gated(db: Session, actor: Actor) -> Session:
    billing_gate.guard(db, actor)
    return db


def test_a_lapsed_studio_takes_no_change_from_people(db: Session) -> None:
    studio, owner_user = make_studio(db, "Lapsed")
    owner = actor_for(db, owner_user, studio)
    manager = actor_for(db, add_member(db, studio, Role.MANAGER), studio)
    _lapse(db, studio)
    assert billing.is_read_only(db, studio.id or 0)

    with pytest.raises(StudioReadOnly) as refused:
        rooms.create_room(_gated(db, owner), owner, "Room 9")
        db.flush()
    assert "Billing" in refused.value.message  # the owner is sent where she can act
    db.rollback()
    assert db.exec(select(Room).where(Room.name == "Room 9")).first() is None

    with pytest.raises(StudioReadOnly) as refused:
        rooms.create_room(_gated(db, manager), manager, "Room 10")
        db.flush()
    assert "owner" in refused.value.message  # the team is told who can act
    db.rollback()


def test_privacy_rights_support_and_the_studio_row_are_never_gated(db: Session) -> None:
    studio, owner_user = make_studio(db, "Lapsed")
    owner = actor_for(db, owner_user, studio)
    manager_user = add_member(db, studio, Role.MANAGER)
    _lapse(db, studio)
    gated = _gated(db, owner)
    support.open_request(gated, owner, "Billing is stuck", "billing", "I cannot pay.")
    data_export.request(gated, owner)
    studios.update_settings(
        gated, owner, name="Lapsed Ltd", timezone=studio.timezone, currency=studio.currency
    )
    # Leaving a team (a membership deleted) is always possible.
    gated.delete(gated.exec(select(Membership).where(Membership.user_id == manager_user.id)).one())
    gated.commit()
    assert gated.exec(select(SupportRequest)).one().title == "Billing is stuck"
    assert gated.get(Studio, studio.id).name == "Lapsed Ltd"


def test_a_studio_in_its_trial_writes_and_jobs_are_not_gated(db: Session) -> None:
    studio, owner_user = make_studio(db, "Trialing")
    owner = actor_for(db, owner_user, studio)
    lapsed, lapsed_owner_user = make_studio(db, "Lapsed")
    _lapse(db, lapsed)
    rooms.create_room(_gated(db, owner), owner, "Room 1")  # another studio's lapse is not hers
    db.commit()
    db.info.pop(billing_gate.GATED, None)  # a job's unit of work: no person, no gate
    lapsed_owner = actor_for(db, lapsed_owner_user, lapsed)
    rooms.create_room(db, lapsed_owner, "Room by a job")
    db.commit()
    assert {r.name for r in db.exec(select(Room)).all()} == {"Room 1", "Room by a job"}
