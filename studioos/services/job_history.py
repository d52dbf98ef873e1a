"""The background jobs' history (JobRun), for support staff: did each job run, and how did it go."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from studioos.models import JobRun, row_id
from studioos.services.errors import PermissionDenied
from studioos.services.permissions import Actor

# A page of history; more than this is a query for the database, not a screen.
MAX_LIMIT = 500


@dataclass(frozen=True)
class JobRunRow:
    id: int
    job: str
    started_at: datetime
    finished_at: datetime | None
    rows: int
    error: str

    @property
    def failed(self) -> bool:
        return bool(self.error)

    @property
    def finished(self) -> bool:
        """False while running, or when the process died during the run."""
        return self.finished_at is not None

    @property
    def duration(self) -> timedelta | None:
        """How long the run took; None while it runs (or if it never finished)."""
        return self.finished_at - self.started_at if self.finished_at is not None else None


@dataclass(frozen=True)
class JobStatus:
    """One job at a glance: its newest run, and when it last ran to the end without an error."""

    job: str
    last_run: JobRunRow | None  # None: the job never ran
    last_success_at: datetime | None  # the start of the newest run that finished without an error


def _require_support(actor: Actor) -> None:
    if not actor.is_support:
        raise PermissionDenied()


def _row(run: JobRun) -> JobRunRow:
    return JobRunRow(
        id=row_id(run),
        job=run.job,
        started_at=run.started_at,
        finished_at=run.finished_at,
        rows=run.rows,
        error=run.error,
    )


def recent_runs(db: Session, actor: Actor, job: str | None = None, limit: int = 50) -> list[JobRunRow]:
    """The newest runs first, of one job or of all. Support staff only: the jobs serve every
    studio, so their history belongs to none of them."""
    _require_support(actor)
    query = select(JobRun)
    if job is not None:
        query = query.where(JobRun.job == job)
    query = query.order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc())
    runs = db.exec(query.limit(max(1, min(limit, MAX_LIMIT)))).all()
    return [_row(run) for run in runs]


def job_statuses(db: Session, actor: Actor, jobs: Iterable[str] = ()) -> list[JobStatus]:
    """Every job that ran, and each of `jobs` (the scheduler's list) even if it never did, by name.

    Support staff only. A job whose newest run failed, or whose last success is old, is the one to
    look at: "did retention run?" is answered here."""
    _require_support(actor)
    newest_ids = db.exec(select(func.max(JobRun.id)).group_by(JobRun.job)).all()
    newest = {
        run.job: _row(run)
        for run in (db.exec(select(JobRun).where(col(JobRun.id).in_(newest_ids))).all() if newest_ids else [])
    }
    succeeded = dict(
        db.exec(
            select(JobRun.job, func.max(JobRun.started_at))
            .where(col(JobRun.finished_at).is_not(None), JobRun.error == "")
            .group_by(JobRun.job)
        ).all()
    )
    return [
        JobStatus(job=name, last_run=newest.get(name), last_success_at=succeeded.get(name))
        for name in sorted(set(newest) | set(jobs))
    ]
