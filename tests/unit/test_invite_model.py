"""Inviting a model from her profile links the new account to that profile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session, select

from studioos.models import Membership, Role
from studioos.services import performers, team
from studioos.services.errors import NotFound, ValidationFailed
from tests.factories import PASSWORD, actor_for, make_studio, new_performer


def _token_from_outbox(tmp_path: Path) -> str:
    [mail] = sorted((tmp_path / "outbox").glob("*.eml"))
    match = re.search(r"/invite/([A-Za-z0-9_-]+)", mail.read_text())
    assert match, "the invitation mail has no /invite/ link"
    return match.group(1)


def test_accepting_a_model_invitation_links_her_profile(db: Session, tmp_path: Path) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    performer_id = new_performer(db, actor, "Luna")
    team.invite(db, actor, email="luna@example.com", role=Role.PERFORMER, performer_id=performer_id)
    db.commit()

    user, studio_id = team.accept_invitation(
        db, _token_from_outbox(tmp_path), name="Luna Real", password=PASSWORD, password_confirm=PASSWORD
    )
    db.commit()

    membership = db.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.studio_id == studio_id)
    ).one()
    assert (membership.role, membership.performer_id) == (Role.PERFORMER, performer_id)
    me = actor_for(db, user, studio)
    assert performers.my_profile(db, me).id == performer_id


def test_profile_link_needs_the_model_role_and_a_profile_of_this_studio(db: Session) -> None:
    studio, owner = make_studio(db)
    other, other_owner = make_studio(db, "Studio B")
    actor = actor_for(db, owner, studio)
    theirs = new_performer(db, actor_for(db, other_owner, other), "Theirs")
    mine = new_performer(db, actor, "Mine")

    with pytest.raises(ValidationFailed) as exc:
        team.invite(db, actor, email="a@example.com", role=Role.ANALYST, performer_id=mine)
    assert set(exc.value.errors) == {"role"} and "Model role" in exc.value.errors["role"]
    # Another studio's profile is not found, rather than refused: its id reveals nothing.
    with pytest.raises(NotFound):
        team.invite(db, actor, email="b@example.com", role=Role.PERFORMER, performer_id=theirs)
