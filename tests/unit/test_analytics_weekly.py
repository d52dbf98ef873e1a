"""The weekly report: owners opt in, the job mails last week's KPIs against the week before on
Monday morning (studio time), once per studio per week however often and from however many
runners it runs, and what it says is what the Analytics page says."""

from __future__ import annotations

import email
import threading
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from studioos.jobs import weekly_report as job
from studioos.models import Role, WeeklyReportRun
from studioos.services import analytics, mail, weekly_report
from studioos.services.analytics import Filters
from studioos.services.errors import PermissionDenied
from studioos.services.formatting import for_timezone
from studioos.settings import get_settings
from tests.analytics_data import Hand, build
from tests.factories import actor_for, add_member

MONDAY_MORNING = datetime(2026, 2, 9, 11, 30, tzinfo=UTC)  # 06:30 in Bogota, Monday 9 February
WEEK = date(2026, 2, 2)


def _outbox() -> list[EmailMessage]:
    folder = Path(get_settings().outbox_dir)
    if not folder.exists():
        return []
    return [
        email.message_from_bytes(p.read_bytes(), _class=EmailMessage, policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def _subscribed(db: Session) -> tuple[Hand, str]:
    hand = build(db)
    weekly_report.set_subscribed(db, hand.owner, True)
    partner = add_member(db, hand.studio, Role.OWNER, name="Second Owner")
    weekly_report.set_subscribed(db, actor_for(db, partner, hand.studio), True)
    db.commit()
    return hand, partner.email


def test_only_owners_opt_in_and_out(db: Session) -> None:
    hand = build(db)
    assert not weekly_report.is_subscribed(db, hand.owner)
    assert weekly_report.set_subscribed(db, hand.owner, True) and weekly_report.is_subscribed(db, hand.owner)
    weekly_report.set_subscribed(db, hand.owner, True)  # twice is once
    db.commit()
    assert [u.email for u in weekly_report.recipients(db, hand.studio.id or 0)] == [hand.owner.email]
    assert not weekly_report.set_subscribed(db, hand.owner, False)
    assert not weekly_report.is_subscribed(db, hand.owner)
    manager = actor_for(db, add_member(db, hand.studio, Role.MANAGER), hand.studio)
    with pytest.raises(PermissionDenied):
        weekly_report.set_subscribed(db, manager, True)


def test_the_report_is_the_analytics_pages_figures(db: Session) -> None:
    hand, _ = _subscribed(db)
    report = weekly_report.build(db, hand.owner, WEEK)
    page = analytics.dashboard(db, hand.owner, Filters(WEEK, date(2026, 2, 8)), today=date(2026, 2, 9))
    assert report.kpis == page.kpis
    assert (report.first, report.last, report.previous_first, report.previous_last) == (
        date(2026, 2, 2),
        date(2026, 2, 8),
        date(2026, 1, 26),
        date(2026, 2, 1),
    )
    # 2-8 February: Anna 1700 + 12010, Bella 5005; the week before: Bella's 500 of 31 January.
    assert (report.kpis[0].value, report.kpis[0].previous, report.kpis[0].change_bp) == (18715, 500, 364300)
    assert [(m.stage_name, m.gross_cents) for m in report.top_models] == [("Anna", 13710), ("Bella", 5005)]
    fmt = for_timezone("America/Bogota")
    assert (
        f"Gross: {fmt.money(18715, 'USD')} (week before {fmt.money(500, 'USD')}, +3643.00 %)" in report.body
    )
    assert "Attendance rate: 100.00 % (week before –)" in report.body  # no shift that week before
    assert f"1. Anna: {fmt.money(13710, 'USD')}" in report.body
    assert "/analytics?range=custom&from=2026-02-02&to=2026-02-08" in report.body


def test_sent_on_monday_morning_once_per_studio_and_week(db: Session) -> None:
    hand, partner = _subscribed(db)
    # Monday 05:30 in Bogota: too early.
    assert job.send_weekly_reports(db, MONDAY_MORNING - timedelta(hours=1)) == 0
    assert job.send_weekly_reports(db, MONDAY_MORNING) == 2
    assert job.send_weekly_reports(db, MONDAY_MORNING) == 0
    assert job.send_weekly_reports(db, MONDAY_MORNING + timedelta(days=3)) == 0  # the same week
    sent = _outbox()
    assert sorted(m["To"] for m in sent) == sorted([hand.owner.email, partner])
    expected = weekly_report.build(db, hand.owner, WEEK)
    assert {m["Subject"] for m in sent} == {expected.subject}
    assert all(m.get_content() == expected.body for m in sent)
    run = db.exec(select(WeeklyReportRun)).one()
    assert (run.week_start, run.recipients, run.sent_at) == (WEEK, 2, MONDAY_MORNING)
    # The next Monday: the next week.
    assert job.send_weekly_reports(db, MONDAY_MORNING + timedelta(days=7)) == 2
    weeks = db.exec(select(WeeklyReportRun.week_start).order_by(WeeklyReportRun.week_start)).all()
    assert list(weeks) == [WEEK, WEEK + timedelta(days=7)]


def test_two_runners_at_once_send_it_once(engine: Engine, db: Session) -> None:
    _subscribed(db)
    db.close()
    start = threading.Barrier(2)
    results: list[int] = []

    def runner() -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            results.append(job.send_weekly_reports(session, MONDAY_MORNING))

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [0, 2]
    assert len(_outbox()) == 2
    with Session(engine) as session:
        assert len(session.exec(select(WeeklyReportRun)).all()) == 1


def test_a_week_whose_mail_failed_is_sent_again_later_by_one_runner(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _subscribed(db)

    def down(to: str, subject: str, body: str) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(mail, "send", down)
    assert job.send_weekly_reports(db, MONDAY_MORNING) == 0
    run = db.exec(select(WeeklyReportRun)).one()
    assert run.sent_at is None
    monkeypatch.undo()
    # Claimed and not sent: left alone for an hour (a runner may still be sending it).
    assert job.send_weekly_reports(db, MONDAY_MORNING + timedelta(minutes=30)) == 0
    assert job.send_weekly_reports(db, MONDAY_MORNING + timedelta(hours=2)) == 2
    assert job.send_weekly_reports(db, MONDAY_MORNING + timedelta(hours=4)) == 0
    assert len(_outbox()) == 2


def test_a_studio_without_subscribers_gets_nothing(db: Session) -> None:
    hand = build(db)
    weekly_report.set_subscribed(db, hand.owner, True)
    weekly_report.set_subscribed(db, hand.owner, False)
    db.commit()
    assert job.send_weekly_reports(db, MONDAY_MORNING) == 0
    assert db.exec(select(WeeklyReportRun)).all() == []
