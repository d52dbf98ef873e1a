"""Re-authentication ("confirm it's you"): sensitive actions want proof of identity from the last
10 minutes of this session, not just a session cookie that may have been left open on a shared
computer.

The proof is the sign-in itself (start_session stamps it), a password typed again
(`confirm_password`), or a round trip to the studio's sign-in provider (studioos.services.oidc).
Guarded services call `require_recent(db, actor)` first; the UI turns `ReauthRequired` into the
"Confirm it's you" dialog.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from studioos.models import AuthSession, User, utcnow
from studioos.services import audit
from studioos.services.errors import NotSignedIn, ServiceError, ValidationFailed
from studioos.services.passwords import verify_password
from studioos.services.permissions import Actor

WINDOW = timedelta(minutes=10)
WRONG_PASSWORD = "That is not your password."


class ReauthRequired(ServiceError):
    """The action is allowed, but only after the person confirms who they are."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__("For your security, confirm it's you: enter your password, then try again.")


def _session(db: Session, actor: Actor) -> AuthSession:
    found = db.get(AuthSession, actor.session_id) if actor.session_id else None
    if found is None or found.user_id != actor.user_id or found.revoked_at is not None:
        raise NotSignedIn()
    return found


def is_recent(when: datetime | None, now: datetime | None = None) -> bool:
    return when is not None and (now or utcnow()) - when < WINDOW


def require_recent(db: Session, actor: Actor) -> None:
    """Raise ReauthRequired unless this session proved its person within the last 10 minutes."""
    if not is_recent(_session(db, actor).reauthenticated_at):
        raise ReauthRequired()


def mark(db: Session, session_id: int) -> None:
    """Record a proof of identity just given in this session (sign-in, password, provider)."""
    found = db.get(AuthSession, session_id)
    if found is not None:
        found.reauthenticated_at = utcnow()
        db.add(found)


def has_password(db: Session, actor: Actor) -> bool:
    """People who only ever signed in with a provider confirm there instead."""
    user = db.get(User, actor.user_id)
    return bool(user is not None and user.password_hash)


def password_or_recent(db: Session, actor: Actor, user: User, password: str) -> bool:
    """For the forms that ask for the password themselves (deleting an account or a studio, handing
    it over): the password typed there is the proof. Someone who has none (signed up through the
    sign-in provider) proves it with a recent confirmation at the provider instead."""
    if user.password_hash:
        ok = verify_password(user.password_hash, password)
        if ok and actor.session_id:
            mark(db, actor.session_id)
        return ok
    require_recent(db, actor)
    return True


def confirm_password(db: Session, actor: Actor, password: str) -> None:
    session = _session(db, actor)
    user = db.get(User, actor.user_id)
    if not password:
        raise ValidationFailed({"password": "Enter your password."}, "Enter your password.")
    if user is None or not verify_password(user.password_hash or None, password):
        audit.record_by(db, actor, "reauth.failed")
        # The failure is evidence worth keeping even though this unit of work fails.
        db.commit()
        raise ValidationFailed({"password": WRONG_PASSWORD}, WRONG_PASSWORD)
    session.reauthenticated_at = utcnow()
    db.add(session)
    audit.record_by(db, actor, "reauth.confirmed")
