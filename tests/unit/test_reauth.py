"""Re-authentication: the sensitive actions want proof of identity from the last 10 minutes of
the session (the sign-in itself, or the password typed again), and refuse after that."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from studioos.models import AuditLog, AuthSession, Membership, Studio, User, utcnow
from studioos.services import (
    account_deletion,
    billing_stripe,
    data_export,
    oidc,
    reauth,
    studio_deletion,
    team,
    two_factor,
)
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import PASSWORD, actor_of, add_member, make_studio, sign_in


def _aged(db: Session, actor: Actor, minutes: int) -> None:
    found = db.get(AuthSession, actor.session_id)
    assert found is not None
    found.reauthenticated_at = utcnow() - timedelta(minutes=minutes)
    db.add(found)
    db.commit()


def _signed_in_owner(db: Session) -> tuple[Actor, int]:
    studio, owner = make_studio(db)
    actor = actor_of(db, sign_in(db, owner, studio_id=studio.id))
    return actor, studio.id or 0


GUARDED: dict[str, Callable[[Session, Actor, int], object]] = {
    "data export": lambda db, actor, member: data_export.request(db, actor),
    "role change": lambda db, actor, member: team.change_role(db, actor, member, "manager"),
    "checkout": lambda db, actor, member: billing_stripe.checkout_url(db, actor, "starter", "monthly"),
    "plan change": lambda db, actor, member: billing_stripe.change_plan(db, actor, "agency", "monthly"),
    "billing portal": lambda db, actor, member: billing_stripe.portal_url(db, actor),
    "two-factor set-up": lambda db, actor, member: two_factor.start_enrolment(db, actor),
    "two-factor for the studio": lambda db, actor, member: two_factor.set_studio_requirement(db, actor, True),
    "recovery codes": lambda db, actor, member: two_factor.issue_recovery_codes(db, actor),
    "unlinking the provider": lambda db, actor, member: oidc.unlink(db, actor),
}


@pytest.mark.parametrize("action", sorted(GUARDED))
def test_each_guarded_action_is_refused_after_ten_minutes_without_it(db: Session, action: str) -> None:
    actor, studio_id = _signed_in_owner(db)

    analyst = add_member(db, db.get(Studio, studio_id), "analyst")  # type: ignore[arg-type]
    _aged(db, actor, 11)
    with pytest.raises(reauth.ReauthRequired):
        GUARDED[action](db, actor, analyst.id or 0)
    db.rollback()
    # Nothing happened: the analyst is still an analyst, no export was queued.
    role = db.exec(select(Membership.role).where(Membership.user_id == analyst.id)).one()
    assert role == "analyst"
    assert data_export.latest(db, actor) is None


def test_signing_in_counts_and_so_does_the_password_typed_again(db: Session) -> None:
    actor, studio_id = _signed_in_owner(db)

    analyst = add_member(db, db.get(Studio, studio_id), "analyst")  # type: ignore[arg-type]
    # Just signed in: the sign-in itself is the proof.
    team.change_role(db, actor, analyst.id or 0, "manager")
    db.commit()
    _aged(db, actor, 10)
    with pytest.raises(reauth.ReauthRequired):
        team.change_role(db, actor, analyst.id or 0, "analyst")
    db.rollback()

    with pytest.raises(ValidationFailed) as wrong:
        reauth.confirm_password(db, actor, "not my password at all")
    assert wrong.value.errors == {"password": reauth.WRONG_PASSWORD}
    db.rollback()
    with pytest.raises(reauth.ReauthRequired):
        team.change_role(db, actor, analyst.id or 0, "analyst")
    db.rollback()

    reauth.confirm_password(db, actor, PASSWORD)
    db.commit()
    team.change_role(db, actor, analyst.id or 0, "analyst")
    db.commit()
    actions = db.exec(select(AuditLog.action).where(AuditLog.action.startswith("reauth."))).all()  # type: ignore[attr-defined]
    assert sorted(actions) == ["reauth.confirmed", "reauth.failed"]


def test_the_confirmation_belongs_to_its_session_only(db: Session) -> None:
    studio, owner = make_studio(db)
    laptop = actor_of(db, sign_in(db, owner, studio_id=studio.id))
    phone = actor_of(db, sign_in(db, owner, studio_id=studio.id))
    _aged(db, laptop, 30)
    _aged(db, phone, 30)
    reauth.confirm_password(db, laptop, PASSWORD)
    db.commit()
    data_export.request(db, laptop)
    db.commit()
    with pytest.raises(reauth.ReauthRequired):
        data_export.request(db, phone)


def test_deleting_asks_the_password_itself_or_a_recent_provider_confirmation(db: Session) -> None:
    actor, _ = _signed_in_owner(db)
    _aged(db, actor, 30)
    with pytest.raises(ValidationFailed):
        studio_deletion.request_deletion(db, actor, "wrong password", "Studio A")
    db.rollback()
    # Someone who signed up through the sign-in provider has no password: the provider's recent
    # confirmation stands in for it, and without one the deletion is refused.
    user = db.get(User, actor.user_id)
    assert user is not None
    user.password_hash = ""
    db.add(user)
    db.commit()
    with pytest.raises(reauth.ReauthRequired):
        account_deletion.request(db, actor, "")
    db.rollback()
    assert db.get(User, actor.user_id).deleted_at is None  # type: ignore[union-attr]
