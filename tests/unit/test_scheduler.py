"""The scheduler runs in exactly one place: a second runner stands by until the first stops."""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine

from studioos.jobs.scheduler import TRIGGERS, RunnerLock, SchedulerRunner, build_scheduler


def _wait(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
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


def test_a_second_runner_stands_by_then_takes_over(engine: Engine) -> None:
    first = SchedulerRunner(engine=engine, retry_seconds=0.1)
    second = SchedulerRunner(engine=engine, retry_seconds=0.1)
    first.start()
    try:
        assert _wait(lambda: first.active)
        second.start()
        time.sleep(0.5)
        assert not second.active  # standing by while the first one runs
    finally:
        first.stop()
    try:
        assert _wait(lambda: second.active)
    finally:
        second.stop()
    assert not second.lock.held


def test_every_job_is_scheduled_and_runs_at_start_up() -> None:
    scheduler = build_scheduler()
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(TRIGGERS) == {"no-shows", "document-reminders", "sign-up-requests"}


def test_the_running_scheduler_marks_a_missed_shift_as_no_show(engine: Engine, db) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from studioos.models import Shift
    from studioos.services import notifications, performers
    from tests.unit.test_shifts import book, setup_studio

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
