"""State events are an API: a browser may call any handler with any arguments. A signed-in
owner of studio A who sends Team and Account events carrying studio B's ids changes nothing.

The events travel over the page's own websocket (signed in with A's HttpOnly cookie): Playwright
sits between the page and the server (route_web_socket), forwards everything both ways, and
injects the crafted frames exactly as the page's Reflex client sends its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, func, select

from studioos.models.accounts import AuthSession, Invitation, Membership, User
from studioos.models.privacy import AuditLog
from tests.e2e.conftest import App, NewContext, sign_up, unique_email, wait_hydrated
from tests.e2e.event_channel import EventChannel
from tests.local_servers import MailCapture

pytestmark = pytest.mark.e2e

TEAM = "reflex___state____state.studioos___pages___team____team_state"
ACCOUNT = "reflex___state____state.studioos___pages___account____account_state"


def _snapshot(app: App, studio_id: int, user_ids: list[int], invitation_id: int) -> dict[str, Any]:
    with Session(app.engine) as db:
        members = db.exec(
            select(Membership.user_id, Membership.role)
            .where(Membership.studio_id == studio_id)
            .order_by(Membership.user_id)
        ).all()
        inv = db.get(Invitation, invitation_id)
        sessions = db.exec(
            select(AuthSession.id, AuthSession.revoked_at, AuthSession.expires_at)
            .where(AuthSession.user_id.in_(user_ids))  # type: ignore[attr-defined]
            .order_by(AuthSession.id)
        ).all()
        audit = db.exec(
            select(func.count()).select_from(AuditLog).where(AuditLog.studio_id == studio_id)
        ).one()
    assert inv is not None
    return {
        "members": [tuple(m) for m in members],
        "invitation": (inv.revoked_at, inv.expires_at, inv.token_hash, inv.accepted_at),
        "sessions": [tuple(s) for s in sessions],
        "audit": audit,
    }


def test_events_with_another_studios_ids_change_nothing(
    new_context: NewContext, app: App, mailbox: MailCapture
) -> None:
    # Studio B: an owner (signed in), an analyst, a pending invitation.
    owner_b = unique_email("owner-b")
    page_b = new_context().new_page()
    sign_up(page_b, studio="Studio B", name="Bea Owner", email_addr=owner_b)
    invitee_b = unique_email("invitee-b")
    page_b.goto("/team")
    wait_hydrated(page_b, "#invite-submit")
    page_b.fill("#invite-email", invitee_b)
    page_b.click("#invite-submit")
    page_b.locator("#invitations-table").get_by_text(invitee_b).wait_for()
    mailbox.wait_for(invitee_b)

    with Session(app.engine) as db:
        b_owner = db.exec(select(User).where(User.email == owner_b)).one()
        b_studio = db.exec(select(Membership.studio_id).where(Membership.user_id == b_owner.id)).one()
        analyst = User(email=unique_email("analyst-b"), name="Bob Analyst", password_hash="x")
        db.add(analyst)
        db.flush()
        db.add(Membership(user_id=analyst.id, studio_id=b_studio, role="analyst"))
        db.commit()
        b_analyst = analyst.id
        b_invitation = db.exec(select(Invitation.id).where(Invitation.email == invitee_b)).one()
        b_session = db.exec(
            select(AuthSession.id).where(AuthSession.user_id == b_owner.id, AuthSession.revoked_at.is_(None))  # type: ignore[union-attr]
        ).one()
    before = _snapshot(app, b_studio, [b_owner.id, b_analyst], b_invitation)
    mails_to_b = [m for m in mailbox.messages if invitee_b in str(m["To"])]
    assert len(mails_to_b) == 1

    # Studio A: its owner on the Team page, with the websocket in our hands.
    page_a = new_context().new_page()
    channel = EventChannel(page_a)
    sign_up(page_a, studio="Studio A", name="Al Owner", email_addr=unique_email("owner-a"))
    own_invitee = unique_email("invitee-a")
    page_a.goto("/team")
    wait_hydrated(page_a, "#invite-submit")
    page_a.fill("#invite-email", own_invitee)
    page_a.click("#invite-submit")
    page_a.locator("#invitations-table").get_by_text(own_invitee).wait_for()
    page_a.locator("[data-sonner-toast]").filter(has_text=f"Invitation sent to {own_invitee}").wait_for()
    with Session(app.engine) as db:
        own_invitation = db.exec(select(Invitation.id).where(Invitation.email == own_invitee)).one()

    attempts = [
        (f"{TEAM}.change_role", {"user_id": str(b_analyst), "role": "manager"}),
        (f"{TEAM}.change_role", {"user_id": str(b_owner.id), "role": "analyst"}),
        (f"{TEAM}.remove", {"user_id": str(b_analyst)}),
        (f"{TEAM}.remove", {"user_id": str(b_owner.id)}),
        (f"{TEAM}.resend", {"invitation_id": str(b_invitation)}),
        (f"{TEAM}.revoke", {"invitation_id": str(b_invitation)}),
        (f"{ACCOUNT}.revoke", {"session_id": str(b_session)}),
    ]
    answers = []
    for handler, payload in attempts:
        kind, text = channel.send(handler, "/team/", **payload)
        answers.append((handler.rsplit(".", 1)[1], payload, kind, text))
        assert kind == "error", answers
    # Each answers as for an id that does not exist: nothing about B (names, emails) leaks.
    assert [text for *_, text in answers] == [
        "This person is not on the team.",
        "This person is not on the team.",
        "This person is not on the team.",
        "This person is not on the team.",
        "This invitation no longer exists.",
        "This invitation no longer exists.",
        "This session has already ended.",
    ], answers

    # Nothing of studio B changed, no mail went out, B is still signed in.
    assert _snapshot(app, b_studio, [b_owner.id, b_analyst], b_invitation) == before
    assert [m for m in mailbox.messages if invitee_b in str(m["To"])] == mails_to_b
    page_b.goto("/team")
    page_b.locator("#members-table").get_by_text("Bob Analyst").wait_for()
    page_b.locator("#invitations-table").get_by_text(invitee_b).wait_for()

    # The same channel does work for A's own ids: the refusals above were not lost frames.
    kind, text = channel.send(f"{TEAM}.revoke", "/team/", invitation_id=str(own_invitation))
    assert (kind, text) == ("success", "Invitation revoked.")
    with Session(app.engine) as db:
        assert db.get(Invitation, own_invitation).revoked_at is not None  # type: ignore[union-attr]
    page_a.locator("#invitations-table").wait_for(state="detached")
