"""The audit log: who did what to whom, in which studio, when, from which address and browser."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, delete, select

from studioos.models import AuditLog, User, utcnow
from studioos.services import account, audit, auth, team
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import (
    PASSWORD,
    TEST_BROWSER,
    actor_for,
    actor_of,
    add_member,
    make_studio,
    refused_sign_in,
    sign_in,
)

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
    token = sign_in(db, user, client)
    return token, actor_of(db, token, client)


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
    assert refused_sign_in(db, owner.email, "wrong password!", PHONE) == "wrong_password"
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
    assert refused_sign_in(db, "stranger@example.com", "wrong password!", PHONE) == "unknown_email"
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


# --- what the log page shows: labels, filters, paging ------------------------------------------------

_RECORDED = re.compile(
    r"(?:audit\.record|record_by)\(\s*(?:db,\s*)?(?:\w+,\s*)?f?\"([a-z_]+(?:\.[a-z_{}]+)?)\""
    r"|^[A-Z_]+_AUDIT = \"([a-z_]+\.[a-z_]+)\"",
    re.MULTILINE,
)


def _recorded_codes() -> set[str]:
    root = Path(audit.__file__).resolve().parents[1]
    codes: set[str] = set()
    for path in root.rglob("*.py"):
        codes.update(code for pair in _RECORDED.findall(path.read_text()) for code in pair if code)
    return codes


def test_every_recorded_action_has_a_human_label() -> None:
    codes = _recorded_codes()
    assert {"signin.succeeded", "signout", "signin.burst_alert", "shift.cancelled"} <= codes  # the scan works
    # f"shift_request.{verdict}": its two verdicts.
    codes = {c for c in codes if "{" not in c} | {"shift_request.approved", "shift_request.declined"}
    missing = sorted(c for c in codes if c not in audit.ACTION_LABELS)
    assert missing == []
    assert audit.action_label("signin.succeeded") == "Signed in"
    assert audit.action_label("widget.was_frobbed") == "Widget was frobbed"  # never a raw code
    # Each code belongs to one of the filter's kinds.
    prefixes = {p for _, ps in audit.ACTION_KINDS.values() for p in ps}
    assert sorted(c for c in codes if c.split(".")[0] not in prefixes) == []
    # A code without a dot is its own kind's prefix (signout).
    assert audit.action_label("signout") == "Signed out"


def _log(db: Session, studio_id: int, user_id: int | None, action: str, when: datetime) -> None:
    db.add(AuditLog(studio_id=studio_id, actor_user_id=user_id, action=action, created_at=when))


def test_the_log_filters_by_kind_person_and_days_and_pages(db: Session) -> None:
    studio, owner = make_studio(db)  # Europe/Bucharest: UTC+2 in winter
    manager = add_member(db, studio, "manager", name="Mara Manager")
    me = actor_for(db, owner, studio)
    db.exec(delete(AuditLog))  # type: ignore[call-overload]
    sid, oid, mid = studio.id or 0, owner.id or 0, manager.id or 0
    day = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    _log(db, sid, oid, "signin.succeeded", day)
    _log(db, sid, mid, "signin.failed", day + timedelta(hours=1))
    _log(db, sid, mid, "shift.cancelled", day + timedelta(days=1))
    _log(db, sid, mid, "shift_series.cancelled", day + timedelta(days=2))
    _log(db, sid, oid, "invitation.sent", day + timedelta(days=3))
    # 22:30 UTC on the 13th is already the 14th in Bucharest.
    _log(db, sid, oid, "member.role_changed", datetime(2026, 12, 13, 22, 30, tzinfo=UTC))
    other, other_owner = make_studio(db, "Studio B")
    _log(db, other.id or 0, other_owner.id, "signin.succeeded", day)
    db.commit()

    rows, total = audit.list_entries(db, me)
    assert total == 6 and rows[0].label == "Role changed"
    rows, total = audit.list_entries(db, me, kind="schedule")
    assert total == 2 and {r.label for r in rows} == {"Shift cancelled", "Shift series cancelled"}
    rows, total = audit.list_entries(db, me, kind="signin", person_id=mid)
    assert total == 1 and rows[0].label == "Sign-in failed" and rows[0].actor == "Mara Manager"
    _, total = audit.list_entries(db, me, first_day=date(2026, 12, 11), last_day=date(2026, 12, 13))
    assert total == 3  # the 11th, 12th and 13th; the 22:30 UTC row is the 14th, local time
    rows, total = audit.list_entries(db, me, first_day=date(2026, 12, 14))
    assert total == 1 and rows[0].action == "member.role_changed"
    # Paged: the total counts every match, the page holds `limit` rows.
    rows, total = audit.list_entries(db, me, limit=2, offset=2)
    assert total == 6 and [r.action for r in rows] == ["shift_series.cancelled", "shift.cancelled"]

    options = audit.filter_options(db, me)
    assert [name for _, name in options.people] == ["Mara Manager", owner.name]
    assert ("signin", "Sign-ins") in options.kinds
    with pytest.raises(ValidationFailed) as backwards:
        audit.list_entries(db, me, first_day=date(2026, 12, 14), last_day=date(2026, 12, 1))
    assert backwards.value.errors == {"last_day": "The end of the period is before its start."}
    with pytest.raises(ValidationFailed) as unknown_kind:
        audit.list_entries(db, me, kind="everything")
    assert unknown_kind.value.errors == {"kind": "Choose a kind of action from the list."}
