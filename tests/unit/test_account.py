"""My account: name, email change by confirmation, password change, sessions, sign-in history, alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from studioos.models import UserToken
from studioos.services import account, audit, auth
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.tokens import hash_token
from tests.factories import (
    CLIENT,
    FIREFOX,
    IPHONE,
    PASSWORD,
    actor_for,
    actor_of,
    add_member,
    make_studio,
    refused_sign_in,
    sign_in,
)
from tests.foundation_helpers import db_snapshot, mails_to, outbox_messages, token_in

NEW_PASSWORD = "a brand new passphrase"


# --- name -------------------------------------------------------------------------------------------


def test_change_name(db: Session) -> None:
    _, owner = make_studio(db)
    actor = actor_of(db, sign_in(db, owner))
    assert account.update_name(db, actor, "  Olivia   Newname ") == "Olivia Newname"
    db.commit()
    db.refresh(owner)
    assert owner.name == "Olivia Newname"


# --- email change -----------------------------------------------------------------------------------


def test_email_change_waits_for_the_link_sent_to_the_new_address(db: Session) -> None:
    _, owner = make_studio(db)
    old = owner.email
    actor = actor_of(db, sign_in(db, owner))

    account.request_email_change(db, actor, "New.Address@Example.com", PASSWORD)
    db.commit()

    # Nothing changed yet: the old address still signs in, the new one does not.
    db.refresh(owner)
    assert owner.email == old
    assert auth.authenticate(db, email=old, password=PASSWORD, client=CLIENT).id == owner.id
    assert refused_sign_in(db, "new.address@example.com", PASSWORD) == "unknown_email"

    [mail] = mails_to("new.address@example.com")
    assert "Confirm" in mail["Subject"]
    assert not mails_to(old)
    raw = token_in(mail, "/confirm-email/")

    assert account.confirm_email_change(db, raw) == "new.address@example.com"
    db.commit()
    db.refresh(owner)
    assert owner.email == "new.address@example.com"
    assert auth.authenticate(db, email="new.address@example.com", password=PASSWORD, client=CLIENT)
    # The old address is told about the change.
    assert any("changed" in m["Subject"] for m in mails_to(old))
    # The link works once.
    with pytest.raises(NotFound):
        account.confirm_email_change(db, raw)


@pytest.mark.parametrize(
    ("password", "message"),
    [("", "Enter your current password."), ("not my password", "Your current password is not correct.")],
)
def test_email_change_needs_the_current_password_before_anything_else(
    db: Session, password: str, message: str
) -> None:
    studio, owner = make_studio(db)
    other = add_member(db, studio, "analyst")
    actor = actor_of(db, sign_in(db, owner))
    before = db_snapshot(db)
    # Without the password, a taken address and a free one get the very same refusal.
    for address in ("new@example.com", other.email):
        with pytest.raises(ValidationFailed) as exc:
            account.request_email_change(db, actor, address, password)
        assert exc.value.errors == {"current_password": message}
    assert db_snapshot(db) == before
    assert outbox_messages() == []


def test_email_change_answers_the_same_for_a_taken_address_as_for_a_free_one(db: Session) -> None:
    studio, owner = make_studio(db)
    other = add_member(db, studio, "analyst")
    actor = actor_of(db, sign_in(db, owner))
    assert account.request_email_change(db, actor, "Free@Example.com", PASSWORD) == "free@example.com"
    db.commit()
    links = db.exec(select(UserToken).where(UserToken.purpose == "email_change")).all()

    assert account.request_email_change(db, actor, other.email.upper(), PASSWORD) == other.email
    db.commit()

    # No link for the taken address: nothing could ever move this account onto it ...
    assert db.exec(select(UserToken).where(UserToken.purpose == "email_change")).all() == links
    [notice] = mails_to(other.email)
    assert "tried to move" in notice["Subject"]
    assert "/confirm-email/" not in notice.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    # ... and both accounts keep their addresses.
    db.refresh(owner)
    db.refresh(other)
    assert owner.email != other.email


def test_email_change_to_the_current_address_says_so(db: Session) -> None:
    _, owner = make_studio(db)
    actor = actor_of(db, sign_in(db, owner))
    with pytest.raises(ValidationFailed) as exc:
        account.request_email_change(db, actor, owner.email.upper(), PASSWORD)
    assert exc.value.errors == {"email": "This is already your email address."}
    assert outbox_messages() == []


def test_email_change_link_expires(db: Session) -> None:
    _, owner = make_studio(db)
    actor = actor_of(db, sign_in(db, owner))
    account.request_email_change(db, actor, "later@example.com", PASSWORD)
    db.commit()
    raw = token_in(mails_to("later@example.com")[0], "/confirm-email/")
    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(raw))).one()
    row.expires_at = row.expires_at - timedelta(hours=25)
    db.add(row)
    db.commit()
    with pytest.raises(NotFound):
        account.confirm_email_change(db, raw)
    db.refresh(owner)
    assert owner.email != "later@example.com"


# --- password change --------------------------------------------------------------------------------


def test_password_change_needs_the_current_password(db: Session) -> None:
    _, owner = make_studio(db)
    actor = actor_of(db, sign_in(db, owner))
    before = db_snapshot(db)
    with pytest.raises(ValidationFailed) as exc:
        account.change_password(db, actor, current="wrong password!!", new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert set(exc.value.errors) == {"current_password"}
    assert db_snapshot(db) == before


def test_password_change_then_the_offer_to_end_other_sessions(db: Session) -> None:
    _, owner = make_studio(db)
    mine = sign_in(db, owner)
    phone = sign_in(db, owner, IPHONE)
    laptop = sign_in(db, owner, FIREFOX)
    actor = actor_of(db, mine)

    account.change_password(db, actor, current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    db.commit()

    # The old password no longer works; the new one does.
    assert refused_sign_in(db, owner.email, PASSWORD) == "wrong_password"
    assert auth.authenticate(db, email=owner.email, password=NEW_PASSWORD, client=CLIENT).id == owner.id
    # The other sessions live until the user takes the offer to end them.
    assert auth.resolve_actor(db, phone) is not None
    assert account.end_other_sessions(db, actor) == 2
    db.commit()
    assert auth.resolve_actor(db, phone) is None
    assert auth.resolve_actor(db, laptop) is None
    assert auth.resolve_actor(db, mine) is not None


def test_end_other_sessions_keeps_the_current_one(db: Session) -> None:
    _, owner = make_studio(db)
    mine = sign_in(db, owner)
    phone = sign_in(db, owner, IPHONE)
    actor = actor_of(db, mine)
    assert account.end_other_sessions(db, actor) == 1
    db.commit()
    assert auth.resolve_actor(db, phone) is None
    assert auth.resolve_actor(db, mine) is not None


# --- sessions ---------------------------------------------------------------------------------------


def test_session_list_shows_browser_device_and_ip(db: Session) -> None:
    _, owner = make_studio(db)
    mine = sign_in(db, owner)
    sign_in(db, owner, IPHONE)
    dead = sign_in(db, owner, FIREFOX)
    auth.sign_out(db, dead)
    db.commit()

    rows = account.list_sessions(db, actor_of(db, mine))
    by_browser = {r.browser: r for r in rows}
    assert set(by_browser) == {"Chrome on Linux (computer)", "Mobile Safari on iOS (phone)"}
    assert by_browser["Mobile Safari on iOS (phone)"].ip == IPHONE.ip
    assert by_browser["Chrome on Linux (computer)"].ip == CLIENT.ip
    assert by_browser["Chrome on Linux (computer)"].is_current
    assert not by_browser["Mobile Safari on iOS (phone)"].is_current


def test_revoke_one_session(db: Session) -> None:
    _, owner = make_studio(db)
    mine = sign_in(db, owner)
    phone = sign_in(db, owner, IPHONE)
    actor = actor_of(db, mine)
    phone_row = next(r for r in account.list_sessions(db, actor) if not r.is_current)

    account.revoke_session(db, actor, phone_row.id)
    db.commit()

    assert auth.resolve_actor(db, phone) is None
    assert [r.is_current for r in account.list_sessions(db, actor)] == [True]
    with pytest.raises(NotFound):  # already ended
        account.revoke_session(db, actor, phone_row.id)


def test_another_users_session_id_is_not_found(db: Session) -> None:
    studio, owner = make_studio(db)
    manager = add_member(db, studio, "manager")
    theirs = sign_in(db, manager)
    their_id = actor_of(db, theirs).session_id
    assert their_id is not None
    me = actor_of(db, sign_in(db, owner))

    with pytest.raises(NotFound):
        account.revoke_session(db, me, their_id)
    with pytest.raises(NotFound):
        account.revoke_session(db, me, 999_999)
    db.commit()
    assert auth.resolve_actor(db, theirs) is not None
    assert all(r.id != their_id for r in account.list_sessions(db, me))


# --- sign-in history and alerts ---------------------------------------------------------------------


def test_sign_in_history_has_successes_and_failures(db: Session) -> None:
    _, owner = make_studio(db)
    assert refused_sign_in(db, owner.email, "wrong password!", IPHONE) == "wrong_password"
    token = sign_in(db, owner)
    history = account.login_history(db, actor_of(db, token))
    assert [(h.success, h.ip, h.browser) for h in history] == [
        (True, CLIENT.ip, "Chrome on Linux (computer)"),
        (False, IPHONE.ip, "Mobile Safari on iOS (phone)"),
    ]
    assert history[1].reason == "wrong password"


def test_history_is_only_my_own(db: Session) -> None:
    studio, owner = make_studio(db)
    manager = add_member(db, studio, "manager")
    sign_in(db, manager, IPHONE)
    history = account.login_history(db, actor_of(db, sign_in(db, owner)))
    assert {h.ip for h in history} == {CLIENT.ip}


def test_new_browser_sends_a_security_alert_but_not_the_first_sign_in(db: Session) -> None:
    _, owner = make_studio(db)
    sign_in(db, owner)  # the very first sign-in: nothing to compare with
    assert mails_to(owner.email) == []

    sign_in(db, owner)  # same browser again
    assert mails_to(owner.email) == []

    sign_in(db, owner, IPHONE)  # a browser not seen before
    [alert] = mails_to(owner.email)
    assert "New sign-in" in alert["Subject"]
    body = alert.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Mobile Safari on iOS (phone)" in body
    assert IPHONE.ip in body

    sign_in(db, owner, IPHONE)  # now seen before
    assert len(mails_to(owner.email)) == 1


def test_the_owner_sees_a_members_sign_in_from_a_new_browser_in_the_audit_log(db: Session) -> None:
    studio, owner = make_studio(db)
    manager = add_member(db, studio, "manager")
    sign_in(db, manager)
    sign_in(db, manager)  # the same browser: not new
    sign_in(db, manager, IPHONE)
    db.commit()
    rows, _ = audit.list_entries(db, actor_for(db, owner, studio), kind="signin")
    new = [e for e in rows if e.action == "signin.new_browser"]
    assert [(e.actor, e.detail, e.ip) for e in new] == [
        (manager.name, "Mobile Safari on iOS (phone)", IPHONE.ip)
    ]
    assert audit.action_label("signin.new_browser") == "Signed in from a new browser"


def test_failed_sign_in_from_a_new_browser_sends_no_alert(db: Session) -> None:
    _, owner = make_studio(db)
    sign_in(db, owner)
    assert refused_sign_in(db, owner.email, "wrong password!", IPHONE) == "wrong_password"
    assert mails_to(owner.email) == []
