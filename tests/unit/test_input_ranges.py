"""Numbers, dates and text from the browser: every one has a sane range and a clear message.

Extreme input used to crash handlers (OverflowError, PostgreSQL "integer out of range", date
overflow) or be stored as typed (a shift in the year 3000), and long text was cut silently.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from studioos.models import Performer, Room, Shift, ShiftRequest
from studioos.services import attendance, performers, rooms, shift_requests, shifts
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.performers import LegalInput, ProfileInput
from studioos.services.validation import add_years, parse_id, parse_int
from tests.factories import performer_user, setup_studio

TODAY = date.today()
SOON = TODAY + timedelta(days=14)
HUGE_IDS = [10**25, 2**70, 2**63, 2**31, 0, -1]


# ---------------------------------------------------------------- ids


def test_parse_id_accepts_only_database_ids() -> None:
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(2**31 - 1) == 2**31 - 1
    for raw in (
        "10000000000000000000000000",
        str(2**70),
        2**31,
        "0",
        0,
        "-3",
        "abc",
        "1e5",
        "4.0",
        None,
        True,
    ):
        assert parse_id(raw) is None, raw
    assert parse_id("9" * 5000) is None  # no ValueError from int()'s digit limit either
    assert parse_int("0") == 0 and parse_int("-5") == -5  # a weekday index is not an id
    assert parse_int(str(2**70)) is None


def test_page_id_helper_shares_the_rule() -> None:
    from studioos.ui.calendar import parse_int as page_parse_int

    assert page_parse_int(str(10**25)) is None and page_parse_int("12") == 12 and page_parse_int("0") == 0


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_out_of_range_ids_are_not_found(db: Session, huge: int) -> None:
    _, actor, ids = setup_studio(db)
    calls = [
        lambda: rooms.get_room(db, actor, huge),
        lambda: rooms.update_room(db, actor, huge, name="Room 9"),
        lambda: shifts.get_shift(db, actor, huge),
        lambda: shifts.cancel_shift(db, actor, huge),
        lambda: shifts.room_week(db, actor, huge, SOON),
        lambda: shifts.performer_week(db, actor, huge, SOON),
        lambda: performers.get_performer(db, actor, huge),
        lambda: performers.get_legal(db, actor, huge),
        lambda: performers.link_account(db, actor, ids["Anna"], huge),
        lambda: attendance.check_in(db, actor, huge),
        lambda: attendance.hours_worked(db, actor, SOON, SOON, performer_id=huge),
        lambda: shift_requests.decide_request(db, actor, huge, approve=False),
        lambda: shifts.create_shift(
            db,
            actor,
            performer_id=ids["Anna"],
            room_id=huge,
            starts=datetime.combine(SOON, time(10)),
            ends=datetime.combine(SOON, time(16)),
        ),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    db.rollback()  # the session is still usable: nothing reached the database and failed there
    assert db.exec(select(Room.id)).first() is not None


# ---------------------------------------------------------------- dates


def test_hours_worked_range_is_bounded(db: Session) -> None:
    studio, actor, _ = setup_studio(db)
    earliest = add_years(shifts.studio_today(db, studio.id or 0), -10)
    with pytest.raises(ValidationFailed) as err:
        attendance.hours_worked(db, actor, date(1, 1, 1), date(9999, 12, 31))
    assert err.value.errors == {"first_day": f"The day cannot be before {day_text(earliest)}."}
    with pytest.raises(ValidationFailed) as err:
        attendance.hours_worked(db, actor, TODAY - timedelta(days=400), TODAY)
    assert err.value.errors == {"last_day": "A period can cover at most 366 days; choose a shorter one."}
    assert attendance.hours_worked(db, actor, TODAY - timedelta(days=365), TODAY) == []


def test_overnight_shift_on_the_last_possible_day_is_a_message(db: Session) -> None:
    with pytest.raises(ValidationFailed) as err:
        shifts.local_span(date(9999, 12, 31), time(18), time(2))
    assert err.value.errors["day"].startswith("Shifts can be booked at most 2 years ahead (until ")
    # The booking form answers it under its day field (where the schedule page shows it), not with a crash.
    form = {
        "performer_id": "1",
        "room_id": "1",
        "day": "9999-12-31",
        "start_time": "18:00",
        "end_time": "02:00",
    }
    with pytest.raises(ValidationFailed) as by_form:
        shifts.ShiftInput.from_form(form).span()
    assert by_form.value.errors == err.value.errors


def test_shifts_are_booked_within_two_years(db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    latest = add_years(shifts.studio_today(db, studio.id or 0), 2)
    ahead = f"Shifts can be booked at most 2 years ahead (until {day_text(latest)})."

    def book(day: date, **extra: object):  # type: ignore[no-untyped-def]
        starts, ends = shifts.local_span(day, time(18), time(2))
        return shifts.create_shift(
            db, actor, performer_id=ids["Anna"], room_id=ids["Room 1"], starts=starts, ends=ends, **extra
        )

    with pytest.raises(ValidationFailed) as err:
        book(date(3000, 1, 1))
    assert err.value.errors == {"day": ahead}
    with pytest.raises(ValidationFailed) as err:
        book(latest + timedelta(days=1))
    assert err.value.errors == {"day": ahead}
    with pytest.raises(ValidationFailed) as err:
        book(TODAY - timedelta(days=800), record_past=True)
    assert "too far in the past" in err.value.errors["day"]
    assert book(latest - timedelta(days=1)).starts_local.date() == latest - timedelta(days=1)
    series = {
        "performer_id": ids["Bella"],
        "room_id": ids["Room 2"],
        "weekdays": [0, 3],
        "start_time": time(10),
        "end_time": time(16),
    }
    with pytest.raises(ValidationFailed) as err:
        shifts.create_series(db, actor, first_day=date(3000, 1, 1), weeks=4, **series)  # type: ignore[arg-type]
    assert err.value.errors == {"first_day": ahead}
    with pytest.raises(ValidationFailed) as err:  # starts in the window, runs past its end
        shifts.create_series(db, actor, first_day=latest - timedelta(days=7), weeks=4, **series)  # type: ignore[arg-type]
    assert err.value.errors == {"last_day": ahead}
    with pytest.raises(ValidationFailed) as err:
        shifts.create_series(db, actor, first_day=SOON, weeks=4, **{**series, "weekdays": ["x", 9]})  # type: ignore[arg-type]
    assert err.value.errors == {"weekdays": "Choose at least one weekday."}
    assert db.exec(select(Shift).where(Shift.performer_id == ids["Bella"])).all() == []


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), date(3000, 1, 1)])
def test_calendar_weeks_far_away_are_a_message(db: Session, day: date) -> None:
    _, actor, ids = setup_studio(db)
    with pytest.raises(ValidationFailed) as err:
        shifts.room_week(db, actor, ids["Room 1"], day)
    assert set(err.value.errors) == {"week_of"}
    assert err.value.message == err.value.errors["week_of"]  # the toast says it too
    with pytest.raises(ValidationFailed) as between:
        shifts.shifts_between(db, actor, day, day)
    assert between.value.errors == err.value.errors
    assert shifts.room_week(db, actor, ids["Room 1"], TODAY).shifts == []


def test_birth_date_and_document_expiry_are_plausible(db: Session) -> None:
    studio, actor, _ = setup_studio(db)
    today = performers.studio_today(db, studio.id or 0)

    def create(birth: str, expiry: str) -> None:
        performers.create_performer(
            db, actor, ProfileInput("Dora"), LegalInput("Dora Legal", birth, "passport", "P1", "RO", expiry)
        )

    with pytest.raises(ValidationFailed) as err:
        create("0001-01-01", "9999-12-31")
    assert err.value.errors == {
        "birth_date": "Check the birth date: it cannot be before 1900.",
        "doc_expiry": f"The expiry date cannot be after {day_text(add_years(today, 20))}.",
    }
    with pytest.raises(ValidationFailed) as err:
        create("1990-05-05", "1899-12-31")
    assert err.value.errors == {"doc_expiry": "The expiry date cannot be before 1 Jan 1900."}
    create("1990-05-05", add_years(today, 19).isoformat())
    stored = db.exec(select(Performer).where(Performer.stage_name == "Dora")).one()
    assert stored.birth_date == date(1990, 5, 5) and stored.doc_expiry == add_years(today, 19)


# ---------------------------------------------------------------- long text: refused, never cut


def test_room_notes_over_the_limit_are_refused_not_cut(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    with pytest.raises(ValidationFailed) as err:
        rooms.create_room(db, actor, "Room 3", "n" * 3000)
    assert err.value.errors == {"notes": "Notes can be at most 1,000 characters (you typed 3,000)."}
    with pytest.raises(ValidationFailed) as err:
        rooms.update_room(db, actor, ids["Room 1"], name="R" * 61, notes="n" * 1001)
    assert err.value.errors == {
        "name": "Room name can be at most 60 characters (you typed 61).",
        "notes": "Notes can be at most 1,000 characters (you typed 1,001).",
    }
    assert rooms.create_room(db, actor, "Room 3", "n" * 1000).notes == "n" * 1000


def test_model_notes_over_the_limit_are_refused_not_cut(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    with pytest.raises(ValidationFailed) as err:
        performers.update_profile(db, actor, ids["Anna"], ProfileInput("Anna", "active", notes="x" * 5000))
    assert err.value.errors == {"notes": "Notes can be at most 4,000 characters (you typed 5,000)."}
    saved = performers.update_profile(
        db, actor, ids["Anna"], ProfileInput("Anna", "active", notes="y" * 4000)
    )
    assert saved.notes == "y" * 4000


def test_shift_notes_reasons_and_decline_notes_are_refused_not_cut(db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    anna = performer_user(db, studio, ids["Anna"], "Anna User")
    starts, ends = shifts.local_span(SOON, time(18), time(2))
    args = {"performer_id": ids["Anna"], "room_id": ids["Room 1"], "starts": starts, "ends": ends}
    with pytest.raises(ValidationFailed) as err:
        shifts.create_shift(db, actor, notes="s" * 600, **args)  # type: ignore[arg-type]
    assert err.value.errors == {"notes": "Notes can be at most 500 characters (you typed 600)."}
    shift = shifts.create_shift(db, actor, notes="s" * 500, **args)  # type: ignore[arg-type]
    assert shift.notes == "s" * 500
    with pytest.raises(ValidationFailed) as err:
        shifts.update_shift(db, actor, shift.id, notes="t" * 501, **args)  # type: ignore[arg-type]
    assert err.value.errors == {"notes": "Notes can be at most 500 characters (you typed 501)."}
    db.commit()
    with pytest.raises(ValidationFailed) as err:
        shift_requests.request_time_off(db, anna, shift.id, "r" * 700)
    assert err.value.errors == {"reason": "The reason can be at most 500 characters (you typed 700)."}
    req = shift_requests.request_time_off(db, anna, shift.id, "Family visit")
    with pytest.raises(ValidationFailed) as err:
        shift_requests.decide_request(db, actor, req.id, approve=False, note="d" * 2000)
    assert err.value.errors == {"note": "A note can be at most 500 characters (you typed 2,000)."}
    assert db.get(ShiftRequest, req.id).status == "pending"  # type: ignore[union-attr]
    done = shift_requests.decide_request(db, actor, req.id, approve=False, note="d" * 500)
    assert done.decision_note == "d" * 500


def test_requests_page_keeps_a_long_note_whole_for_the_service_to_refuse() -> None:
    from studioos.pages.requests import RequestsState

    page = SimpleNamespace(notes={})
    RequestsState.set_note.fn(page, "7", "d" * 2000)
    assert page.notes == {"7": "d" * 2000}
