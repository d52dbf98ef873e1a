"""The scheduler runs in exactly one place: a second runner stands by until the first stops."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from studioos.jobs.runner import JOBS
from studioos.jobs.scheduler import TRIGGERS, RunnerLock, SchedulerRunner, build_scheduler
from studioos.models import Shift
from studioos.services import notifications, performers
from tests.factories import book, setup_studio


def _wait(predicate: Callable[[], object], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_only_one_lock_holder_at_a_time(engine: Engine) -> None:
    first, second = RunnerLock(engine), RunnerLock(engine)
    assert first.acquire()
    try:
        assert not second.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()


STANDING_BY = "another runner holds the scheduler lock; standing by"
TAKEN = "scheduler lock taken: running jobs here"


def _logged(caplog: pytest.LogCaptureFixture, message: str) -> int:
    return sum(1 for r in caplog.records if r.name == "studioos.jobs" and r.getMessage() == message)


def test_a_second_runner_stands_by_then_takes_over(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="studioos.jobs")
    first = SchedulerRunner(engine=engine, retry_seconds=0.1)
    second = SchedulerRunner(engine=engine, retry_seconds=0.1)
    first.start()
    try:
        assert _wait(lambda: first.active)
        assert _logged(caplog, TAKEN) == 1
        second.start()
        # The runner logs "standing by" only after the lock refused it; the first runner already
        # holds the lock, so every such line is the second one asking again and being refused.
        assert _wait(lambda: _logged(caplog, STANDING_BY) >= 2)
        assert not second.active and not second.lock.held
        assert _logged(caplog, TAKEN) == 1
    finally:
        first.stop()
    try:
        assert _wait(lambda: second.active)
        assert _logged(caplog, TAKEN) == 2
    finally:
        second.stop()
    assert not second.lock.held


def test_every_job_is_scheduled_and_runs_at_start_up() -> None:
    scheduler = build_scheduler()
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert (
        set(jobs)
        == set(TRIGGERS)
        == set(JOBS)
        == {
            "no-shows",
            "document-reminders",
            "sign-up-requests",
            "weekly-report",
            "usage-retention",
            "sessions",
            "links",
            "sign-in-history",
            "audit-retention",
            "exports",
            "support-retention",
            "account-erasure",
            "studio-erasure",
            "trial-reminders",
            "sign-in-provider-trips",
        }
    )


def test_the_running_scheduler_marks_a_missed_shift_as_no_show(engine: Engine, db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    yesterday = performers.studio_today(db, studio.id or 0) - timedelta(days=1)
    row = book(db, actor, ids, "Anna", "Room 1", yesterday, "10:00", "16:00")
    db.commit()

    runner = SchedulerRunner(engine=engine, retry_seconds=0.1)
    runner.start()
    try:

        def marked() -> bool:
            db.expire_all()
            shift = db.get(Shift, row.id)
            return shift is not None and shift.no_show

        assert _wait(marked, timeout=15)
    finally:
        runner.stop()
    # The owner hears about it in the app.
    titles = [n.title for n in notifications.list_notifications(db, actor)]
    assert "No-show: Anna" in titles
