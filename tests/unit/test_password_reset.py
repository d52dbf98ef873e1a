"""Password reset: an emailed single-use link valid for one hour; never says who is registered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from studioos.models import UserToken
from studioos.services import auth, password_reset
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.tokens import hash_token
from tests.factories import CLIENT, PASSWORD, make_studio, refused_sign_in, sign_in
from tests.foundation_helpers import db_snapshot, mails_to, outbox_messages, token_in

NEW_PASSWORD = "a fresh start 2026!"


def request_link(db: Session, email: str) -> str:
    password_reset.request_reset(db, email, CLIENT.ip, CLIENT.user_agent)
    db.commit()
    return token_in(mails_to(email.strip().lower())[-1], "/reset/")


def test_reset_by_emailed_link(db: Session) -> None:
    _, owner = make_studio(db)
    raw = request_link(db, owner.email.upper())
    assert password_reset.reset_link_valid(db, raw)

    password_reset.reset_password(db, raw, NEW_PASSWORD, NEW_PASSWORD, CLIENT.ip, CLIENT.user_agent)
    db.commit()

    assert auth.authenticate(db, email=owner.email, password=NEW_PASSWORD, client=CLIENT).id == owner.id
    assert refused_sign_in(db, owner.email, PASSWORD) == "wrong_password"


def test_reset_link_is_single_use(db: Session) -> None:
    _, owner = make_studio(db)
    raw = request_link(db, owner.email)
    password_reset.reset_password(db, raw, NEW_PASSWORD, NEW_PASSWORD)
    db.commit()
    assert not password_reset.reset_link_valid(db, raw)
    with pytest.raises(NotFound):
        password_reset.reset_password(db, raw, "yet another password", "yet another password")
    db.rollback()
    assert auth.authenticate(db, email=owner.email, password=NEW_PASSWORD, client=CLIENT)


def test_a_reset_voids_the_older_links_still_in_the_mailbox(db: Session) -> None:
    _, owner = make_studio(db)
    older = request_link(db, owner.email)
    newer = request_link(db, owner.email)
    password_reset.reset_password(db, newer, NEW_PASSWORD, NEW_PASSWORD)
    db.commit()
    assert not password_reset.reset_link_valid(db, older)
    with pytest.raises(NotFound):
        password_reset.reset_password(db, older, "yet another password", "yet another password")


def test_reset_link_is_valid_for_one_hour(db: Session) -> None:
    _, owner = make_studio(db)
    raw = request_link(db, owner.email)
    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(raw))).one()
    assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(hours=1)

    row.expires_at = row.expires_at - timedelta(hours=1)  # an hour has passed
    db.add(row)
    db.commit()
    assert not password_reset.reset_link_valid(db, raw)
    before = db_snapshot(db)
    with pytest.raises(NotFound):
        password_reset.reset_password(db, raw, NEW_PASSWORD, NEW_PASSWORD)
    assert db_snapshot(db) == before
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)


def test_request_never_reveals_whether_an_email_is_registered(db: Session) -> None:
    _, owner = make_studio(db)
    known = password_reset.request_reset(db, owner.email, CLIENT.ip)
    before = db_snapshot(db)
    unknown = password_reset.request_reset(db, "nobody-here@example.com", CLIENT.ip)
    # Same answer, and for the unknown address nothing was stored and nothing was sent.
    assert known is unknown is None
    assert db_snapshot(db) == before
    assert mails_to("nobody-here@example.com") == []
    assert [m["To"] for m in outbox_messages()] == [owner.email]


def test_disabled_accounts_get_no_reset_mail(db: Session) -> None:
    _, owner = make_studio(db)
    owner.is_active = False
    db.add(owner)
    db.commit()
    password_reset.request_reset(db, owner.email)
    assert outbox_messages() == []


def test_reset_revokes_all_sessions(db: Session) -> None:
    _, owner = make_studio(db)
    sessions = [sign_in(db, owner, password=None) for _ in range(3)]
    raw = request_link(db, owner.email)
    password_reset.reset_password(db, raw, NEW_PASSWORD, NEW_PASSWORD)
    db.commit()
    assert [auth.resolve_actor(db, t) for t in sessions] == [None, None, None]


def test_bad_new_password_keeps_the_link_usable(db: Session) -> None:
    _, owner = make_studio(db)
    raw = request_link(db, owner.email)
    before = db_snapshot(db)
    with pytest.raises(ValidationFailed) as exc:
        password_reset.reset_password(db, raw, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert exc.value.errors == {"password_confirm": "The two passwords do not match."}
    with pytest.raises(ValidationFailed) as short:
        password_reset.reset_password(db, raw, "short", "short")
    assert short.value.errors == {"password": "Use at least 12 characters."}
    assert db_snapshot(db) == before
    assert password_reset.reset_link_valid(db, raw)


def test_a_made_up_link_does_nothing(db: Session) -> None:
    make_studio(db)
    assert not password_reset.reset_link_valid(db, "made-up-token")
    with pytest.raises(NotFound):
        password_reset.reset_password(db, "made-up-token", NEW_PASSWORD, NEW_PASSWORD)
