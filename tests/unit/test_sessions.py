"""Sessions: long random tokens kept only as hashes, idle and absolute timeouts, sign-out."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from studioos.models import AuthSession, UserToken, utcnow
from studioos.services import auth
from studioos.services.tokens import hash_token
from studioos.settings import reset_settings_cache
from tests.factories import CLIENT, actor_for, add_member, make_studio, sign_in
from tests.foundation_helpers import age_session


def _every_stored_string(db: Session) -> list[str]:
    out: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        for row in db.connection().execute(sa_select(table)).all():
            out.extend(str(v) for v in row if v is not None)
    return out


def test_session_token_has_at_least_128_bits(db: Session) -> None:
    _, owner = make_studio(db)
    token = sign_in(db, owner)
    raw_bytes = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw_bytes) * 8 >= 128


def test_raw_tokens_are_never_stored(db: Session) -> None:
    _, owner = make_studio(db)
    code = auth.create_handoff(db, owner, client=CLIENT)
    db.commit()
    token = auth.redeem_handoff(db, code, CLIENT)
    db.commit()
    assert token is not None
    stored = _every_stored_string(db)
    assert not any(token in s for s in stored)
    assert not any(code in s for s in stored)
    # What is stored is the hash, and it finds the session.
    row = db.exec(select(AuthSession).where(AuthSession.user_id == owner.id)).one()
    assert row.token_hash == hash_token(token) != token


def test_every_sign_in_gets_a_new_token(db: Session) -> None:
    _, owner = make_studio(db)
    tokens = {sign_in(db, owner) for _ in range(3)}
    assert len(tokens) == 3
    assert all(auth.resolve_actor(db, t) is not None for t in tokens)


def test_live_session_resolves_to_the_user_and_studio(db: Session) -> None:
    studio, owner = make_studio(db)
    token = sign_in(db, owner)
    actor = auth.resolve_actor(db, token, CLIENT)
    assert actor is not None
    assert (actor.user_id, actor.studio_id, actor.role) == (owner.id, studio.id, "owner")


@pytest.mark.parametrize("bad", ["", "nonsense", "x" * 43])
def test_unknown_tokens_resolve_to_nobody(db: Session, bad: str) -> None:
    make_studio(db)
    assert auth.resolve_actor(db, bad) is None


def test_idle_timeout_is_30_minutes_by_default(db: Session) -> None:
    _, owner = make_studio(db)
    fresh = sign_in(db, owner)
    idle_29 = sign_in(db, owner)
    idle_31 = sign_in(db, owner)
    age_session(db, idle_29, idle=timedelta(minutes=29))
    age_session(db, idle_31, idle=timedelta(minutes=31))
    assert auth.resolve_actor(db, fresh) is not None
    assert auth.resolve_actor(db, idle_29) is not None
    assert auth.resolve_actor(db, idle_31) is None


def test_activity_keeps_a_session_alive(db: Session) -> None:
    _, owner = make_studio(db)
    token = sign_in(db, owner)
    age_session(db, token, idle=timedelta(minutes=25))
    assert auth.resolve_actor(db, token) is not None  # activity now
    db.commit()
    age_session(db, token, idle=timedelta(minutes=25))  # 25 minutes after that activity
    assert auth.resolve_actor(db, token) is not None


def test_absolute_timeout_is_12_hours_even_with_activity(db: Session) -> None:
    _, owner = make_studio(db)
    token = sign_in(db, owner)
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).one()
    assert abs((row.expires_at - row.created_at) - timedelta(hours=12)) < timedelta(seconds=5)

    age_session(db, token, age=timedelta(hours=11, minutes=59))  # last seen just now
    assert auth.resolve_actor(db, token) is not None
    db.commit()
    age_session(db, token, age=timedelta(minutes=2))
    assert auth.resolve_actor(db, token) is None


def test_timeouts_come_from_the_environment(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOOS_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("STUDIOOS_SESSION_ABSOLUTE_HOURS", "1")
    reset_settings_cache()
    _, owner = make_studio(db)

    idle = sign_in(db, owner)
    age_session(db, idle, idle=timedelta(minutes=6))
    assert auth.resolve_actor(db, idle) is None

    old = sign_in(db, owner)
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(old))).one()
    assert abs((row.expires_at - row.created_at) - timedelta(hours=1)) < timedelta(seconds=5)
    age_session(db, old, age=timedelta(minutes=61))
    assert auth.resolve_actor(db, old) is None

    young = sign_in(db, owner)
    age_session(db, young, idle=timedelta(minutes=4), age=timedelta(minutes=50))
    assert auth.resolve_actor(db, young) is not None


def test_sign_out_revokes_the_session_server_side(db: Session) -> None:
    _, owner = make_studio(db)
    token = sign_in(db, owner)
    other = sign_in(db, owner)
    auth.sign_out(db, token, CLIENT)
    db.commit()
    # The same cookie value, replayed, no longer works: the server forgot it.
    assert auth.resolve_actor(db, token) is None
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).one()
    assert row.revoked_at is not None
    # Only this session ended.
    assert auth.resolve_actor(db, other) is not None


def test_require_actor_refuses_a_dead_session(db: Session) -> None:
    from studioos.services.errors import NotSignedIn

    _, owner = make_studio(db)
    token = sign_in(db, owner)
    auth.sign_out(db, token)
    db.commit()
    with pytest.raises(NotSignedIn):
        auth.require_actor(db, token)


def test_removed_member_loses_the_studio_at_once(db: Session) -> None:
    studio, owner = make_studio(db)
    analyst = add_member(db, studio, "analyst")
    token = sign_in(db, analyst)
    from studioos.services import team

    team.remove_member(db, actor_for(db, owner, studio), analyst.id or 0)
    db.commit()
    assert auth.resolve_actor(db, token) is None


def test_handoff_codes_expire_after_a_minute(db: Session) -> None:
    _, owner = make_studio(db)
    code = auth.create_handoff(db, owner, client=CLIENT)
    db.commit()
    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(code))).one()
    assert row.expires_at - utcnow() <= timedelta(seconds=60)
