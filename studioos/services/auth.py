"""Sign-up, sign-in, sessions and sign-out."""

from __future__ import annotations

import hmac
import logging
import math
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, func, or_, true
from sqlmodel import Session, col, select

from studioos.models import (
    AuditLog,
    AuthSession,
    LoginEvent,
    Membership,
    Role,
    SignupRequest,
    Studio,
    TokenPurpose,
    TrustedBrowser,
    User,
    UserToken,
    row_id,
    utcnow,
)
from studioos.services import audit, billing, mail, notifications, studio_cache
from studioos.services.devices import describe_user_agent, device_key
from studioos.services.errors import NotFound, NotSignedIn, Throttled, ValidationFailed
from studioos.services.formatting import for_studio
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

# Sign-in throttle (the limit and window come from settings: STUDIOOS_LOGIN_MAX_FAILURES /
# STUDIOOS_LOGIN_WINDOW_MINUTES). All untrusted browsers together may fail ACCOUNT_FACTOR times
# the per-address limit on one account: a guesser spread over many addresses is slowed, while
# no single address can lock the account.
ACCOUNT_FACTOR = 3
# One address may fail IP_FACTOR times the limit over all accounts before its untrusted browsers
# wait. It caps password spraying (a few guesses at each of many accounts) from one address, and
# is ten times the per-account limit because a whole studio behind one NAT or office proxy shares
# an address: its people's typos must never add up to it. Trusted browsers never count against it.
IP_FACTOR = 10
BURST_AUDIT = "signin.burst_alert"
SIGNIN_AUDIT = "signin.succeeded"
BURST_ADDRESSES_SHOWN = 10

SIGNUP_TTL = timedelta(hours=24)
SIGNUP_WINDOW = timedelta(hours=1)
SIGNUP_AUDIT = "signup.requested"
SIGNUP_LINK_INVALID = "This sign-up link is invalid, already used or expired. Please sign up again."
SIGNUP_ADDRESS_TAKEN = (
    "This link is no longer valid: an account with this address exists now. Sign in instead."
)
MAIL_FAILED = mail.MAIL_FAILED

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


# --- sign-up ------------------------------------------------------------------------------------------


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
) -> str:
    """Ask for a new studio: nothing exists until the link mailed to the address is followed.

    A taken address gets the very same answer (and the same work: a hash, a token, one mail),
    so the form never tells whether someone has an account. Returns the address written to."""
    form = FormErrors()
    studio_name_c = form.check("studio_name", clean_name, studio_name, "Studio name")
    tz = form.check("timezone", clean_timezone, timezone)
    cur = form.check("currency", clean_currency, currency)
    name_c = form.check("name", clean_name, name, "Your name")
    email_c = form.check("email", normalize_email, email)
    form.password_pair(password, password_confirm, about=(email, name, studio_name))
    form.raise_if_any()
    assert email_c and studio_name_c and tz and cur and name_c

    _check_signup_throttle(db, client.ip)
    password_hash = hash_password(password)
    raw, digest = new_token()
    existing = db.exec(select(User).where(User.email == email_c)).first()
    # One audit row either way: it is what the per-address sign-up throttle counts, so the
    # throttle cannot tell taken addresses from free ones either.
    audit.record(
        db,
        SIGNUP_AUDIT,
        studio_id=None,
        actor_user_id=existing.id if existing else None,
        ip=client.ip,
        user_agent=client.user_agent,
    )
    if existing is None:
        now = utcnow()
        db.add(
            SignupRequest(
                email=email_c,
                name=name_c,
                studio_name=studio_name_c,
                timezone=tz,
                currency=cur,
                password_hash=password_hash,
                token_hash=digest,
                ip=client.ip[:64],
                created_at=now,
                expires_at=now + SIGNUP_TTL,
            )
        )
        link = get_settings().url(f"/signup/confirm/{raw}")
        mail.send_or_refuse(
            email_c,
            "Confirm your new StudioOS studio",
            f"Hello {name_c},\n\nFollow this link to create your studio {studio_name_c} on StudioOS "
            f"(it works once, for 24 hours):\n{link}\n\n"
            f"If you did not ask for this, ignore this email; nothing is created.\n",
        )
    elif existing.is_active and existing.deleted_at is None:
        mail.send_or_refuse(
            email_c,
            "Someone tried to create a StudioOS account with your address",
            f"Hello {existing.name},\n\nSomeone tried to create a StudioOS account with this address, "
            f"which already has one. No new account was created.\n\n"
            f"If it was you, sign in: {get_settings().url('/signin')}\n"
            f"or, if you forgot your password, reset it: {get_settings().url('/forgot')}\n\n"
            f"If it was not you, ignore this email; nothing changed.\n",
        )
    return email_c


def _check_signup_throttle(db: Session, ip: str) -> None:
    limit = max(1, get_settings().signup_max_per_hour)
    since = utcnow() - SIGNUP_WINDOW
    rows = db.exec(
        select(AuditLog.created_at)
        .where(AuditLog.action == SIGNUP_AUDIT, AuditLog.ip == ip[:64], AuditLog.created_at >= since)
        .order_by(col(AuditLog.created_at).desc())
        .limit(limit)
    ).all()
    if len(rows) >= limit:
        retry = int((rows[-1] + SIGNUP_WINDOW - utcnow()).total_seconds()) + 1
        raise Throttled(f"Too many sign-ups from your network. Try again in {_minutes(retry)}.", retry)


def confirm_sign_up(db: Session, raw: str, client: Client) -> tuple[User, int]:
    """Follow the mailed link (once): create the studio and its owner; returns (owner, studio id)."""
    request = (
        db.exec(select(SignupRequest).where(SignupRequest.token_hash == hash_token(raw))).first()
        if raw
        else None
    )
    if request is None or request.used_at is not None or request.expires_at <= utcnow():
        raise NotFound(SIGNUP_LINK_INVALID)
    if db.exec(select(User.id).where(User.email == request.email)).first():
        raise NotFound(SIGNUP_ADDRESS_TAKEN)
    password_hash = request.password_hash
    request.used_at = utcnow()
    request.password_hash = ""  # no copy of the password's hash outlives its use
    db.add(request)
    studio, user = create_studio_and_owner(
        db,
        studio_name=request.studio_name,
        timezone=request.timezone,
        currency=request.currency,
        name=request.name,
        email=request.email,
        password_hash=password_hash,
        client=client,
    )
    # The browser that proved the address is the owner's: it is trusted like one she signed in with.
    _trust_browser(db, row_id(user), client.browser)
    return user, row_id(studio)


def purge_signup_requests(db: Session, now: datetime) -> int:
    """Unconfirmed sign-ups hold a person's email, name, address and a password hash: once the
    link has expired (or was used) there is no reason to keep them."""
    rows = db.exec(
        select(SignupRequest).where(
            or_(col(SignupRequest.expires_at) <= now, col(SignupRequest.used_at).is_not(None))
        )
    ).all()
    for row in rows:
        db.delete(row)
    return len(rows)


def create_studio_and_owner(
    db: Session,
    *,
    studio_name: str,
    timezone: str,
    currency: str,
    name: str,
    email: str,
    password_hash: str,
    client: Client,
) -> tuple[Studio, User]:
    """A studio and its owner, from values already checked (a confirmed sign-up, tests, the CLI)."""
    studio = Studio(name=studio_name, timezone=timezone, currency=currency)
    billing.start_trial(studio, utcnow())
    user = User(email=email, name=name, password_hash=password_hash)
    db.add(studio)
    db.add(user)
    db.flush()
    db.add(Membership(user_id=row_id(user), studio_id=row_id(studio), role=Role.OWNER))
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
    return studio, user


# --- sign-in ------------------------------------------------------------------------------------------


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def _retry_message(seconds: int) -> str:
    return f"Too many failed sign-ins. Try again in {_minutes(seconds)}."


def _trusted_browsers(db: Session, user_id: int | None) -> set[str]:
    if user_id is None:
        return set()
    return set(db.exec(select(TrustedBrowser.browser_hash).where(TrustedBrowser.user_id == user_id)).all())


def _trust_browser(db: Session, user_id: int, browser: str) -> None:
    if not browser:
        return
    now = utcnow()
    row = db.exec(
        select(TrustedBrowser).where(
            TrustedBrowser.user_id == user_id, TrustedBrowser.browser_hash == browser
        )
    ).first()
    if row is None:
        row = TrustedBrowser(user_id=user_id, browser_hash=browser, created_at=now)
    row.last_seen_at = now
    db.add(row)


def _check_throttle(db: Session, email: str, client: Client, user: User | None) -> None:
    """OWASP's device-cookie defence: count failures where they come from, never lock the owner out.

    A browser that has signed in to this account before only answers for its own failures.
    Any other browser waits when its address failed `limit` times on this account, when all
    untrusted browsers together failed ACCOUNT_FACTOR x `limit` times on it (a distributed
    guesser), or when its address failed IP_FACTOR x `limit` times on any accounts."""
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    limit = max(1, settings.login_max_failures)
    ip = client.ip[:64]  # as stored
    trusted = _trusted_browsers(db, user.id if user else None)
    checks: list[tuple[list[ColumnElement[bool]], int]]
    same_email = col(LoginEvent.email) == email
    same_ip = col(LoginEvent.ip) == ip
    if client.browser and client.browser in trusted:
        checks = [([same_email, col(LoginEvent.browser_hash) == client.browser], limit)]
    else:
        untrusted: ColumnElement[bool] = (
            or_(col(LoginEvent.browser_hash) == "", col(LoginEvent.browser_hash).not_in(trusted))
            if trusted
            else true()
        )
        checks = [
            ([same_email, same_ip], limit),
            ([same_email, untrusted], limit * ACCOUNT_FACTOR),
            ([same_ip], limit * IP_FACTOR),
        ]
    now = utcnow()
    retry = 0
    for where, most in checks:
        rows = db.exec(
            select(LoginEvent.created_at)
            .where(*where, LoginEvent.success == False, LoginEvent.created_at >= now - window)  # noqa: E712
            .order_by(col(LoginEvent.created_at).desc())
            .limit(most)
        ).all()
        if len(rows) >= most:
            # This limit frees up when the oldest of its last `most` failures ages out.
            retry = max(retry, int((rows[-1] + window - now).total_seconds()) + 1)
    if retry:
        raise Throttled(_retry_message(retry), retry)


def authenticate(db: Session, *, email: str, password: str, client: Client) -> User:
    """Check credentials; failures and successes both land in the sign-in history."""
    form = FormErrors()
    email_c = form.check("email", normalize_email, email)
    if not password:
        form.add("password", "Enter your password.")
    form.raise_if_any()
    assert email_c is not None

    user = db.exec(select(User).where(User.email == email_c)).first()
    _check_throttle(db, email_c, client, user)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active or user.deleted_at is not None:
        reason = "wrong_password" if user else "unknown_email"
        if user is not None and (not user.is_active or user.deleted_at is not None):
            reason = "account_disabled"
        record_failed_sign_in(db, email_c, user, client, reason, action="signin.failed", detail=reason)
        if user is not None and user.is_active and user.deleted_at is None:
            _tell_owner_of_burst(db, user)
        # The failure must count even though the caller's unit of work is about to fail.
        db.commit()
        raise ValidationFailed({"password": WRONG_CREDENTIALS}, WRONG_CREDENTIALS)

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.add(user)

    record_successful_sign_in(db, user, client, SIGNIN_AUDIT)
    return user


def record_failed_sign_in(
    db: Session, email: str, user: User | None, client: Client, reason: str, *, action: str, detail: str
) -> None:
    """A failed attempt (a wrong password, a wrong two-factor code) in the sign-in history, which
    the throttle counts, and in the audit log as `action`."""
    db.add(
        LoginEvent(
            user_id=user.id if user else None,
            email=email,
            ip=client.ip[:64],
            user_agent=client.user_agent[:512],
            device_key=device_key(client.user_agent),
            browser_hash=client.browser,
            success=False,
            reason=reason,
        )
    )
    audit.record(
        db,
        action,
        studio_id=first_studio_id(db, user.id) if user else None,
        actor_user_id=user.id if user else None,
        target=email,
        detail=detail,
        ip=client.ip,
        user_agent=client.user_agent,
    )


def record_successful_sign_in(db: Session, user: User, client: Client, action: str, detail: str = "") -> None:
    """What every way in leaves behind (the password here, the sign-in provider in oidc): the
    sign-in history, the browser trusted from now on, the audit row `action`, and for a browser the
    account has not used before, a row in its studios' logs and a mail to the person."""
    key = device_key(client.user_agent)
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
            email=user.email,
            ip=client.ip[:64],
            user_agent=client.user_agent[:512],
            device_key=key,
            browser_hash=client.browser,
            success=True,
        )
    )
    _trust_browser(db, row_id(user), client.browser)
    audit.record(
        db,
        action,
        studio_id=first_studio_id(db, user.id),
        actor_user_id=user.id,
        target=user.email,
        detail=detail,
        ip=client.ip,
        user_agent=client.user_agent,
    )
    if had_any and not seen_before:
        _record_new_browser(db, user, client)
        _send_new_device_alert(db, user, client)


def _record_new_browser(db: Session, user: User, client: Client) -> None:
    """In the audit log of every studio the person belongs to: their owners watch for these."""
    studio_ids = db.exec(select(Membership.studio_id).where(Membership.user_id == user.id)).all()
    for studio_id in studio_ids:
        audit.record(
            db,
            "signin.new_browser",
            studio_id=studio_id,
            actor_user_id=user.id,
            target=user.email,
            detail=describe_user_agent(client.user_agent),
            ip=client.ip,
            user_agent=client.user_agent,
        )


def _tell_owner_of_burst(db: Session, user: User) -> None:
    """When failures against her account reach the limit, tell her, once per window."""
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    failed = (LoginEvent.email == user.email, LoginEvent.success == False, LoginEvent.created_at >= since)  # noqa: E712
    count = db.exec(select(func.count()).select_from(LoginEvent).where(*failed)).one()
    if count < max(1, settings.login_max_failures):
        return
    told = db.exec(
        select(AuditLog.id).where(
            AuditLog.action == BURST_AUDIT, AuditLog.actor_user_id == user.id, AuditLog.created_at >= since
        )
    ).first()
    if told is not None:
        return
    by_ip = db.exec(
        select(LoginEvent.ip, func.count())
        .where(*failed)
        .group_by(LoginEvent.ip)
        .order_by(func.count().desc(), col(LoginEvent.ip))
    ).all()
    shown = [ip or "unknown" for ip, _ in by_ip[:BURST_ADDRESSES_SHOWN]]
    more = len(by_ip) - len(shown)
    addresses = ", ".join(shown) + (f" and {more} more" if more else "")
    minutes = settings.login_window_minutes
    studio_ids = list(
        db.exec(
            select(Membership.studio_id).where(Membership.user_id == user.id).order_by(col(Membership.id))
        ).all()
    )
    audit.record(
        db,
        BURST_AUDIT,
        studio_id=studio_ids[0] if studio_ids else None,
        actor_user_id=user.id,
        target=user.email,
        detail=f"{count} failed sign-ins in {minutes} minutes from {addresses}",
    )
    advice = (
        "If it was you, there is nothing to do. If not, someone is guessing your password: "
        "make sure it is long and used nowhere else, and change it in My account."
    )
    for studio_id in studio_ids:
        notifications.notify(
            db,
            studio_id=studio_id,
            user_ids=[row_id(user)],
            kind="security.signin_failures",
            title=f"{count} failed sign-ins to your account",
            body=f"In the last {minutes} minutes, from {addresses}. {advice}",
            link="/account",
        )
    try:
        mail.send(
            user.email,
            "Failed sign-ins to your StudioOS account",
            f"Hello {user.name},\n\n"
            f"There were {count} failed sign-ins to your StudioOS account ({user.email}) in the last "
            f"{minutes} minutes, from these addresses: {addresses}.\n\n"
            f"Those browsers now have to wait before trying again. Browsers you have signed in with "
            f"before are not affected: you can sign in as usual.\n\n"
            f"If it was you, there is nothing to do. If it was not, someone is trying to guess your "
            f"password: make sure it is long and used nowhere else, and change it in My account: "
            f"{settings.url('/account')}\n"
            f"If you cannot sign in, reset your password: {settings.url('/forgot')}\n",
        )
    except (OSError, smtplib.SMTPException):
        # A mail server outage must not change how sign-in answers.
        log.exception("could not send the failed sign-ins alert to user %s", user.id)


def _send_new_device_alert(db: Session, user: User, client: Client) -> None:
    # The studio's clock and way of writing it, with the zone named: a mail is read anywhere.
    studio_id = first_studio_id(db, user.id)
    fmt = for_studio(db.get(Studio, studio_id) if studio_id else None)
    when = f"{fmt.moment(utcnow())} ({fmt.timezone} time)"
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


def first_studio_id(db: Session, user_id: int | None) -> int | None:
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
            user_id=row_id(user),
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
    studio_id = int(studio_part) if studio_part else first_studio_id(db, user.id)
    return start_session(db, user, studio_id, client)


def start_session(db: Session, user: User, studio_id: int | None, client: Client) -> str:
    settings = get_settings()
    raw, digest = new_token()
    now = utcnow()
    db.add(
        AuthSession(
            user_id=row_id(user),
            studio_id=studio_id,
            token_hash=digest,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            ip=client.ip[:64],
            user_agent=client.user_agent[:512],
            # Signing in is itself the proof of identity re-authentication asks for (reauth).
            reauthenticated_at=now,
        )
    )
    db.flush()
    return raw


def _live_session(db: Session, raw: str) -> AuthSession | None:
    if not raw:
        return None
    found = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(raw))).first()
    if found is None or not _is_live(found.revoked_at, found.expires_at, found.last_seen_at):
        return None
    return found


def _is_live(revoked_at: datetime | None, expires_at: datetime, last_seen_at: datetime) -> bool:
    now = utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    return revoked_at is None and expires_at > now and last_seen_at + idle > now


# The session check runs on every event of every tab, so it is one query: the session, its
# person, their role in the session's studio and the studio's clock, currency and revision. Built
# once with a bound parameter, so SQLAlchemy neither rebuilds nor re-keys it on every event.
_SESSION_ROW = (
    select(  # type: ignore[call-overload, misc]  # a column tuple select
        AuthSession.id,
        AuthSession.user_id,
        AuthSession.studio_id,
        AuthSession.revoked_at,
        AuthSession.expires_at,
        AuthSession.last_seen_at,
        User.email,
        User.name,
        User.is_active,
        User.deleted_at,
        User.is_support,
        User.totp_enabled_at,
        Membership.role,
        Studio.timezone,
        Studio.currency,
        Studio.revision,
        Studio.require_two_factor,
    )
    .join(User, col(User.id) == AuthSession.user_id)
    # A deleted studio loses its memberships at once (studio_deletion); one added since (an
    # invitation accepted in the same instant, an operator's command) still opens nothing.
    .outerjoin(Studio, (col(Studio.id) == AuthSession.studio_id) & col(Studio.deleted_at).is_(None))
    .outerjoin(
        Membership,
        (col(Membership.user_id) == AuthSession.user_id) & (col(Membership.studio_id) == Studio.id),
    )
    .where(AuthSession.token_hash == bindparam("token_hash"))
)


def resolve_actor(
    db: Session, raw_token: str, client: Client | None = None, *, touch: bool = True
) -> Actor | None:
    """The actor behind a session cookie, or None if it is missing, expired or revoked."""
    if not raw_token:
        return None
    # Core, not the ORM: the row is plain columns, and the ORM's per-statement set-up was two
    # thirds of the check's time.
    row = db.connection().execute(_SESSION_ROW, {"token_hash": hash_token(raw_token)}).first()
    if row is None:
        return None
    (session_id, user_id, studio_id, revoked_at, expires_at, last_seen_at, email, name, is_active,
     deleted_at, is_support, totp_enabled_at, role, timezone_, currency, revision,
     requires_2fa) = row  # fmt: skip
    if not _is_live(revoked_at, expires_at, last_seen_at) or not is_active or deleted_at is not None:
        return None
    if role is None and not is_support:
        # Removed from the session's studio since signing in (or signed in with none): fall back
        # to another studio the person still belongs to, and keep the session there.
        other = db.exec(
            select(  # type: ignore[call-overload]  # a column tuple select
                Membership.studio_id,
                Membership.role,
                Studio.timezone,
                Studio.currency,
                Studio.revision,
                Studio.require_two_factor,
            )
            .join(Studio, col(Studio.id) == Membership.studio_id)
            .where(Membership.user_id == user_id, col(Studio.deleted_at).is_(None))
            .order_by(col(Membership.id))
        ).first()
        studio_id, role, timezone_, currency, revision, requires_2fa = (
            other if other is not None else (None,) * 6
        )
        if other is not None:
            found = db.get(AuthSession, session_id)
            if found is not None:
                found.studio_id = studio_id
                db.add(found)
    elif role is None:
        # Support staff act on no studio unless a membership says so.
        studio_id = timezone_ = currency = revision = requires_2fa = None
    now = utcnow()
    # Writing last_seen on every event would make each click a write; 30 s is precise enough.
    if touch and (now - last_seen_at) > timedelta(seconds=30):
        found = db.get(AuthSession, session_id)
        if found is not None:
            found.last_seen_at = now
            db.add(found)
    client = client or Client()
    if studio_id is not None and timezone_:
        studio_cache.unit_zones(db)[studio_id] = timezone_
    return Actor(
        user_id=user_id,
        email=email,
        name=name,
        studio_id=studio_id,
        role=role,
        is_support=is_support,
        session_id=session_id,
        ip=client.ip,
        user_agent=client.user_agent,
        timezone=timezone_ or "UTC",
        currency=currency or "USD",
        studio_revision=revision,
        must_enrol_two_factor=bool(requires_2fa) and role is not None and totp_enabled_at is None,
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
            true() if except_session_id is None else col(AuthSession.id) != except_session_id,
        )
    ).all()
    for row in rows:
        row.revoked_at = now
        db.add(row)
    return len(rows)
