"""Password reset by an emailed single-use link that is valid for one hour."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from sqlmodel import Session, col, select

from studioos.models import TokenPurpose, User, UserToken, row_id, utcnow
from studioos.services import audit, mail
from studioos.services.auth import consume_token, revoke_user_sessions
from studioos.services.errors import NotFound
from studioos.services.passwords import hash_password
from studioos.services.tokens import hash_token, new_token
from studioos.services.validation import FormErrors, normalize_email
from studioos.settings import get_settings

RESET_TTL = timedelta(hours=1)

log = logging.getLogger("studioos.password_reset")


def request_reset(db: Session, email: str, ip: str = "", user_agent: str = "") -> None:
    """Same answer whether or not the address is registered: the form never tells."""
    form = FormErrors()
    email_c = form.check("email", normalize_email, email)
    form.raise_if_any()
    user = db.exec(select(User).where(User.email == email_c)).first()
    if user is None or not user.is_active or user.deleted_at is not None:
        return
    raw, digest = new_token()
    db.add(
        UserToken(
            user_id=row_id(user),
            purpose=TokenPurpose.PASSWORD_RESET,
            token_hash=digest,
            expires_at=utcnow() + RESET_TTL,
        )
    )
    audit.record(
        db, "password.reset_requested", studio_id=None, actor_user_id=user.id, ip=ip, user_agent=user_agent
    )
    link = get_settings().url(f"/reset/{raw}")
    try:
        mail.send(
            user.email,
            "Reset your StudioOS password",
            f"Hello {user.name},\n\nSomeone (hopefully you) asked to reset your StudioOS password.\n"
            f"Choose a new one here (the link works once, for 1 hour):\n{link}\n\n"
            f"If you did not ask for this, ignore this email; your password stays as it is.\n",
        )
    except (OSError, smtplib.SMTPException):
        # An error here would tell the asker that the address is registered: log it, answer as always.
        log.exception("could not send the password reset mail to user %s", user.id)


def reset_link_valid(db: Session, raw: str) -> bool:
    token = db.exec(
        select(UserToken).where(
            UserToken.token_hash == hash_token(raw or ""), UserToken.purpose == TokenPurpose.PASSWORD_RESET
        )
    ).first()
    return token is not None and token.used_at is None and token.expires_at > utcnow()


LINK_INVALID = "This reset link is invalid, already used or expired. Ask for a new one."


def reset_password(
    db: Session, raw: str, password: str, confirm: str, ip: str = "", user_agent: str = ""
) -> None:
    # The link first: a dead link costs no password scoring, and a live one names the person, whose
    # own email and name make a weak password.
    if not reset_link_valid(db, raw):
        raise NotFound(LINK_INVALID)
    owner = db.exec(
        select(User)
        .join(UserToken, col(UserToken.user_id) == User.id)
        .where(UserToken.token_hash == hash_token(raw))
    ).first()
    form = FormErrors()
    form.password_pair(password, confirm, about=(owner.email, owner.name) if owner else ())
    form.raise_if_any()
    token = consume_token(db, raw, TokenPurpose.PASSWORD_RESET)
    if token is None:
        raise NotFound(LINK_INVALID)
    user = db.get(User, token.user_id)
    if user is None:
        raise NotFound(LINK_INVALID)
    user.password_hash = hash_password(password)
    db.add(user)
    # Older reset links in the mailbox die with this one.
    for other in db.exec(
        select(UserToken).where(
            UserToken.user_id == user.id,
            UserToken.purpose == TokenPurpose.PASSWORD_RESET,
            col(UserToken.used_at).is_(None),
        )
    ).all():
        other.used_at = token.used_at
        db.add(other)
    # Whoever knew the old password is signed out everywhere.
    revoke_user_sessions(db, row_id(user))
    audit.record(db, "password.reset", studio_id=None, actor_user_id=user.id, ip=ip, user_agent=user_agent)
