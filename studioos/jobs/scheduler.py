"""The job scheduler: APScheduler in exactly one process at a time.

`studioos worker` runs it in its own process (production, several app workers); with a single app
worker it runs inside the app (see studioos.studioos). Whichever starts first takes a lock: a
PostgreSQL advisory lock held on its own connection, or a file lock beside the SQLite database.
A second runner stands by and takes over when the first one stops. Jobs are idempotent anyway,
so a double run after a crash does no harm.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from studioos.db import get_engine
from studioos.jobs.runner import run_recorded
from studioos.settings import get_settings

log = logging.getLogger("studioos.jobs")

# Any fixed 64-bit number; it names "the StudioOS scheduler" among advisory locks.
ADVISORY_LOCK_KEY = 0x5354_5544_494F_4F53 & 0x7FFF_FFFF_FFFF_FFFF

TRIGGERS: dict[str, Any] = {
    # A no-show is visible to managers within five minutes of the shift's end.
    "no-shows": IntervalTrigger(minutes=5),
    # Reminders go out once a day, early, before a studio's day starts in Europe and the Americas.
    "document-reminders": CronTrigger(hour=5, minute=0, timezone=UTC),
    # Expired sign-up requests (personal data) are deleted hourly.
    "sign-up-requests": IntervalTrigger(hours=1),
    # Hourly: each studio's Monday 06:00 comes at another hour (UTC), one for each time zone.
    "weekly-report": CronTrigger(minute=7, timezone=UTC),
    # Usage events past their retention period go once a day.
    "usage-retention": CronTrigger(hour=4, minute=17, timezone=UTC),
    # Retention (studioos.jobs.retention). Sessions and links hold sign-in secrets' hashes, IPs and
    # addresses, and their periods are short (days): hourly keeps them within an hour of the promise.
    "sessions": IntervalTrigger(hours=1),
    "links": IntervalTrigger(hours=1),
    # Periods of a year: a day late is nothing; once a day, in the quiet hours, off the hour mark.
    "sign-in-history": CronTrigger(hour=4, minute=27, timezone=UTC),
    "audit-retention": CronTrigger(hour=4, minute=37, timezone=UTC),
    "support-retention": CronTrigger(hour=4, minute=47, timezone=UTC),
    # An expired export is a file of someone's personal data whose link no longer works: it goes
    # within the hour of its expiry.
    "exports": IntervalTrigger(hours=1),
    # Deleted accounts are erased the night after the request: well within the policy's 30 days.
    "account-erasure": CronTrigger(hour=3, minute=47, timezone=UTC),
    # Deleted studios likewise, after the accounts (a studio's erasure never waits on them).
    "studio-erasure": CronTrigger(hour=3, minute=57, timezone=UTC),
    # Trials ending within 3 days: one email to the owners, once a day, before Europe's morning.
    "trial-reminders": CronTrigger(hour=6, minute=17, timezone=UTC),
    # A trip to the sign-in provider lasts 10 minutes and holds the provider's id and address of a
    # person: gone within the hour after.
    "sign-in-provider-trips": IntervalTrigger(hours=1),
}


class RunnerLock:
    """Held by the one process that runs the scheduler."""

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine or get_engine()
        self._conn: Connection | None = None
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self._file is not None

    def acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar()
            conn.commit()
            if got:
                self._conn = conn
                return True
            conn.close()
            return False
        path = Path(get_settings().data_dir) / "scheduler.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def run_job(name: str) -> int:
    """One job in its own unit of work, recorded in the job history; a failure is recorded there,
    logged (by APScheduler) and retried at the next run."""
    result = run_recorded(name, datetime.now(UTC))
    log.info("job %s: %s", name, result)
    return result


def build_scheduler() -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    now = datetime.now(UTC)
    for name, trigger in TRIGGERS.items():
        # next_run_time=now: catch up at start-up on what a stopped runner missed.
        scheduler.add_job(run_job, trigger, args=[name], id=name, name=name, next_run_time=now)
    return scheduler


class SchedulerRunner:
    """Waits for the lock, then runs the scheduler until stopped; gives the lock back on stop."""

    def __init__(self, *, retry_seconds: float = 30.0, engine: Engine | None = None) -> None:
        self.retry_seconds = retry_seconds
        self.lock = RunnerLock(engine)
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self.lock.acquire():
                log.info("scheduler lock taken: running jobs here")
                self.scheduler = build_scheduler()
                self.scheduler.start()
                self._stop.wait()
                break
            log.info("another runner holds the scheduler lock; standing by")
            self._stop.wait(self.retry_seconds)
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        self.lock.release()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="studioos-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def run_forever(self) -> None:
        """For `studioos worker`: block until interrupted."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=1)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
