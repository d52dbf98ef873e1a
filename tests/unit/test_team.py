"""Team: invitations by email with a role, acceptance, role changes, removal, the last owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from studioos.models import Invitation, LoginEvent, Membership, User, utcnow
from studioos.services import auth, team
from studioos.services.errors import NotFound, PermissionDenied, Throttled, ValidationFailed
from studioos.services.permissions import Actor
from studioos.services.tokens import hash_token
from tests.factories import CLIENT, PASSWORD, actor_for, add_member, make_studio, sign_in
from tests.foundation_helpers import db_snapshot, mails_to, token_in

NEW_PASSWORD = "joining the team 2026"


def invite(db: Session, actor: Actor, email: str, role: str = "analyst") -> str:
    """Invite and return the raw token from the link in the mail."""
    team.invite(db, actor, email=email, role=role)
    db.commit()
    return token_in(mails_to(email)[-1], "/invite/")


def role_of(db: Session, user_id: int, studio_id: int) -> str | None:
    return db.exec(
        select(Membership.role).where(Membership.user_id == user_id, Membership.studio_id == studio_id)
    ).first()


def accept_new(db: Session, raw: str, name: str = "Nina Newcomer") -> tuple[User, int]:
    result = team.accept_invitation(
        db, raw, name=name, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD, ip=CLIENT.ip
    )
    db.commit()
    return result


# --- inviting ---------------------------------------------------------------------------------------


def test_owner_invites_by_email_with_a_role(db: Session) -> None:
    studio, owner = make_studio(db)
    row = team.invite(db, actor_for(db, owner, studio), email="Nina@Example.com", role="manager")
    db.commit()

    assert (row.email, row.role, row.role_label, row.invited_by) == (
        "nina@example.com",
        "manager",
        "Manager",
        owner.name,
    )
    assert timedelta(days=6, hours=23) < row.expires_at - utcnow() <= timedelta(days=7)
    [mail] = mails_to("nina@example.com")
    assert studio.name in mail["Subject"]
    assert "Manager" in mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert [i.email for i in team.list_invitations(db, actor_for(db, owner, studio))] == ["nina@example.com"]


def test_managers_invite_but_only_owners_invite_managers(db: Session) -> None:
    studio, _owner = make_studio(db)
    manager = actor_for(db, add_member(db, studio, "manager"), studio)

    team.invite(db, manager, email="analyst@example.com", role="analyst")
    team.invite(db, manager, email="model@example.com", role="performer")
    db.commit()
    before = db_snapshot(db)
    with pytest.raises(ValidationFailed) as exc:
        team.invite(db, manager, email="boss@example.com", role="manager")
    assert exc.value.errors == {"role": "Only owners can invite managers."}
    assert db_snapshot(db) == before
    assert mails_to("boss@example.com") == []


@pytest.mark.parametrize("role", ["owner", "superuser", ""])
def test_only_team_roles_can_be_offered(db: Session, role: str) -> None:
    studio, owner = make_studio(db)
    before = db_snapshot(db)
    with pytest.raises(ValidationFailed) as exc:
        team.invite(db, actor_for(db, owner, studio), email="x@example.com", role=role)
    assert exc.value.errors == {"role": "Choose a role."}
    assert db_snapshot(db) == before


def test_people_already_on_the_team_are_not_invited(db: Session) -> None:
    studio, owner = make_studio(db)
    analyst = add_member(db, studio, "analyst")
    with pytest.raises(ValidationFailed) as exc:
        team.invite(db, actor_for(db, owner, studio), email=analyst.email.upper(), role="analyst")
    assert "already on the team" in exc.value.errors["email"]


# --- accepting --------------------------------------------------------------------------------------


def test_accepting_creates_the_account_and_joins_the_studio(db: Session) -> None:
    studio, owner = make_studio(db)
    raw = invite(db, actor_for(db, owner, studio), "nina@example.com", "analyst")

    info = team.invitation_info(db, raw)
    assert (info.studio_name, info.email, info.role_label, info.account_exists) == (
        studio.name,
        "nina@example.com",
        "Analyst",
        False,
    )
    user, studio_id = accept_new(db, raw)

    assert studio_id == studio.id
    assert (user.email, user.name) == ("nina@example.com", "Nina Newcomer")
    assert role_of(db, user.id or 0, studio.id or 0) == "analyst"
    assert auth.authenticate(db, email="nina@example.com", password=NEW_PASSWORD, client=CLIENT).id == user.id
    # The link is single-use, and no longer pending.
    with pytest.raises(NotFound):
        team.invitation_info(db, raw)
    with pytest.raises(NotFound):
        accept_new(db, raw, name="Someone Else")
    assert team.list_invitations(db, actor_for(db, owner, studio)) == []


def test_accepting_attaches_an_existing_account_with_its_password(db: Session) -> None:
    studio_a, owner_a = make_studio(db, "Studio A")
    _studio_b, owner_b = make_studio(db, "Studio B")
    raw = invite(db, actor_for(db, owner_a, studio_a), owner_b.email.upper(), "manager")
    assert team.invitation_info(db, raw).account_exists

    with pytest.raises(ValidationFailed) as exc:
        team.accept_invitation(db, raw, password="not my password")
    assert exc.value.errors == {"password": "Wrong password for this account."}
    assert role_of(db, owner_b.id or 0, studio_a.id or 0) is None  # not joined
    # A wrong password here is a failed sign-in like any other: in her history, and throttled.
    failures = db.exec(
        select(LoginEvent).where(LoginEvent.user_id == owner_b.id, LoginEvent.success == False)  # noqa: E712
    ).all()
    assert len(failures) == 1

    user, studio_id = team.accept_invitation(db, raw, name="Ignored Name", password=PASSWORD)
    db.commit()
    assert user.id == owner_b.id and studio_id == studio_a.id
    db.refresh(owner_b)
    assert owner_b.name == "Studio B Owner"  # an existing account keeps its name and password
    assert auth.authenticate(db, email=owner_b.email, password=PASSWORD, client=CLIENT)
    assert role_of(db, owner_b.id or 0, studio_a.id or 0) == "manager"
    assert db.exec(select(User).where(User.email == owner_b.email)).all() == [owner_b]


def test_guessing_an_existing_accounts_password_through_an_invitation_is_throttled(db: Session) -> None:
    studio_a, owner_a = make_studio(db, "Studio A")
    _studio_b, owner_b = make_studio(db, "Studio B")
    raw = invite(db, actor_for(db, owner_a, studio_a), owner_b.email, "analyst")
    for _ in range(10):
        with pytest.raises(ValidationFailed) as wrong:
            team.accept_invitation(db, raw, password="a wrong guess 123", ip="198.51.100.9")
        assert wrong.value.errors == {"password": "Wrong password for this account."}
    with pytest.raises(Throttled):
        team.accept_invitation(db, raw, password=PASSWORD, ip="198.51.100.9")


def test_invitation_link_is_valid_for_7_days(db: Session) -> None:
    studio, owner = make_studio(db)
    raw = invite(db, actor_for(db, owner, studio), "late@example.com")
    inv = db.exec(select(Invitation).where(Invitation.token_hash == hash_token(raw))).one()
    inv.expires_at = utcnow() + timedelta(minutes=1)  # six days and 23:59 later: still fine
    db.add(inv)
    db.commit()
    assert team.invitation_info(db, raw).email == "late@example.com"

    inv.expires_at = utcnow() - timedelta(seconds=1)
    db.add(inv)
    db.commit()
    with pytest.raises(NotFound):
        team.invitation_info(db, raw)
    with pytest.raises(NotFound):
        accept_new(db, raw)
    assert db.exec(select(User).where(User.email == "late@example.com")).first() is None
    # The team page marks it expired.
    [row] = team.list_invitations(db, actor_for(db, owner, studio))
    assert row.expired


def test_resend_gives_a_new_link_and_the_old_one_dies(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    old = invite(db, actor, "nina@example.com")
    inv = db.exec(select(Invitation).where(Invitation.token_hash == hash_token(old))).one()
    inv.expires_at = utcnow() - timedelta(days=1)  # even an expired one can be sent again
    db.add(inv)
    db.commit()

    team.resend_invitation(db, actor, inv.id or 0)
    db.commit()
    new = token_in(mails_to("nina@example.com")[-1], "/invite/")
    assert new != old
    assert len(mails_to("nina@example.com")) == 2
    with pytest.raises(NotFound):
        team.invitation_info(db, old)
    assert team.invitation_info(db, new).email == "nina@example.com"
    user, _ = accept_new(db, new)
    assert role_of(db, user.id or 0, studio.id or 0) == "analyst"


def test_revoked_invitation_cannot_be_accepted(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    raw = invite(db, actor, "nina@example.com")
    [row] = team.list_invitations(db, actor)
    team.revoke_invitation(db, actor, row.id)
    db.commit()
    assert team.list_invitations(db, actor) == []
    with pytest.raises(NotFound):
        accept_new(db, raw)
    with pytest.raises(NotFound):  # and it cannot be resent or revoked twice
        team.resend_invitation(db, actor, row.id)


def test_inviting_again_replaces_the_open_invitation(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    first = invite(db, actor, "nina@example.com", "analyst")
    second = invite(db, actor, "nina@example.com", "performer")
    with pytest.raises(NotFound):
        team.invitation_info(db, first)
    assert [r.role for r in team.list_invitations(db, actor)] == ["performer"]
    user, _ = accept_new(db, second)
    assert role_of(db, user.id or 0, studio.id or 0) == "performer"


def test_managers_cannot_resend_or_revoke_manager_invitations(db: Session) -> None:
    studio, owner = make_studio(db)
    raw = invite(db, actor_for(db, owner, studio), "boss@example.com", "manager")
    manager = actor_for(db, add_member(db, studio, "manager"), studio)
    [row] = team.list_invitations(db, manager)
    with pytest.raises(PermissionDenied):
        team.revoke_invitation(db, manager, row.id)
    with pytest.raises(PermissionDenied):
        team.resend_invitation(db, manager, row.id)
    db.commit()
    assert team.invitation_info(db, raw).email == "boss@example.com"


# --- roles and removal ------------------------------------------------------------------------------


def test_owner_changes_roles(db: Session) -> None:
    studio, owner = make_studio(db)
    analyst = add_member(db, studio, "analyst")
    team.change_role(db, actor_for(db, owner, studio), analyst.id or 0, "manager")
    db.commit()
    assert role_of(db, analyst.id or 0, studio.id or 0) == "manager"
    members = {m.email: m.role for m in team.list_members(db, actor_for(db, owner, studio))}
    assert members[analyst.email] == "manager"


def test_role_change_applies_to_a_live_session(db: Session) -> None:
    studio, owner = make_studio(db)
    analyst = add_member(db, studio, "analyst")
    token = sign_in(db, analyst, password=None)
    team.change_role(db, actor_for(db, owner, studio), analyst.id or 0, "manager")
    db.commit()
    actor = auth.resolve_actor(db, token)
    assert actor is not None and actor.role == "manager"


def test_the_last_owner_can_be_neither_demoted_nor_removed(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    before = db_snapshot(db)
    with pytest.raises(ValidationFailed) as demote:
        team.change_role(db, actor, owner.id or 0, "manager")
    assert demote.value.errors == {"role": "The last owner cannot be demoted. Make someone else owner first."}
    with pytest.raises(ValidationFailed) as remove:
        team.remove_member(db, actor, owner.id or 0)
    assert remove.value.errors == {"member": "The last owner cannot be removed."}
    assert db_snapshot(db) == before


def test_with_two_owners_one_can_step_down(db: Session) -> None:
    studio, owner = make_studio(db)
    second = add_member(db, studio, "owner")
    actor = actor_for(db, owner, studio)
    team.change_role(db, actor, owner.id or 0, "manager")
    db.commit()
    assert role_of(db, owner.id or 0, studio.id or 0) == "manager"
    # Now the second is the last owner.
    with pytest.raises(ValidationFailed) as last:
        team.remove_member(db, actor_for(db, second, studio), second.id or 0)
    assert last.value.errors == {"member": "The last owner cannot be removed."}


def test_owner_removes_a_member(db: Session) -> None:
    studio, owner = make_studio(db)
    manager = add_member(db, studio, "manager")
    team.remove_member(db, actor_for(db, owner, studio), manager.id or 0)
    db.commit()
    assert role_of(db, manager.id or 0, studio.id or 0) is None
    assert manager.email not in {m.email for m in team.list_members(db, actor_for(db, owner, studio))}
    with pytest.raises(NotFound):
        team.remove_member(db, actor_for(db, owner, studio), manager.id or 0)


def test_managers_cannot_change_roles_or_remove(db: Session) -> None:
    studio, owner = make_studio(db)
    manager = actor_for(db, add_member(db, studio, "manager"), studio)
    analyst = add_member(db, studio, "analyst")
    with pytest.raises(PermissionDenied):
        team.change_role(db, manager, analyst.id or 0, "manager")
    with pytest.raises(PermissionDenied):
        team.remove_member(db, manager, owner.id or 0)
    assert role_of(db, analyst.id or 0, studio.id or 0) == "analyst"


def test_unknown_role_is_refused(db: Session) -> None:
    studio, owner = make_studio(db)
    analyst = add_member(db, studio, "analyst")
    with pytest.raises(ValidationFailed) as exc:
        team.change_role(db, actor_for(db, owner, studio), analyst.id or 0, "admin")
    assert exc.value.errors == {"role": "Choose a role."}
