"""The Analytics page's filters: presets from a fixed today, custom ranges, the previous window of
equal length (a February against a January), and every refusal with its message."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from studioos.services import analytics, pay_periods, payroll
from studioos.services.analytics_filters import MAX_RANGE_DAYS, Filters, default_grain, period_lookup
from studioos.services.errors import ValidationFailed
from studioos.services.pay_periods import PeriodRule
from tests.factories import actor_for, make_studio

TODAY = date(2026, 2, 18)  # a Wednesday
SEMI = PeriodRule("semi_monthly", date(2024, 1, 1)).containing
WEEKLY = PeriodRule("weekly", date(2024, 1, 1)).containing


def parse(params: dict[str, str], today: date = TODAY, period_of: object = SEMI) -> Filters:
    return Filters.from_query(params, today=today, period_of=period_of)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("this_period", date(2026, 2, 16), date(2026, 2, 18)),  # so far: 16th to today
        ("last_period", date(2026, 2, 1), date(2026, 2, 15)),
        ("last_30", date(2026, 1, 20), date(2026, 2, 18)),
        ("last_90", date(2025, 11, 21), date(2026, 2, 18)),
        ("this_year", date(2026, 1, 1), date(2026, 2, 18)),
    ],
)
def test_presets_from_the_studios_today(preset: str, first: date, last: date) -> None:
    found = parse({"range": preset})
    assert (found.first_day, found.last_day, found.preset) == (first, last, preset)
    assert found.days == (last - first).days + 1


def test_weekly_pay_periods_and_the_first_day_of_a_period() -> None:
    assert (parse({"range": "this_period"}, period_of=WEEKLY).first_day) == date(2026, 2, 16)
    last = parse({"range": "last_period"}, period_of=WEEKLY)
    assert (last.first_day, last.last_day) == (date(2026, 2, 9), date(2026, 2, 15))
    # On the first day of a period, "this period" is that one day.
    one = parse({"range": "this_period"}, today=date(2026, 3, 1))
    assert (one.first_day, one.last_day) == (date(2026, 3, 1), date(2026, 3, 1))


def test_the_previous_window_has_the_same_length() -> None:
    february = Filters(date(2026, 2, 1), date(2026, 2, 28))
    assert february.previous == (date(2026, 1, 4), date(2026, 1, 31))  # 28 days, not all January
    leap = Filters(date(2028, 2, 1), date(2028, 2, 29))
    assert leap.previous == (date(2028, 1, 3), date(2028, 1, 31))
    january = Filters(date(2026, 1, 1), date(2026, 1, 31))
    assert january.previous == (date(2025, 12, 1), date(2025, 12, 31))
    assert Filters(date(2026, 3, 1), date(2026, 3, 1)).previous == (date(2026, 2, 28), date(2026, 2, 28))


def test_a_custom_range_with_every_filter_and_back_to_the_url() -> None:
    params = {
        "range": "custom",
        "from": "2026-02-01",
        "to": "2026-02-14",
        "platform": " Chaturbate ",
        "model": "12",
        "room": "3",
        "grain": "week",
    }
    found = parse(params)
    assert found == Filters(date(2026, 2, 1), date(2026, 2, 14), "Chaturbate", 12, 3, "week", "custom")
    assert parse(found.to_query()) == found
    # No range but dates: custom; no grain: bars that fit the range.
    assert parse({"from": "2026-01-01", "to": "2026-02-18"}).preset == "custom"
    assert parse({}).preset == "last_30" and parse({}).grain == "day"
    assert parse({"range": "this_year"}).grain == "day"  # 49 days
    assert default_grain(date(2026, 1, 1), date(2026, 1, 1)) == "day"
    assert default_grain(date(2026, 1, 1), date(2026, 3, 3)) == "day"  # 62 days
    assert default_grain(date(2026, 1, 1), date(2026, 3, 4)) == "week"
    assert default_grain(date(2025, 1, 1), date(2025, 12, 31)) == "week"
    assert default_grain(date(2024, 1, 1), date(2025, 12, 31)) == "month"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"range": "forever"}, "range", "Choose a range from the list."),
        ({"range": "custom", "to": "2026-02-01"}, "from", "Choose the first day."),
        ({"range": "custom", "from": "2026-02-30", "to": "2026-03-01"}, "from", "'2026-02-30' is not a date"),
        (
            {"range": "custom", "from": "2026-02-10", "to": "2026-02-01"},
            "to",
            "The range ends before it starts.",
        ),
        ({"range": "custom", "from": "2026-02-10", "to": "2026-02-19"}, "to", "The range can end today"),
        ({"range": "custom", "from": "1999-12-31", "to": "2000-01-01"}, "from", "Choose a day from"),
        (
            {"range": "custom", "from": "2020-01-01", "to": "2026-01-01"},
            "to",
            f"at most {MAX_RANGE_DAYS:,} days",
        ),
        ({"grain": "hour"}, "grain", "Show the figures by day, week or month."),
        ({"model": "abc"}, "model", "Choose a model from the list."),
        ({"model": "-3"}, "model", "Choose a model from the list."),
        ({"room": "1.5"}, "room", "Choose a room from the list."),
        ({"platform": "x" * 61}, "platform", "Choose a platform from the list."),
    ],
)
def test_bad_values_are_refused_by_name(params: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse(params)
    assert message in refused.value.errors[field]


def test_pay_periods_as_payroll_sees_them(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    # A payroll run on the weekly rule keeps its days after the studio turns to two-week periods
    # from 9 February, whose rule would put 26 January - 8 February together.
    pay_periods.update_settings(db, actor, "weekly", "USD")
    payroll.set_exchange(db, actor, date(2026, 2, 4), "USD", "1")  # runs 2 - 8 February
    db.commit()
    pay_periods.update_settings(db, actor, "biweekly", "USD", anchor=date(2026, 2, 9))
    db.commit()
    period_of = period_lookup(db, studio.id or 0)

    def days(day: date) -> tuple[date, date]:
        found = period_of(day)
        return found.starts_on, found.ends_on

    assert days(date(2026, 2, 5)) == (date(2026, 2, 2), date(2026, 2, 8))
    assert days(date(2026, 2, 20)) == (date(2026, 2, 9), date(2026, 2, 22))
    assert days(date(2026, 1, 28)) == (date(2026, 1, 26), date(2026, 2, 1))  # up to the run
    parsed = analytics.parse_filters(db, actor, {"range": "last_period"}, today=date(2026, 2, 12))
    assert (parsed.first_day, parsed.last_day) == (date(2026, 2, 2), date(2026, 2, 8))
