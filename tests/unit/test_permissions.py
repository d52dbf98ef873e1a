"""Roles are enforced in the services, whatever the UI shows or hides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from studioos.models import Invitation, User
from studioos.services import audit, auth, dashboard, team, users
from studioos.services.errors import PermissionDenied
from studioos.services.permissions import Actor
from tests.factories import CLIENT, PASSWORD, actor_for, actor_of, add_member, make_studio, sign_in
from tests.foundation_helpers import db_snapshot, outbox_messages


def _setup(db: Session) -> dict[str, Any]:
    studio, owner = make_studio(db)
    analyst = add_member(db, studio, "analyst")
    manager = add_member(db, studio, "manager")
    team.invite(db, actor_for(db, owner, studio), email="pending@example.com", role="analyst")
    db.commit()
    invitation_id = db.exec(select(Invitation.id)).one()
    return {
        "studio": studio,
        "owner": owner,
        "analyst": analyst,
        "manager": manager,
        "invitation_id": invitation_id,
    }


def _forbidden_calls(s: dict[str, Any]) -> dict[str, Callable[[Session, Actor], object]]:
    analyst_id = s["analyst"].id
    return {
        "invite": lambda db, a: team.invite(db, a, email="new@example.com", role="analyst"),
        "change_role": lambda db, a: team.change_role(db, a, analyst_id, "manager"),
        "remove_member": lambda db, a: team.remove_member(db, a, analyst_id),
        "resend_invitation": lambda db, a: team.resend_invitation(db, a, s["invitation_id"]),
        "revoke_invitation": lambda db, a: team.revoke_invitation(db, a, s["invitation_id"]),
        "audit_log": lambda db, a: audit.list_entries(db, a),
        "list_members": lambda db, a: team.list_members(db, a),
        "list_invitations": lambda db, a: team.list_invitations(db, a),
    }


@pytest.mark.parametrize("role", ["analyst", "performer"])
@pytest.mark.parametrize(
    "call",
    [
        "invite",
        "change_role",
        "remove_member",
        "resend_invitation",
        "revoke_invitation",
        "audit_log",
        "list_members",
        "list_invitations",
    ],
)
def test_analysts_and_performers_cannot_manage_the_team_or_read_the_audit_log(
    db: Session, role: str, call: str
) -> None:
    s = _setup(db)
    actor = actor_for(db, add_member(db, s["studio"], role), s["studio"])
    mails_before = len(outbox_messages())
    before = db_snapshot(db)
    with pytest.raises(PermissionDenied):
        _forbidden_calls(s)[call](db, actor)
    assert db_snapshot(db) == before
    assert len(outbox_messages()) == mails_before


@pytest.mark.parametrize("call", ["change_role", "remove_member"])
def test_managers_cannot_change_roles_or_remove_members(db: Session, call: str) -> None:
    s = _setup(db)
    actor = actor_for(db, s["manager"], s["studio"])
    before = db_snapshot(db)
    with pytest.raises(PermissionDenied):
        _forbidden_calls(s)[call](db, actor)
    assert db_snapshot(db) == before


def test_managers_may_view_the_team_invite_and_read_the_audit_log(db: Session) -> None:
    s = _setup(db)
    actor = actor_for(db, s["manager"], s["studio"])
    assert len(team.list_members(db, actor)) == 3
    assert [i.email for i in team.list_invitations(db, actor)] == ["pending@example.com"]
    team.invite(db, actor, email="new@example.com", role="performer")
    rows, total = audit.list_entries(db, actor)
    assert total == len(rows) > 0


def _support(db: Session) -> tuple[User, Actor]:
    user = users.create_user(
        db, email="sam@studioos.app", name="Sam Support", password=PASSWORD, support=True
    )
    db.commit()
    return user, actor_of(db, sign_in(db, user))


def test_support_user_is_in_no_studio(db: Session) -> None:
    _setup(db)
    user, actor = _support(db)
    assert user.is_support
    assert actor.is_support and actor.studio_id is None and actor.role is None


@pytest.mark.parametrize("forge_studio", [False, True])
def test_support_user_sees_no_studio_data(db: Session, forge_studio: bool) -> None:
    s = _setup(db)
    _user, actor = _support(db)
    if forge_studio:
        # Even an actor pointing at a studio (with an owner's role) gets nothing as support.
        actor = Actor(
            user_id=actor.user_id,
            email=actor.email,
            name=actor.name,
            studio_id=s["studio"].id,
            role="owner",
            is_support=True,
        )
    for name, call in _forbidden_calls(s).items():
        with pytest.raises(PermissionDenied):
            call(db, actor)
            pytest.fail(f"support could call {name}")
    figures = dashboard.figures(db, actor)
    assert figures.studio_name != s["studio"].name
    assert figures.team_size == 0 and figures.by_role == {} and figures.pending_invitations is None
    # Only the support user's own sign-ins, no studio member's.
    assert {r.name for r in figures.recent_sign_ins} <= {actor.name}


def test_analyst_dashboard_shows_only_own_sign_ins(db: Session) -> None:
    s = _setup(db)
    for user in (s["owner"], s["analyst"]):
        auth.authenticate(db, email=user.email, password=PASSWORD, client=CLIENT)
    db.commit()
    figures = dashboard.figures(db, actor_for(db, s["analyst"], s["studio"]))
    assert {r.name for r in figures.recent_sign_ins} == {s["analyst"].name}
    assert figures.pending_invitations is None
    owner_view = dashboard.figures(db, actor_for(db, s["owner"], s["studio"]))
    assert {r.name for r in owner_view.recent_sign_ins} == {s["owner"].name, s["analyst"].name}
    assert owner_view.pending_invitations == 1


def test_a_user_without_a_studio_gets_nothing(db: Session) -> None:
    s = _setup(db)
    team.remove_member(db, actor_for(db, s["owner"], s["studio"]), s["manager"].id)
    db.commit()
    lost = actor_for(db, s["manager"], s["studio"])  # membership gone: role resolves to None
    assert lost.role is None
    for call in _forbidden_calls(s).values():
        with pytest.raises(PermissionDenied):
            call(db, lost)
