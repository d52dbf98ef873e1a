"""Support's temporary access to a studio: nothing without the owner's grant, read only with it,
gone when it expires or is revoked, and every grant, revoke and use in the owner's sight."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from studioos.models import AuditLog, Role, Studio, SupportAccessGrant, SupportRequest, utcnow
from studioos.services import (
    audit,
    earnings,
    imports,
    members,
    performers,
    platforms,
    rates,
    studio_cache,
    support,
    support_access,
    team,
)
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.performers import LegalInput, PerformerStageRow, ProfileInput
from studioos.services.permissions import ROLE_CAPS, ROLE_LABELS, SUPPORT_VIEW_ROLE, Actor, Cap
from tests.factories import (
    actor_for,
    add_member,
    add_support_user,
    make_studio,
    new_performer,
    performer_user,
    random_email,
)
from tests.foundation_helpers import db_snapshot

H = timedelta(hours=1)


@dataclass
class Scene:
    now: datetime
    a: Studio
    b: Studio
    owner: Actor  # of studio A
    manager: Actor
    analyst: Actor
    model: Actor
    other_owner: Actor  # of studio B
    agent: Actor
    models: dict[str, int]  # stage name -> id, both studios
    payout_request: int  # A's manager: "My payout looks wrong"
    owner_request: int  # A's owner: "A model is missing"
    b_request: int  # B's owner


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _ledger(db: Session, owner: Actor, handle: str, lines: list[tuple[str, int, datetime]]) -> None:
    rows = ["User,Token change,Timestamp,Note,Transaction type"]
    rows += [f"{who},{tokens},{at.isoformat()},Tip,Tip" for who, tokens, at in lines]
    report = imports.confirm(db, owner, "\r\n".join(rows).encode(), filename=f"{handle}_tokens.csv")
    assert report.rows_refused == 0, report.refused
    db.commit()


def _earning_model(db: Session, owner: Actor, name: str, handle: str) -> int:
    pid = new_performer(db, owner, name)
    platforms.add_account(db, owner, pid, "Chaturbate", handle)
    db.commit()
    return pid


@pytest.fixture
def scene(db: Session) -> Scene:
    now = utcnow()
    a, owner_a = make_studio(db, "Studio A")
    b, owner_b = make_studio(db, "Studio B")
    owner, other_owner = actor_for(db, owner_a, a), actor_for(db, owner_b, b)
    ids = {
        "Anna": _earning_model(db, owner, "Anna", "annarose"),
        "Bella": _earning_model(db, owner, "Bella", "bellacb"),
        "Zoe": _earning_model(db, other_owner, "Zoe", "zoeb"),
    }
    rates.set_rate(db, owner, "Chaturbate", date(2020, 1, 1), "0.05")
    rates.set_rate(db, other_owner, "Chaturbate", date(2020, 1, 1), "0.10")
    db.commit()
    # Whole days back, so no row is in the future whatever the hour of the run.
    d1, d2 = owner.today() - timedelta(days=3), owner.today() - timedelta(days=2)
    _ledger(db, owner, "annarose", [("bigtipper", 100, _at(d1, 8)), ("quietfan", 80, _at(d2, 9))])
    _ledger(db, owner, "bellacb", [("bigtipper", 200, _at(d1, 7))])
    _ledger(db, other_owner, "zoeb", [("b_only_fan", 400, _at(d1, 10))])
    manager = actor_for(db, add_member(db, a, Role.MANAGER, name="Mara Manager"), a)
    agent_user = add_support_user(db)
    scene = Scene(
        now=now,
        a=a,
        b=b,
        owner=owner,
        manager=manager,
        analyst=actor_for(db, add_member(db, a, Role.ANALYST, name="Ana Analyst"), a),
        model=performer_user(db, a, ids["Anna"], name="Anna User"),
        other_owner=other_owner,
        agent=actor_for(db, agent_user),
        models=ids,
        payout_request=support.open_request(
            db, manager, "My payout looks wrong", "billing", "Bella's total is off.", now=now - H
        ).id,
        owner_request=support.open_request(
            db, owner, "A model is missing", "bug", "Where is Carla?", now=now - H
        ).id,
        b_request=support.open_request(db, other_owner, "Invoice", "billing", "Wrong VAT.", now=now - H).id,
    )
    db.commit()
    return scene


def _grant(db: Session, s: Scene, hours: int = 72, request: int | None = None) -> support_access.GrantView:
    view = support_access.grant(db, s.owner, request or s.payout_request, hours, now=s.now)
    db.commit()
    return view


def _used_rows(db: Session, studio: Studio) -> list[AuditLog]:
    return list(
        db.exec(
            select(AuditLog).where(AuditLog.action == "support.access_used", AuditLog.studio_id == studio.id)
        ).all()
    )


# ---------------------------------------------------------------- without a grant


def test_without_a_grant_support_reads_nothing_of_a_studio(db: Session, scene: Scene) -> None:
    s = scene
    month = (s.owner.today().replace(day=1), s.owner.today())
    # The studio's own services refuse a support agent outright: support has no studio.
    for read in (
        lambda: performers.list_performers(db, s.agent),
        lambda: members.list_members(db, s.agent),
        lambda: earnings.summary(db, s.agent, *month),
        lambda: performers.get_legal(db, s.agent, s.models["Anna"]),
    ):
        with pytest.raises(PermissionDenied):
            read()
    with pytest.raises(PermissionDenied):
        support_access.studio_actor(db, s.agent, s.payout_request, what="models", now=s.now)
    with pytest.raises(PermissionDenied):
        support_access.look(db, s.agent, s.payout_request, now=s.now)
    assert support_access.active_grant(db, s.agent, s.payout_request, now=s.now) is None
    assert _used_rows(db, s.a) == []
    # A grant for one request opens nothing for another request, nor another studio's.
    _grant(db, s)
    for other in (s.owner_request, s.b_request):
        with pytest.raises(PermissionDenied):
            support_access.look(db, s.agent, other, now=s.now)


# ---------------------------------------------------------------- with a grant


def test_with_a_grant_support_sees_the_studios_models_members_and_earnings_only(
    db: Session, scene: Scene
) -> None:
    s = scene
    view = _grant(db, s)
    assert (view.active, view.studio_id, view.granted_by_name) == (True, s.a.id, s.owner.name)
    assert view.expires_at == s.now + 72 * H
    assert view.state_text == f"Active until {support_access.utc_text(s.now + 72 * H)}"

    seen = support_access.look(db, s.agent, s.payout_request, now=s.now + H)
    db.commit()
    assert (seen.studio_name, seen.studio_plan, seen.expires_at) == ("Studio A", s.a.plan, view.expires_at)
    assert [(m.stage_name, m.status_label) for m in seen.models] == [("Anna", "Active"), ("Bella", "Active")]
    assert seen.models_total == 2
    assert {(m.handle, m.platform, m.tokens) for m in seen.members} == {
        ("bigtipper", "Chaturbate", 300),
        ("quietfan", "Chaturbate", 80),
    }
    assert seen.members_total == 2
    # 180 and 200 tokens at 0.05 USD, in whichever of the two months the days fell.
    both = {e.stage_name: e.this_month_cents + e.last_month_cents for e in seen.earnings}
    assert both == {"Bella": 1000, "Anna": 900}
    assert seen.this_month_total_cents + seen.last_month_total_cents == 1900
    assert seen.currency == "USD" and "$" in seen.this_month_total_text
    # Nothing of studio B: not its model, nor its member.
    assert "Zoe" not in repr(seen) and "b_only_fan" not in repr(seen)

    reader = support_access.studio_actor(db, s.agent, s.payout_request, what="models", now=s.now + H)
    assert (reader.studio_id, reader.role, reader.is_support) == (s.a.id, SUPPORT_VIEW_ROLE, False)
    assert (reader.user_id, reader.timezone, reader.studio_revision) == (s.agent.user_id, s.a.timezone, None)
    assert reader.caps == frozenset({Cap.PERFORMERS_VIEW, Cap.EARNINGS_VIEW})


def test_the_read_only_actor_cannot_write_or_read_legal_fields_or_notes(db: Session, scene: Scene) -> None:
    s = scene
    _grant(db, s)
    reader = support_access.studio_actor(db, s.agent, s.payout_request, what="models", now=s.now)
    db.commit()
    member_id = members.list_members(db, reader).rows[0].id
    before = db_snapshot(db)
    for write in (
        lambda: performers.create_performer(
            db,
            reader,
            ProfileInput(stage_name="Intruder", status="active", payout_split="60"),
            LegalInput(legal_name="X Y", birth_date="1990-01-01", doc_type="passport"),
        ),
        lambda: performers.update_profile(
            db, reader, s.models["Anna"], ProfileInput(stage_name="Renamed", status="active")
        ),
        lambda: members.add_note(db, reader, member_id, "Support was here"),
        lambda: members.set_tags(db, reader, member_id, "vip"),
        lambda: performers.get_legal(db, reader, s.models["Anna"]),
        lambda: team.list_members(db, reader),
        lambda: audit.list_entries(db, reader),
        lambda: rates.set_rate(db, reader, "Chaturbate", date(2021, 1, 1), "0.01"),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert db_snapshot(db) == before
    # What it reads carries no contact or document field, and no note count.
    anna = performers.get_performer(db, reader, s.models["Anna"])
    assert isinstance(anna, PerformerStageRow)
    assert all(m.notes_count == 0 for m in members.list_members(db, reader).rows)
    # Another studio's model through the same actor: not found.
    with pytest.raises(NotFound):
        performers.get_performer(db, reader, s.models["Zoe"])


def test_the_pseudo_role_is_offered_to_nobody(db: Session, scene: Scene) -> None:
    s = scene
    assert SUPPORT_VIEW_ROLE not in ROLE_LABELS and SUPPORT_VIEW_ROLE not in {r.value for r in Role}
    assert SUPPORT_VIEW_ROLE not in team.INVITABLE_ROLES
    assert not ROLE_CAPS[SUPPORT_VIEW_ROLE] & {Cap.LEGAL_FIELDS, Cap.MEMBER_NOTES, Cap.PERFORMERS_MANAGE}
    with pytest.raises(ValidationFailed) as invited:
        team.invite(db, s.owner, email=random_email("x"), role=SUPPORT_VIEW_ROLE)
    assert set(invited.value.errors) == {"role"}
    with pytest.raises(ValidationFailed) as changed:
        team.change_role(db, s.owner, s.manager.user_id, SUPPORT_VIEW_ROLE)
    assert set(changed.value.errors) == {"role"}
    # Only owners hold the grant capability.
    holders = {role for role, caps in ROLE_CAPS.items() if Cap.SUPPORT_ACCESS_GRANT in caps}
    assert holders == {Role.OWNER}


# ---------------------------------------------------------------- ending


def test_access_ends_when_the_grant_expires_or_is_revoked(db: Session, scene: Scene) -> None:
    s = scene
    view = _grant(db, s, 24)
    support_access.studio_actor(db, s.agent, s.payout_request, what="models", now=s.now + 23 * H)
    with pytest.raises(PermissionDenied):
        support_access.studio_actor(db, s.agent, s.payout_request, what="models", now=s.now + 24 * H)
    with pytest.raises(PermissionDenied):
        support_access.look(db, s.agent, s.payout_request, now=s.now + 25 * H)
    assert support_access.active_grant(db, s.agent, s.payout_request, now=s.now + 24 * H) is None
    [expired] = support_access.studio_grants(db, s.owner, now=s.now + 25 * H)
    assert (expired.id, expired.active) == (view.id, False)
    assert expired.state_text == f"Expired on {support_access.utc_text(s.now + 24 * H)}"
    # Revoking an expired grant changes nothing.
    assert support_access.revoke(db, s.owner, view.id, now=s.now + 25 * H).revoked_at is None

    fresh = _grant(db, s, 168)
    support_access.look(db, s.agent, s.payout_request, now=s.now + H)
    gone = support_access.revoke(db, s.owner, fresh.id, now=s.now + 2 * H)
    db.commit()
    assert (gone.active, gone.revoked_at, gone.revoked_by_name) == (False, s.now + 2 * H, s.owner.name)
    assert gone.state_text == f"Revoked by {s.owner.name} on {support_access.utc_text(s.now + 2 * H)}"
    for later in (s.now + 2 * H, s.now + 3 * H):
        with pytest.raises(PermissionDenied):
            support_access.look(db, s.agent, s.payout_request, now=later)
    # Revoking twice: no change, no second audit row.
    again = support_access.revoke(db, s.owner, fresh.id, now=s.now + 5 * H)
    assert again.revoked_at == s.now + 2 * H
    assert len(db.exec(select(AuditLog).where(AuditLog.action == "support.access_revoked")).all()) == 1


def test_a_new_grant_replaces_the_active_one(db: Session, scene: Scene) -> None:
    s = scene
    first = _grant(db, s, 24)
    second = support_access.grant(db, s.owner, s.payout_request, 168, now=s.now + H)
    db.commit()
    active = db.exec(
        select(SupportAccessGrant).where(
            SupportAccessGrant.request_id == s.payout_request, col(SupportAccessGrant.revoked_at).is_(None)
        )
    ).all()
    assert [g.id for g in active] == [second.id]
    listed = support_access.request_grants(db, s.agent, s.payout_request, now=s.now + H)
    assert [(g.id, g.active) for g in listed] == [(second.id, True), (first.id, False)]
    assert listed[1].revoked_by_name == s.owner.name
    found = support_access.active_grant(db, s.agent, s.payout_request, now=s.now + 30 * H)
    assert found is not None and found.id == second.id and found.expires_at == s.now + 169 * H


# ---------------------------------------------------------------- who may grant


def test_only_an_owner_of_the_requests_studio_grants_and_revokes(db: Session, scene: Scene) -> None:
    s = scene
    before = db_snapshot(db)
    for stranger in (s.manager, s.analyst, s.model, s.agent):
        with pytest.raises(PermissionDenied):
            support_access.grant(db, stranger, s.payout_request, 72, now=s.now)
    with pytest.raises(NotFound):  # another studio's request: not confirmed to exist
        support_access.grant(db, s.other_owner, s.payout_request, 72, now=s.now)
    with pytest.raises(NotFound):
        support_access.grant(db, s.owner, s.b_request, 72, now=s.now)
    with pytest.raises(NotFound):
        support_access.grant(db, s.owner, s.payout_request + 10_000, 72, now=s.now)
    with pytest.raises(ValidationFailed) as bad_hours:
        support_access.grant(db, s.owner, s.payout_request, 5, now=s.now)
    assert set(bad_hours.value.errors) == {"hours"}
    assert db_snapshot(db) == before

    closed = support.open_request(db, s.owner, "Old", "other", "Done.", now=s.now)
    support.set_status(db, s.owner, closed.id, "closed")
    merged = support.open_request(db, s.owner, "Dup", "bug", "Same as before.", now=s.now)
    support.merge(db, s.agent, merged.id, s.owner_request)
    db.commit()
    for finished in (closed.id, merged.id):
        with pytest.raises(ValidationFailed) as refused:
            support_access.grant(db, s.owner, finished, 72, now=s.now)
        assert set(refused.value.errors) == {"request"}

    view = _grant(db, s)
    for stranger in (s.manager, s.analyst, s.model, s.agent):
        with pytest.raises(PermissionDenied):
            support_access.revoke(db, stranger, view.id, now=s.now)
        with pytest.raises(PermissionDenied):
            support_access.studio_grants(db, stranger)
    with pytest.raises(NotFound):
        support_access.revoke(db, s.other_owner, view.id, now=s.now)
    assert support_access.studio_grants(db, s.other_owner) == []
    for stranger in (s.manager, s.analyst, s.model, s.other_owner):
        with pytest.raises(NotFound):
            support_access.request_grants(db, stranger, s.payout_request)
    # Only support staff use a grant.
    for member in (s.owner, s.manager):
        with pytest.raises(PermissionDenied):
            support_access.active_grant(db, member, s.payout_request)
        with pytest.raises(PermissionDenied):
            support_access.studio_actor(db, member, s.payout_request, what="models", now=s.now)
    assert support_access.active_grant(db, s.agent, s.payout_request, now=s.now) is not None


def test_an_owner_sees_no_subject_of_a_request_someone_else_opened(db: Session, scene: Scene) -> None:
    s = scene
    _grant(db, s)
    _grant(db, s, request=s.owner_request)
    mine = {g.request_id: g.request_title for g in support_access.studio_grants(db, s.owner, now=s.now)}
    assert mine == {s.owner_request: "A model is missing", s.payout_request: ""}
    [theirs] = support_access.request_grants(db, s.agent, s.payout_request, now=s.now)
    assert theirs.request_title == "My payout looks wrong"


# ---------------------------------------------------------------- what the owner sees


def test_every_use_is_in_the_owners_audit_log(db: Session, scene: Scene) -> None:
    s = scene
    view = _grant(db, s)
    support_access.studio_actor(db, s.agent, s.payout_request, what="models", now=s.now + H)
    support_access.studio_actor(db, s.agent, s.payout_request, what="earnings", now=s.now + H)
    support_access.look(db, s.agent, s.payout_request, now=s.now + 2 * H)
    support_access.revoke(db, s.owner, view.id, now=s.now + 3 * H)
    db.commit()
    rows, _ = audit.list_entries(db, s.owner, kind="support")
    used = [r for r in rows if r.action == "support.access_used"]
    assert [r.detail for r in used] == [
        f"models, members, earnings (grant #{view.id})",
        f"earnings (grant #{view.id})",
        f"models (grant #{view.id})",
    ]
    assert {(r.actor, r.target, r.label) for r in used} == {
        ("Sam Support", f"support_request:{s.payout_request}", "Support looked at the studio's data")
    }
    by_action = {r.action: r for r in rows}
    assert by_action["support.access_granted"].actor == s.owner.name
    assert support_access.utc_text(view.expires_at) in by_action["support.access_granted"].detail
    assert by_action["support.access_revoked"].label == "Support's access to the studio withdrawn"
    [listed] = support_access.studio_grants(db, s.owner, now=s.now + 3 * H)
    assert listed.uses == 3
    # Studio B's log has none of it.
    b_rows, _ = audit.list_entries(db, s.other_owner, kind="support")
    assert not [r for r in b_rows if r.action.startswith("support.access")]


def test_the_thread_shows_the_grant_and_the_revoke_to_both_sides(db: Session, scene: Scene) -> None:
    s = scene
    view = _grant(db, s, 24)
    support_access.revoke(db, s.owner, view.id, now=s.now + H)
    db.commit()
    until = support_access.utc_text(s.now + 24 * H)
    expected = [
        f"{s.owner.name} let support look at the studio's models, earnings and members until {until}.",
        f"{s.owner.name} withdrew support's access to the studio.",
    ]
    for side in (s.manager, s.agent):
        messages = support.thread(db, side, s.payout_request).messages
        assert [(m.body, m.author_name, m.internal) for m in messages[-2:]] == [
            (body, s.owner.name, False) for body in expected
        ]
    req = db.get(SupportRequest, s.payout_request)
    assert req is not None and req.updated_at == s.now + H


def test_utc_text_is_one_spelling_for_both_sides() -> None:
    assert support_access.utc_text(datetime(2026, 12, 5, 14, 0, tzinfo=UTC)) == "5 Dec 2026, 14:00 UTC"
    assert support_access.GRANT_HOURS == (24, 72, 168) and support_access.DEFAULT_GRANT_HOURS == 72


# ---------------------------------------------------------------- the caches


def test_support_never_gets_one_studios_cached_figures_for_another(db: Session, scene: Scene) -> None:
    s = scene
    first, last = s.owner.today().replace(day=1) - timedelta(days=40), s.owner.today()

    def revision(studio: Studio) -> int:
        return db.exec(select(Studio.revision).where(Studio.id == studio.id)).one()

    # Studio A's figures are in the cache, under its revision.
    a_owner = dataclasses.replace(s.owner, studio_revision=revision(s.a))
    a_sum = earnings.summary(db, a_owner, first, last)
    assert {m.stage_name for m in a_sum.by_model} == {"Anna", "Bella"}
    # An agent whose own session carries studio A's revision reads studio B under B's grant.
    agent = dataclasses.replace(s.agent, studio_revision=revision(s.a))
    support_access.grant(db, s.other_owner, s.b_request, 24, now=s.now)
    db.commit()
    reader = support_access.studio_actor(db, agent, s.b_request, what="earnings", now=s.now)
    assert (reader.studio_id, reader.studio_revision) == (s.b.id, None)
    for _ in range(2):  # computed, then served from the cache
        b_sum = earnings.summary(db, reader, first, last)
        assert [(m.stage_name, m.gross_cents) for m in b_sum.by_model] == [("Zoe", 4000)]
        seen = support_access.look(db, agent, s.b_request, now=s.now)
        assert {e.stage_name for e in seen.earnings} == {"Zoe"}
        assert [m.stage_name for m in seen.models] == ["Zoe"]
    assert studio_cache.stats()["hits"] >= 1
    assert earnings.summary(db, a_owner, first, last) == a_sum
