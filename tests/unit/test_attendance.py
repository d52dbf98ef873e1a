"""Attendance: check-in/out, late after the grace period, no-shows, hours worked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from studioos.jobs.attendance import mark_no_shows
from studioos.models import Shift
from studioos.services import attendance
from studioos.services.errors import NotFound, ValidationFailed
from tests.factories import book, performer_user, setup_studio

# A Monday four weeks back, derived from today: far from the limits of the days a report may cover
# (ten years back), whenever the tests run. Each booking is made "the day before" (see book).
DAY = date.today() - timedelta(days=date.today().weekday(), weeks=4)


def test_check_in_on_time_late_and_check_out(db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    anna = performer_user(db, studio, ids["Anna"])
    on_time = book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    late = book(db, actor, ids, "Anna", "Room 1", DAY + timedelta(days=1), "10:00", "16:00")
    row = attendance.check_in(db, anna, on_time.id, now=on_time.starts_at + timedelta(minutes=10))
    assert row.attendance == "checked_in" and not row.late
    row = attendance.check_in(db, anna, late.id, now=late.starts_at + timedelta(minutes=11))
    assert row.attendance == "late" and row.late
    with pytest.raises(ValidationFailed) as twice:
        attendance.check_in(db, anna, late.id, now=late.starts_at + timedelta(minutes=12))
    assert twice.value.errors == {"shift": "Already checked in."}
    out = attendance.check_out(db, anna, on_time.id, now=on_time.ends_at)
    assert out.attendance == "done"
    with pytest.raises(ValidationFailed) as again:
        attendance.check_out(db, anna, on_time.id, now=on_time.ends_at)
    assert again.value.errors == {"shift": "Already checked out."}


def test_grace_period_is_per_studio(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    assert attendance.get_grace(db, actor) == 10
    attendance.set_grace(db, actor, 20)
    shift = book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    row = attendance.check_in(
        db, actor, shift.id, now=shift.starts_at + timedelta(minutes=15)
    )  # by a manager
    assert not row.late
    for wrong in (-1, 121, "ten"):
        with pytest.raises(ValidationFailed) as refused:
            attendance.set_grace(db, actor, wrong)  # type: ignore[arg-type]
        assert refused.value.errors == {
            "late_grace_minutes": "The grace period is between 0 and 120 minutes."
        }
    assert attendance.get_grace(db, actor) == 20


def test_check_in_window(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    shift = book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    with pytest.raises(ValidationFailed) as early:
        attendance.check_in(db, actor, shift.id, now=shift.starts_at - timedelta(hours=2))
    assert early.value.errors == {"shift": "Check-in opens one hour before the shift starts."}
    with pytest.raises(ValidationFailed) as ended:
        attendance.check_in(db, actor, shift.id, now=shift.ends_at)
    assert ended.value.errors == {"shift": "This shift has ended; it can no longer be checked in."}
    with pytest.raises(ValidationFailed) as not_in:
        attendance.check_out(db, actor, shift.id, now=shift.starts_at)
    assert not_in.value.errors == {"shift": "Check in first."}
    # Exactly an hour before the start the window is open.
    assert attendance.check_in(db, actor, shift.id, now=shift.starts_at - timedelta(hours=1)).checked_in_local


def test_model_cannot_check_in_for_another(db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    bella = performer_user(db, studio, ids["Bella"])
    shift = book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    with pytest.raises(NotFound):
        attendance.check_in(db, bella, shift.id, now=shift.starts_at)


def test_no_show_job_is_idempotent(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    missed = book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    came = book(db, actor, ids, "Bella", "Room 2", DAY, "10:00", "16:00")
    future = book(db, actor, ids, "Carla", "Room 1", DAY, "18:00", "02:00")
    attendance.check_in(db, actor, came.id, now=came.starts_at)
    db.commit()
    assert mark_no_shows(db, missed.ends_at) == 1
    assert mark_no_shows(db, missed.ends_at + timedelta(minutes=5)) == 0
    db.commit()
    assert db.get(Shift, missed.id).no_show
    assert not db.get(Shift, came.id).no_show
    assert not db.get(Shift, future.id).no_show


def test_hours_worked_per_period(db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    overnight = book(db, actor, ids, "Anna", "Room 1", DAY, "18:00", "02:00")
    day2 = book(db, actor, ids, "Anna", "Room 1", DAY + timedelta(days=1), "10:00", "16:00")
    missed = book(db, actor, ids, "Anna", "Room 1", DAY + timedelta(days=2), "10:00", "16:00")
    bella = book(db, actor, ids, "Bella", "Room 2", DAY, "10:00", "14:00")
    outside = book(db, actor, ids, "Anna", "Room 2", DAY + timedelta(days=7), "10:00", "16:00")
    # Overnight: 18:20 -> 02:00 = 7 h 40 min, late.
    attendance.check_in(db, actor, overnight.id, now=overnight.starts_at + timedelta(minutes=20))
    attendance.check_out(db, actor, overnight.id, now=overnight.ends_at)
    # Day 2: forgot to check out -> counted to the scheduled end, 6 h.
    attendance.check_in(db, actor, day2.id, now=day2.starts_at)
    attendance.check_in(db, actor, bella.id, now=bella.starts_at)
    attendance.check_out(db, actor, bella.id, now=bella.starts_at + timedelta(hours=3, minutes=30))
    attendance.check_in(db, actor, outside.id, now=outside.starts_at)
    mark_no_shows(db, missed.ends_at)
    db.commit()
    rows = {r.stage_name: r for r in attendance.hours_worked(db, actor, DAY, DAY + timedelta(days=6))}
    anna = rows["Anna"]
    assert (anna.shifts, anna.worked_minutes, anna.late, anna.no_shows) == (3, 13 * 60 + 40, 1, 1)
    assert str(anna.hours) == "13.67"
    assert rows["Bella"].worked_minutes == 210
    # A model sees only her own row, and cannot ask for another's.
    me = performer_user(db, studio, ids["Bella"])
    assert [r.stage_name for r in attendance.hours_worked(db, me, DAY, DAY + timedelta(days=6))] == ["Bella"]
    with pytest.raises(NotFound):
        attendance.hours_worked(db, me, DAY, DAY, performer_id=ids["Anna"])
    assert attendance.hours_worked(db, actor, DAY - timedelta(days=60), DAY - timedelta(days=30)) == []


def test_hours_of_a_shift_in_progress_count_up_to_now(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    shift = book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    checked_in = shift.starts_at + timedelta(minutes=46)  # 10:46 for 10:00-16:00
    attendance.check_in(db, actor, shift.id, now=checked_in)

    def minutes(now) -> int:  # type: ignore[no-untyped-def]
        return attendance.hours_worked(db, actor, DAY, DAY, now=now)[0].worked_minutes

    assert minutes(checked_in) == 0  # not 5.2 hours at once
    assert minutes(checked_in + timedelta(hours=2)) == 120
    # Past the scheduled end without a check-out: counted to the end ("forgot to check out").
    assert minutes(shift.ends_at + timedelta(hours=3)) == 5 * 60 + 14
    attendance.check_out(db, actor, shift.id, now=checked_in + timedelta(hours=1))
    assert minutes(shift.ends_at) == 60


def test_hours_use_the_real_clock_by_default(db: Session) -> None:
    from datetime import UTC, datetime

    from studioos.services import shifts

    _, actor, ids = setup_studio(db)
    now = datetime.now(UTC)
    zone = shifts.studio_zone(db, actor.studio_id or 0)
    starts = shifts.to_local(now - timedelta(minutes=30), zone).replace(second=0, microsecond=0)
    row = shifts.create_shift(
        db, actor, performer_id=ids["Anna"], room_id=ids["Room 1"], starts=starts,
        ends=starts + timedelta(hours=6),
    )  # fmt: skip
    attendance.check_in(db, actor, row.id)
    day = starts.date()
    hours = attendance.hours_worked(db, actor, day, day)
    assert hours[0].worked_minutes <= 1  # just checked in: nothing worked yet, not the whole shift


def test_recorded_past_shift_is_never_a_no_show(db: Session) -> None:
    from datetime import UTC, datetime, time

    from studioos.services import notifications, shifts

    _, actor, ids = setup_studio(db)
    starts, ends = shifts.local_span(DAY, time(10), time(16))
    later = datetime.combine(DAY + timedelta(days=2), time(), tzinfo=UTC)
    recorded = shifts.create_shift(
        db, actor, performer_id=ids["Anna"], room_id=ids["Room 1"], starts=starts, ends=ends,
        now=later, record_past=True,
    )  # fmt: skip
    missed = book(db, actor, ids, "Bella", "Room 2", DAY, "10:00", "16:00")  # booked the day before
    db.commit()
    assert mark_no_shows(db, later) == 1
    db.commit()
    assert not db.get(Shift, recorded.id).no_show
    assert db.get(Shift, missed.id).no_show
    titles = [n.title for n in notifications.list_notifications(db, actor)]
    assert titles == ["No-show: Bella"]
