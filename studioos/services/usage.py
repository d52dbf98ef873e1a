"""Usage events (page views, feature use): only with the browser's consent, and not kept for long.

The browser's newest consent record decides (`consent.analytics_allowed`), read from the database
on every write: a page's hint that the person said yes is never enough, and a withdrawal stops the
next write. Events older than the retention period are deleted by the daily `usage-retention` job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from studioos.models import UsageEvent
from studioos.services import consent
from studioos.services.auth import Client
from studioos.services.permissions import Actor
from studioos.settings import get_settings

NAME_MAX = 64
PATH_MAX = 255


def record(db: Session, client: Client, actor: Actor | None, name: str, path: str = "") -> bool:
    """Write one usage event if this browser allows analytics; says whether it was written."""
    if not consent.analytics_allowed(db, client.browser):
        return False
    db.add(
        UsageEvent(
            studio_id=actor.studio_id if actor is not None else None,
            user_id=actor.user_id if actor is not None else None,
            name=name[:NAME_MAX],
            path=path[:PATH_MAX],
        )
    )
    db.flush()
    return True


def purge(db: Session, now: datetime, keep_days: int | None = None) -> int:
    """Delete the usage events older than the retention period; returns how many went."""
    days = get_settings().usage_retention_days if keep_days is None else keep_days
    cutoff = now - timedelta(days=max(days, 0))
    result = db.execute(delete(UsageEvent).where(col(UsageEvent.created_at) < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
