"""Shifts: clash checks, overnight shifts, weekly series across DST (and without DST), edits, weeks."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, select

from studioos.models import Shift, ShiftSeries, ShiftStatus
from studioos.services import rooms, shifts
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor
from studioos.services.shifts import local_span
from tests.factories import actor_for, book, new_performer, setup_studio


def _year_like_2026(today: date) -> int:
    """The latest year up to `today`'s whose calendar is 2026's (same weekdays, so the same
    summer-time Sundays in Bucharest), or the next one when that is more than nine years back: the
    tests' days, messages and UTC offsets are 2026's in it, it lies within the services' windows
    around the real today (calendars ten years back to five ahead), and before the documents that
    new_performer makes valid for three years expire."""
    like = date(2026, 1, 1).weekday()
    for year in [*range(today.year, today.year - 10, -1), today.year + 1]:
        if date(year, 1, 1).weekday() == like and not calendar.isleap(year):
            return year
    raise AssertionError("a year like 2026 comes back at least every 11 years")


YEAR = _year_like_2026(date.today())
DAY = date(YEAR, 6, 1)  # a Monday, summer time in Bucharest


# When the tests' fixed-date bookings are made: before any of them, so none is a past shift.
BOOKED_ON = datetime(YEAR, 1, 1, tzinfo=UTC)


def test_overnight_shift_stored_in_utc_and_shown_local(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    row = book(db, actor, ids, "Anna", "Room 1", DAY, "18:00", "02:00")
    assert row.starts_at == datetime(YEAR, 6, 1, 15, 0, tzinfo=UTC)  # EEST = UTC+3
    assert row.ends_at == datetime(YEAR, 6, 1, 23, 0, tzinfo=UTC)
    assert row.starts_local == datetime(YEAR, 6, 1, 18, 0)
    assert row.ends_local == datetime(YEAR, 6, 2, 2, 0)
    week = shifts.room_week(db, actor, ids["Room 1"], DAY + timedelta(days=3))
    assert week.week_start == DAY and len(week.days) == 7
    assert [s.id for s in week.on(DAY)] == [row.id]
    assert week.on(DAY + timedelta(days=1)) == []  # belongs to the day it starts


def test_room_clash_names_the_booking(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    book(db, actor, ids, "Anna", "Room 2", DAY, "18:00", "02:00")
    with pytest.raises(ValidationFailed) as err:
        book(db, actor, ids, "Bella", "Room 2", DAY, "20:00", "23:00")
    assert err.value.errors == {"room_id": "Room 2 is already booked from 18:00 to 02:00 (Anna)."}


def test_model_clash_across_midnight(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    book(db, actor, ids, "Anna", "Room 2", DAY, "18:00", "02:00")
    with pytest.raises(ValidationFailed) as err:
        book(db, actor, ids, "Anna", "Room 1", DAY + timedelta(days=1), "01:00", "05:00")
    assert err.value.errors == {
        "performer_id": "Anna is already booked on Mon 1 Jun from 18:00 to 02:00 (Room 2)."
    }
    # Back to back is not a clash.
    book(db, actor, ids, "Anna", "Room 1", DAY + timedelta(days=1), "02:00", "06:00")
    book(db, actor, ids, "Bella", "Room 2", DAY + timedelta(days=1), "02:00", "06:00")


def test_end_before_start_and_too_long(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    with pytest.raises(ValidationFailed) as err:
        shifts.create_shift(
            db,
            actor,
            performer_id=ids["Anna"],
            room_id=ids["Room 1"],
            starts=datetime(YEAR, 6, 1, 18, 0),
            ends=datetime(YEAR, 6, 1, 10, 0),
        )
    assert err.value.errors == {"ends": "The end must be after the start."}
    with pytest.raises(ValidationFailed) as err:
        book(db, actor, ids, "Anna", "Room 1", DAY, "08:00", "00:30")
    assert err.value.errors == {"ends": "A shift can last at most 16 hours; this one lasts 16 h 30 min."}
    book(db, actor, ids, "Anna", "Room 1", DAY, "08:00", "00:00")  # exactly 16 h is allowed


def test_cancelled_shift_frees_the_slot(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    first = book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    shifts.cancel_shift(db, actor, first.id)
    book(db, actor, ids, "Bella", "Room 1", DAY, "10:00", "16:00")


def test_inactive_room_refused(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    rooms.update_room(db, actor, ids["Room 1"], name="Room 1", is_active=False)
    with pytest.raises(ValidationFailed) as err:
        book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    assert err.value.errors == {"room_id": "Room 1 is not active; choose another room or reactivate it."}


def test_nonexistent_local_time_moves_forward(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    # 29 March (2026's calendar), Bucharest: 03:00 jumps to 04:00; 03:30 does not exist.
    row = shifts.create_shift(
        db,
        actor,
        performer_id=ids["Anna"],
        room_id=ids["Room 1"],
        starts=datetime(YEAR, 3, 29, 3, 30),
        ends=datetime(YEAR, 3, 29, 10, 0),
        now=BOOKED_ON,
    )
    assert row.starts_local == datetime(YEAR, 3, 29, 4, 30)
    assert row.ends_at - row.starts_at == timedelta(hours=5, minutes=30)


def _series(db: Session, actor: Actor, ids: dict[str, int], **kwargs) -> list[Shift]:
    kwargs.setdefault("now", BOOKED_ON)
    result = shifts.create_series(db, actor, performer_id=ids["Anna"], room_id=ids["Room 1"], **kwargs)
    db.commit()
    return list(
        db.exec(select(Shift).where(Shift.series_id == result.series_id).order_by(col(Shift.starts_at))).all()
    )


def test_weekly_series_across_spring_dst_keeps_wall_clock(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    made = _series(
        db,
        actor,
        ids,
        weekdays=[0, 1, 2, 3, 4],
        start_time=time(18),
        end_time=time(2),
        first_day=date(YEAR, 3, 16),
        weeks=8,
    )
    assert len(made) == 40
    zone = shifts.studio_zone(db, actor.studio_id or 0)
    for s in made:
        start, end = shifts.to_local(s.starts_at, zone), shifts.to_local(s.ends_at, zone)
        assert start.weekday() < 5 and start.time() == time(18) and end.time() == time(2)
        assert end.date() == start.date() + timedelta(days=1)
    assert made[0].starts_at == datetime(YEAR, 3, 16, 16, 0, tzinfo=UTC)  # winter, UTC+2
    assert made[-1].starts_at == datetime(YEAR, 5, 8, 15, 0, tzinfo=UTC)  # summer, UTC+3
    assert made[-1].ends_at == datetime(YEAR, 5, 8, 23, 0, tzinfo=UTC)


def test_series_over_the_dst_nights_lasts_7_and_9_hours(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    spring = _series(
        db,
        actor,
        ids,
        weekdays=[5],
        start_time=time(22),
        end_time=time(6),
        first_day=date(YEAR, 3, 21),
        weeks=2,
    )
    assert [s.ends_at - s.starts_at for s in spring] == [timedelta(hours=8), timedelta(hours=7)]
    autumn = _series(
        db,
        actor,
        ids,
        weekdays=[5],
        start_time=time(22),
        end_time=time(6),
        first_day=date(YEAR, 10, 17),
        weeks=2,
    )
    assert [s.ends_at - s.starts_at for s in autumn] == [timedelta(hours=8), timedelta(hours=9)]
    zone = shifts.studio_zone(db, actor.studio_id or 0)
    for s in spring + autumn:
        assert shifts.to_local(s.starts_at, zone).time() == time(22)
        assert shifts.to_local(s.ends_at, zone).time() == time(6)


def test_weekly_series_in_zone_without_dst(db: Session) -> None:
    _, actor, ids = setup_studio(db, "America/Bogota")
    made = _series(
        db,
        actor,
        ids,
        weekdays=[0, 1, 2, 3, 4],
        start_time=time(18),
        end_time=time(2),
        first_day=date(YEAR, 3, 16),
        weeks=8,
    )
    assert len(made) == 40
    assert {s.starts_at.time() for s in made} == {time(23)}  # UTC-5 all year
    assert {s.ends_at.time() for s in made} == {time(7)}
    assert {s.ends_at - s.starts_at for s in made} == {timedelta(hours=8)}


def test_series_refused_whole_when_one_occurrence_clashes(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    book(db, actor, ids, "Bella", "Room 1", date(YEAR, 6, 10), "20:00", "23:00")
    with pytest.raises(ValidationFailed) as err:
        shifts.create_series(
            db,
            actor,
            performer_id=ids["Anna"],
            room_id=ids["Room 1"],
            weekdays=[0, 1, 2, 3, 4],
            start_time=time(18),
            end_time=time(2),
            first_day=DAY,
            weeks=2,
        )
    assert err.value.errors == {
        "room_id": "Room 1 is already booked on Wed 10 Jun from 20:00 to 23:00 (Bella)."
    }
    assert db.exec(select(ShiftSeries)).first() is None
    assert len(db.exec(select(Shift)).all()) == 1


def test_edit_and_cancel_one_occurrence(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    made = _series(
        db, actor, ids, weekdays=[0, 2, 4], start_time=time(10), end_time=time(16), first_day=DAY, weeks=2
    )
    second = made[1]
    row = shifts.update_shift(
        db,
        actor,
        second.id or 0,
        performer_id=ids["Bella"],
        room_id=ids["Room 2"],
        starts=datetime(YEAR, 6, 3, 12, 0),
        ends=datetime(YEAR, 6, 3, 18, 0),
        now=BOOKED_ON,
    )
    assert row.stage_name == "Bella" and row.room_name == "Room 2" and row.series_id == second.series_id
    cancelled = shifts.cancel_shift(db, actor, made[2].id or 0)
    assert cancelled.status == ShiftStatus.CANCELLED
    week = shifts.performer_week(db, actor, ids["Anna"], DAY)
    assert [s.starts_local.date() for s in week.shifts] == [DAY]


def test_edit_series_from_a_date_splits_it(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    made = _series(
        db, actor, ids, weekdays=[0, 2, 4], start_time=time(10), end_time=time(16), first_day=DAY, weeks=4
    )
    assert len(made) == 12
    changed = shifts.update_series_from(
        db,
        actor,
        made[6].id or 0,
        performer_id=ids["Carla"],
        room_id=ids["Room 2"],
        start_time=time(18),
        end_time=time(2),
    )
    db.commit()
    assert changed == 6
    rows = shifts.shifts_between(db, actor, DAY, DAY + timedelta(days=40))
    before, after = rows[:6], rows[6:]
    assert {(r.stage_name, r.starts_local.time()) for r in before} == {("Anna", time(10))}
    assert {(r.stage_name, r.room_name, r.starts_local.time(), r.ends_local.time()) for r in after} == {
        ("Carla", "Room 2", time(18), time(2))
    }
    series = db.exec(select(ShiftSeries).order_by(col(ShiftSeries.id))).all()
    assert len(series) == 2 and series[0].last_day < series[1].first_day
    assert {r.series_id for r in after} == {series[1].id}


def test_cancel_series_from_a_date(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    made = _series(
        db, actor, ids, weekdays=[1], start_time=time(10), end_time=time(16), first_day=DAY, weeks=5
    )
    count = shifts.cancel_series_from(db, actor, made[0].id or 0, from_day=date(YEAR, 6, 16))
    assert count == 3
    left = shifts.shifts_between(db, actor, DAY, DAY + timedelta(days=60), performer_id=ids["Anna"])
    assert [r.starts_local.date() for r in left] == [date(YEAR, 6, 2), date(YEAR, 6, 9)]


def test_week_views_per_room_and_model(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    book(db, actor, ids, "Anna", "Room 1", DAY, "10:00", "16:00")
    book(db, actor, ids, "Bella", "Room 1", DAY + timedelta(days=6), "22:00", "06:00")  # Sunday night
    book(db, actor, ids, "Anna", "Room 2", DAY + timedelta(days=7), "10:00", "16:00")  # next week
    room = shifts.room_week(db, actor, ids["Room 1"], DAY + timedelta(days=6))
    assert [s.stage_name for s in room.shifts] == ["Anna", "Bella"]
    anna = shifts.performer_week(db, actor, ids["Anna"], DAY + timedelta(days=8))
    assert [(s.room_name, s.starts_local.date()) for s in anna.shifts] == [
        ("Room 2", DAY + timedelta(days=7))
    ]
    # The Sunday-night shift also shows in the week it spills into.
    following = shifts.room_week(db, actor, ids["Room 1"], DAY + timedelta(days=7))
    assert [s.stage_name for s in following.shifts] == ["Bella"]


# ---------------------------------------------------------------- blocked models and past shifts


def test_paused_model_and_expired_document_need_a_confirmation_and_show_on_the_calendar(db: Session) -> None:
    from studioos.models import Role
    from studioos.services.shifts import NeedsConfirmation
    from studioos.ui.calendar import week_payload
    from tests.factories import add_member

    studio, actor, ids = setup_studio(db)
    paused = new_performer(db, actor, "Dora", status="paused")
    expired = new_performer(db, actor, "Elsa", doc_expiry=DAY - timedelta(days=1))
    booked_on = datetime(YEAR, 5, 1, tzinfo=UTC)
    starts, ends = local_span(DAY, time(10), time(16))
    for pid, words in ((paused, "Dora is paused."), (expired, "Elsa's ID document has expired")):
        with pytest.raises(NeedsConfirmation) as err:
            shifts.create_shift(
                db, actor, performer_id=pid, room_id=ids["Room 1"], starts=starts, ends=ends, now=booked_on
            )
        assert list(err.value.errors) == ["confirm_blocked"] and words in err.value.errors["confirm_blocked"]
        assert db.exec(select(Shift).where(Shift.performer_id == pid)).first() is None
    dora = shifts.create_shift(
        db, actor, performer_id=paused, room_id=ids["Room 1"], starts=starts, ends=ends,
        now=booked_on, confirm_blocked=True,
    )  # fmt: skip
    elsa = shifts.create_shift(
        db, actor, performer_id=expired, room_id=ids["Room 2"], starts=starts, ends=ends,
        now=booked_on, confirm_blocked=True,
    )  # fmt: skip
    fine = book(db, actor, ids, "Anna", "Room 1", DAY + timedelta(days=1), "10:00", "16:00")
    assert (dora.blocked, elsa.blocked, fine.blocked) == ("Paused", "Document expired", "")
    # The week's data carries the flag the calendar cell shows as a red badge.
    _, cells = week_payload(shifts.room_week(db, actor, ids["Room 2"], DAY), DAY)
    assert [c.blocked for c in cells[0]] == ["Document expired"]
    days, cells = week_payload(shifts.room_week(db, actor, ids["Room 1"], DAY), DAY)
    assert [c.blocked for c in cells[0]] == ["Paused"] and [c.blocked for c in cells[1]] == [""]
    assert [d.today for d in days] == [True] + [False] * 6
    # An analyst learns that a model is paused (her status is on the model list) but nothing of documents.
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    seen = {r.stage_name: r.blocked for r in shifts.shifts_between(db, analyst, DAY, DAY)}
    assert seen == {"Dora": "Paused", "Elsa": ""}
    # A model who left cannot be booked at all, confirmation or not.
    gone = new_performer(db, actor, "Fiona", status="left")
    with pytest.raises(ValidationFailed) as refused:
        shifts.create_shift(
            db, actor, performer_id=gone, room_id=ids["Room 2"], starts=starts + timedelta(days=2),
            ends=ends + timedelta(days=2), now=booked_on, confirm_blocked=True,
        )  # fmt: skip
    assert "has left the studio" in refused.value.errors["performer_id"]


def test_series_warns_when_the_document_expires_during_it(db: Session) -> None:
    from studioos.services.shifts import NeedsConfirmation

    _, actor, ids = setup_studio(db)
    pid = new_performer(db, actor, "Gina", doc_expiry=DAY + timedelta(days=6))
    kwargs = {
        "performer_id": pid, "room_id": ids["Room 1"], "weekdays": [0], "start_time": time(10),
        "end_time": time(16), "first_day": DAY, "weeks": 3, "now": BOOKED_ON,
    }  # fmt: skip
    with pytest.raises(NeedsConfirmation) as err:
        shifts.create_series(db, actor, **kwargs)
    assert err.value.errors == {
        "confirm_blocked": f"Gina's ID document expires on 7 Jun {YEAR}, before 2 of these shifts; "
        "she must not stream until it is renewed."
    }
    result = shifts.create_series(db, actor, confirm_blocked=True, **kwargs)
    week = shifts.performer_week(db, actor, pid, DAY + timedelta(days=7))
    assert result.created == 3 and [s.blocked for s in week.shifts] == ["Document expired"]
    assert [s.blocked for s in shifts.performer_week(db, actor, pid, DAY).shifts] == [""]


def test_past_shift_refused_unless_recorded_as_history(db: Session) -> None:
    from studioos.services.shifts import NeedsConfirmation

    _, actor, ids = setup_studio(db)
    starts, ends = local_span(DAY, time(10), time(16))
    args = {"performer_id": ids["Anna"], "room_id": ids["Room 1"], "starts": starts, "ends": ends}
    later = datetime(YEAR, 6, 2, 9, 0, tzinfo=UTC)
    with pytest.raises(NeedsConfirmation) as err:
        shifts.create_shift(db, actor, **args, now=later)
    assert err.value.errors == {
        "record_past": f"This shift is in the past (Mon 1 Jun {YEAR}, 10:00–16:00). Record it as a past "
        "shift? It will not be marked as a no-show."
    }
    assert db.exec(select(Shift)).first() is None
    # With the real clock too (a date typed a year back by mistake, say).
    yesterday = date.today() - timedelta(days=2)  # two days back is over in every time zone
    book_args = dict(zip(("starts", "ends"), local_span(yesterday, time(10), time(16)), strict=True))
    with pytest.raises(NeedsConfirmation) as err:
        shifts.create_shift(db, actor, performer_id=ids["Anna"], room_id=ids["Room 1"], **book_args)
    assert list(err.value.errors) == ["record_past"]
    recorded = shifts.create_shift(db, actor, **args, now=later, record_past=True)
    assert recorded.attendance == "scheduled"
    # A shift that has started but not ended is not in the past: a model may still check in.
    shifts.create_shift(
        db, actor, performer_id=ids["Bella"], room_id=ids["Room 2"], starts=starts, ends=ends,
        now=datetime(YEAR, 6, 1, 8, 0, tzinfo=UTC),
    )  # fmt: skip
    # A series whose first occurrences are over says how many.
    with pytest.raises(NeedsConfirmation) as err:
        _series(
            db, actor, ids, weekdays=[2], start_time=time(18), end_time=time(22), first_day=DAY,
            weeks=4, now=datetime(YEAR, 6, 12, tzinfo=UTC),
        )  # fmt: skip
    assert err.value.errors["record_past"].startswith(
        f"2 of these shifts are in the past (the first: Wed 3 Jun {YEAR}, 18:00–22:00)."
    )


def test_edits_do_not_move_a_shift_into_the_past_nor_to_a_blocked_model_unasked(db: Session) -> None:
    from studioos.services.shifts import NeedsConfirmation

    _, actor, ids = setup_studio(db)
    paused = new_performer(db, actor, "Dora", status="paused")
    shift = book(db, actor, ids, "Anna", "Room 1", DAY + timedelta(days=7), "10:00", "16:00")
    on_day = datetime(YEAR, 6, 4, 12, 0, tzinfo=UTC)  # after DAY's shifts, before the booked one
    same = {"room_id": ids["Room 2"], "starts": shift.starts_local, "ends": shift.ends_local}
    # Moved to DAY, which is over by now: refused, whatever the confirmation.
    with pytest.raises(ValidationFailed) as err:
        shifts.update_shift(
            db, actor, shift.id, performer_id=ids["Anna"], room_id=ids["Room 1"],
            starts=datetime(YEAR, 6, 1, 10, 0), ends=datetime(YEAR, 6, 1, 16, 0), now=on_day,
        )  # fmt: skip
    assert err.value.errors == {
        "day": "A shift cannot be moved into the past; to record a past shift, book it as a new one."
    }
    # Handed to a paused model: asks first.
    with pytest.raises(NeedsConfirmation) as asked:
        shifts.update_shift(db, actor, shift.id, performer_id=paused, **same, now=on_day)
    assert asked.value.errors == {"confirm_blocked": "Dora is paused."}
    row = shifts.update_shift(
        db, actor, shift.id, performer_id=paused, **same, now=on_day, confirm_blocked=True
    )
    assert (row.stage_name, row.blocked) == ("Dora", "Paused")
    # Her shift's room changes without asking again; so does a recorded past shift's.
    same["room_id"] = ids["Room 1"]
    shifts.update_shift(db, actor, shift.id, performer_id=paused, **same, now=on_day)
    starts, ends = local_span(DAY, time(10), time(16))
    past = shifts.create_shift(
        db, actor, performer_id=ids["Bella"], room_id=ids["Room 1"], starts=starts, ends=ends,
        now=on_day, record_past=True,
    )  # fmt: skip
    moved = shifts.update_shift(
        db, actor, past.id, performer_id=ids["Bella"], room_id=ids["Room 2"], starts=starts, ends=ends,
        now=on_day,
    )  # fmt: skip
    assert moved.room_name == "Room 2"
    # A series handed to a paused model asks too.
    made = _series(
        db, actor, ids, weekdays=[2], start_time=time(18), end_time=time(22), first_day=DAY, weeks=3
    )
    with pytest.raises(NeedsConfirmation) as asked:
        shifts.update_series_from(
            db, actor, made[1].id or 0, performer_id=paused, room_id=ids["Room 1"],
            start_time=time(18), end_time=time(22), now=on_day,
        )  # fmt: skip
    assert asked.value.errors == {"confirm_blocked": "Dora is paused."}
    assert shifts.update_series_from(
        db, actor, made[1].id or 0, performer_id=paused, room_id=ids["Room 1"],
        start_time=time(18), end_time=time(22), now=on_day, confirm_blocked=True,
    ) == 2  # fmt: skip


def test_the_calendar_shows_a_models_week_else_a_rooms_else_an_empty_week(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    today = actor.today()
    book(db, actor, ids, "Anna", "Room 1", today, "10:00", "16:00")
    book(db, actor, ids, "Bella", "Room 2", today, "10:00", "16:00")
    db.commit()
    by_model = shifts.calendar_week(db, actor, today, performer_id=ids["Bella"])
    by_room = shifts.calendar_week(db, actor, today, room_id=ids["Room 1"])
    nothing = shifts.calendar_week(db, actor, today)
    assert [s.stage_name for s in by_model.shifts] == ["Bella"]
    assert [s.stage_name for s in by_room.shifts] == ["Anna"]
    assert nothing.shifts == [] and nothing.days[0] == shifts.week_start(today) and len(nothing.days) == 7
