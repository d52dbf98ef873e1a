"""Tenant isolation from the outside: a member of studio A asking for studio B's ids gets nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from studioos.api.routes import build_api
from studioos.models import AuditLog, Invitation, Membership
from studioos.services import account, audit, auth, dashboard, team
from studioos.services.errors import NotFound
from studioos.services.permissions import Actor
from tests.factories import CLIENT, PASSWORD, actor_for, add_member, make_studio, refused_sign_in, sign_in
from tests.foundation_helpers import db_snapshot, outbox_messages


def two_studios(db: Session) -> dict[str, Any]:
    studio_a, owner_a = make_studio(db, "Studio A")
    studio_b, owner_b = make_studio(db, "Studio B")
    analyst_a = add_member(db, studio_a, "analyst", "Alice A")
    analyst_b = add_member(db, studio_b, "analyst", "Bob B")
    team.invite(db, actor_for(db, owner_a, studio_a), email="pending-a@example.com", role="analyst")
    team.invite(db, actor_for(db, owner_b, studio_b), email="pending-b@example.com", role="analyst")
    # Sign-ins in both studios, failed and successful, for logs and dashboards.
    for user in (owner_a, owner_b, analyst_b):
        auth.authenticate(db, email=user.email, password=PASSWORD, client=CLIENT)
    assert refused_sign_in(db, analyst_b.email, "wrong password!") == "wrong_password"  # in B
    db.commit()
    inv_b = db.exec(select(Invitation).where(Invitation.studio_id == studio_b.id)).one()
    return {
        "a": studio_a,
        "b": studio_b,
        "owner_a": owner_a,
        "owner_b": owner_b,
        "analyst_a": analyst_a,
        "analyst_b": analyst_b,
        "inv_b": inv_b.id,
        "actor": actor_for(db, owner_a, studio_a),
    }


@pytest.mark.parametrize(
    "call",
    [
        "change_role_b_member",
        "change_role_b_owner",
        "remove_b_member",
        "remove_b_owner",
        "resend_b",
        "revoke_b",
    ],
)
def test_studio_b_ids_are_not_found_from_studio_a(db: Session, call: str) -> None:
    s = two_studios(db)
    actor: Actor = s["actor"]
    calls = {
        "change_role_b_member": lambda: team.change_role(db, actor, s["analyst_b"].id, "manager"),
        "change_role_b_owner": lambda: team.change_role(db, actor, s["owner_b"].id, "analyst"),
        "remove_b_member": lambda: team.remove_member(db, actor, s["analyst_b"].id),
        "remove_b_owner": lambda: team.remove_member(db, actor, s["owner_b"].id),
        "resend_b": lambda: team.resend_invitation(db, actor, s["inv_b"]),
        "revoke_b": lambda: team.revoke_invitation(db, actor, s["inv_b"]),
    }
    before = db_snapshot(db)
    mails = len(outbox_messages())
    with pytest.raises(NotFound):
        calls[call]()
    assert db_snapshot(db) == before
    assert len(outbox_messages()) == mails


def test_not_found_is_the_same_for_missing_ids(db: Session) -> None:
    """Another studio's id and an id that does not exist answer alike: nothing to learn from probing."""
    s = two_studios(db)
    with pytest.raises(NotFound) as foreign:
        team.revoke_invitation(db, s["actor"], s["inv_b"])
    with pytest.raises(NotFound) as missing:
        team.revoke_invitation(db, s["actor"], 987_654)
    assert foreign.value.message == missing.value.message
    with pytest.raises(NotFound) as foreign_m:
        team.remove_member(db, s["actor"], s["analyst_b"].id)
    with pytest.raises(NotFound) as missing_m:
        team.remove_member(db, s["actor"], 987_654)
    assert foreign_m.value.message == missing_m.value.message


def test_lists_never_include_studio_b(db: Session) -> None:
    s = two_studios(db)
    actor = s["actor"]
    members = team.list_members(db, actor)
    assert {m.email for m in members} == {s["owner_a"].email, s["analyst_a"].email}
    assert [i.email for i in team.list_invitations(db, actor)] == ["pending-a@example.com"]
    assert team.count_pending_invitations(db, actor) == 1
    figures = dashboard.figures(db, actor)
    assert figures.studio_name == "Studio A"
    assert figures.team_size == 2
    assert {r.name for r in figures.recent_sign_ins} == {s["owner_a"].name}


def test_audit_log_shows_only_studio_a(db: Session) -> None:
    s = two_studios(db)
    rows, total = audit.list_entries(db, s["actor"], limit=500)
    ids_a = set(db.exec(select(AuditLog.id).where(AuditLog.studio_id == s["a"].id)).all())
    assert {r.id for r in rows} == ids_a
    assert total == len(ids_a)
    assert db.exec(select(AuditLog.id).where(AuditLog.studio_id == s["b"].id)).all()  # B has rows
    text = " ".join(f"{r.actor} {r.target} {r.detail}" for r in rows)
    for secret in (s["owner_b"].email, s["analyst_b"].email, "pending-b@example.com", "Studio B"):
        assert secret not in text
    # Paging past the end shows nothing more, never B's rows.
    more, _ = audit.list_entries(db, s["actor"], limit=50, offset=total)
    assert more == []


def test_other_users_sessions_cannot_be_revoked(db: Session) -> None:
    s = two_studios(db)
    token_b = sign_in(db, s["owner_b"], password=None)
    actor_b = auth.resolve_actor(db, token_b)
    assert actor_b is not None and actor_b.session_id is not None
    with pytest.raises(NotFound):
        account.revoke_session(db, s["actor"], actor_b.session_id)
    assert actor_b.session_id not in {r.id for r in account.list_sessions(db, s["actor"])}
    assert [h.ip for h in account.login_history(db, s["actor"])] == [CLIENT.ip]
    assert auth.resolve_actor(db, token_b) is not None


def test_member_of_both_studios_acts_only_in_the_current_one(db: Session) -> None:
    s = two_studios(db)
    # Owner A is also an analyst in B: acting in A gives no power over B.
    db.add(Membership(user_id=s["owner_a"].id, studio_id=s["b"].id, role="analyst"))
    db.commit()
    actor = s["actor"]
    with pytest.raises(NotFound):
        team.change_role(db, actor, s["analyst_b"].id, "manager")
    assert s["analyst_b"].email not in {m.email for m in team.list_members(db, actor)}
    # In B the same person is an analyst, with an analyst's powers.
    in_b = actor_for(db, s["owner_a"], s["b"])
    assert in_b.role == "analyst" and in_b.studio_id == s["b"].id


def test_handoff_naming_a_foreign_studio_lands_in_the_users_own(db: Session) -> None:
    """A session can only ever be in a studio the user belongs to, whatever the code says."""
    s = two_studios(db)
    raw_browser = "analyst-a-browser"
    here = auth.Client(browser=auth.browser_hash(raw_browser))
    code = auth.create_handoff(db, s["analyst_a"], studio_id=s["b"].id, client=here)
    db.commit()
    cookies = {auth.BROWSER_COOKIE: raw_browser}
    with TestClient(build_api(), follow_redirects=False, cookies=cookies) as client:
        response = client.get("/api/auth/complete", params={"code": code})
    token = response.cookies.get(auth.SESSION_COOKIE)
    assert token
    db.expire_all()
    actor = auth.resolve_actor(db, token)
    assert actor is not None
    assert (actor.studio_id, actor.role) == (s["a"].id, "analyst")


def test_http_complete_with_studio_b_users_used_code_gives_no_cookie(db: Session) -> None:
    s = two_studios(db)
    code = auth.create_handoff(db, s["owner_b"], client=CLIENT)
    db.commit()
    assert auth.redeem_handoff(db, code, CLIENT)  # B's browser used it
    db.commit()
    with TestClient(build_api(), follow_redirects=False) as client:
        response = client.get("/api/auth/complete", params={"code": code})
    assert response.headers["location"] == "/signin?expired=1"
    assert auth.SESSION_COOKIE not in response.cookies
