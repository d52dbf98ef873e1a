"""The job history page's data: each run's duration, and per job its newest run and last success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from studioos.models import JobRun
from studioos.services import job_history
from studioos.services.errors import PermissionDenied
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_support_user, make_studio

T0 = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def _run(
    db: Session, job: str, started: datetime, seconds: int | None, *, rows: int = 0, error: str = ""
) -> None:
    finished = started + timedelta(seconds=seconds) if seconds is not None else None
    db.add(JobRun(job=job, started_at=started, finished_at=finished, rows=rows, error=error))


def _agent(db: Session) -> Actor:
    return actor_for(db, add_support_user(db))


def test_a_run_tells_how_long_it_took(db: Session) -> None:
    _run(db, "links", T0, 95, rows=12)
    _run(db, "links", T0 + timedelta(hours=1), None)  # still running, or the process died
    db.commit()
    running, done = job_history.recent_runs(db, _agent(db), "links")
    assert (done.duration, done.rows, done.failed, done.finished) == (timedelta(seconds=95), 12, False, True)
    assert (running.duration, running.finished) == (None, False)


def test_each_job_shows_its_newest_run_and_its_last_success(db: Session) -> None:
    _run(db, "links", T0, 5, rows=3)
    _run(db, "links", T0 + timedelta(days=1), 7, rows=4)
    _run(db, "links", T0 + timedelta(days=2), 1, error="OperationalError: database is locked")
    _run(db, "sessions", T0, 2, rows=9)
    _run(db, "sessions", T0 + timedelta(days=1), None)  # never finished: not a success
    _run(db, "exports", T0, 3, error="OSError: disk full")
    db.commit()

    statuses = job_history.job_statuses(db, _agent(db), jobs=["links", "no-shows"])
    by_job = {s.job: s for s in statuses}
    assert [s.job for s in statuses] == ["exports", "links", "no-shows", "sessions"]

    links = by_job["links"]
    assert links.last_run is not None and links.last_run.failed
    assert links.last_run.started_at == T0 + timedelta(days=2)
    assert links.last_success_at == T0 + timedelta(days=1)

    sessions = by_job["sessions"]
    assert sessions.last_run is not None and not sessions.last_run.finished
    assert sessions.last_success_at == T0

    assert by_job["exports"].last_success_at is None  # it never worked
    assert (by_job["no-shows"].last_run, by_job["no-shows"].last_success_at) == (None, None)  # never ran


def test_the_job_history_is_for_support_staff_only(db: Session) -> None:
    studio, owner = make_studio(db)
    _run(db, "links", T0, 5)
    db.commit()
    with pytest.raises(PermissionDenied):
        job_history.job_statuses(db, actor_for(db, owner, studio))
    with pytest.raises(PermissionDenied):
        job_history.recent_runs(db, actor_for(db, owner, studio))
    assert [s.job for s in job_history.job_statuses(db, _agent(db))] == ["links"]
