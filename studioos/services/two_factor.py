"""Two-factor sign-in (TOTP, RFC 6238): an authenticator app's six-digit code after the password.

Turning it on: `start_enrolment` stores a fresh secret (encrypted at rest, unconfirmed),
`enrolment_qr_svg` shows it as a QR code, and `confirm_enrolment` switches it on once the app's
first code matches, handing out ten single-use recovery codes (stored only hashed).

Signing in: when the password was right, the sign-in page calls `begin_second_step` (a pending
sign-in bound to the browser, five minutes, five tries), asks for the code, and
`complete_second_step` answers with the person to hand the session to.

A code is good once: the time step it matched is stored, and a code of that step or an earlier
one is refused, so a code seen over a shoulder (or replayed from a log) opens nothing.
"""

from __future__ import annotations

import hmac
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

import pyotp
import segno
from sqlalchemy import or_, update
from sqlmodel import Session, col, delete, func, select

from studioos.models import (
    Membership,
    RecoveryCode,
    Role,
    Studio,
    TokenPurpose,
    User,
    UserToken,
    row_id,
    utcnow,
)
from studioos.services import audit, auth, reauth
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.passwords import verify_password
from studioos.services.permissions import Actor, Cap, require
from studioos.services.tokens import hash_token, new_token

ISSUER = "StudioOS"
# One step either side of now: a phone clock half a minute off, or a code typed as it turned over.
VALID_WINDOW = 1
RECOVERY_CODES = 10
# No 0/o, 1/l/i: a code copied from paper must be read back without guessing.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LEN = 4
PENDING_TTL = timedelta(minutes=5)
MAX_FAILURES = 5
FAILED_REASON = "wrong_two_factor_code"
CODE_FAILED_AUDIT = "two_factor.code_failed"

WRONG_CODE = "That code is not right. Check the time on your phone and try the newest code."
ENTER_CODE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
TIMED_OUT = "Your sign-in timed out. Enter your email and password again."
TOO_MANY = "Too many wrong codes. Sign in again: enter your email and password."
ALREADY_ON = "Two-factor sign-in is already on."
NOT_ON = "Two-factor sign-in is not on."
NO_ENROLMENT = "There is no two-factor set-up in progress. Start again."
OWN_FIRST = "Turn on two-factor sign-in for yourself first (in My account), then require it for the team."


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    enabled_at: datetime | None
    # A secret was made but no code has confirmed it yet.
    pending_enrolment: bool
    recovery_codes_left: int
    # A studio the person belongs to requires it: it cannot be turned off.
    required_by_studio: bool


# --- helpers -------------------------------------------------------------------------------------


def is_enabled(user: User) -> bool:
    """For the sign-in page: does this person's password need a second step?"""
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def _user(db: Session, actor: Actor) -> User:
    user = db.get(User, actor.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise NotFound()
    return user


def _digits(code: str) -> str:
    # Apps show "123 456"; people paste it with the space, or with a dash.
    return re.sub(r"[\s\-]", "", code or "")


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").lower()


def _recovery_hash(user_id: int, code: str) -> str:
    # Keyed (hash_token is an HMAC with the server secret) and bound to the person: a copy of the
    # database cannot test guesses, and two people's codes can never collide on the unique column.
    return hash_token(f"recovery|{user_id}|{_normalise_recovery(code)}")


def _match_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step `code` belongs to, within the window, if later than `after`; else None."""
    digits = _digits(code)
    if not secret or len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current + VALID_WINDOW, current - VALID_WINDOW - 1, -1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(digits, totp.generate_otp(step)):
            return step
    return None


def _claim_step(db: Session, user: User, step: int) -> bool:
    """Store the accepted step only if no request stored it (or a later one) first: two requests
    racing with the same code cannot both pass."""
    result = db.connection().execute(
        update(User)
        .where(
            col(User.id) == row_id(user),
            or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step),
        )
        .values(totp_last_step=step)
    )
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    db.add(user)
    return True


def _new_recovery_codes(db: Session, user: User, now: datetime) -> list[str]:
    db.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == row_id(user)))
    codes: list[str] = []
    for _ in range(RECOVERY_CODES):
        chars = "".join(
            secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN)
        )
        code = "-".join(chars[i : i + RECOVERY_GROUP_LEN] for i in range(0, len(chars), RECOVERY_GROUP_LEN))
        codes.append(code)
        db.add(
            RecoveryCode(user_id=row_id(user), code_hash=_recovery_hash(row_id(user), code), created_at=now)
        )
    return codes


def _count_recovery_left(db: Session, user_id: int) -> int:
    return db.exec(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None))
    ).one()


def _requiring_studios(db: Session, user_id: int) -> list[tuple[Studio, str]]:
    """The live studios this person belongs to that require two-factor sign-in, with her role."""
    rows = db.exec(
        select(Studio, Membership.role)
        .join(Membership, col(Membership.studio_id) == Studio.id)
        .where(
            Membership.user_id == user_id,
            col(Studio.require_two_factor).is_(True),
            col(Studio.deleted_at).is_(None),
        )
        .order_by(col(Membership.id))
    ).all()
    return [(studio, role) for studio, role in rows]


def _wrong_code_in_session(db: Session, actor: Actor) -> ValidationFailed:
    """A wrong code from a signed-in person: kept in the audit log even though the caller's unit
    of work fails (a guesser with a stolen session leaves a trail)."""
    audit.record_by(db, actor, "two_factor.code_failed", target=actor.email)
    db.commit()
    return ValidationFailed({"code": WRONG_CODE}, WRONG_CODE)


# --- enrolment -----------------------------------------------------------------------------------


def start_enrolment(db: Session, actor: Actor) -> None:
    """A fresh secret, waiting for the app's first code; restarting replaces an unconfirmed one."""
    reauth.require_recent(db, actor)
    user = _user(db, actor)
    if user.totp_enabled_at is not None:
        raise ValidationFailed({"form": ALREADY_ON}, ALREADY_ON)
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.add(user)


def _pending_secret(user: User) -> str | None:
    return user.totp_secret if user.totp_secret and user.totp_enabled_at is None else None


def enrolment_qr_svg(db: Session, actor: Actor) -> bytes:
    """The pending secret as a QR code for the app, with the secret written under it for typing in.

    Served by a session-checked route, so the page never holds the secret in its (shared) state.
    It is the second factor itself: only within the re-authentication window that started it."""
    reauth.require_recent(db, actor)
    user = _user(db, actor)
    secret = _pending_secret(user)
    if secret is None:
        raise NotFound(NO_ENROLMENT)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return _qr_with_secret(uri, secret)


def _qr_with_secret(uri: str, secret: str) -> bytes:
    scale = 5
    qr = segno.make_qr(uri, error="m")
    size = qr.symbol_size(scale=scale)[0]
    out = io.BytesIO()
    # White modules drawn too: the code stays scannable on a dark page.
    qr.save(out, kind="svg", scale=scale, light="#fff", dark="#000", xmldecl=False, nl=False)
    qr_svg = out.getvalue().decode("utf-8")
    groups = [secret[i : i + 4] for i in range(0, len(secret), 4)]
    lines = [" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]
    line_height = 22
    width = max(size, 260)
    height = size + 12 + line_height * len(lines)
    texts = "".join(
        f'<text x="{width // 2}" y="{size + (i + 1) * line_height}" text-anchor="middle" '
        f'font-family="ui-monospace, Menlo, Consolas, monospace" font-size="16" fill="#000">'
        f"{escape(line)}</text>"
        for i, line in enumerate(lines)
    )
    document = (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
        f"<title>QR code for your authenticator app; the key to type in instead is under it</title>"
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<g transform="translate({(width - size) // 2},0)">{qr_svg}</g>'
        f"{texts}</svg>"
    )
    return document.encode("utf-8")


def confirm_enrolment(db: Session, actor: Actor, code: str, *, now: datetime | None = None) -> list[str]:
    """Switch it on with the app's first code; returns the recovery codes, shown this once."""
    now = now or utcnow()
    user = _user(db, actor)
    secret = _pending_secret(user)
    if secret is None:
        if user.totp_enabled_at is not None:
            raise ValidationFailed({"form": ALREADY_ON}, ALREADY_ON)
        raise NotFound(NO_ENROLMENT)
    if not _digits(code):
        raise ValidationFailed({"code": ENTER_CODE}, ENTER_CODE)
    step = _match_step(secret, code, now, None)
    if step is None:
        raise ValidationFailed({"code": WRONG_CODE}, WRONG_CODE)
    user.totp_enabled_at = now
    user.totp_last_step = step
    db.add(user)
    codes = _new_recovery_codes(db, user, now)
    audit.record_by(db, actor, "two_factor.enabled", target=user.email)
    return codes


# --- codes ---------------------------------------------------------------------------------------


def verify_code(db: Session, user: User, code: str, *, now: datetime | None = None) -> bool:
    """The app's code, once per time step: a replayed code (or an older one) is refused."""
    if not is_enabled(user) or user.totp_secret is None:
        return False
    step = _match_step(user.totp_secret, code, now or utcnow(), user.totp_last_step)
    return step is not None and _claim_step(db, user, step)


def use_recovery_code(
    db: Session, user: User, code: str, *, client: auth.Client | None = None, now: datetime | None = None
) -> bool:
    """One of the recovery codes, each good once."""
    if not is_enabled(user) or not _normalise_recovery(code):
        return False
    found = db.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == row_id(user),
            RecoveryCode.code_hash == _recovery_hash(row_id(user), code),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if found is None:
        return False
    when = now or utcnow()
    # Conditional: two requests racing with the same code cannot both use it.
    result = db.connection().execute(
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == found.id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=when)
    )
    if result.rowcount != 1:
        return False
    db.refresh(found)
    client = client or auth.Client()
    audit.record(
        db,
        "two_factor.recovery_used",
        studio_id=auth.first_studio_id(db, row_id(user)),
        actor_user_id=row_id(user),
        target=user.email,
        detail=f"{_count_recovery_left(db, row_id(user))} recovery codes left",
        ip=client.ip,
        user_agent=client.user_agent,
    )
    return True


def regenerate_recovery_codes(
    db: Session, actor: Actor, code: str, *, now: datetime | None = None
) -> list[str]:
    """Ten new recovery codes (the old ones stop working), after an app code; shown this once."""
    reauth.require_recent(db, actor)
    user = _user(db, actor)
    if not is_enabled(user):
        raise ValidationFailed({"form": NOT_ON}, NOT_ON)
    if not _digits(code):
        raise ValidationFailed({"code": ENTER_CODE}, ENTER_CODE)
    if not verify_code(db, user, code, now=now):
        raise _wrong_code_in_session(db, actor)
    codes = _new_recovery_codes(db, user, now or utcnow())
    audit.record_by(db, actor, "two_factor.recovery_regenerated", target=user.email)
    return codes


def check_can_issue_codes(db: Session, actor: Actor) -> None:
    """What issue_recovery_codes will ask, asked before the page starts the download."""
    reauth.require_recent(db, actor)
    if not is_enabled(_user(db, actor)):
        raise ValidationFailed({"form": NOT_ON}, NOT_ON)


def issue_recovery_codes(db: Session, actor: Actor, *, now: datetime | None = None) -> list[str]:
    """Ten new recovery codes for the account page's download (the old ones stop working): the
    codes travel in that one answer and are never kept readable, not even in the page's state.
    A recent confirmation of identity stands in for an app code."""
    check_can_issue_codes(db, actor)
    user = _user(db, actor)
    codes = _new_recovery_codes(db, user, now or utcnow())
    audit.record_by(db, actor, "two_factor.recovery_regenerated", target=user.email)
    return codes


def recovery_codes_text(email: str, codes: list[str], made: str) -> str:
    lines = [
        f"StudioOS recovery codes for {email}",
        f"Made {made}.",
        "",
        "Each code works once, in place of the code from your authenticator app, when you sign in.",
        "Keep them somewhere safe: a password manager, or printed. New codes stop these.",
        "",
        *codes,
        "",
    ]
    return "\n".join(lines)


def recovery_codes_left(db: Session, actor: Actor) -> int:
    return _count_recovery_left(db, actor.user_id)


# --- turning it off, status ----------------------------------------------------------------------


def disable(db: Session, actor: Actor, password: str, code: str, *, now: datetime | None = None) -> None:
    """Turning it off needs a recent confirmation, the password and a code (app or recovery)."""
    reauth.require_recent(db, actor)
    user = _user(db, actor)
    if not is_enabled(user):
        raise ValidationFailed({"form": NOT_ON}, NOT_ON)
    for studio, role in _requiring_studios(db, row_id(user)):
        if role == Role.OWNER:
            message = (
                f"You require two-factor sign-in for everyone at {studio.name}: turn that off in "
                f"the studio settings first."
            )
        else:
            message = (
                f"The owner of {studio.name} requires two-factor sign-in for everyone on the team, "
                f"so it cannot be turned off."
            )
        raise PermissionDenied(message)
    errors: dict[str, str] = {}
    # Someone who only signs in through the provider has no password: the recent confirmation
    # at the provider (require_recent above) stands in for it.
    if user.password_hash and not password:
        errors["password"] = "Enter your password."
    if not _digits(code):
        errors["code"] = ENTER_CODE
    if errors:
        raise ValidationFailed(errors)
    if user.password_hash and not verify_password(user.password_hash, password):
        raise ValidationFailed({"password": reauth.WRONG_PASSWORD}, reauth.WRONG_PASSWORD)
    client = auth.Client(ip=actor.ip, user_agent=actor.user_agent)
    if not verify_code(db, user, code, now=now) and not use_recovery_code(
        db, user, code, client=client, now=now
    ):
        raise _wrong_code_in_session(db, actor)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.add(user)
    db.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == row_id(user)))
    # A sign-in waiting for a code could never finish now: end it.
    for token in _pending_tokens(db, user_id=row_id(user)):
        token.used_at = now or utcnow()
        db.add(token)
    audit.record_by(db, actor, "two_factor.disabled", target=user.email)


def status(db: Session, actor: Actor) -> TwoFactorStatus:
    user = _user(db, actor)
    enabled = is_enabled(user)
    return TwoFactorStatus(
        enabled=enabled,
        enabled_at=user.totp_enabled_at,
        pending_enrolment=_pending_secret(user) is not None,
        recovery_codes_left=_count_recovery_left(db, row_id(user)) if enabled else 0,
        required_by_studio=bool(_requiring_studios(db, row_id(user))),
    )


# --- the studio's requirement --------------------------------------------------------------------


def studio_requires(db: Session, studio_id: int) -> bool:
    studio = db.get(Studio, studio_id)
    return bool(studio is not None and studio.deleted_at is None and studio.require_two_factor)


def set_studio_requirement(db: Session, actor: Actor, required: bool) -> None:
    """The owner asks every member to use two-factor sign-in (those without it enrol first)."""
    studio_id = require(actor, Cap.STUDIO_SETTINGS)
    reauth.require_recent(db, actor)
    studio = db.get(Studio, studio_id)
    if studio is None or studio.deleted_at is not None:
        raise NotFound()
    if studio.require_two_factor == required:
        return
    # Otherwise the owner would lock herself out of her own studio's pages until she enrols.
    if required and not is_enabled(_user(db, actor)):
        raise ValidationFailed({"require_two_factor": OWN_FIRST}, OWN_FIRST)
    studio.require_two_factor = required
    db.add(studio)
    audit.record_by(db, actor, "two_factor.required_on" if required else "two_factor.required_off")


def needs_enrolment(db: Session, user_id: int, studio_id: int) -> bool:
    """The studio requires two-factor sign-in and this person has not turned it on."""
    if not studio_requires(db, studio_id):
        return False
    user = db.get(User, user_id)
    return user is not None and not is_enabled(user)


# --- the sign-in's second step -------------------------------------------------------------------


def _pending_tokens(
    db: Session, *, browser: str | None = None, user_id: int | None = None
) -> list[UserToken]:
    query = select(UserToken).where(
        UserToken.purpose == TokenPurpose.TWO_FACTOR_PENDING, col(UserToken.used_at).is_(None)
    )
    if browser is not None:
        query = query.where(col(UserToken.payload).startswith(f"{browser}|"))
    if user_id is not None:
        query = query.where(UserToken.user_id == user_id)
    return list(db.exec(query).all())


def _parse_payload(payload: str) -> tuple[str, int]:
    browser, _, failures = payload.partition("|")
    return browser, int(failures) if failures.isdigit() else 0


def _live_pending(db: Session, browser: str, now: datetime, *, lock: bool = False) -> UserToken | None:
    if not browser:
        return None
    query = (
        select(UserToken)
        .where(
            UserToken.purpose == TokenPurpose.TWO_FACTOR_PENDING,
            col(UserToken.used_at).is_(None),
            col(UserToken.expires_at) > now,
            col(UserToken.payload).startswith(f"{browser}|"),
        )
        .order_by(col(UserToken.id).desc())
        .limit(1)
    )
    if lock:
        # Locked till the end of the unit of work: parallel guesses are counted one after the
        # other, never all against the same failure count.
        query = query.with_for_update().execution_options(populate_existing=True)
    token = db.exec(query).first()
    if token is None:
        return None
    bound, _ = _parse_payload(token.payload)
    return token if hmac.compare_digest(bound, browser) else None


def begin_second_step(db: Session, user: User, client: auth.Client, *, now: datetime | None = None) -> None:
    """The password was right: the sign-in now waits five minutes, in this browser, for a code."""
    if not client.browser:
        raise auth.BrowserUnknown()
    now = now or utcnow()
    for earlier in _pending_tokens(db, browser=client.browser):
        earlier.used_at = now
        db.add(earlier)
    db.add(
        UserToken(
            user_id=row_id(user),
            purpose=TokenPurpose.TWO_FACTOR_PENDING,
            # Found by the browser, never by this value: a token only because the column wants one.
            token_hash=new_token()[1],
            payload=f"{client.browser}|0",
            created_at=now,
            expires_at=now + PENDING_TTL,
        )
    )


def pending_second_step(db: Session, client: auth.Client, *, now: datetime | None = None) -> str | None:
    """The address being signed in, for the code page; None when this browser has nothing waiting."""
    token = _live_pending(db, client.browser, now or utcnow())
    if token is None:
        return None
    user = db.get(User, token.user_id)
    return user.email if user is not None else None


def complete_second_step(db: Session, client: auth.Client, code: str, *, now: datetime | None = None) -> User:
    """The code for the sign-in waiting in this browser; returns the person to sign in. The caller
    (the sign-in page) then hands off the session (auth.create_handoff)."""
    now = now or utcnow()
    token = _live_pending(db, client.browser, now, lock=True)
    user = db.get(User, token.user_id) if token is not None else None
    if token is None or user is None or not user.is_active or user.deleted_at is not None:
        raise ValidationFailed({"code": TIMED_OUT}, TIMED_OUT)
    if not _normalise_recovery(code):
        raise ValidationFailed({"code": ENTER_CODE}, ENTER_CODE)
    digits = _digits(code)
    if digits.isdigit() and len(digits) == 6:
        ok = verify_code(db, user, code, now=now)
    else:
        ok = use_recovery_code(db, user, code, client=client, now=now)
    if ok:
        token.used_at = now
        db.add(token)
        return user

    browser, failures = _parse_payload(token.payload)
    failures += 1
    token.payload = f"{browser}|{failures}"
    if failures >= MAX_FAILURES:
        token.used_at = now
    db.add(token)
    # Also a failed sign-in in the history: the sign-in throttle counts it, so a guesser who knows
    # the password cannot sign in again and again for five more tries each time.
    auth.record_failed_sign_in(
        db,
        user.email,
        user,
        client,
        FAILED_REASON,
        action=CODE_FAILED_AUDIT,
        detail=f"wrong code {failures} of {MAX_FAILURES} at sign-in",
    )
    # The failure must count even though the caller's unit of work is about to fail.
    db.commit()
    if failures >= MAX_FAILURES:
        raise ValidationFailed({"code": TOO_MANY}, TOO_MANY)
    raise ValidationFailed({"code": WRONG_CODE}, WRONG_CODE)
