"""One way to write dates, times and money: the studio's clock, its country's conventions, cents exact."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from studioos.services.formatting import Formats, for_studio, locale_for_timezone, room_label
from studioos.services.studios import StudioInfo
from studioos.ui.format import local_time

BUCHAREST = Formats("Europe/Bucharest", "EUR")
NEW_YORK = Formats("America/New_York", "USD")
# 08:24 UTC on a winter day: 10:24 in Bucharest (UTC+2), 03:24 in New York (UTC-5).
INSTANT = datetime(2026, 12, 20, 8, 24, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "locale"),
    [
        ("Europe/Bucharest", "en_RO"),
        ("America/New_York", "en_US"),
        ("Europe/London", "en_GB"),
        ("America/Bogota", "en_001"),  # CLDR has no en_CO: world English, day first
        ("UTC", "en_001"),
        ("", "en_001"),
        ("Not/AZone", "en_001"),
    ],
)
def test_the_locale_follows_the_studios_country(tz: str, locale: str) -> None:
    assert locale_for_timezone(tz) == locale


def test_times_are_on_the_studios_clock_not_utc() -> None:
    assert BUCHAREST.clock(INSTANT) == "10:24"
    assert BUCHAREST.moment(INSTANT) == "20 Dec 2026, 10:24"
    assert NEW_YORK.moment(INSTANT) == "Dec 20, 2026, 3:24\u202fAM"
    assert "UTC" not in BUCHAREST.moment(INSTANT)
    # The page helper every table already used says the same thing.
    assert local_time(INSTANT, "Europe/Bucharest") == "20 Dec 2026, 10:24"


def test_an_instant_near_midnight_lands_on_the_studios_day() -> None:
    late = datetime(2026, 12, 20, 23, 30, tzinfo=UTC)
    assert BUCHAREST.moment(late) == "21 Dec 2026, 01:30"
    assert BUCHAREST.day(late) == "21 Dec 2026"  # an instant's day is the studio's day too


def test_dates_read_the_same_way_everywhere_in_one_studio() -> None:
    day = date(2026, 12, 20)
    assert BUCHAREST.day(day) == "20 Dec 2026"
    assert BUCHAREST.numeric_date(day) == "20/12/2026"
    assert BUCHAREST.date_pattern_hint() == "dd/mm/yyyy"
    assert NEW_YORK.day(day) == "Dec 20, 2026"
    assert NEW_YORK.date_pattern_hint() == "mm/dd/yyyy"
    assert BUCHAREST.weekday_date(day) == "Sun 20 Dec"
    assert NEW_YORK.weekday_date(day) == "Sun Dec 20"
    assert (BUCHAREST.weekday_day(day), NEW_YORK.weekday_day(day)) == ("Sun 20 Dec 2026", "Sun Dec 20, 2026")
    assert BUCHAREST.date_range(date(2026, 12, 1), day) == "1 Dec – 20 Dec 2026"
    assert BUCHAREST.date_range(day, date(2027, 1, 3)) == "20 Dec 2026 – 3 Jan 2027"


def test_recent_moments_drop_what_the_reader_already_knows() -> None:
    now = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    assert BUCHAREST.when(INSTANT, now=now) == "10:24"
    assert BUCHAREST.when(datetime(2026, 12, 18, 8, 24, tzinfo=UTC), now=now) == "18 Dec, 10:24"
    assert BUCHAREST.when(datetime(2025, 12, 18, 8, 24, tzinfo=UTC), now=now) == "18 Dec 2025, 10:24"


def test_money_is_exact_cents_in_the_studios_currency() -> None:
    assert NEW_YORK.money(123450) == "$1,234.50"
    assert NEW_YORK.money(-5) == "-$0.05"
    # Past float's 2**53 a float would lose the last cent; Decimal keeps it.
    assert NEW_YORK.money(10**17 + 1) == "$1,000,000,000,000,000.01"
    assert BUCHAREST.money(123450) == "1.234,50\u00a0€"
    assert BUCHAREST.money(100, "RON") == "1,00\u00a0RON"


def test_a_studio_row_or_info_gives_its_formats() -> None:
    fmt = for_studio(StudioInfo(name="S", timezone="Europe/Bucharest", currency="EUR"))
    assert fmt == BUCHAREST
    assert for_studio(None).moment(INSTANT) == "20 Dec 2026, 8:24\u202fam"


@pytest.mark.parametrize(
    ("name", "label"), [("Room 5", "Room 5"), ("room 5", "room 5"), ("5", "Room 5"), ("Blue", "Room Blue")]
)
def test_a_room_is_named_once(name: str, label: str) -> None:
    assert room_label(name) == label


def test_the_calendar_shows_shifts_the_studios_way_and_keeps_input_values_24_hour() -> None:
    from studioos.services.shifts import ShiftRow
    from studioos.ui.calendar import ShiftCell, week_label

    row = ShiftRow(
        id=1,
        performer_id=2,
        stage_name="Anna",
        room_id=3,
        room_name="Room 1",
        series_id=None,
        starts_at=datetime(2026, 12, 20, 23, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 21, 7, 0, tzinfo=UTC),
        starts_local=datetime(2026, 12, 20, 18, 0),
        ends_local=datetime(2026, 12, 21, 2, 0),
        status="scheduled",
        attendance="checked_in",
        late=False,
        no_show=False,
        checked_in_local=datetime(2026, 12, 20, 17, 55),
        checked_out_local=None,
        notes="",
    )
    shown = ShiftCell.of(row, NEW_YORK)
    assert (shown.day_label, shown.time) == ("Sun Dec 20", "6:00\u202fPM–2:00\u202fAM (+1)")
    assert (shown.checked_in, shown.in_at) == (True, "5:55\u202fPM")
    assert (shown.start, shown.end) == ("18:00", "02:00")  # what <input type=time> takes
    assert ShiftCell.of(row, BUCHAREST).time == "18:00–02:00 (+1)"
    assert week_label(date(2026, 12, 14), NEW_YORK) == "Dec 14 – Dec 20, 2026"
    assert week_label(date(2026, 12, 28), BUCHAREST) == "28 Dec 2026 – 3 Jan 2027"
