"""Sign-up, sign-in, sessions and sign-out."""

from __future__ import annotations

import hmac
import logging
import math
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from studioos.models import (
    AuthSession,
    LoginEvent,
    Membership,
    Role,
    Studio,
    TokenPurpose,
    User,
    UserToken,
    utcnow,
)
from studioos.services import audit, mail
from studioos.services.devices import describe_user_agent, device_key
from studioos.services.errors import NotSignedIn, Throttled, ValidationFailed
from studioos.services.passwords import hash_password, needs_rehash, verify_password
from studioos.services.permissions import Actor
from studioos.services.tokens import hash_token, new_token
from studioos.services.validation import (
    FormErrors,
    clean_currency,
    clean_name,
    clean_timezone,
    normalize_email,
)
from studioos.settings import get_settings

SESSION_COOKIE = "studioos_session"
# A random id every browser gets on its first page load (studioos.api.guard); only its HMAC
# (`browser_hash`) is ever stored or compared.
BROWSER_COOKIE = "studioos_browser"
HANDOFF_TTL = timedelta(seconds=60)
WRONG_CREDENTIALS = "Wrong email or password."

log = logging.getLogger("studioos.auth")


@dataclass(frozen=True)
class Client:
    """Where a request comes from, for sessions, throttling and the audit log."""

    ip: str = ""
    user_agent: str = ""
    # browser_hash() of the browser's id cookie; "" when the browser sent none.
    browser: str = ""


def browser_hash(raw_cookie: str) -> str:
    """The stored form of a browser id cookie (domain-separated from session token hashes)."""
    return hash_token("browser|" + raw_cookie) if raw_cookie else ""


def sign_up(
    db: Session,
    *,
    studio_name: str,
    timezone: str,
    currency: str,
    name: str,
    email: str,
    password: str,
    password_confirm: str,
    client: Client,
) -> User:
    form = FormErrors()
    studio_name_c = form.check("studio_name", clean_name, studio_name, "Studio name")
    tz = form.check("timezone", clean_timezone, timezone)
    cur = form.check("currency", clean_currency, currency)
    name_c = form.check("name", clean_name, name, "Your name")
    email_c = form.check("email", normalize_email, email)
    form.password_pair(password, password_confirm)
    if email_c and db.exec(select(User.id).where(User.email == email_c)).first():
        form.add("email", "An account with this email already exists. Sign in instead.")
    form.raise_if_any()

    studio = Studio(name=studio_name_c, timezone=tz, currency=cur)
    user = User(email=email_c, name=name_c, password_hash=hash_password(password))
    db.add(studio)
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, studio_id=studio.id, role=Role.OWNER))
    audit.record(
        db,
        "studio.created",
        studio_id=studio.id,
        actor_user_id=user.id,
        target=studio.name,
        ip=client.ip,
        user_agent=client.user_agent,
    )
    db.flush()
    return user


def _retry_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-ins. Try again in {minutes} {unit}."


def _check_throttle(db: Session, email: str, ip: str) -> None:
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    limit = settings.login_max_failures
    for clause in ([LoginEvent.email == email], [LoginEvent.ip == ip] if ip else None):
        if clause is None:
            continue
        rows = db.exec(
            select(LoginEvent.created_at)
            .where(*clause, LoginEvent.success == False, LoginEvent.created_at >= since)  # noqa: E712
            .order_by(col(LoginEvent.created_at).desc())
            .limit(limit)
        ).all()
        if len(rows) >= limit:
            # The window frees up when the oldest of the last `limit` failures ages out.
            retry = int((rows[-1] + window - utcnow()).total_seconds()) + 1
            raise Throttled(_retry_message(retry), retry)


def authenticate(db: Session, *, email: str, password: str, client: Client) -> User:
    """Check credentials; failures and successes both land in the sign-in history."""
    form = FormErrors()
    email_c = form.check("email", normalize_email, email)
    if not password:
        form.add("password", "Enter your password.")
    form.raise_if_any()
    assert email_c is not None

    _check_throttle(db, email_c, client.ip)
    user = db.exec(select(User).where(User.email == email_c)).first()
    ok = verify_password(user.password_hash if user else None, password)
    key = device_key(client.user_agent)
    if not ok or user is None or not user.is_active or user.deleted_at is not None:
        reason = "wrong_password" if user else "unknown_email"
        if user is not None and (not user.is_active or user.deleted_at is not None):
            reason = "account_disabled"
        db.add(
            LoginEvent(
                user_id=user.id if user else None,
                email=email_c,
                ip=client.ip,
                user_agent=client.user_agent[:512],
                device_key=key,
                success=False,
                reason=reason,
            )
        )
        studio_id = _first_studio_id(db, user.id) if user and user.id else None
        audit.record(
            db,
            "signin.failed",
            studio_id=studio_id,
            actor_user_id=user.id if user else None,
            target=email_c,
            detail=reason,
            ip=client.ip,
            user_agent=client.user_agent,
        )
        # The failure must count even though the caller's unit of work is about to fail.
        db.commit()
        raise ValidationFailed({"password": WRONG_CREDENTIALS}, WRONG_CREDENTIALS)

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.add(user)

    seen_before = db.exec(
        select(LoginEvent.id).where(
            LoginEvent.user_id == user.id,
            LoginEvent.success == True,  # noqa: E712
            LoginEvent.device_key == key,
        )
    ).first()
    had_any = db.exec(
        select(LoginEvent.id).where(LoginEvent.user_id == user.id, LoginEvent.success == True)  # noqa: E712
    ).first()
    db.add(
        LoginEvent(
            user_id=user.id,
            email=email_c,
            ip=client.ip,
            user_agent=client.user_agent[:512],
            device_key=key,
            success=True,
        )
    )
    audit.record(
        db,
        "signin.succeeded",
        studio_id=_first_studio_id(db, user.id),
        actor_user_id=user.id,
        target=user.email,
        ip=client.ip,
        user_agent=client.user_agent,
    )
    if had_any and not seen_before:
        _send_new_device_alert(user, client)
    return user


def _send_new_device_alert(user: User, client: Client) -> None:
    when = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    try:
        _mail_new_device_alert(user, client, when)
    except (OSError, smtplib.SMTPException):
        # A mail server outage must not lock people out: the sign-in still happens.
        log.exception("could not send the new-browser alert to user %s", user.id)


def _mail_new_device_alert(user: User, client: Client, when: str) -> None:
    mail.send(
        user.email,
        "New sign-in to your StudioOS account",
        f"Hello {user.name},\n\n"
        f"Your StudioOS account was just signed in to from a browser we have not seen before:\n\n"
        f"  Browser: {describe_user_agent(client.user_agent)}\n"
        f"  IP address: {client.ip or 'unknown'}\n"
        f"  Time: {when}\n\n"
        f"If this was you, there is nothing to do. If not, change your password now and end "
        f"the other sessions: {get_settings().url('/account')}\n",
    )


def _first_studio_id(db: Session, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    return db.exec(
        select(Membership.studio_id).where(Membership.user_id == user_id).order_by(col(Membership.id))
    ).first()


class BrowserUnknown(ValidationFailed):
    def __init__(self) -> None:
        message = (
            "Your browser did not send StudioOS's cookie. Allow cookies for this site and reload the page."
        )
        super().__init__({"form": message}, message)


def create_handoff(db: Session, user: User, studio_id: int | None = None, *, client: Client) -> str:
    """A one-minute single-use code the browser trades for its HttpOnly session cookie.

    Bound to the browser that asked for it: the same link opened in another browser (a login
    CSRF: the victim signed in to the attacker's studio) signs nobody in."""
    if not client.browser:
        raise BrowserUnknown()
    raw, digest = new_token()
    db.add(
        UserToken(
            user_id=user.id,
            purpose=TokenPurpose.SIGNIN_HANDOFF,
            token_hash=digest,
            payload=f"{studio_id or ''}|{client.browser}",
            expires_at=utcnow() + HANDOFF_TTL,
        )
    )
    return raw


def consume_token(db: Session, raw: str, purpose: TokenPurpose) -> UserToken | None:
    if not raw:
        return None
    token = db.exec(
        select(UserToken).where(UserToken.token_hash == hash_token(raw), UserToken.purpose == purpose)
    ).first()
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    token.used_at = utcnow()
    db.add(token)
    return token


def redeem_handoff(db: Session, raw: str, client: Client) -> str | None:
    """Trade a hand-off code for a new session; returns the raw session token."""
    token = consume_token(db, raw, TokenPurpose.SIGNIN_HANDOFF)
    if token is None:
        return None
    studio_part, _, bound_browser = token.payload.partition("|")
    if not bound_browser or not client.browser or not hmac.compare_digest(bound_browser, client.browser):
        log.warning("a sign-in hand-off for user %s was opened in another browser", token.user_id)
        return None
    user = db.get(User, token.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        return None
    studio_id = int(studio_part) if studio_part else _first_studio_id(db, user.id)
    return start_session(db, user, studio_id, client)


def start_session(db: Session, user: User, studio_id: int | None, client: Client) -> str:
    settings = get_settings()
    raw, digest = new_token()
    now = utcnow()
    db.add(
        AuthSession(
            user_id=user.id,
            studio_id=studio_id,
            token_hash=digest,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            ip=client.ip[:64],
            user_agent=client.user_agent[:512],
        )
    )
    db.flush()
    return raw


def _live_session(db: Session, raw: str) -> AuthSession | None:
    if not raw:
        return None
    found = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(raw))).first()
    if found is None or found.revoked_at is not None:
        return None
    now = utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if found.expires_at <= now or found.last_seen_at + idle <= now:
        return None
    return found


def resolve_actor(
    db: Session, raw_token: str, client: Client | None = None, *, touch: bool = True
) -> Actor | None:
    """The actor behind a session cookie, or None if it is missing, expired or revoked."""
    found = _live_session(db, raw_token)
    if found is None:
        return None
    user = db.get(User, found.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        return None
    role = None
    studio_id = found.studio_id
    if studio_id is not None:
        role = db.exec(
            select(Membership.role).where(Membership.user_id == user.id, Membership.studio_id == studio_id)
        ).first()
        if role is None:  # removed from the studio since signing in
            studio_id = None
    if studio_id is None and not user.is_support:
        # Fall back to another studio the user still belongs to.
        row = db.exec(
            select(Membership.studio_id, Membership.role)
            .where(Membership.user_id == user.id)
            .order_by(col(Membership.id))
        ).first()
        if row is not None:
            studio_id, role = row
            found.studio_id = studio_id
    now = utcnow()
    # Writing last_seen on every event would make each click a write; 30 s is precise enough.
    if touch and (now - found.last_seen_at) > timedelta(seconds=30):
        found.last_seen_at = now
        db.add(found)
    client = client or Client()
    return Actor(
        user_id=user.id or 0,
        email=user.email,
        name=user.name,
        studio_id=studio_id,
        role=role,
        is_support=user.is_support,
        session_id=found.id,
        ip=client.ip,
        user_agent=client.user_agent,
    )


def require_actor(db: Session, raw_token: str, client: Client | None = None) -> Actor:
    actor = resolve_actor(db, raw_token, client)
    if actor is None:
        raise NotSignedIn()
    return actor


def sign_out(db: Session, raw_token: str, client: Client | None = None) -> None:
    found = _live_session(db, raw_token)
    if found is None:
        return
    found.revoked_at = utcnow()
    db.add(found)
    client = client or Client()
    audit.record(
        db,
        "signout",
        studio_id=found.studio_id,
        actor_user_id=found.user_id,
        ip=client.ip,
        user_agent=client.user_agent,
    )


def revoke_user_sessions(db: Session, user_id: int, *, except_session_id: int | None = None) -> int:
    now = utcnow()
    rows = db.exec(
        select(AuthSession).where(
            AuthSession.user_id == user_id,
            col(AuthSession.revoked_at).is_(None),
            or_(except_session_id is None, AuthSession.id != except_session_id),
        )
    ).all()
    for row in rows:
        row.revoked_at = now
        db.add(row)
    return len(rows)
