"""Weekly report job: on Monday morning (studio time) each studio's subscribed owners get last week.

Once per studio per week, even with two runners (the scheduler lock normally allows only one, but
a runner taking over after a crash, or `studioos run-jobs` next to the worker, must not send it
again): the week is claimed by inserting its `WeeklyReportRun` row and committing before any
mail goes out; a second runner's insert meets the unique key and it moves on. The row is marked
sent after the mails. A claim left unsent (the mail server was down, the runner died between
claim and send) is taken over once it is RETRY_AFTER old, by a compare-and-set on its claim time,
so again by one runner only; the price is that a runner dying in the middle of sending to several
owners can send the first ones twice, never none.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from studioos.models import Studio, WeeklyReportRun, WeeklyReportSubscription
from studioos.services import mail, weekly_report

log = logging.getLogger("studioos.jobs")

RETRY_AFTER = timedelta(hours=1)


def send_weekly_reports(db: Session, now: datetime) -> int:
    """Send every report that is due at `now`; returns how many emails went out."""
    studios = db.exec(
        select(Studio)
        .where(col(Studio.id).in_(select(WeeklyReportSubscription.studio_id)))
        .order_by(col(Studio.id))
    ).all()
    sent = 0
    for studio in studios:
        week_start = weekly_report.report_week(now.astimezone(ZoneInfo(studio.timezone or "UTC")))
        if week_start is None:
            continue
        people = weekly_report.recipients(db, studio.id or 0)
        if not people:
            continue
        run = _claim(db, studio.id or 0, week_start, now)
        if run is None:
            continue
        report = weekly_report.build(db, weekly_report.owner_actor(db, studio, people[0]), week_start)
        delivered = 0
        for person in people:
            try:
                mail.send(person.email, report.subject, report.body)
                delivered += 1
            except (OSError, smtplib.SMTPException):
                log.exception("weekly report for studio %s: could not mail %s", studio.id, person.email)
        if delivered:
            db.connection().execute(
                update(WeeklyReportRun)
                .where(col(WeeklyReportRun.id) == run)
                .values(sent_at=now, recipients=delivered)
            )
        db.commit()
        sent += delivered
    return sent


def _claim(db: Session, studio_id: int, week_start: date, now: datetime) -> int | None:
    """The id of this studio's run of that week, if this runner now owns it; None if another did
    (or does) send it."""
    found = db.exec(
        select(WeeklyReportRun).where(
            WeeklyReportRun.studio_id == studio_id, WeeklyReportRun.week_start == week_start
        )
    ).first()
    if found is None:
        try:
            run = WeeklyReportRun(studio_id=studio_id, week_start=week_start, claimed_at=now)
            db.add(run)
            db.commit()
        except IntegrityError:
            db.rollback()
            return None
        return run.id
    if found.sent_at is not None or found.claimed_at > now - RETRY_AFTER:
        return None
    taken = db.connection().execute(
        update(WeeklyReportRun)
        .where(
            col(WeeklyReportRun.id) == found.id,
            col(WeeklyReportRun.claimed_at) == found.claimed_at,
            col(WeeklyReportRun.sent_at).is_(None),
        )
        .values(claimed_at=now)
    )
    db.commit()
    return found.id if taken.rowcount == 1 else None
