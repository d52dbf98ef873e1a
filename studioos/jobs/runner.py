"""One pass of every job, in its own unit of work; the CLI and the scheduler both call this."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session

from studioos.db import session_scope
from studioos.jobs.attendance import mark_no_shows
from studioos.jobs.compliance import send_document_reminders
from studioos.jobs.weekly_report import send_weekly_reports
from studioos.services import usage
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
}


def run_all_once(now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(UTC)
    results: dict[str, int] = {}
    for name, job in JOBS.items():
        with session_scope() as db:
            results[name] = job(db, now)
    return results
