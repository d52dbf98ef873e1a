"""My account: profile, email, password, sessions and sign-in history."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from studioos.models import AuthSession, LoginEvent, TokenPurpose, User, UserToken, row_id, utcnow
from studioos.services import audit, mail
from studioos.services.auth import consume_token, revoke_user_sessions
from studioos.services.devices import describe_user_agent
from studioos.services.errors import NotFound, NotSignedIn, ValidationFailed
from studioos.services.passwords import hash_password, verify_password
from studioos.services.permissions import Actor
from studioos.services.tokens import new_token
from studioos.services.validation import FormErrors, clean_name, normalize_email
from studioos.settings import get_settings

EMAIL_CHANGE_TTL = timedelta(hours=24)

log = logging.getLogger("studioos.account")


@dataclass(frozen=True)
class SessionRow:
    id: int
    browser: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


@dataclass(frozen=True)
class LoginRow:
    created_at: datetime
    success: bool
    reason: str
    ip: str
    browser: str


def _me(db: Session, actor: Actor) -> User:
    user = db.get(User, actor.user_id)
    if user is None or user.deleted_at is not None:
        raise NotSignedIn()
    return user


def update_name(db: Session, actor: Actor, name: str) -> str:
    form = FormErrors()
    name_c = form.check("name", clean_name, name, "Name")
    form.raise_if_any()
    user = _me(db, actor)
    user.name = name_c or user.name
    db.add(user)
    audit.record_by(db, actor, "account.name_changed", target=user.email)
    return user.name


def request_email_change(db: Session, actor: Actor, new_email: str, password: str) -> str:
    """Nothing changes until the link sent to the new address is followed.

    The current password is checked first; only then is the address looked at, and a taken one
    gets the same answer as a free one (no link: its owner is told instead), so the form cannot
    be used to find out who has an account. Returns the address the answer names."""
    user = _me(db, actor)
    form = FormErrors()
    email_c = form.check("email", normalize_email, new_email)
    if email_c and email_c == user.email:
        form.add("email", "This is already your email address.")
    if not password:
        form.add("current_password", "Enter your current password.")
    elif not verify_password(user.password_hash, password):
        form.add("current_password", "Your current password is not correct.")
    form.raise_if_any()
    assert email_c is not None
    raw, digest = new_token()
    taken = db.exec(select(User).where(User.email == email_c)).first()
    audit.record_by(db, actor, "account.email_change_requested", target=email_c)
    if taken is not None:
        if taken.is_active and taken.deleted_at is None:
            mail.send_or_refuse(
                email_c,
                "Someone tried to move a StudioOS account to your address",
                f"Hello {taken.name},\n\nSomeone signed in to another StudioOS account tried to change "
                f"its email address to this one, which already has an account. Nothing changed.\n\n"
                f"If it was you, an address can belong to one account only: use another address "
                f"for the other account. If not, you can ignore this email.\n",
            )
        return email_c
    db.add(
        UserToken(
            user_id=row_id(user),
            purpose=TokenPurpose.EMAIL_CHANGE,
            token_hash=digest,
            payload=email_c,
            expires_at=utcnow() + EMAIL_CHANGE_TTL,
        )
    )
    link = get_settings().url(f"/confirm-email/{raw}")
    mail.send_or_refuse(
        email_c,
        "Confirm your new StudioOS email address",
        f"Hello {user.name},\n\nConfirm that this is your new StudioOS sign-in address "
        f"(the link works once, for 24 hours):\n{link}\n\n"
        f"If you did not ask for this, ignore this email; nothing changes.\n",
    )
    return email_c


def confirm_email_change(db: Session, raw: str, ip: str = "", user_agent: str = "") -> str:
    token = consume_token(db, raw, TokenPurpose.EMAIL_CHANGE)
    if token is None:
        raise NotFound("This confirmation link is invalid, already used or expired.")
    user = db.get(User, token.user_id)
    if user is None:
        raise NotFound("This confirmation link is invalid, already used or expired.")
    if db.exec(select(User.id).where(User.email == token.payload, User.id != user.id)).first():
        raise ValidationFailed({"email": "Another account took this email address meanwhile."})
    old = user.email
    user.email = token.payload
    db.add(user)
    audit.record(
        db,
        "account.email_changed",
        studio_id=None,
        actor_user_id=user.id,
        target=user.email,
        detail=f"from {old}",
        ip=ip,
        user_agent=user_agent,
    )
    mail.send(
        old,
        "Your StudioOS email address was changed",
        f"Hello {user.name},\n\nYour StudioOS sign-in address is now {user.email}. "
        f"If you did not do this, contact support at once.\n",
    )
    return user.email


def change_password(db: Session, actor: Actor, *, current: str, new: str, confirm: str) -> None:
    user = _me(db, actor)
    form = FormErrors()
    if not current:
        # An empty box is a missed field, not a wrong guess: say what to do.
        form.add("current_password", "Enter your current password.")
    elif not verify_password(user.password_hash, current):
        form.add("current_password", "Your current password is not correct.")
    form.password_pair(new, confirm, field="new_password", about=(user.email, user.name))
    if "new_password" not in form.errors and new == current:
        form.add("new_password", "Choose a password different from the current one.")
    form.raise_if_any()
    user.password_hash = hash_password(new)
    db.add(user)
    audit.record_by(db, actor, "account.password_changed", target=user.email)
    # Ending the other sessions is offered next (end_other_sessions), not forced: the user may be
    # changing a password on a schedule, with a tablet in the studio still signed in on purpose.


def end_other_sessions(db: Session, actor: Actor) -> int:
    count = revoke_user_sessions(db, actor.user_id, except_session_id=actor.session_id)
    if count:
        audit.record_by(db, actor, "session.revoked", detail=f"{count} other sessions")
    return count


def list_sessions(db: Session, actor: Actor) -> list[SessionRow]:
    now = utcnow()
    settings = get_settings()
    idle_cutoff = now - timedelta(minutes=settings.session_idle_minutes)
    rows = db.exec(
        select(AuthSession)
        .where(
            AuthSession.user_id == actor.user_id,
            col(AuthSession.revoked_at).is_(None),
            AuthSession.expires_at > now,
            AuthSession.last_seen_at > idle_cutoff,
        )
        .order_by(col(AuthSession.last_seen_at).desc())
    ).all()
    return [
        SessionRow(
            id=row_id(r),
            browser=describe_user_agent(r.user_agent),
            ip=r.ip,
            created_at=r.created_at,
            last_seen_at=r.last_seen_at,
            is_current=r.id == actor.session_id,
        )
        for r in rows
    ]


def revoke_session(db: Session, actor: Actor, session_id: int) -> None:
    row = db.get(AuthSession, session_id)
    # Another user's session id answers exactly like a missing one.
    if row is None or row.user_id != actor.user_id or row.revoked_at is not None:
        raise NotFound("This session has already ended.")
    row.revoked_at = utcnow()
    db.add(row)
    audit.record_by(db, actor, "session.revoked", detail=describe_user_agent(row.user_agent))


def login_history(db: Session, actor: Actor, limit: int = 50) -> list[LoginRow]:
    rows = db.exec(
        select(LoginEvent)
        .where(LoginEvent.user_id == actor.user_id)
        .order_by(col(LoginEvent.created_at).desc(), col(LoginEvent.id).desc())
        .limit(limit)
    ).all()
    return [
        LoginRow(
            created_at=r.created_at,
            success=r.success,
            reason=r.reason.replace("_", " "),
            ip=r.ip,
            browser=describe_user_agent(r.user_agent),
        )
        for r in rows
    ]
