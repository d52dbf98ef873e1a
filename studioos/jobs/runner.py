"""One pass of every job, in its own unit of work; the CLI and the scheduler both call this.

Every run is recorded as a `JobRun` (the privacy policy promises a job history: start, end, rows
affected, error), in transactions of its own so that a failed job's rollback keeps its record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import StatementError
from sqlmodel import Session

from studioos.db import session_scope
from studioos.jobs import retention
from studioos.jobs.attendance import mark_no_shows
from studioos.jobs.compliance import send_document_reminders
from studioos.jobs.weekly_report import send_weekly_reports
from studioos.models import JobRun, row_id, utcnow
from studioos.models.jobs import ERROR_MAX
from studioos.services import account_deletion, billing, oidc, studio_deletion, usage
from studioos.services.auth import purge_signup_requests


def _no_shows(db: Session, now: datetime) -> int:
    return mark_no_shows(db, now)


def _reminders(db: Session, now: datetime) -> int:
    return send_document_reminders(db, now.date())


def _signup_requests(db: Session, now: datetime) -> int:
    return purge_signup_requests(db, now)


def _usage_retention(db: Session, now: datetime) -> int:
    return usage.purge(db, now)


JOBS: dict[str, Callable[[Session, datetime], int]] = {
    "no-shows": _no_shows,
    "document-reminders": _reminders,
    "sign-up-requests": _signup_requests,
    "weekly-report": send_weekly_reports,
    "usage-retention": _usage_retention,
    "sessions": retention.purge_sessions,
    "links": retention.purge_links,
    "sign-in-history": retention.purge_signin_history,
    "audit-retention": retention.purge_audit_log,
    "exports": retention.purge_exports,
    "support-retention": retention.purge_support_requests,
    "account-erasure": account_deletion.erase_requested,
    "studio-erasure": studio_deletion.erase_deleted_studios,
    "trial-reminders": billing.send_trial_reminders,
    "sign-in-provider-trips": oidc.purge_logins,
}


def describe_error(exc: BaseException) -> str:
    """What the history keeps of a failure: the class and the first line of the message.

    Only the first line, and for a database error the driver's own message rather than
    SQLAlchemy's: the lines after it (a constraint's DETAIL, the statement's parameters) can
    carry the values the job was working on, and the history keeps no personal data."""
    shown: BaseException = exc
    if isinstance(exc, StatementError) and exc.orig is not None:
        shown = exc.orig
    lines = str(shown).strip().splitlines()
    first = lines[0].strip() if lines else ""
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text[:ERROR_MAX]


def run_recorded(name: str, now: datetime | None = None) -> int:
    """Run one job in its own unit of work and record the run; a failure is recorded, then raised."""
    job = JOBS[name]
    with session_scope() as db:
        run = JobRun(job=name, started_at=utcnow())
        db.add(run)
        db.flush()
        run_id = row_id(run)
    try:
        with session_scope() as db:
            rows = job(db, now or datetime.now(UTC))
    except Exception as exc:
        # The job's work is rolled back by now; its record is finished in a transaction of its own.
        _finish(run_id, 0, describe_error(exc))
        raise
    _finish(run_id, rows, "")
    return rows


def _finish(run_id: int, rows: int, error: str) -> None:
    with session_scope() as db:
        run = db.get(JobRun, run_id)
        if run is not None:
            run.finished_at = utcnow()
            run.rows = rows
            run.error = error
            db.add(run)


def run_all_once(now: datetime | None = None) -> dict[str, int]:
    """Every job once. A failing job does not stop the others (retention must not wait on, say,
    a mail server); the first failure is raised once all have run."""
    now = now or datetime.now(UTC)
    results: dict[str, int] = {}
    failure: Exception | None = None
    for name in JOBS:
        try:
            results[name] = run_recorded(name, now)
        except Exception as exc:
            failure = failure or exc
    if failure is not None:
        raise failure
    return results
