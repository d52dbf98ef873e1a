"""The support desk: who sees which request, the status a reply moves to, the queue's order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from studioos.models import AuditLog, Notification, Role, SupportRequest
from studioos.services import support
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, add_support_user, make_studio
from tests.foundation_helpers import body_of, mails_to

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Scene:
    owner: Actor
    manager: Actor
    other_owner: Actor  # of another studio
    agent: Actor
    agent2: Actor


@pytest.fixture
def scene(db: Session) -> Scene:
    studio, owner = make_studio(db, "Studio A")
    manager = add_member(db, studio, Role.MANAGER, name="Mara Manager")
    other, other_owner = make_studio(db, "Studio B")
    return Scene(
        owner=actor_for(db, owner, studio),
        manager=actor_for(db, manager, studio),
        other_owner=actor_for(db, other_owner, other),
        agent=actor_for(db, add_support_user(db, "Sam Support")),
        agent2=actor_for(db, add_support_user(db, "Alex Agent")),
    )


def _open(
    db: Session, actor: Actor, title: str = "Cannot sign in", category: str = "account", at: datetime = T0
) -> int:
    row = support.open_request(db, actor, title, category, "Help, please.", now=at)
    db.commit()
    return row.id


def test_open_validates_and_sets_the_first_response_target(db: Session, scene: Scene) -> None:
    with pytest.raises(ValidationFailed) as bad:
        support.open_request(db, scene.owner, "   ", "gossip", "", now=T0)
    assert set(bad.value.errors) == {"title", "category", "message"}
    with pytest.raises(ValidationFailed) as long:
        support.open_request(db, scene.owner, "x" * (support.TITLE_MAX + 1), "bug", "y" * 10, now=T0)
    assert set(long.value.errors) == {"title"}
    with pytest.raises(ValidationFailed) as long_body:
        support.open_request(db, scene.owner, "Ok", "bug", "y" * (support.BODY_MAX + 1), now=T0)
    assert set(long_body.value.errors) == {"message"}

    row = support.open_request(db, scene.owner, "  Payout missing  ", "privacy", "Where is it?", now=T0)
    db.commit()
    assert (row.title, row.category, row.status) == ("Payout missing", "privacy", "open")
    assert row.first_response_due_at == T0 + timedelta(hours=24)
    assert (row.studio_name, row.requester_email) == ("Studio A", scene.owner.email)
    assert row.due_text == "due in 24 h"
    detail = support.thread(db, scene.owner, row.id, now=T0 + timedelta(hours=2, minutes=10))
    assert detail.request.due_text == "due in 21 h"
    assert [(m.author_name, m.body, m.from_support) for m in detail.messages] == [
        (scene.owner.name, "Where is it?", False)
    ]
    assert db.exec(select(AuditLog.action).where(AuditLog.action == "support.request_opened")).all()
    assert support.FIRST_RESPONSE_HOURS == {"account": 8, "billing": 8, "privacy": 24, "bug": 24, "other": 48}


def test_only_the_requester_and_support_see_a_request(db: Session, scene: Scene) -> None:
    rid = _open(db, scene.manager)
    support.reply(db, scene.agent, rid, "Checking with the team.", internal=True, now=T0)
    db.commit()
    mine = support.thread(db, scene.manager, rid)
    assert [m.internal for m in mine.messages] == [False]  # the internal note is not there
    assert [m.internal for m in support.thread(db, scene.agent, rid).messages] == [False, True]
    # The studio's owner (same studio), another studio's owner: not theirs, not found.
    for stranger in (scene.owner, scene.other_owner):
        with pytest.raises(NotFound):
            support.thread(db, stranger, rid)
        with pytest.raises(NotFound):
            support.reply(db, stranger, rid, "Me too")
        with pytest.raises(NotFound):
            support.set_status(db, stranger, rid, "closed")
        assert support.my_requests(db, stranger) == []
    with pytest.raises(NotFound):
        support.thread(db, scene.manager, rid + 1000)
    # Only support writes internal notes.
    with pytest.raises(PermissionDenied):
        support.reply(db, scene.manager, rid, "secret", internal=True)
    assert [r.id for r in support.my_requests(db, scene.manager)] == [rid]


def test_replies_move_the_status_and_support_answers_by_email(db: Session, scene: Scene) -> None:
    rid = _open(db, scene.owner, "Invoice wrong", "billing")
    with pytest.raises(ValidationFailed) as empty:
        support.reply(db, scene.agent, rid, "  ")
    assert set(empty.value.errors) == {"body"}

    support.reply(db, scene.agent, rid, "We fixed the invoice.", now=T0 + timedelta(hours=1))
    db.commit()
    req = db.get(SupportRequest, rid)
    assert req is not None
    assert (req.status, req.first_responded_at) == ("waiting_on_you", T0 + timedelta(hours=1))
    assert req.updated_at == T0 + timedelta(hours=1)
    mails = mails_to(scene.owner.email)
    assert len(mails) == 1
    assert mails[0]["Subject"] == "New reply to your request: Invoice wrong"
    assert "We fixed the invoice." in body_of(mails[0])
    assert f"http://testserver/support?request={rid}" in body_of(mails[0])
    bell = db.exec(select(Notification).where(Notification.user_id == scene.owner.user_id)).all()
    assert [(n.kind, n.link) for n in bell] == [("support_reply", f"/support?request={rid}")]
    detail = support.thread(db, scene.owner, rid)
    assert detail.request.due_text == ""  # answered: no target any more
    assert detail.messages[-1].from_support and detail.messages[-1].author_name == "Sam Support"

    support.reply(db, scene.owner, rid, "Thanks, but the VAT is wrong.", now=T0 + timedelta(hours=2))
    db.commit()
    assert db.get(SupportRequest, rid).status == "waiting_on_us"  # type: ignore[union-attr]
    # The second answer keeps the first-response time; notes change nothing the requester sees.
    support.reply(db, scene.agent2, rid, "VAT corrected.", now=T0 + timedelta(hours=3))
    support.reply(db, scene.agent2, rid, "Told finance.", internal=True, now=T0 + timedelta(hours=4))
    db.commit()
    req = db.get(SupportRequest, rid)
    assert req is not None
    assert (req.status, req.first_responded_at) == ("waiting_on_you", T0 + timedelta(hours=1))
    assert len(mails_to(scene.owner.email)) == 2
    actions = db.exec(
        select(AuditLog.action, AuditLog.detail).where(col(AuditLog.action).startswith("support."))
    ).all()
    assert sorted(a for a, _ in actions) == [
        "support.note_added",
        "support.replied",
        "support.replied",
        "support.request_opened",
    ]
    assert all("VAT" not in detail and "finance" not in detail for _, detail in actions)


def test_resolved_reopens_on_a_reply_and_closed_refuses_one(db: Session, scene: Scene) -> None:
    rid = _open(db, scene.owner)
    support.set_status(db, scene.owner, rid, "resolved")
    db.commit()
    support.reply(db, scene.owner, rid, "Happened again.")
    db.commit()
    assert db.get(SupportRequest, rid).status == "waiting_on_us"  # type: ignore[union-attr]
    support.set_status(db, scene.owner, rid, "closed")
    db.commit()
    with pytest.raises(ValidationFailed) as closed:
        support.reply(db, scene.owner, rid, "Hello?")
    assert set(closed.value.errors) == {"body"}


def test_set_status_permissions(db: Session, scene: Scene) -> None:
    rid = _open(db, scene.owner)
    for status in ("open", "waiting_on_you", "waiting_on_us"):
        with pytest.raises(PermissionDenied):
            support.set_status(db, scene.owner, rid, status)
    with pytest.raises(ValidationFailed):
        support.set_status(db, scene.agent, rid, "lost")
    support.set_status(db, scene.agent, rid, "waiting_on_us")
    support.set_status(db, scene.agent, rid, "resolved")
    support.set_status(db, scene.owner, rid, "closed")
    db.commit()
    assert db.get(SupportRequest, rid).status == "closed"  # type: ignore[union-attr]
    details = db.exec(
        select(AuditLog.detail).where(AuditLog.action == "support.status_changed").order_by(col(AuditLog.id))
    ).all()
    assert details == ["open -> waiting_on_us", "waiting_on_us -> resolved", "resolved -> closed"]


def test_due_text() -> None:
    assert support.due_text(T0 + timedelta(hours=3, minutes=59), T0) == "due in 3 h"
    assert support.due_text(T0 + timedelta(minutes=25, seconds=30), T0) == "due in 25 min"
    assert support.due_text(T0 - timedelta(hours=1, minutes=30), T0) == "overdue by 1 h"
    assert support.due_text(T0 - timedelta(minutes=5), T0) == "overdue by 5 min"


def test_the_queue_orders_filters_and_is_for_support_only(db: Session, scene: Scene) -> None:
    # Targets: account 8 h, bug 24 h, other 48 h.
    late = _open(db, scene.owner, "Locked out", "account", at=T0 - timedelta(hours=10))  # due T0-2h
    soon = _open(db, scene.manager, "Chart empty", "bug", at=T0 - timedelta(hours=23, minutes=30))
    later = _open(db, scene.other_owner, "Idea", "other", at=T0)  # due T0+48h
    answered = _open(db, scene.other_owner, "Card declined", "billing", at=T0 - timedelta(hours=5))
    support.reply(db, scene.agent, answered, "Try again now.", now=T0 - timedelta(hours=4))
    done = _open(db, scene.owner, "Old", "bug", at=T0 - timedelta(days=5))  # overdue, but resolved
    support.set_status(db, scene.agent, done, "resolved")
    db.get(SupportRequest, done).updated_at = T0 - timedelta(days=4)  # type: ignore[union-attr]
    db.commit()

    rows = support.queue(db, scene.agent, now=T0)
    assert [r.id for r in rows] == [late, soon, later, answered, done]
    assert [r.due_text for r in rows] == ["overdue by 2 h", "due in 30 min", "due in 48 h", "", ""]
    assert (rows[2].studio_name, rows[2].studio_plan) == ("Studio B", "trial")

    assert [r.id for r in support.queue(db, scene.agent, category="bug", now=T0)] == [soon, done]
    assert [r.id for r in support.queue(db, scene.agent, status="waiting_on_you", now=T0)] == [answered]
    studio_b = scene.other_owner.studio_id
    assert [r.id for r in support.queue(db, scene.agent, studio_id=studio_b, now=T0)] == [later, answered]
    with pytest.raises(ValidationFailed):
        support.queue(db, scene.agent, status="lost")

    for outsider in (scene.owner, scene.manager):
        with pytest.raises(PermissionDenied):
            support.queue(db, outsider)
        with pytest.raises(PermissionDenied):
            support.agents(db, outsider)


def test_assign_takes_only_support_staff(db: Session, scene: Scene) -> None:
    rid = _open(db, scene.owner)
    assert support.agents(db, scene.agent) == [
        (scene.agent2.user_id, "Alex Agent"),
        (scene.agent.user_id, "Sam Support"),
    ]
    with pytest.raises(ValidationFailed) as not_support:
        support.assign(db, scene.agent, rid, scene.manager.user_id)
    assert set(not_support.value.errors) == {"agent_id"}
    with pytest.raises(PermissionDenied):
        support.assign(db, scene.owner, rid, scene.agent.user_id)
    support.assign(db, scene.agent, rid, scene.agent2.user_id)
    db.commit()
    assert support.queue(db, scene.agent)[0].assigned_to_name == "Alex Agent"
    support.assign(db, scene.agent, rid, None)
    db.commit()
    assert support.queue(db, scene.agent)[0].assigned_to_name == ""


def test_merge(db: Session, scene: Scene) -> None:
    a = _open(db, scene.owner, "Cannot sign in")
    b = _open(db, scene.owner, "Still cannot sign in", at=T0 + timedelta(minutes=5))
    c = _open(db, scene.owner, "Third", at=T0 + timedelta(minutes=6))
    other = _open(db, scene.manager, "Mine")
    with pytest.raises(PermissionDenied):
        support.merge(db, scene.owner, a, b)
    with pytest.raises(ValidationFailed) as itself:
        support.merge(db, scene.agent, a, a)
    assert set(itself.value.errors) == {"into_id"}
    with pytest.raises(ValidationFailed):
        support.merge(db, scene.agent, a, other)  # another person's request
    with pytest.raises(NotFound):
        support.merge(db, scene.agent, a, b + 1000)

    support.merge(db, scene.agent, a, b)
    db.commit()
    merged = db.get(SupportRequest, a)
    assert merged is not None
    assert (merged.merged_into_id, merged.status) == (b, "closed")
    mine = support.thread(db, scene.owner, a)
    assert mine.merged_into_id == b
    assert mine.messages[-1].body == f"This request continues in #{b}"
    assert [m.body for m in support.thread(db, scene.owner, b).messages] == ["Help, please."]
    assert support.thread(db, scene.agent, b).messages[-1].body == f"Merged from #{a}"
    assert support.thread(db, scene.agent, b).messages[-1].internal
    assert a not in [r.id for r in support.queue(db, scene.agent)]
    # Nothing merges into a request that itself went elsewhere.
    with pytest.raises(ValidationFailed) as gone:
        support.merge(db, scene.agent, c, a)
    assert set(gone.value.errors) == {"into_id"}


def test_the_queue_filters_by_the_studios_that_asked(db: Session, scene: Scene) -> None:
    mine = _open(db, scene.owner, "From A")
    theirs = _open(db, scene.other_owner, "From B")
    studios = support.request_studios(db, scene.agent)
    assert [name for _, name in studios] == sorted(name for _, name in studios)
    assert len(studios) == 2
    a_id = next(sid for sid, name in studios if name == "Studio A")
    assert [r.id for r in support.queue(db, scene.agent, studio_id=a_id)] == [mine]
    assert theirs not in [r.id for r in support.queue(db, scene.agent, studio_id=a_id)]
    with pytest.raises(PermissionDenied):
        support.request_studios(db, scene.owner)
