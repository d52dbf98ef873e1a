"""Saved replies of the support desk: who may keep them, what a title and a text may be, the
placeholders a reply is filled with, and the built-in ones a new desk starts with."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from studioos.models import AuditLog, CannedReply, Role
from studioos.services import audit, canned_replies
from studioos.services.canned_replies import DUPLICATE_TITLE, fill
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, add_support_user, make_studio

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Scene:
    agent: Actor
    agent2: Actor
    owner: Actor
    manager: Actor
    studio_id: int


@pytest.fixture
def scene(db: Session) -> Scene:
    studio, owner = make_studio(db, "Studio A")
    manager = add_member(db, studio, Role.MANAGER, name="Mara Manager")
    return Scene(
        agent=actor_for(db, add_support_user(db, "Sam Support")),
        agent2=actor_for(db, add_support_user(db, "Alex Agent")),
        owner=actor_for(db, owner, studio),
        manager=actor_for(db, manager, studio),
        studio_id=studio.id or 0,
    )


def _save(db: Session, actor: Actor, title: str, body: str = "Hello {first_name}.", **kw: object) -> int:
    view = canned_replies.save(db, actor, title, body, **kw)  # type: ignore[arg-type]
    db.commit()
    return view.id


def _canned_audit(db: Session) -> list[AuditLog]:
    return list(
        db.exec(
            select(AuditLog)
            .where(col(AuditLog.action).startswith("support.canned"))
            .order_by(col(AuditLog.id))
        ).all()
    )


# --- keeping them ------------------------------------------------------------------------------


def test_saved_replies_are_added_listed_by_title_edited_and_deleted(db: Session, scene: Scene) -> None:
    view = canned_replies.save(db, scene.agent, "  Refund   policy ", "  Refunds take 5 days.  ", now=T0)
    db.commit()
    assert (view.title, view.body, view.created_by_name, view.updated_at) == (
        "Refund policy",
        "Refunds take 5 days.",
        "Sam Support",
        T0,
    )
    _save(db, scene.agent2, "apology")
    _save(db, scene.agent, "Closing")
    # By title ignoring case; every agent sees every reply.
    assert [r.title for r in canned_replies.list_replies(db, scene.agent2)] == [
        "apology",
        "Closing",
        "Refund policy",
    ]

    later = T0 + timedelta(hours=3)
    edited = canned_replies.save(db, scene.agent2, "Refunds", "Ten days now.", reply_id=view.id, now=later)
    db.commit()
    assert (edited.id, edited.title, edited.body, edited.updated_at) == (
        view.id,
        "Refunds",
        "Ten days now.",
        later,
    )
    assert edited.created_by_name == "Sam Support"  # the author stays the one who wrote it
    assert len(canned_replies.list_replies(db, scene.agent)) == 3

    canned_replies.delete(db, scene.agent2, view.id)
    db.commit()
    assert [r.title for r in canned_replies.list_replies(db, scene.agent)] == ["apology", "Closing"]
    with pytest.raises(NotFound):
        canned_replies.delete(db, scene.agent, view.id)
    with pytest.raises(NotFound):
        canned_replies.save(db, scene.agent, "Back", "Again", reply_id=view.id)
    with pytest.raises(NotFound):
        canned_replies.save(db, scene.agent, "Huge id", "x", reply_id=2**40)


def test_saving_and_deleting_is_audited_at_platform_level(db: Session, scene: Scene) -> None:
    # An agent who also belongs to a studio: the saved replies are still no studio's business.
    in_studio = dataclasses.replace(scene.agent, studio_id=scene.studio_id)
    rid = _save(db, in_studio, "Greeting")
    _save(db, in_studio, "Greeting, warmer", reply_id=rid)
    canned_replies.delete(db, in_studio, rid)
    db.commit()
    rows = _canned_audit(db)
    assert [(r.action, r.detail) for r in rows] == [
        ("support.canned_saved", "added: Greeting"),
        ("support.canned_saved", "edited: Greeting, warmer"),
        ("support.canned_deleted", "Greeting, warmer"),
    ]
    assert {(r.studio_id, r.actor_user_id, r.target, r.ip) for r in rows} == {
        (None, scene.agent.user_id, f"canned_reply:{rid}", scene.agent.ip)
    }
    assert audit.action_label("support.canned_saved") == "Saved reply added or changed"
    assert audit.action_label("support.canned_deleted") == "Saved reply deleted"
    # Not in the studio's own log either.
    studio_rows, _ = audit.list_entries(db, scene.owner)
    assert not [r for r in studio_rows if r.action.startswith("support.canned")]


def test_titles_are_unique_ignoring_case_and_spacing(db: Session, scene: Scene) -> None:
    rid = _save(db, scene.agent, "Refund policy")
    other = _save(db, scene.agent, "Shipping")
    for taken in ("refund POLICY", "  Refund   Policy "):
        with pytest.raises(ValidationFailed) as dup:
            canned_replies.save(db, scene.agent2, taken, "Some text")
        assert dup.value.errors == {"title": DUPLICATE_TITLE}
    with pytest.raises(ValidationFailed) as taken_by_edit:
        canned_replies.save(db, scene.agent, "REFUND POLICY", "x", reply_id=other)
    assert taken_by_edit.value.errors == {"title": DUPLICATE_TITLE}
    # A reply may keep its own title, or change only its case.
    assert (
        canned_replies.save(db, scene.agent, "REFUND policy", "New text", reply_id=rid).title
        == "REFUND policy"
    )
    db.commit()
    assert sorted(r.title for r in canned_replies.list_replies(db, scene.agent)) == [
        "REFUND policy",
        "Shipping",
    ]
    assert len(db.exec(select(CannedReply)).all()) == 2


def test_title_and_text_are_checked_with_clear_messages(db: Session, scene: Scene) -> None:
    with pytest.raises(ValidationFailed) as empty:
        canned_replies.save(db, scene.agent, "   ", " \n ")
    assert empty.value.errors == {"title": "Enter a title.", "body": "Write the text of the reply."}
    with pytest.raises(ValidationFailed) as long_title:
        canned_replies.save(db, scene.agent, "t" * 121, "ok")
    assert long_title.value.errors == {"title": "The title can be at most 120 characters (you typed 121)."}
    with pytest.raises(ValidationFailed) as long_body:
        canned_replies.save(db, scene.agent, "Long", "b" * 10_001)
    assert long_body.value.errors == {"body": "The text can be at most 10,000 characters (you typed 10,001)."}
    assert db.exec(select(CannedReply)).all() == []
    # The limits themselves are allowed.
    view = canned_replies.save(db, scene.agent, "t" * 120, "b" * 10_000)
    assert (len(view.title), len(view.body)) == (120, 10_000)


def test_only_support_staff_see_or_change_saved_replies(db: Session, scene: Scene) -> None:
    rid = _save(db, scene.agent, "Greeting")
    for actor in (scene.owner, scene.manager):
        with pytest.raises(PermissionDenied):
            canned_replies.list_replies(db, actor)
        with pytest.raises(PermissionDenied):
            canned_replies.save(db, actor, "Mine", "text")
        with pytest.raises(PermissionDenied):
            canned_replies.save(db, actor, "Greeting", "changed", reply_id=rid)
        with pytest.raises(PermissionDenied):
            canned_replies.delete(db, actor, rid)
    db.commit()
    [kept] = canned_replies.list_replies(db, scene.agent)
    assert (kept.title, kept.body) == ("Greeting", "Hello {first_name}.")
    assert [r.action for r in _canned_audit(db)] == ["support.canned_saved"]


# --- filling one in ----------------------------------------------------------------------------


def test_fill_replaces_the_three_placeholders() -> None:
    body = "Hello {first_name},\n\nDear {name}, thanks.\n\n{agent}\nStudioOS support ({agent})"
    assert fill(body, requester_name="  Anna  Maria Popescu ", agent_name="Sam Support") == (
        "Hello Anna,\n\nDear Anna Maria Popescu, thanks.\n\nSam Support\nStudioOS support (Sam Support)"
    )
    assert "{first_name}" in canned_replies.CANNED_PLACEHOLDERS_HELP
    assert "{agent}" in canned_replies.CANNED_PLACEHOLDERS_HELP


def test_fill_leaves_text_without_placeholders_and_stray_braces_alone() -> None:
    plain = "Thanks, we fixed it. Nothing to fill in here."
    assert fill(plain, requester_name="Anna", agent_name="Sam") == plain
    stray = "Use {oops}, { name }, {Name}, {0}, {} and a lone { or } or {first_name"
    assert fill(stray, requester_name="Anna", agent_name="Sam") == stray
    assert fill("{{name}}", requester_name="Anna", agent_name="Sam") == "{Anna}"


def test_fill_inserts_names_as_written_never_filling_them_again() -> None:
    # Names are typed by people too: braces or backslashes in them are text, not placeholders.
    assert fill("Hi {name}, {agent}", requester_name="{agent} \\1", agent_name="Sam") == "Hi {agent} \\1, Sam"
    assert fill("Hi {first_name}!", requester_name="", agent_name="Sam") == "Hi !"


# --- the built-in replies ----------------------------------------------------------------------


def test_the_built_in_replies_are_added_only_to_an_empty_desk(db: Session, scene: Scene) -> None:
    assert canned_replies.seed_defaults(db) == len(canned_replies.DEFAULT_REPLIES) >= 5
    db.commit()
    assert canned_replies.seed_defaults(db) == 0
    replies = canned_replies.list_replies(db, scene.agent)
    assert len(replies) == len(canned_replies.DEFAULT_REPLIES)
    assert {r.created_by_name for r in replies} == {""}
    text = " ".join(r.body for r in replies)
    for promise in ("Privacy centre", "30 days", "Which page", "expect"):
        assert promise in text
    for r in replies:
        filled = fill(r.body, requester_name="Anna Popescu", agent_name="Sam Support")
        assert "{" not in filled and "Hello Anna," in filled and "Sam Support" in filled
        assert len(r.title) <= canned_replies.TITLE_MAX and len(r.body) <= canned_replies.BODY_MAX


def test_a_desk_with_its_own_replies_gets_no_built_in_ones(db: Session, scene: Scene) -> None:
    _save(db, scene.agent, "Our own")
    assert canned_replies.seed_defaults(db) == 0
    assert [r.title for r in canned_replies.list_replies(db, scene.agent)] == ["Our own"]
