"""Two-factor sign-in: turning it on with the app's first code, codes good once per time step,
recovery codes good once, turning it off only with the password and a code, the studio's
requirement, and the sign-in's second step bound to the browser that typed the password."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from studioos.api.two_factor_routes import QR_PATH, routes
from studioos.models import (
    AuditLog,
    AuthSession,
    LoginEvent,
    RecoveryCode,
    Role,
    Studio,
    TokenPurpose,
    User,
    UserToken,
    utcnow,
)
from studioos.services import auth, reauth, two_factor
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import (
    CLIENT,
    PASSWORD,
    actor_for,
    actor_of,
    add_member,
    make_studio,
    session_cookie,
    sign_in,
)

STEP = timedelta(seconds=30)
OTHER_BROWSER = auth.Client(ip=CLIENT.ip, user_agent=CLIENT.user_agent, browser="c" * 64)
RECOVERY_FORMAT = re.compile(r"^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$")


def _secret(db: Session, user_id: int) -> str:
    db.expire_all()
    user = db.get(User, user_id)
    assert user is not None and user.totp_secret
    return user.totp_secret


def _wrong_code(secret: str, when: datetime) -> str:
    """Six digits that are none of the codes the window accepts at `when`."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(when, counter_offset=k) for k in (-1, 0, 1)}
    guess = int(totp.at(when))
    while f"{guess:06d}" in valid:
        guess = (guess + 1) % 1_000_000
    return f"{guess:06d}"


def _enable(db: Session, actor: Actor, now: datetime) -> tuple[str, list[str]]:
    two_factor.start_enrolment(db, actor)
    db.commit()
    secret = _secret(db, actor.user_id)
    codes = two_factor.confirm_enrolment(db, actor, pyotp.TOTP(secret).at(now), now=now)
    db.commit()
    return secret, codes


def _owner(db: Session) -> tuple[Studio, User, Actor]:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    db.commit()
    return studio, owner, actor


def _aged(db: Session, actor: Actor, minutes: int) -> None:
    found = db.get(AuthSession, actor.session_id)
    assert found is not None
    found.reauthenticated_at = utcnow() - timedelta(minutes=minutes)
    db.add(found)
    db.commit()


def _actions(db: Session, user_id: int, action: str) -> int:
    return len(
        db.exec(select(AuditLog.id).where(AuditLog.actor_user_id == user_id, AuditLog.action == action)).all()
    )


# --- enrolment -----------------------------------------------------------------------------------


def test_enrolment_is_confirmed_by_a_good_code_and_not_by_a_wrong_one(db: Session) -> None:
    _, owner, actor = _owner(db)
    now = utcnow()
    assert two_factor.status(db, actor).pending_enrolment is False
    two_factor.start_enrolment(db, actor)
    db.commit()
    first = _secret(db, actor.user_id)
    # Restarting replaces the unconfirmed secret.
    two_factor.start_enrolment(db, actor)
    db.commit()
    secret = _secret(db, actor.user_id)
    assert secret != first
    state = two_factor.status(db, actor)
    assert (state.enabled, state.pending_enrolment) == (False, True)

    with pytest.raises(ValidationFailed) as wrong:
        two_factor.confirm_enrolment(db, actor, _wrong_code(secret, now), now=now)
    assert wrong.value.errors == {"code": two_factor.WRONG_CODE}
    db.rollback()
    assert two_factor.status(db, actor).enabled is False
    # The first secret's code does not confirm the second.
    with pytest.raises(ValidationFailed):
        two_factor.confirm_enrolment(db, actor, pyotp.TOTP(first).at(now), now=now)
    db.rollback()

    codes = two_factor.confirm_enrolment(db, actor, pyotp.TOTP(secret).at(now), now=now)
    db.commit()
    state = two_factor.status(db, actor)
    assert state.enabled and not state.pending_enrolment
    assert state.enabled_at is not None and state.recovery_codes_left == 10
    assert len(codes) == 10
    assert _actions(db, owner.id or 0, "two_factor.enabled") == 1
    # On is on: starting again would silently replace the working secret.
    with pytest.raises(ValidationFailed):
        two_factor.start_enrolment(db, actor)


def test_the_qr_code_shows_the_pending_secret_for_typing_in(db: Session) -> None:
    _, _, actor = _owner(db)
    with pytest.raises(NotFound):
        two_factor.enrolment_qr_svg(db, actor)
    two_factor.start_enrolment(db, actor)
    db.commit()
    secret = _secret(db, actor.user_id)
    svg = two_factor.enrolment_qr_svg(db, actor).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<path" in svg
    groups = [secret[i : i + 4] for i in range(0, len(secret), 4)]
    assert " ".join(groups[:4]) in svg and " ".join(groups[4:]) in svg
    # Once confirmed, the secret is never shown again.
    two_factor.confirm_enrolment(db, actor, pyotp.TOTP(secret).now())
    db.commit()
    with pytest.raises(NotFound):
        two_factor.enrolment_qr_svg(db, actor)


def test_the_qr_route_answers_only_the_signed_in_person_and_is_never_cached(db: Session) -> None:
    studio, owner, actor = _owner(db)
    client = TestClient(Starlette(routes=routes()))
    assert client.get(QR_PATH).status_code == 401
    cookies = session_cookie(db, owner, studio)
    client.cookies.update(cookies)
    assert client.get(QR_PATH).status_code == 404  # nothing being set up
    two_factor.start_enrolment(db, actor)
    db.commit()
    secret = _secret(db, actor.user_id)
    answer = client.get(QR_PATH)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.headers["cache-control"] == "no-store"
    assert secret[:4] in answer.text and "<svg" in answer.text
    # Another person's session sees nothing of it.
    other = add_member(db, studio, Role.MANAGER)
    client.cookies.clear()
    client.cookies.update(session_cookie(db, other, studio))
    assert client.get(QR_PATH).status_code == 404


def test_the_secret_is_encrypted_at_rest(db: Session) -> None:
    _, owner, actor = _owner(db)
    secret, _ = _enable(db, actor, utcnow())
    raw = (
        db.connection()
        .execute(text('SELECT totp_secret FROM "user" WHERE id = :id'), {"id": owner.id})
        .scalar()
    )
    assert raw and secret not in str(raw)


# --- codes -------------------------------------------------------------------------------------


def test_a_code_is_good_once_per_time_step(db: Session) -> None:
    _, owner, actor = _owner(db)
    now = utcnow()
    secret, _ = _enable(db, actor, now)
    totp = pyotp.TOTP(secret)
    user = db.get(User, owner.id)
    assert user is not None
    # The code that confirmed the set-up was used: replaying it opens nothing.
    assert two_factor.verify_code(db, user, totp.at(now), now=now) is False
    later = now + STEP
    code = totp.at(later)
    # Typed as the app shows it, with a space.
    assert two_factor.verify_code(db, user, f"{code[:3]} {code[3:]}", now=later) is True
    db.commit()
    assert two_factor.verify_code(db, user, code, now=later) is False
    # An older step's code is refused too, though still in the window.
    assert two_factor.verify_code(db, user, totp.at(now), now=later) is False
    assert two_factor.verify_code(db, user, _wrong_code(secret, later + STEP), now=later + STEP) is False
    assert two_factor.verify_code(db, user, totp.at(later + STEP), now=later + STEP) is True


def test_recovery_codes_are_ten_shown_once_stored_hashed_and_good_once(db: Session) -> None:
    _, owner, actor = _owner(db)
    _, codes = _enable(db, actor, utcnow())
    assert len(set(codes)) == 10 and all(RECOVERY_FORMAT.match(c) for c in codes)
    stored = db.exec(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == owner.id)).all()
    assert len(stored) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert not any(code in h or plain in h for h in stored)

    user = db.get(User, owner.id)
    assert user is not None
    # Read back from paper: upper case, spaces instead of dashes.
    typed = codes[0].upper().replace("-", " ")
    assert two_factor.use_recovery_code(db, user, typed) is True
    db.commit()
    assert two_factor.use_recovery_code(db, user, codes[0]) is False
    assert two_factor.recovery_codes_left(db, actor) == 9
    assert two_factor.use_recovery_code(db, user, "zzzz-zzzz-zzzz") is False
    assert _actions(db, owner.id or 0, "two_factor.recovery_used") == 1
    # Another person's code is not this person's.
    _, _, other_actor = _owner(db)
    _, other_codes = _enable(db, other_actor, utcnow())
    assert two_factor.use_recovery_code(db, user, other_codes[0]) is False


def test_new_recovery_codes_replace_the_old_ones_after_an_app_code(db: Session) -> None:
    _, owner, actor = _owner(db)
    now = utcnow()
    secret, old = _enable(db, actor, now)
    later = now + STEP
    with pytest.raises(ValidationFailed) as wrong:
        two_factor.regenerate_recovery_codes(db, actor, _wrong_code(secret, later), now=later)
    assert wrong.value.errors == {"code": two_factor.WRONG_CODE}
    db.rollback()
    assert _actions(db, owner.id or 0, "two_factor.code_failed") == 1  # kept despite the rollback

    new = two_factor.regenerate_recovery_codes(db, actor, pyotp.TOTP(secret).at(later), now=later)
    db.commit()
    assert len(new) == 10 and not set(new) & set(old)
    user = db.get(User, owner.id)
    assert user is not None
    assert two_factor.use_recovery_code(db, user, old[1]) is False
    assert two_factor.use_recovery_code(db, user, new[1]) is True
    assert _actions(db, owner.id or 0, "two_factor.recovery_regenerated") == 1

    _aged(db, actor, 11)
    with pytest.raises(reauth.ReauthRequired):
        two_factor.regenerate_recovery_codes(db, actor, pyotp.TOTP(secret).at(later + STEP), now=later + STEP)


# --- turning it off ------------------------------------------------------------------------------


def test_turning_it_off_needs_a_recent_reauth_the_password_and_a_code(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_of(db, sign_in(db, owner, studio_id=studio.id))
    now = utcnow()
    secret, _ = _enable(db, actor, now)
    totp = pyotp.TOTP(secret)
    later = now + STEP

    _aged(db, actor, 11)
    with pytest.raises(reauth.ReauthRequired):
        two_factor.disable(db, actor, PASSWORD, totp.at(later), now=later)
    db.rollback()
    reauth.confirm_password(db, actor, PASSWORD)
    db.commit()

    with pytest.raises(ValidationFailed) as missing:
        two_factor.disable(db, actor, PASSWORD, "", now=later)
    assert set(missing.value.errors) == {"code"}
    with pytest.raises(ValidationFailed) as wrong_password:
        two_factor.disable(db, actor, "not my password", totp.at(later), now=later)
    assert wrong_password.value.errors == {"password": reauth.WRONG_PASSWORD}
    db.rollback()
    with pytest.raises(ValidationFailed) as wrong_code:
        two_factor.disable(db, actor, PASSWORD, _wrong_code(secret, later), now=later)
    assert wrong_code.value.errors == {"code": two_factor.WRONG_CODE}
    db.rollback()
    assert two_factor.status(db, actor).enabled is True

    two_factor.disable(db, actor, PASSWORD, totp.at(later), now=later)
    db.commit()
    state = two_factor.status(db, actor)
    assert (state.enabled, state.pending_enrolment, state.recovery_codes_left) == (False, False, 0)
    db.expire_all()
    user = db.get(User, owner.id)
    assert user is not None
    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_step) == (None, None, None)
    assert db.exec(select(RecoveryCode).where(RecoveryCode.user_id == owner.id)).first() is None
    assert _actions(db, owner.id or 0, "two_factor.disabled") == 1


def test_a_recovery_code_can_stand_in_for_the_app_when_turning_it_off(db: Session) -> None:
    _, _, actor = _owner(db)
    _, codes = _enable(db, actor, utcnow())
    two_factor.disable(db, actor, PASSWORD, codes[3])
    db.commit()
    assert two_factor.status(db, actor).enabled is False


# --- the studio's requirement --------------------------------------------------------------------


def test_the_owner_requires_it_only_after_turning_it_on_herself(db: Session) -> None:
    studio, owner, actor = _owner(db)
    manager = add_member(db, studio, Role.MANAGER)
    with pytest.raises(PermissionDenied):
        two_factor.set_studio_requirement(db, actor_for(db, manager, studio), True)
    db.rollback()

    with pytest.raises(ValidationFailed) as refused:
        two_factor.set_studio_requirement(db, actor, True)
    assert refused.value.errors == {"require_two_factor": two_factor.OWN_FIRST}
    db.rollback()
    assert two_factor.studio_requires(db, studio.id or 0) is False

    _enable(db, actor, utcnow())
    two_factor.set_studio_requirement(db, actor, True)
    db.commit()
    assert two_factor.studio_requires(db, studio.id or 0) is True
    assert _actions(db, owner.id or 0, "two_factor.required_on") == 1

    _aged(db, actor, 11)
    with pytest.raises(reauth.ReauthRequired):
        two_factor.set_studio_requirement(db, actor, False)


def test_a_member_must_enrol_and_cannot_turn_it_off_while_required(db: Session) -> None:
    studio, owner, owner_actor = _owner(db)
    now = utcnow()
    _, owner_codes = _enable(db, owner_actor, now)
    two_factor.set_studio_requirement(db, owner_actor, True)
    db.commit()
    member = add_member(db, studio, Role.MANAGER)
    assert two_factor.needs_enrolment(db, member.id or 0, studio.id or 0) is True
    assert two_factor.needs_enrolment(db, owner.id or 0, studio.id or 0) is False
    # Until she enrols, her session opens nothing of the studio.
    member_actor = actor_of(db, sign_in(db, member, studio_id=studio.id))
    assert member_actor.must_enrol_two_factor and not member_actor.caps
    assert two_factor.status(db, member_actor).required_by_studio is True

    _, codes = _enable(db, member_actor, now)
    assert two_factor.needs_enrolment(db, member.id or 0, studio.id or 0) is False
    with pytest.raises(PermissionDenied) as refused:
        two_factor.disable(db, member_actor, PASSWORD, codes[0])
    assert "owner" in refused.value.message
    db.rollback()
    # The owner cannot either: she turns the requirement off first.
    with pytest.raises(PermissionDenied) as own:
        two_factor.disable(db, owner_actor, PASSWORD, owner_codes[0])
    assert "studio settings" in own.value.message
    db.rollback()

    two_factor.set_studio_requirement(db, owner_actor, False)
    db.commit()
    assert _actions(db, owner.id or 0, "two_factor.required_off") == 1
    two_factor.disable(db, member_actor, PASSWORD, codes[0])
    db.commit()
    assert two_factor.status(db, member_actor).enabled is False


# --- the sign-in's second step -------------------------------------------------------------------


def _pending_user(db: Session) -> tuple[User, str, datetime]:
    _, owner, actor = _owner(db)
    now = utcnow()
    secret, _ = _enable(db, actor, now)
    user = db.get(User, owner.id)
    assert user is not None
    two_factor.begin_second_step(db, user, CLIENT)
    db.commit()
    return user, secret, now


def test_the_second_step_is_bound_to_the_browser_and_signs_in_once(db: Session) -> None:
    user, secret, now = _pending_user(db)
    later = now + STEP
    code = pyotp.TOTP(secret).at(later)
    assert two_factor.pending_second_step(db, CLIENT) == user.email
    assert two_factor.pending_second_step(db, OTHER_BROWSER) is None
    with pytest.raises(ValidationFailed) as elsewhere:
        two_factor.complete_second_step(db, OTHER_BROWSER, code, now=later)
    assert elsewhere.value.errors == {"code": two_factor.TIMED_OUT}
    db.rollback()

    signed_in = two_factor.complete_second_step(db, CLIENT, code, now=later)
    db.commit()
    assert signed_in.id == user.id
    assert two_factor.pending_second_step(db, CLIENT) is None
    # The page hands the session off as after a password-only sign-in.
    handoff = auth.create_handoff(db, signed_in, client=CLIENT)
    db.commit()
    assert auth.redeem_handoff(db, handoff, CLIENT) is not None
    with pytest.raises(ValidationFailed) as again:
        two_factor.complete_second_step(db, CLIENT, pyotp.TOTP(secret).at(later + STEP), now=later + STEP)
    assert again.value.errors == {"code": two_factor.TIMED_OUT}


def test_a_recovery_code_completes_the_second_step(db: Session) -> None:
    _, owner, actor = _owner(db)
    _, codes = _enable(db, actor, utcnow())
    user = db.get(User, owner.id)
    assert user is not None
    two_factor.begin_second_step(db, user, CLIENT)
    db.commit()
    assert two_factor.complete_second_step(db, CLIENT, codes[5].upper()).id == user.id
    db.commit()
    assert two_factor.recovery_codes_left(db, actor) == 9


def test_five_wrong_codes_end_the_pending_sign_in(db: Session) -> None:
    user, secret, now = _pending_user(db)
    later = now + STEP
    wrong = _wrong_code(secret, later)
    for _ in range(two_factor.MAX_FAILURES - 1):
        with pytest.raises(ValidationFailed) as refused:
            two_factor.complete_second_step(db, CLIENT, wrong, now=later)
        assert refused.value.errors == {"code": two_factor.WRONG_CODE}
        # As a failed request's unit of work is: the count must survive it.
        db.rollback()
    assert two_factor.pending_second_step(db, CLIENT) == user.email
    with pytest.raises(ValidationFailed) as last:
        two_factor.complete_second_step(db, CLIENT, wrong, now=later)
    assert last.value.errors == {"code": two_factor.TOO_MANY}
    db.rollback()
    assert two_factor.pending_second_step(db, CLIENT) is None
    # Even the right code is too late now.
    with pytest.raises(ValidationFailed) as dead:
        two_factor.complete_second_step(db, CLIENT, pyotp.TOTP(secret).at(later), now=later)
    assert dead.value.errors == {"code": two_factor.TIMED_OUT}
    db.rollback()
    failures = db.exec(
        select(LoginEvent.id).where(
            LoginEvent.user_id == user.id, col(LoginEvent.reason) == two_factor.FAILED_REASON
        )
    ).all()
    assert len(failures) == two_factor.MAX_FAILURES
    assert _actions(db, user.id or 0, "two_factor.code_failed") == two_factor.MAX_FAILURES


def test_the_second_step_times_out_and_a_new_one_replaces_the_old(db: Session) -> None:
    user, secret, now = _pending_user(db)
    late = utcnow() + two_factor.PENDING_TTL + timedelta(seconds=1)
    assert two_factor.pending_second_step(db, CLIENT, now=late) is None
    with pytest.raises(ValidationFailed) as timed_out:
        two_factor.complete_second_step(db, CLIENT, pyotp.TOTP(secret).at(late), now=late)
    assert timed_out.value.errors == {"code": two_factor.TIMED_OUT}
    db.rollback()
    # Signing in again in the same browser starts afresh, and replaces what was waiting.
    two_factor.begin_second_step(db, user, CLIENT)
    two_factor.begin_second_step(db, user, CLIENT)
    db.commit()
    waiting = db.exec(
        select(UserToken.id).where(
            UserToken.purpose == TokenPurpose.TWO_FACTOR_PENDING, col(UserToken.used_at).is_(None)
        )
    ).all()
    assert len(waiting) == 1
    later = now + STEP
    assert two_factor.complete_second_step(db, CLIENT, pyotp.TOTP(secret).at(later), now=later).id == user.id


def test_a_browser_without_its_cookie_cannot_start_the_second_step(db: Session) -> None:
    _, owner, actor = _owner(db)
    _enable(db, actor, utcnow())
    user = db.get(User, owner.id)
    assert user is not None
    with pytest.raises(auth.BrowserUnknown):
        two_factor.begin_second_step(db, user, auth.Client(ip=CLIENT.ip, user_agent=CLIENT.user_agent))
