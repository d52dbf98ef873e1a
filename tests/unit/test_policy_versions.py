"""Policy versions: the first text, support staff publishing, every version kept, and a material
change acknowledged once by each person whose account is older than it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from studioos.models import Notification, PolicyAcceptance
from studioos.privacy_text import LAST_UPDATED, SECTIONS
from studioos.services import policy
from studioos.services.errors import PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import CLIENT, actor_for, add_member, add_support_user, make_studio

TEXT = ("## 1. Who we are\n\n" + "StudioOS is the back office of webcam studios. " * 10).strip()
TODAY = datetime.now(UTC).date()


def _support(db: Session) -> Actor:
    return actor_for(db, add_support_user(db))


def test_the_first_version_is_the_text_the_app_was_built_with(db: Session) -> None:
    first = policy.current(db)
    assert first.id == 0 and first.label == LAST_UPDATED
    for title, paragraphs in SECTIONS:
        assert f"## {title}" in first.body and paragraphs[0] in first.body


def test_only_support_staff_publish_and_bad_input_is_refused(db: Session) -> None:
    studio, owner = make_studio(db)
    with pytest.raises(PermissionDenied):
        policy.publish(db, actor_for(db, owner, studio), TEXT, TODAY.isoformat(), False)
    support = _support(db)
    with pytest.raises(ValidationFailed) as refused:
        policy.publish(db, support, "too short", (TODAY - timedelta(days=1)).isoformat(), True)
    assert set(refused.value.errors) == {"body", "effective_on", "summary"}


def test_a_material_change_is_announced_and_acknowledged_once(db: Session) -> None:
    studio, owner = make_studio(db)
    manager = add_member(db, studio, "manager")
    support = _support(db)
    row = policy.publish(db, support, TEXT, TODAY.isoformat(), True, "We now keep sign-ins for a year.")
    db.commit()
    # In force, and every earlier version still readable.
    versions = policy.versions(db)
    assert [v.id for v in versions] == [row.id, 0]
    assert policy.current(db).body == TEXT
    # Everyone was told, with a link to the new text.
    told = db.exec(select(Notification).where(Notification.kind == "policy")).all()
    assert {n.user_id for n in told} >= {owner.id, manager.id}
    assert all(n.link == f"/privacy?version={row.id}" for n in told)
    # Older accounts are asked at their next sign-in; an account made after the change is not.
    assert policy.pending_acknowledgement(db, owner.id or 0) is not None
    newcomer = add_member(db, studio, "analyst")
    assert policy.pending_acknowledgement(db, newcomer.id or 0) is None
    owner_actor = actor_for(db, owner, studio)
    policy.acknowledge(db, owner_actor, row.id or 0, CLIENT)
    policy.acknowledge(db, owner_actor, row.id or 0, CLIENT)
    db.commit()
    assert policy.pending_acknowledgement(db, owner.id or 0) is None
    accepted = db.exec(select(PolicyAcceptance).where(PolicyAcceptance.user_id == owner.id)).all()
    assert len(accepted) == 1 and accepted[0].ip == CLIENT.ip
    assert policy.pending_acknowledgement(db, manager.id or 0) is not None


def test_a_version_for_a_later_day_is_not_in_force_yet(db: Session) -> None:
    _, owner = make_studio(db)
    support = _support(db)
    policy.publish(db, support, TEXT, (TODAY + timedelta(days=10)).isoformat(), True, "Coming soon.")
    db.commit()
    assert policy.current(db).id == 0
    assert policy.pending_acknowledgement(db, owner.id or 0) is None
    assert policy.current(db, TODAY + timedelta(days=10)).body == TEXT
