"""The audit log: who did what to whom, in which studio, when, from which address and browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from studioos.models import AuditLog, User, utcnow
from studioos.services import account, audit, auth, team
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import PASSWORD, TEST_BROWSER, actor_for, add_member, make_studio

OWNER_CLIENT = auth.Client(
    ip="203.0.113.10",
    user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    browser=TEST_BROWSER,
)
PHONE = auth.Client(
    ip="198.51.100.77",
    user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    browser=TEST_BROWSER,
)
FIREFOX = "Firefox on Windows (computer)"


def signed_in(db: Session, user: User, client: auth.Client) -> tuple[str, Actor]:
    auth.authenticate(db, email=user.email, password=PASSWORD, client=client)
    code = auth.create_handoff(db, user, client=client)
    db.commit()
    token = auth.redeem_handoff(db, code, client)
    db.commit()
    actor = auth.resolve_actor(db, token or "", client)
    assert actor is not None
    return token or "", actor


def only(db: Session, action: str) -> AuditLog:
    rows = db.exec(select(AuditLog).where(AuditLog.action == action)).all()
    assert len(rows) == 1, f"{action}: {rows}"
    return rows[0]


def check(
    row: AuditLog, *, studio_id: int | None, actor_id: int | None, target: str, client: auth.Client
) -> None:
    assert row.studio_id == studio_id
    assert row.actor_user_id == actor_id
    assert row.target == target
    assert row.ip == client.ip
    assert row.user_agent == client.user_agent
    assert abs(utcnow() - row.created_at) < timedelta(minutes=1)


def test_sign_in_success_and_failure_are_logged(db: Session) -> None:
    studio, owner = make_studio(db)
    with pytest.raises(ValidationFailed):
        auth.authenticate(db, email=owner.email, password="wrong password!", client=PHONE)
    signed_in(db, owner, OWNER_CLIENT)

    failed = only(db, "signin.failed")
    check(failed, studio_id=studio.id, actor_id=owner.id, target=owner.email, client=PHONE)
    assert failed.detail == "wrong_password"
    ok = only(db, "signin.succeeded")
    check(ok, studio_id=studio.id, actor_id=owner.id, target=owner.email, client=OWNER_CLIENT)

    rows, _ = audit.list_entries(db, actor_for(db, owner, studio))
    by_action = {r.action: r for r in rows}
    assert by_action["signin.failed"].browser == "Mobile Safari on iOS (phone)"
    assert by_action["signin.failed"].actor == owner.name
    assert by_action["signin.succeeded"].browser == FIREFOX
    assert by_action["signin.succeeded"].ip == OWNER_CLIENT.ip


def test_unknown_email_failures_land_in_no_studio_log(db: Session) -> None:
    studio, owner = make_studio(db)
    with pytest.raises(ValidationFailed):
        auth.authenticate(db, email="stranger@example.com", password="wrong password!", client=PHONE)
    row = only(db, "signin.failed")
    assert row.studio_id is None and row.actor_user_id is None and row.detail == "unknown_email"
    rows, _ = audit.list_entries(db, actor_for(db, owner, studio))
    assert "signin.failed" not in {r.action for r in rows}


def test_role_change_is_logged(db: Session) -> None:
    studio, owner = make_studio(db)
    analyst = add_member(db, studio, "analyst")
    _, actor = signed_in(db, owner, OWNER_CLIENT)
    team.change_role(db, actor, analyst.id or 0, "manager")
    db.commit()
    row = only(db, "member.role_changed")
    check(row, studio_id=studio.id, actor_id=owner.id, target=analyst.email, client=OWNER_CLIENT)
    assert row.detail == "analyst->manager"


def test_invitations_are_logged(db: Session) -> None:
    studio, owner = make_studio(db)
    _, actor = signed_in(db, owner, OWNER_CLIENT)
    team.invite(db, actor, email="nina@example.com", role="performer")
    db.commit()
    [inv] = team.list_invitations(db, actor)
    team.resend_invitation(db, actor, inv.id)
    team.revoke_invitation(db, actor, inv.id)
    db.commit()
    sent = only(db, "invitation.sent")
    check(sent, studio_id=studio.id, actor_id=owner.id, target="nina@example.com", client=OWNER_CLIENT)
    assert sent.detail == "role=performer"
    for action in ("invitation.resent", "invitation.revoked"):
        check(
            only(db, action),
            studio_id=studio.id,
            actor_id=owner.id,
            target="nina@example.com",
            client=OWNER_CLIENT,
        )


def test_password_change_and_session_revocation_are_logged(db: Session) -> None:
    studio, owner = make_studio(db)
    _, actor = signed_in(db, owner, OWNER_CLIENT)
    signed_in(db, owner, PHONE)
    phone_id = next(r.id for r in account.list_sessions(db, actor) if not r.is_current)
    account.revoke_session(db, actor, phone_id)
    db.commit()
    revoked = only(db, "session.revoked")
    check(revoked, studio_id=studio.id, actor_id=owner.id, target="", client=OWNER_CLIENT)
    assert revoked.detail == "Mobile Safari on iOS (phone)"

    account.change_password(
        db, actor, current=PASSWORD, new="another good password", confirm="another good password"
    )
    db.commit()
    check(
        only(db, "account.password_changed"),
        studio_id=studio.id,
        actor_id=owner.id,
        target=owner.email,
        client=OWNER_CLIENT,
    )


def test_audit_log_lists_newest_first_with_paging(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    for i in range(5):
        team.invite(db, actor, email=f"p{i}@example.com", role="analyst")
        db.commit()
    rows, total = audit.list_entries(db, actor, limit=2)
    assert total == 6  # studio.created + 5 invitations
    assert [r.target for r in rows] == ["p4@example.com", "p3@example.com"]
    page3, _ = audit.list_entries(db, actor, limit=2, offset=4)
    assert [r.action for r in page3] == ["invitation.sent", "studio.created"]
