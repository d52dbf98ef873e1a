"""Retention: the jobs that delete records once the privacy policy stops letting us keep them.

Each takes the run's `now`, deletes what stopped being of use longer ago than its setting allows
(studioos.settings, documented in docs/privacy.md, "Retention") and returns how many rows went.
Each is idempotent: a second run at the same `now` finds nothing left to delete, so a double run
after a crash, or two runners for a moment, does no harm.

`purge_audit_log` is the only code that deletes audit rows (tests/unit/test_retention.py scans the
source for any other).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from studioos.models import (
    AuditLog,
    AuthSession,
    DataExport,
    Invitation,
    LoginEvent,
    RequestState,
    SupportRequest,
    UserToken,
)
from studioos.services import support_attachments
from studioos.settings import get_settings

log = logging.getLogger("studioos.jobs")

EXPORTS_DIR = "exports"


def _cutoff(now: datetime, days: int) -> datetime:
    # A negative setting would reach into the future and delete live rows: treat it as zero.
    return now - timedelta(days=max(days, 0))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def purge_sessions(db: Session, now: datetime) -> int:
    """Sessions that stopped working longer ago than the retention period.

    A session stops working (auth._is_live) at the first of: its revocation (sign-out), its
    absolute expiry (`expires_at`, set at sign-in from the absolute timeout) and its idle timeout
    (`last_seen_at` plus the idle minutes). Each is compared with the cutoff on its own, so the
    query needs no date arithmetic in SQL and reads the same on SQLite and PostgreSQL."""
    settings = get_settings()
    cutoff = _cutoff(now, settings.session_retention_days)
    idle = timedelta(minutes=settings.session_idle_minutes)
    result = db.execute(
        delete(AuthSession).where(
            or_(
                col(AuthSession.revoked_at) < cutoff,
                col(AuthSession.expires_at) < cutoff,
                col(AuthSession.last_seen_at) < cutoff - idle,
            )
        )
    )
    return _count(result)


def purge_links(db: Session, now: datetime) -> int:
    """One-time emailed links that stopped working longer ago than the retention period.

    A `UserToken` (password reset, email change, sign-in hand-off) stops working when used or
    expired; an `Invitation` when accepted, withdrawn (revoked) or expired. Sign-up requests are
    the other one-time links: the hourly `sign-up-requests` job deletes them as soon as they stop
    working, since they hold a password hash and a name."""
    cutoff = _cutoff(now, get_settings().link_retention_days)
    tokens = db.execute(
        delete(UserToken).where(
            or_(col(UserToken.used_at) < cutoff, col(UserToken.expires_at) < cutoff),
        )
    )
    invitations = db.execute(
        delete(Invitation).where(
            or_(
                col(Invitation.accepted_at) < cutoff,
                col(Invitation.revoked_at) < cutoff,
                col(Invitation.expires_at) < cutoff,
            )
        )
    )
    return _count(tokens) + _count(invitations)


def purge_signin_history(db: Session, now: datetime) -> int:
    """Sign-in events (successes and failures) older than the retention period."""
    cutoff = _cutoff(now, get_settings().signin_retention_days)
    return _count(db.execute(delete(LoginEvent).where(col(LoginEvent.created_at) < cutoff)))


def purge_audit_log(db: Session, now: datetime) -> int:
    """Audit rows older than the retention period (the registry's AUDIT_HOLD_YEARS by default).

    The only code path that deletes audit rows: accountability means nobody, staff included, can
    make an entry disappear early."""
    cutoff = _cutoff(now, get_settings().audit_retention_days)
    return _count(db.execute(delete(AuditLog).where(col(AuditLog.created_at) < cutoff)))


def purge_support_requests(db: Session, now: datetime) -> int:
    """Resolved and closed support requests whose last activity is older than the retention period,
    with their messages, files' rows, privacy-request records and access grants (ON DELETE CASCADE);
    the files themselves go with the hourly orphan-file sweep. A request merged into one of these
    keeps its own thread: its link is set to null, and it goes on its own schedule."""
    cutoff = _cutoff(now, get_settings().support_retention_days)
    finished = (RequestState.RESOLVED, RequestState.CLOSED)
    return _count(
        db.execute(
            delete(SupportRequest).where(
                col(SupportRequest.status).in_(finished), col(SupportRequest.updated_at) < cutoff
            )
        )
    )


def export_path(file_name: str) -> Path | None:
    """Where an export's file lives, or None for a name that is not a plain file name (a row of a
    build that never wrote its file; or a bad value, which must never reach outside the folder)."""
    if not file_name or Path(file_name).name != file_name or file_name in {".", ".."}:
        return None
    return Path(get_settings().data_dir) / EXPORTS_DIR / file_name


def purge_exports(db: Session, now: datetime) -> int:
    """Data exports whose download link has expired: the encrypted file, then the row.

    The file goes first: if the transaction then fails the row stays and the next run tries again
    (a missing file is fine); the other order could leave a file of personal data nobody tracks."""
    rows = db.exec(
        select(DataExport).where(col(DataExport.expires_at).is_not(None), col(DataExport.expires_at) <= now)
    ).all()
    for row in rows:
        path = export_path(row.file_name)
        if path is not None:
            path.unlink(missing_ok=True)
        elif row.file_name:
            log.warning("data export %s: file name is not a plain name; row deleted, file left", row.id)
        db.delete(row)
    # Files of support attachments whose rows are gone (erasure, a deleted request) go here too.
    return len(rows) + support_attachments.purge_orphans(db, now=now)
