"""Cookie consent: essential cookies are always on, analytics only after a yes.

The choice belongs to the browser (its id cookie, hashed: `auth.browser_hash`), whether or not
anyone is signed in on it, as the policy's cookie section describes; a signed-in person's choice
also records who made it. Each choice is a new `ConsentRecord` with the policy version and the
time, so the history of what was agreed to, and under which text, is kept; the newest is in
force. Usage events are written only while it says yes (`services/usage.py`).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from studioos.models import ConsentRecord
from studioos.services import policy
from studioos.services.auth import Client
from studioos.services.errors import ValidationFailed


def choose(db: Session, client: Client, analytics: bool, user_id: int | None = None) -> ConsentRecord:
    """Record this browser's choice. A browser that sent no id cookie (cookies blocked) cannot be
    remembered, so nothing is recorded and analytics stays off."""
    if not client.browser:
        raise ValidationFailed(
            {"consent": "Your browser did not send our essential cookie, so the choice cannot be kept."},
            "Allow cookies for this site, then choose again.",
        )
    record = ConsentRecord(
        browser=client.browser,
        user_id=user_id,
        analytics=bool(analytics),
        # The policy text the choice was made under: the version /privacy shows now.
        policy_version=policy.current(db).label,
        ip=client.ip[:64],
        user_agent=client.user_agent[:512],
    )
    db.add(record)
    db.flush()
    return record


def current(db: Session, browser: str) -> ConsentRecord | None:
    """The choice in force for a browser: its newest record."""
    if not browser:
        return None
    return db.exec(
        select(ConsentRecord).where(ConsentRecord.browser == browser).order_by(col(ConsentRecord.id).desc())
    ).first()


def analytics_allowed(db: Session, browser: str) -> bool:
    found = current(db, browser)
    return found is not None and found.analytics
