"""Each role's view carries only what it may see: a model's own profile has no staff notes, a list
sorts only by fields the role's rows carry, and staff notes rest encrypted and are never searched."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text
from sqlmodel import Session

from studioos.models import Performer, Role
from studioos.services import performers
from studioos.services.performers import OwnProfile, PerformerDetail, ProfileInput
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, make_studio, new_performer, performer_user

NOTE = "Late twice in May; talk to her about the new room"


def _field_names(value: object) -> set[str]:
    assert dataclasses.is_dataclass(value)
    return {f.name for f in dataclasses.fields(value)}


def test_a_model_never_receives_the_staff_notes_about_her(db: Session) -> None:
    studio, owner_user = make_studio(db)
    owner = actor_for(db, owner_user, studio)
    pid = new_performer(db, owner, "Anna")
    performers.update_profile(db, owner, pid, ProfileInput("Anna", "active", notes=NOTE))
    db.commit()
    anna = performer_user(db, studio, pid, "Anna User")

    staff_view = performers.get_performer(db, owner, pid)
    assert isinstance(staff_view, PerformerDetail) and staff_view.notes == NOTE

    own_views = [
        performers.get_performer(db, anna, pid),
        performers.my_profile(db, anna),
        performers.update_contact(db, anna, pid, email="anna@example.com", phone="", telegram=""),
    ]
    for view in own_views:
        assert type(view) is OwnProfile  # not the staff type, not a subclass of it
        assert "notes" not in _field_names(view)
        assert NOTE not in repr(view)
        assert view.stage_name == "Anna" and view.payout_split == staff_view.payout_split  # her own terms
    # The staff's view keeps everything the model's has, plus the notes and the ID document's
    # expiry flags: those extra fields, no less.
    assert _field_names(staff_view) - _field_names(own_views[0]) == {
        "notes",
        "doc_expiry",
        "doc_expired",
        "doc_expires_soon",
    }


def _splits_scene(db: Session) -> tuple[Actor, Actor]:
    studio, owner_user = make_studio(db)
    owner = actor_for(db, owner_user, studio)
    # Names in one order, payout splits in another: a sort by split would reveal who earns more.
    for name, split in (("Ada", "70"), ("Bea", "40"), ("Cleo", "55")):
        pid = new_performer(db, owner, name)
        performers.update_profile(db, owner, pid, ProfileInput(name, "active", payout_split=split))
    db.commit()
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    return owner, analyst


@pytest.mark.parametrize("key", ["payout_split", "created_at", "email", "legal_name", "notes", "nonsense"])
def test_an_analyst_cannot_sort_by_a_field_she_cannot_see(db: Session, key: str) -> None:
    _, analyst = _splits_scene(db)
    for descending in (False, True):
        page = performers.list_performers(db, analyst, sort=key, descending=descending)
        names = [r.stage_name for r in page.rows]
        assert page.sort == "stage_name"  # the default sort, whatever was asked
        assert names == (["Cleo", "Bea", "Ada"] if descending else ["Ada", "Bea", "Cleo"])
    assert performers.sort_keys(analyst) == {"stage_name", "status"}


def test_staff_sort_by_the_split_they_see(db: Session) -> None:
    owner, _ = _splits_scene(db)
    page = performers.list_performers(db, owner, sort="payout_split")
    assert page.sort == "payout_split"
    assert [r.stage_name for r in page.rows] == ["Bea", "Cleo", "Ada"]
    assert "payout_split" in performers.sort_keys(owner)


def test_model_notes_rest_encrypted_and_are_not_searched(db: Session) -> None:
    studio, owner_user = make_studio(db)
    owner = actor_for(db, owner_user, studio)
    pid = new_performer(db, owner, "Anna")
    performers.update_profile(db, owner, pid, ProfileInput("Anna", "active", notes=NOTE))
    db.commit()
    raw = db.execute(text("SELECT notes FROM performer WHERE id = :id"), {"id": pid}).scalar_one()
    assert raw.startswith("gAAAA") and "talk to her" not in raw  # a Fernet token, not the text
    db.expire_all()
    stored = db.get(Performer, pid)
    assert stored is not None and stored.notes == NOTE  # the ORM reads it back
    # A word of the notes finds nothing: the list searches stage names and contact data only.
    assert performers.list_performers(db, owner, search="talk to her").total == 0
    assert performers.list_performers(db, owner, search="ann").total == 1
