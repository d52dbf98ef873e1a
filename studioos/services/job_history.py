"""The background jobs' history (JobRun), for support staff: did each job run, and how did it go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

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


def recent_runs(db: Session, actor: Actor, job: str | None = None, limit: int = 50) -> list[JobRunRow]:
    """The newest runs first, of one job or of all. Support staff only: the jobs serve every
    studio, so their history belongs to none of them."""
    if not actor.is_support:
        raise PermissionDenied()
    query = select(JobRun)
    if job is not None:
        query = query.where(JobRun.job == job)
    query = query.order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc())
    runs = db.exec(query.limit(max(1, min(limit, MAX_LIMIT)))).all()
    return [
        JobRunRow(
            id=row_id(run),
            job=run.job,
            started_at=run.started_at,
            finished_at=run.finished_at,
            rows=run.rows,
            error=run.error,
        )
        for run in runs
    ]
