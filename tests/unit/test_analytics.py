"""Analytics on a hand-built studio (tests/analytics_data.py): every KPI and chart equals the numbers
worked out by hand, on SQLite and PostgreSQL.

The February records, with their worth in cents (Chaturbate and Stripchat 0.05 USD a token,
BongaCams 0.025, Chaturbate 0.04 from 15 February; LiveJasmin reports money):

    Anna   Chaturbate  2 Feb ledger: 100 (BigTipper, 23:30) + 240 (NightOwl, 10:15)  =  1700
                       2 Feb daily 900 tokens, 180 min: set aside by the counting rule =     0
                      10 Feb daily 500 tokens, 240 min                                =  2500
                      20 Feb ledger: 333 at 0.04 (BigTipper) - 50 at 0.04 (NightOwl)  =  1132
           LiveJasmin  3 Feb daily 120.10 USD, 300 min                                = 12010
                                                                              Anna:     17342
    Bella  Stripchat   5 Feb daily 1001 tokens, 120 min                               =  5005
                      14 Feb ledger 7 (ShyGuy, 03:00)                                 =    35
                      28 Feb daily 200 tokens and 9.99 USD: the money only            =   999
           BongaCams  27 Feb daily 333 tokens, 60 min                                 =   832.5
                                                                              Bella:     6871.5

Gross 24213.5 -> 24214 cents; online 720 + 180 = 900 minutes.
The previous window of February (28 days) is 4-31 January: Anna 1000 (4 Jan) + 250 (20 Jan),
Carla 2000 (15 Jan), Bella 500 (31 Jan) = 3750; Anna's 5000 of 3 January is outside it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session

from studioos.models import Performer
from studioos.services import analytics, earnings, payroll, studio_cache
from studioos.services.analytics import Filters
from studioos.services.analytics_scope import cents, cents_array
from studioos.services.analytics_sql import millicents_per_token, utc_offsets
from tests.analytics_data import FEB, TODAY, build

KPIS_FEB = {
    # key: (value, previous, change)
    "gross": (24214, 3750, 54571),  # (24214 - 3750) / 3750 = 545.7067 %
    # Monthly pay periods, February whole: Anna 60 % of 17342 = 10405.2 -> 10405, Bella 50 % of
    # 6871.5 = 3435.75 -> 3436. January's window is part of January's period, so each share is
    # prorated: Anna 60 % of 6250 (the whole month) x 1250 / 6250 = 750, Carla 40 % of 2000 = 800
    # (her whole month, but the period reaches before the window), Bella 50 % of 500 = 250.
    "model_payouts": (13841, 1800, 66894),
    "studio_share": (24214 - 13841, 3750 - 1800, 43195),
    "hours_online": (900, 180, 40000),  # minutes: 15 h against 3 h (Anna 60, Carla 120)
    "per_hour": (1614, 1250, 2912),  # 24213.5 / 15 = 1614.23; 3750 / 3 = 1250
    "active_models": (2, 3, -3333),
    # February: Anna's 2 Feb and Bella's 5 Feb checked in, two no-shows, Carla's shift cancelled.
    # January: two of Anna's checked in, Carla's no-show: 6666.67 -> 6667 bp.
    "attendance": (5000, 6667, -1667),
    # BigTipper 1832 + NightOwl 1000 + ShyGuy 35 = 2867 of 24213.5 = 11.84 %; January 250 of 3750.
    "top_members_share": (1184, 667, 517),
}


def _feb(db: Session, **kw: object) -> analytics.Analytics:
    hand = build(db)
    studio_cache.clear()
    return analytics.dashboard(db, hand.owner, Filters(*FEB, **kw), today=TODAY)  # type: ignore[arg-type]


def test_every_kpi_and_chart_of_february(db: Session) -> None:
    a = _feb(db, grain="week")
    assert {k.key: (k.value, k.previous, k.change_bp) for k in a.kpis} == KPIS_FEB
    assert a.kpi("attendance").change_kind == "points" and a.kpi("gross").change_kind == "relative"
    assert (a.previous_first, a.previous_last) == (date(2026, 1, 4), date(2026, 1, 31))
    assert (a.timezone, a.currency, a.personal, a.members_named) == ("America/Bogota", "USD", False, True)
    assert (a.has_data, a.empty_reason) == (True, "")

    # Platforms, the largest first, each with its own colour everywhere.
    assert a.platforms == ("LiveJasmin", "Stripchat", "Chaturbate", "BongaCams")
    assert a.colours == ("#C9A227", "#A2262E", "#F47321", "#8E44AD")
    # Weeks run Monday to Sunday, clipped to the range: 1 February is a Sunday.
    assert [(r.first_day.day, r.last_day.day, r.values_cents, r.total_cents) for r in a.series] == [
        (1, 1, (0, 0, 0, 0), 0),
        (2, 8, (12010, 5005, 1700, 0), 18715),
        (9, 15, (0, 35, 2500, 0), 2535),
        (16, 22, (0, 0, 1132, 0), 1132),
        (23, 28, (0, 999, 0, 833), 1832),  # 832.5 -> 833 in its cell; 1831.5 -> 1832 in total
    ]

    # Top models with the previous window, their time online, per hour and payout.
    assert [
        (m.stage_name, m.gross_cents, m.previous_cents, m.change_bp, m.online_minutes, m.per_hour_cents)
        for m in a.top_models
    ] == [
        ("Anna", 17342, 1250, 128736, 720, 1445),  # 17342 / 12 h = 1445.17
        ("Bella", 6872, 500, 127440, 180, 2291),  # 6871.5 / 3 h = 2290.5 -> 2291
    ]
    assert [(m.stage_name, m.payout_cents) for m in a.top_models] == [("Anna", 10405), ("Bella", 3436)]
    assert [m.stage_name for m in a.per_hour] == ["Bella", "Anna"]

    # The heatmap: ledger entries on the studio's clock (Bogota, UTC-5); 2 Feb is a Monday.
    assert len(a.heatmap) == 7 * 24
    assert {(c.weekday, c.hour): (c.value_cents, c.entries) for c in a.heatmap if c.entries} == {
        (0, 10): (1200, 1),
        (0, 23): (500, 1),  # 23:30 local, 04:30 UTC on the 3rd: still Monday night
        (4, 21): (1132, 2),  # the tip and the refund of Friday 20 February
        (5, 3): (35, 1),
    }
    assert a.heatmap_untimed_cents == 21347  # 24213.5 - 2867: the daily figures, which have no time

    # Rooms over 28 days (40320 minutes each). Room 1: Anna 8 h on 2 Feb and her 6 h no-show of
    # 10 Feb, which cost her 17342 / 12 h x 6 h = 8671. Room 2: Bella 6 h and her 3 h no-show
    # (6871.5 / 3 h x 3 h = 6871.5 -> 6872); Carla's cancelled shift does not count.
    assert [
        (r.name, r.available_minutes, r.scheduled_minutes, r.use_bp, r.shifts, r.no_shows) for r in a.rooms
    ] == [("Room 1", 40320, 840, 208, 2, 1), ("Room 2", 40320, 540, 134, 2, 1)]
    assert [(r.no_show_minutes, r.no_show_cost_cents) for r in a.rooms] == [(360, 8671), (180, 6872)]

    assert [(p.platform, p.value_cents, p.share_bp) for p in a.platform_mix] == [
        ("LiveJasmin", 12010, 4960),
        ("Stripchat", 6039, 2494),
        ("Chaturbate", 5332, 2202),
        ("BongaCams", 833, 344),
    ]
    assert [(m.rank, m.label, m.platform, m.value_cents, m.entries, m.share_bp) for m in a.top_members] == [
        (1, "BigTipper", "Chaturbate", 1832, 2, 757),
        (2, "NightOwl", "Chaturbate", 1000, 2, 413),  # 1200 private show - 200 refund
        (3, "ShyGuy", "Stripchat", 35, 1, 14),
    ]
    # BigTipper first tipped in January: only NightOwl and ShyGuy are February's newcomers.
    assert [(c.month, c.members, c.retained) for c in a.cohorts] == [(date(2026, 2, 1), 2, ())]


def test_by_day_and_by_month(db: Session) -> None:
    hand = build(db)
    by_day = analytics.dashboard(db, hand.owner, Filters(*FEB, grain="day"), today=TODAY)
    assert len(by_day.series) == 28
    assert {r.first_day.day: r.values_cents for r in by_day.series if r.total_cents} == {
        2: (0, 0, 1700, 0),
        3: (12010, 0, 0, 0),
        5: (0, 5005, 0, 0),
        10: (0, 0, 2500, 0),
        14: (0, 35, 0, 0),
        20: (0, 0, 1132, 0),
        27: (0, 0, 0, 833),
        28: (0, 999, 0, 0),
    }
    by_month = analytics.dashboard(db, hand.owner, Filters(*FEB, grain="month"), today=TODAY)
    assert [(r.first_day, r.last_day, r.values_cents, r.total_cents) for r in by_month.series] == [
        (date(2026, 2, 1), date(2026, 2, 28), (12010, 6039, 5332, 833), 24214)
    ]


def test_gross_and_models_equal_the_earnings_page_and_payouts_equal_payroll(db: Session) -> None:
    hand = build(db)
    a = analytics.dashboard(db, hand.owner, Filters(*FEB), today=TODAY)
    page = earnings.summary(db, hand.owner, *FEB)
    assert a.kpi("gross").value == page.gross_cents == 24214
    assert {m.performer_id: m.gross_cents for m in a.top_models} == {
        m.performer_id: m.gross_cents for m in page.by_model
    }
    assert a.kpi("hours_online").value == page.online_minutes
    assert dict((p.platform, p.value_cents) for p in a.platform_mix) == dict(page.by_platform)
    # February is one whole monthly period: the payouts are payroll's shares to the cent.
    pay = payroll.payroll(db, hand.owner, FEB[0])
    assert a.kpi("model_payouts").value == pay.model_share_cents == 13841
    assert {m.performer_id: m.payout_cents for m in a.top_models} == {
        line.performer_id: line.model_share_cents for line in pay.lines
    }
    # The same for January against the earnings page (a window of other days, other records).
    january = analytics.dashboard(db, hand.owner, Filters(date(2026, 1, 1), date(2026, 1, 31)), today=TODAY)
    assert (
        january.kpi("gross").value
        == earnings.summary(db, hand.owner, date(2026, 1, 1), date(2026, 1, 31)).gross_cents
    )
    assert (
        january.kpi("model_payouts").value
        == payroll.payroll(db, hand.owner, date(2026, 1, 1)).model_share_cents
    )


def test_a_locked_period_keeps_its_frozen_shares(db: Session) -> None:
    hand = build(db)
    payroll.lock(db, hand.owner, date(2026, 1, 15))
    db.commit()
    anna = db.get(Performer, hand.ids["Anna"])
    assert anna is not None
    anna.payout_split = Decimal(70)  # after January was locked at 60 %
    db.add(anna)
    db.commit()
    a = analytics.dashboard(db, hand.owner, Filters(*FEB), today=TODAY)
    # January (the previous window) keeps Anna's locked 60 %: 750 + 800 + 250.
    assert a.kpi("model_payouts").previous == 1800
    # February is open: 70 % of 17342 = 12139.4 -> 12139, and Bella's 3436.
    assert a.kpi("model_payouts").value == 12139 + 3436
    assert a.kpi("studio_share").value == 24214 - 12139 - 3436


def test_a_range_across_pay_periods_prorates_each_period(db: Session) -> None:
    hand = build(db)
    # 16 January - 15 February touches two monthly periods, each in part (Carla's 15 January is
    # outside it).
    a = analytics.dashboard(db, hand.owner, Filters(date(2026, 1, 16), date(2026, 2, 15)), today=TODAY)
    # Anna: 250 (20 Jan) of January's 6250, and 1700 + 12010 + 2500 = 16210 of February's 17342:
    # 60 % x 6250 x 250 / 6250 = 150; 10405.2 x 16210 / 17342 = 9726 exactly.
    # Bella: 31 Jan 500 of 500, but her period reaches before the range: 250 x 500 / 500 = 250;
    # February 5005 + 35 = 5040 of 6871.5: 3435.75 x 5040 / 6871.5 = 2520.
    assert a.kpi("gross").value == 250 + 16210 + 500 + 5040
    assert a.kpi("model_payouts").value == 150 + 9726 + 250 + 2520


def test_filters_narrow_every_figure(db: Session) -> None:
    hand = build(db)
    # Room 1: Anna's shift of 2 February runs past midnight, so her 2 and 3 February count (the
    # no-show of 10 February does not): 1700 + 12010 = 13710, 180 + 300 minutes.
    room = analytics.dashboard(db, hand.owner, Filters(*FEB, room_id=hand.ids["Room 1"]), today=TODAY)
    assert {k.key: (k.value, k.previous) for k in room.kpis} == {
        "gross": (13710, 250),  # January: her shift of 20 January, BigTipper's 250
        "model_payouts": (8226, 150),  # 60 % of the part: the period's share x 13710 / 17342
        "studio_share": (13710 - 8226, 100),
        "hours_online": (480, 0),
        "per_hour": (1714, None),  # 13710 / 8 h = 1713.75
        "active_models": (1, 1),
        "attendance": (5000, 10000),
        "top_members_share": (1240, 10000),  # 1700 of 13710
    }
    assert [r.name for r in room.rooms] == ["Room 1"]
    assert [c.entries for c in room.heatmap if c.entries] == [1, 1]

    platform = analytics.dashboard(db, hand.owner, Filters(*FEB, platform="Stripchat"), today=TODAY)
    assert platform.kpi("gross").value == 6039
    assert platform.platforms == ("Stripchat",)
    # Bella's Stripchat part of her February: 3435.75 x 6039 / 6871.5 = 3019.5 -> 3020.
    assert platform.kpi("model_payouts").value == 3020
    assert [m.label for m in platform.top_members] == ["ShyGuy"]

    bella = analytics.dashboard(db, hand.owner, Filters(*FEB, performer_id=hand.ids["Bella"]), today=TODAY)
    assert (bella.kpi("gross").value, bella.kpi("gross").previous) == (6872, 500)
    assert [m.stage_name for m in bella.top_models] == ["Bella"]
    assert [r.name for r in bella.rooms] == ["Room 1", "Room 2"]
    assert [(r.scheduled_minutes, r.no_shows) for r in bella.rooms] == [(0, 0), (540, 1)]

    nothing = analytics.dashboard(db, hand.owner, Filters(*FEB, platform="CamSoda"), today=TODAY)
    assert nothing.kpi("gross").value == 0 and nothing.series[1].total_cents == 0
    assert (
        nothing.empty_reason
        == "No earnings match these filters in 1 Feb – 28 Feb 2026: widen the range or clear a filter."
    )
    assert nothing.has_data  # the shifts of the range are still there


def test_cohorts_over_three_months(db: Session) -> None:
    hand = build(db)
    a = analytics.dashboard(db, hand.owner, Filters(date(2026, 1, 1), date(2026, 3, 31)), today=TODAY)
    # January: BigTipper, who tipped again in February, not in March. February: NightOwl (again
    # in March) and ShyGuy. March: NewFan.
    assert [(c.month, c.members, c.retained) for c in a.cohorts] == [
        (date(2026, 1, 1), 1, (1, 0)),
        (date(2026, 2, 1), 2, (1,)),
        (date(2026, 3, 1), 1, ()),
    ]
    # A model's cohorts are her members: Bella has only ShyGuy.
    bella = analytics.dashboard(
        db,
        hand.owner,
        Filters(date(2026, 1, 1), date(2026, 3, 31), performer_id=hand.ids["Bella"]),
        today=TODAY,
    )
    assert [(c.month, c.members, c.retained) for c in bella.cohorts] == [
        (date(2026, 1, 1), 0, (0, 0)),
        (date(2026, 2, 1), 1, (0,)),
        (date(2026, 3, 1), 0, ()),
    ]


def test_the_drill_down_lists_that_days_records(db: Session) -> None:
    hand = build(db)
    page = analytics.day_records(db, hand.owner, Filters(*FEB), date(2026, 2, 2), today=TODAY)
    assert page.total == 3
    assert [
        (r.local_time, r.member, r.entry_type, r.tokens, r.value_cents, r.online_minutes, r.counted)
        for r in page.rows
    ] == [
        ("10:15", "NightOwl", "private", 240, 1200, 0, True),
        ("23:30", "BigTipper", "tip", 100, 500, 0, True),
        ("", "", "", 900, 0, 180, False),  # the daily figure the ledger entries replace
    ]
    assert sum(r.value_cents for r in page.rows) == a_day(db, hand, date(2026, 2, 2))
    second = analytics.day_records(
        db, hand.owner, Filters(*FEB), date(2026, 2, 2), page=2, per_page=2, today=TODAY
    )
    assert [r.online_minutes for r in second.rows] == [180] and second.total == 3


def a_day(db: Session, hand: object, day: date) -> int:
    owner = hand.owner  # type: ignore[attr-defined]
    view = analytics.dashboard(db, owner, Filters(day, day), today=TODAY)
    return view.series[0].total_cents


def test_an_empty_studio_says_why(db: Session) -> None:
    from tests.factories import actor_for, make_studio

    studio, owner = make_studio(db, "Empty Studio")
    actor = actor_for(db, owner, studio)
    a = analytics.dashboard(db, actor, Filters(*FEB), today=TODAY)
    assert not a.has_data and a.kpi("gross").value == 0 and a.kpi("per_hour").value is None
    assert a.empty_reason.startswith("No earnings have been entered or imported yet")
    assert a.top_models == () and a.top_members == () and len(a.heatmap) == 168
    assert [c.members for c in a.cohorts] == [0]


# ---------------------------------------------------------------- the arithmetic (pure)


def test_rounding_is_half_up_once_like_payroll() -> None:
    assert [cents(v) for v in (1500, 1499, -1500, -1499, 832_500, 0)] == [2, 1, -2, -1, 833, 0]
    import numpy as np

    values = np.array([1500, 1499, -1500, -1499, 832_500, 0], dtype="int64")
    assert cents_array(values).tolist() == [2, 1, -2, -1, 833, 0]
    assert millicents_per_token(Decimal("0.05")) == 5000
    assert millicents_per_token(Decimal("0.04375")) == 4375
    with pytest.raises(ValueError):
        millicents_per_token(Decimal("0.000001"))


def test_the_zones_offsets_change_at_the_right_second() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/New_York")
    lo, hi = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert utc_offsets(zone, lo, hi) == [
        (lo, -5 * 3600),
        (datetime(2026, 3, 8, 7, tzinfo=UTC), -4 * 3600),  # 02:00 EST
        (datetime(2026, 11, 1, 6, tzinfo=UTC), -5 * 3600),  # 02:00 EDT
    ]
    assert utc_offsets(ZoneInfo("America/Bogota"), lo, hi) == [(lo, -5 * 3600)]
