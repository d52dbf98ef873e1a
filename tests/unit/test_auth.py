"""Sign-up and sign-in: the studio and its owner, unique emails, argon2id, rehash, throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from studioos.models import LoginEvent, Membership, Role, Studio, User
from studioos.services import auth
from studioos.services.errors import Throttled, ValidationFailed
from studioos.services.passwords import needs_rehash
from tests.factories import CLIENT, PASSWORD, TEST_BROWSER, make_studio
from tests.foundation_helpers import age_login_events, db_snapshot


def sign_up(db: Session, email: str = "Olivia@Example.com", **over: str) -> User:
    fields = {
        "studio_name": "Aurora Studio",
        "timezone": "Europe/Bucharest",
        "currency": "eur",
        "name": "Olivia Owner",
        "email": email,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    fields.update(over)
    user = auth.sign_up(db, client=CLIENT, **fields)
    db.commit()
    return user


def test_sign_up_creates_the_studio_and_its_owner(db: Session) -> None:
    user = sign_up(db)

    assert user.email == "olivia@example.com"
    assert user.name == "Olivia Owner"
    membership = db.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.role == Role.OWNER
    studio = db.get(Studio, membership.studio_id)
    assert studio is not None
    assert (studio.name, studio.timezone, studio.currency) == ("Aurora Studio", "Europe/Bucharest", "EUR")
    # The owner can sign in right away with the chosen password.
    assert auth.authenticate(db, email="olivia@example.com", password=PASSWORD, client=CLIENT).id == user.id


def test_password_is_stored_as_argon2id_never_in_clear(db: Session) -> None:
    user = sign_up(db)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize("other", ["olivia@example.com", "OLIVIA@EXAMPLE.COM", "  Olivia@example.COM "])
def test_email_is_unique_case_insensitively(db: Session, other: str) -> None:
    sign_up(db)
    before = db_snapshot(db)
    with pytest.raises(ValidationFailed) as exc:
        sign_up(db, email=other, studio_name="Second Studio")
    assert "already exists" in exc.value.errors["email"]
    assert db_snapshot(db) == before


def test_sign_in_email_is_case_insensitive(db: Session) -> None:
    user = sign_up(db)
    found = auth.authenticate(db, email="OLIVIA@example.com", password=PASSWORD, client=CLIENT)
    assert found.id == user.id


def test_wrong_password_and_unknown_email_give_the_same_answer(db: Session) -> None:
    sign_up(db)
    with pytest.raises(ValidationFailed) as wrong:
        auth.authenticate(db, email="olivia@example.com", password="not the password", client=CLIENT)
    with pytest.raises(ValidationFailed) as unknown:
        auth.authenticate(db, email="nobody@example.com", password="not the password", client=CLIENT)
    assert wrong.value.errors == unknown.value.errors == {"password": auth.WRONG_CREDENTIALS}
    assert wrong.value.message == unknown.value.message


def test_password_is_rehashed_on_sign_in_when_parameters_change(db: Session) -> None:
    user = sign_up(db)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    assert needs_rehash(weak)
    user.password_hash = weak
    db.add(user)
    db.commit()

    auth.authenticate(db, email=user.email, password=PASSWORD, client=CLIENT)
    db.commit()
    db.refresh(user)

    assert user.password_hash != weak
    assert user.password_hash.startswith("$argon2id$")
    assert not needs_rehash(user.password_hash)
    # The new hash still accepts the same password.
    assert auth.authenticate(db, email=user.email, password=PASSWORD, client=CLIENT).id == user.id


def test_current_hash_is_not_rewritten_on_sign_in(db: Session) -> None:
    user = sign_up(db)
    original = user.password_hash
    auth.authenticate(db, email=user.email, password=PASSWORD, client=CLIENT)
    db.commit()
    db.refresh(user)
    assert user.password_hash == original


def _fail(db: Session, email: str, ip: str) -> None:
    with pytest.raises(ValidationFailed):
        auth.authenticate(
            db, email=email, password="wrong password!", client=auth.Client(ip, CLIENT.user_agent, browser=TEST_BROWSER)
        )


def test_failed_sign_ins_are_throttled_per_account(db: Session) -> None:
    _, owner = make_studio(db)
    # Ten failures from ten different addresses: the account itself is now locked for a while.
    for i in range(10):
        _fail(db, owner.email, f"198.51.100.{i}")
    with pytest.raises(Throttled) as exc:
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=auth.Client("192.0.2.99", "x", browser=TEST_BROWSER))
    assert exc.value.message == "Too many failed sign-ins. Try again in 15 minutes."
    assert 14 * 60 < exc.value.retry_after_seconds <= 15 * 60 + 1


def test_nine_failures_do_not_throttle(db: Session) -> None:
    _, owner = make_studio(db)
    for i in range(9):
        _fail(db, owner.email, f"198.51.100.{i}")
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT).id == owner.id


def test_failed_sign_ins_are_throttled_per_ip(db: Session) -> None:
    _, owner = make_studio(db)
    # One address tries ten different accounts (that exist or not) ...
    for i in range(10):
        _fail(db, f"victim{i}@example.com", "198.51.100.50")
    # ... and then cannot even try the right password of another account from there.
    with pytest.raises(Throttled) as exc:
        auth.authenticate(
            db, email=owner.email, password=PASSWORD, client=auth.Client("198.51.100.50", CLIENT.user_agent, browser=TEST_BROWSER)
        )
    assert "Try again in" in exc.value.message
    # The same account from another address is not affected.
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT).id == owner.id


def test_throttle_message_says_when_to_try_again_and_the_window_frees_up(db: Session) -> None:
    _, owner = make_studio(db)
    for i in range(10):
        _fail(db, owner.email, f"198.51.100.{i}")
    # Ten minutes later, five minutes of the window remain.
    age_login_events(db, timedelta(minutes=10))
    with pytest.raises(Throttled) as exc:
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    assert exc.value.message == "Too many failed sign-ins. Try again in 5 minutes."
    # Fifteen minutes after the failures, sign-in works again.
    age_login_events(db, timedelta(minutes=5, seconds=1))
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT).id == owner.id


def test_throttle_limits_come_from_settings(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from studioos.settings import reset_settings_cache

    monkeypatch.setenv("STUDIOOS_LOGIN_MAX_FAILURES", "3")
    reset_settings_cache()
    _, owner = make_studio(db)
    for i in range(3):
        _fail(db, owner.email, f"198.51.100.{i}")
    with pytest.raises(Throttled):
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)


def test_failures_are_recorded_even_though_the_caller_rolls_back(engine) -> None:  # type: ignore[no-untyped-def]
    from studioos.db import session_scope

    with session_scope(engine) as db:
        _, owner = make_studio(db)
    with pytest.raises(ValidationFailed), session_scope(engine) as db:
        auth.authenticate(db, email=owner.email, password="wrong password!", client=CLIENT)
    with session_scope(engine) as db:
        events = db.exec(select(LoginEvent).where(LoginEvent.email == owner.email)).all()
    assert [(e.success, e.reason) for e in events] == [(False, "wrong_password")]


def test_handoff_code_is_single_use_and_short_lived(db: Session) -> None:
    _, owner = make_studio(db)
    code = auth.create_handoff(db, owner, client=CLIENT)
    db.commit()
    first = auth.redeem_handoff(db, code, CLIENT)
    assert first is not None
    assert auth.redeem_handoff(db, code, CLIENT) is None

    late = auth.create_handoff(db, owner, client=CLIENT)
    db.commit()
    from studioos.models import UserToken
    from studioos.services.tokens import hash_token

    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(late))).one()
    row.expires_at = row.expires_at - timedelta(minutes=2)
    db.add(row)
    db.commit()
    assert auth.redeem_handoff(db, late, CLIENT) is None


def test_disabled_account_cannot_sign_in(db: Session) -> None:
    _, owner = make_studio(db)
    owner.is_active = False
    db.add(owner)
    db.commit()
    with pytest.raises(ValidationFailed):
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
