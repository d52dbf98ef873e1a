"""The owner corrects the studio's name, clock and currency; nobody else can."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from studioos.models import AuditLog, Role, Studio
from studioos.services import studios
from studioos.services.errors import PermissionDenied, ValidationFailed
from tests.factories import actor_for, add_member, make_studio


def test_the_owner_renames_the_studio_and_moves_its_clock(db: Session) -> None:
    studio, owner_user = make_studio(db, "Studio A")
    other, _ = make_studio(db, "Studio B")
    owner = actor_for(db, owner_user, studio)
    revision = studio.revision

    saved = studios.update_settings(
        db, owner, name="  Studio Aurora ", timezone="America/Bogota", currency="COP"
    )
    db.commit()

    assert (saved.name, saved.timezone, saved.currency) == ("Studio Aurora", "America/Bogota", "COP")
    db.refresh(studio)
    assert studio.revision > revision  # the per-studio caches are not served stale
    assert db.get(Studio, other.id).name == "Studio B"
    logged = db.exec(select(AuditLog).where(AuditLog.action == "studio.settings_changed")).one()
    assert logged.studio_id == studio.id
    assert "name: Studio A -> Studio Aurora" in logged.detail and "currency: EUR -> COP" in logged.detail


def test_an_unchanged_form_logs_nothing(db: Session) -> None:
    studio, owner_user = make_studio(db, "Studio A")
    owner = actor_for(db, owner_user, studio)
    studios.update_settings(db, owner, name=studio.name, timezone=studio.timezone, currency=studio.currency)
    assert db.exec(select(AuditLog).where(AuditLog.action == "studio.settings_changed")).first() is None


def test_bad_values_are_refused_together(db: Session) -> None:
    studio, owner_user = make_studio(db, "Studio A")
    owner = actor_for(db, owner_user, studio)
    with pytest.raises(ValidationFailed) as refused:
        studios.update_settings(db, owner, name=" ", timezone="Mars/Olympus", currency="XYZ1")
    assert set(refused.value.errors) == {"name", "timezone", "currency"}
    assert db.get(Studio, studio.id).name == "Studio A"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ANALYST, Role.PERFORMER])
def test_only_an_owner_may(db: Session, role: str) -> None:
    studio, _ = make_studio(db, "Studio A")
    member = actor_for(db, add_member(db, studio, role), studio)
    with pytest.raises(PermissionDenied):
        studios.studio_settings(db, member)
    with pytest.raises(PermissionDenied):
        studios.update_settings(db, member, name="Mine now", timezone="UTC", currency="EUR")
