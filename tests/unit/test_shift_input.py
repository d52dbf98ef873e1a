"""The schedule page's forms: ShiftInput / SeriesInput parse the text the browser sends, and the
book_* / change_* calls answer every refusal under the form field it concerns."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlmodel import Session

from studioos.services import shifts
from studioos.services.errors import ValidationFailed
from studioos.services.shifts import NeedsConfirmation, SeriesInput, ShiftInput
from tests.factories import setup_studio

# A Monday a few weeks ahead: inside the booking window whatever today is, and not in the past.
SOON = date.today() + timedelta(weeks=3) - timedelta(days=date.today().weekday())

SHIFT_FORM = {
    "performer_id": "7",
    "room_id": "3",
    "day": SOON.isoformat(),
    "start_time": "18:00",
    "end_time": "02:00",
    "notes": " Bring the ring light ",
}
SERIES_FORM = {
    "performer_id": "7",
    "room_id": "3",
    "first_day": SOON.isoformat(),
    "start_time": "18:00",
    "end_time": "02:00",
    "weeks": "4",
}


def _refused(fn, *args, **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        fn(*args, **kwargs)
    return err.value.errors


# ---------------------------------------------------------------- parsing (no database)


def test_a_complete_shift_form_parses() -> None:
    parsed = ShiftInput.from_form(SHIFT_FORM)
    assert parsed == ShiftInput(7, 3, SOON, time(18), time(2), " Bring the ring light ")
    starts, ends = parsed.span()
    assert (starts.date(), ends.date()) == (SOON, SOON + timedelta(days=1))  # overnight
    # Browsers that send seconds: the minutes count.
    assert ShiftInput.from_form({**SHIFT_FORM, "start_time": "18:00:00"}).start_time == time(18)


def test_the_edit_form_without_a_notes_box_keeps_the_notes() -> None:
    form = {k: v for k, v in SHIFT_FORM.items() if k != "notes"}
    assert ShiftInput.from_form(form).notes is None


def test_an_empty_shift_form_names_every_field() -> None:
    assert _refused(ShiftInput.from_form, {}) == {
        "performer_id": "Choose a model.",
        "room_id": "Choose a room.",
        "day": "Enter the day of the shift.",
        "start_time": "Enter the start time, like 18:00.",
        "end_time": "Enter the end time, like 02:00.",
    }


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("performer_id", "Anna", "Choose a model."),
        ("performer_id", "0", "Choose a model."),
        ("performer_id", str(2**40), "Choose a model."),  # no id the database could hold
        ("room_id", "-3", "Choose a room."),
        ("room_id", "", "Choose a room."),
        ("day", "31/12/2026", "Enter the day of the shift."),
        ("day", "2026-02-30", "Enter the day of the shift."),
        ("start_time", "6pm", "Enter the start time, like 18:00."),
        ("end_time", "25:00", "Enter the end time, like 02:00."),
    ],
)
def test_each_bad_shift_value_is_named_by_its_field(field: str, raw: str, message: str) -> None:
    assert _refused(ShiftInput.from_form, {**SHIFT_FORM, field: raw}) == {field: message}


def test_a_series_edit_reads_its_day_from_the_from_day_field() -> None:
    form = {k: v for k, v in SHIFT_FORM.items() if k != "day"}
    assert ShiftInput.from_form({**form, "from_day": SOON.isoformat()}, day_field="from_day").day == SOON
    assert _refused(ShiftInput.from_form, {**form, "from_day": "soon"}, day_field="from_day") == {
        "from_day": "Enter the day of the shift."
    }


def test_the_last_day_a_date_can_hold_has_no_overnight_span() -> None:
    parsed = ShiftInput.from_form({**SHIFT_FORM, "day": "9999-12-31"})
    errors = _refused(parsed.span)
    assert list(errors) == ["day"] and errors["day"].startswith("Shifts can be booked at most 2 years ahead")


def test_a_complete_series_form_parses() -> None:
    parsed = SeriesInput.from_form(SERIES_FORM, [4, 0, "2", 0])
    assert parsed == SeriesInput(7, 3, (0, 2, 4), SOON, time(18), time(2), 4, "")


def test_an_empty_series_form_names_every_field() -> None:
    assert _refused(SeriesInput.from_form, {}, []) == {
        "performer_id": "Choose a model.",
        "room_id": "Choose a room.",
        "first_day": "Enter the first day of the series.",
        "start_time": "Enter the start time, like 18:00.",
        "end_time": "Enter the end time, like 02:00.",
        "weeks": "Enter for how many weeks, like 4.",
        "weekdays": "Choose at least one weekday.",
    }


@pytest.mark.parametrize("weekdays", [[], [7], [-1, 2], ["Mon"]])
def test_weekdays_outside_monday_to_sunday_are_refused(weekdays: list[object]) -> None:
    assert _refused(SeriesInput.from_form, SERIES_FORM, weekdays) == {
        "weekdays": "Choose at least one weekday."
    }


def test_weeks_that_are_no_number_are_refused() -> None:
    assert _refused(SeriesInput.from_form, {**SERIES_FORM, "weeks": "four"}, [0]) == {
        "weeks": "Enter for how many weeks, like 4."
    }


# ---------------------------------------------------------------- booking: refusals keyed by the form


def test_booking_refusals_name_the_forms_fields(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    form = {**SHIFT_FORM, "performer_id": str(ids["Anna"]), "room_id": str(ids["Room 1"])}
    # The booking call says "ends"; the form's field is end_time.
    errors = _refused(shifts.book_shift, db, actor, ShiftInput.from_form({**form, "end_time": "10:30"}))
    assert errors == {"end_time": "A shift can last at most 16 hours; this one lasts 16 h 30 min."}
    far = ShiftInput.from_form({**form, "day": "3000-01-01"})
    assert _refused(shifts.book_shift, db, actor, far)["day"].startswith("Shifts can be booked at most")
    errors = _refused(shifts.book_shift, db, actor, ShiftInput.from_form({**form, "notes": "x" * 501}))
    assert errors == {"notes": "Notes can be at most 500 characters (you typed 501)."}
    row = shifts.book_shift(db, actor, ShiftInput.from_form(form), confirm_blocked=True)
    assert (row.stage_name, row.notes, row.starts_local.date()) == ("Anna", "Bring the ring light", SOON)
    clash = ShiftInput.from_form({**form, "performer_id": str(ids["Bella"])})
    assert "Room 1 is already booked" in _refused(shifts.book_shift, db, actor, clash)["room_id"]


def test_series_refusals_name_the_forms_fields(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    form = {**SERIES_FORM, "performer_id": str(ids["Anna"]), "room_id": str(ids["Room 1"])}
    too_long = SeriesInput.from_form({**form, "weeks": "53"}, [0])
    assert _refused(shifts.book_series, db, actor, too_long) == {"weeks": "Repeat for 1 to 52 weeks."}
    same = SeriesInput.from_form({**form, "end_time": "18:00"}, [0])
    assert _refused(shifts.book_series, db, actor, same) == {
        "end_time": "The end must be different from the start."
    }
    # Past the booking window's end: create_series says "last_day", the form's field is weeks.
    late = (date.today() + timedelta(days=2 * 365 - 20)).isoformat()
    errors = _refused(shifts.book_series, db, actor, SeriesInput.from_form({**form, "first_day": late}, [0]))
    assert list(errors) == ["weeks"] and errors["weeks"].startswith("Shifts can be booked at most")
    result = shifts.book_series(db, actor, SeriesInput.from_form(form, [0, 2]), confirm_blocked=True)
    assert (result.created, result.first_day) == (8, SOON)


def test_a_past_booking_still_asks_with_the_yes_argument(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    yesterday = date.today() - timedelta(days=2)  # over in every time zone
    form = {**SHIFT_FORM, "performer_id": str(ids["Anna"]), "room_id": str(ids["Room 1"])}
    past = ShiftInput.from_form({**form, "day": yesterday.isoformat(), "end_time": "20:00"})
    with pytest.raises(NeedsConfirmation) as asked:
        shifts.book_shift(db, actor, past)
    assert list(asked.value.errors) == ["record_past"]  # not renamed: the page repeats with record_past=True
    assert shifts.book_shift(db, actor, past, record_past=True).starts_local.date() == yesterday


def test_edits_name_the_forms_fields(db: Session) -> None:
    _, actor, ids = setup_studio(db)
    form = {"performer_id": str(ids["Anna"]), "room_id": str(ids["Room 1"]), "start_time": "10:00",
            "end_time": "16:00"}  # fmt: skip
    series = shifts.book_series(
        db,
        actor,
        SeriesInput.from_form({**form, "first_day": SOON.isoformat(), "weeks": "3", "notes": "Wig"}, [0]),
        confirm_blocked=True,
    )
    weeks = (SOON, SOON + timedelta(weeks=3))
    first = shifts.shifts_between(db, actor, *weeks)[0].id
    assert series.created == 3
    one = ShiftInput.from_form({**form, "day": SOON.isoformat(), "end_time": "09:00"})
    assert _refused(shifts.change_shift, db, actor, first, one) == {
        "end_time": "A shift can last at most 16 hours; this one lasts 23 h."
    }
    longer = ShiftInput.from_form({**form, "day": SOON.isoformat(), "end_time": "17:00"})
    moved = shifts.change_shift(db, actor, first, longer)
    assert moved.ends_local.hour == 17 and moved.notes == "Wig"  # the edit form has no notes box
    tail = SOON + timedelta(weeks=1)
    later = ShiftInput.from_form(
        {**form, "from_day": tail.isoformat(), "start_time": "12:00"}, day_field="from_day"
    )
    assert shifts.change_series_from(db, actor, first, later) == 2
    assert [s.starts_local.hour for s in shifts.shifts_between(db, actor, *weeks)] == [10, 12, 12]
    gone = ShiftInput.from_form({**form, "from_day": "1800-01-01"}, day_field="from_day")
    assert list(_refused(shifts.change_series_from, db, actor, first, gone)) == ["from_day"]
