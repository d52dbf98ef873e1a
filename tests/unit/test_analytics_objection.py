"""A model objects to being included in the studio's analytics (privacy centre, "Restrict or
object"): staff's charts, exports, filter options and the dashboard's ranking leave her out; her
own view, the earnings page and payroll keep her; only she sets it; it is audited; no cached
figure from before it is served after it.

The hand-built studio of tests/analytics_data.py; Anna objects. February without Anna is Bella
alone (tests/unit/test_analytics.py has the arithmetic): 5005 + 35 + 999 + 832.5 = 6871.5 ->
6872 cents, 180 minutes online, her payout 50 % = 3436, ShyGuy her one member. The previous
window (4-31 January) without Anna: Carla 2000 + Bella 500.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, col, select

from studioos.models import AuditLog, EarningRecord, RecordKind, RecordSource, Role, Studio
from studioos.services import analytics, audit, dashboard, earnings, payroll, studio_cache, weekly_report
from studioos.services.analytics import Filters
from studioos.services.analytics_export import chart_csv, workbook_xlsx
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor
from studioos.services.privacy_choices import (
    AnalyticsChoice,
    analytics_choice,
    set_analytics_objection,
)
from tests.analytics_data import FEB, TODAY, Hand, build
from tests.factories import actor_for, add_member, make_studio, new_performer, performer_user

OBJECTED_AT = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
LEFT_OUT = "Anna asked to be left out of analytics."


def _setup(db: Session) -> tuple[Hand, Actor]:
    hand = build(db)
    anna = performer_user(db, hand.studio, hand.ids["Anna"], name="Anna's account")
    studio_cache.clear()
    return hand, anna


def _feb(db: Session, actor: Actor, **kw: object) -> analytics.Analytics:
    return analytics.dashboard(db, actor, Filters(*FEB, **kw), today=TODAY)  # type: ignore[arg-type]


def _object(db: Session, anna: Actor, objected: bool = True) -> AnalyticsChoice:
    choice = set_analytics_objection(db, anna, objected, now=OBJECTED_AT)
    db.commit()
    return choice


def _models(view: analytics.Analytics) -> set[int]:
    return {m.performer_id for m in (*view.top_models, *view.per_hour)}


def test_staff_analytics_leave_an_objecting_model_out_entirely(db: Session) -> None:
    hand, anna = _setup(db)
    analyst = actor_for(db, add_member(db, hand.studio, Role.ANALYST), hand.studio)
    before = _feb(db, hand.owner)
    assert before.kpi("gross").value == 24214 and hand.ids["Anna"] in _models(before)

    assert _object(db, anna) == AnalyticsChoice(applies=True, objected=True, objected_at=OBJECTED_AT)

    for staff in (hand.owner, analyst):
        view = _feb(db, staff, grain="week")
        assert {k.key: (k.value, k.previous) for k in view.kpis} == {
            "gross": (6872, 2500),
            "model_payouts": (3436, 1050),  # January: Carla 800, Bella 250
            "studio_share": (6872 - 3436, 2500 - 1050),
            "hours_online": (180, 120),
            "per_hour": (2291, 1250),  # 6871.5 / 3 h; 2500 / 2 h (Carla's)
            "active_models": (1, 2),
            "attendance": (5000, 0),  # Bella's two shifts; January only Carla's no-show
            "top_members_share": (51, 0),  # ShyGuy 35 of 6871.5; in January no member tipped them
        }
        assert _models(view) == {hand.ids["Bella"]}
        assert view.platforms == ("Stripchat", "BongaCams")
        assert sum(r.total_cents for r in view.series) == 6872
        assert [c.entries for c in view.heatmap if c.entries] == [1]  # ShyGuy's, not Anna's tips
        assert [m.value_cents for m in view.top_members] == [35]
        assert [(c.month, c.members) for c in view.cohorts] == [(date(2026, 2, 1), 1)]
        # Room 1 was hers alone: listed (it is active) with nothing booked in it.
        assert [(r.name, r.scheduled_minutes, r.shifts) for r in view.rooms] == [
            ("Room 1", 0, 0),
            ("Room 2", 540, 2),
        ]
        # The drill-down of a day with only her records holds nothing.
        assert analytics.day_records(db, staff, Filters(*FEB), date(2026, 2, 2), today=TODAY).total == 0
        assert analytics.day_records(db, staff, Filters(*FEB), date(2026, 2, 5), today=TODAY).total == 1
    # The room filter finds none of her days either.
    room = _feb(db, hand.owner, room_id=hand.ids["Room 1"])
    assert room.kpi("gross").value == 0 and room.top_models == ()


def test_exports_and_the_filter_options_leave_her_out(db: Session) -> None:
    hand, anna = _setup(db)
    staff_options = analytics.model_options(db, hand.owner)
    assert list(staff_options) == [hand.ids["Anna"], hand.ids["Bella"], hand.ids["Carla"]]
    assert "Anna" in chart_csv(_feb(db, hand.owner), "top_models")

    _object(db, anna)
    view = _feb(db, hand.owner)
    assert chart_csv(view, "top_models").splitlines()[1:] == ["Bella,68.72,5.00,1274.40,3.00,22.91,34.36"]
    assert "Anna" not in chart_csv(view, "per_hour")
    assert chart_csv(view, "top_members").splitlines()[1:] == ["1,ShyGuy,Stripchat,0.35,1,0.51"]

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    book = load_workbook(io.BytesIO(workbook_xlsx(view)))
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row]
    assert "Bella" in cells and "Anna" not in cells
    kpis = {row[0]: row[2] for row in book["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert str(kpis["Gross"]) == "68.72"

    # Staff no longer find her in the model filter; she still finds herself in her own.
    assert list(analytics.model_options(db, hand.owner)) == [hand.ids["Bella"], hand.ids["Carla"]]
    assert analytics.model_options(db, anna) == {hand.ids["Anna"]: "Anna"}


def test_staff_filtering_on_her_are_told_why(db: Session) -> None:
    hand, anna = _setup(db)
    _object(db, anna)
    mine = Filters(*FEB, performer_id=hand.ids["Anna"])
    with pytest.raises(ValidationFailed) as refused:
        analytics.dashboard(db, hand.owner, mine, today=TODAY)
    assert refused.value.errors == {"performer_id": LEFT_OUT} and refused.value.message == LEFT_OUT
    with pytest.raises(ValidationFailed) as refused:
        analytics.day_records(db, hand.owner, mine, date(2026, 2, 2), today=TODAY)
    assert refused.value.errors == {"performer_id": LEFT_OUT}
    # Another model is still hers to filter on.
    assert _feb(db, hand.owner, performer_id=hand.ids["Bella"]).kpi("gross").value == 6872


def test_her_own_view_earnings_and_payroll_keep_her(db: Session) -> None:
    hand, anna = _setup(db)
    own_before = _feb(db, anna)
    day_before = analytics.day_records(db, anna, Filters(*FEB), date(2026, 2, 2), today=TODAY)
    _object(db, anna)

    own = _feb(db, anna)
    assert own == own_before and own.kpi("gross").value == 17342 and own.personal
    assert analytics.day_records(db, anna, Filters(*FEB), date(2026, 2, 2), today=TODAY) == day_before
    # Payroll needs her: the earnings page and payroll are not analytics.
    page = earnings.summary(db, hand.owner, *FEB)
    assert page.gross_cents == 24214
    assert {m.stage_name: m.gross_cents for m in page.by_model} == {"Anna": 17342, "Bella": 6872}
    pay = payroll.payroll(db, hand.owner, FEB[0])
    assert pay.model_share_cents == 13841
    assert {line.performer_id: line.model_share_cents for line in pay.lines}[hand.ids["Anna"]] == 10405


def test_withdrawing_brings_her_back(db: Session) -> None:
    hand, anna = _setup(db)
    before = _feb(db, hand.owner)
    _object(db, anna)
    assert _feb(db, hand.owner).kpi("gross").value == 6872

    withdrawn = _object(db, anna, objected=False)
    assert withdrawn == AnalyticsChoice(applies=True, objected=False, objected_at=None)
    assert analytics_choice(db, anna) == withdrawn
    assert _feb(db, hand.owner) == before
    assert hand.ids["Anna"] in analytics.model_options(db, hand.owner)


def test_each_change_is_in_the_studios_audit_log_once(db: Session) -> None:
    hand, anna = _setup(db)
    _object(db, anna)
    # Objecting again changes nothing: the first time stays, no second row.
    again = set_analytics_objection(db, anna, True, now=datetime(2026, 3, 25, tzinfo=UTC))
    db.commit()
    assert again.objected_at == OBJECTED_AT
    _object(db, anna, objected=False)
    _object(db, anna, objected=False)
    rows = db.exec(
        select(AuditLog)
        .where(col(AuditLog.action).startswith("privacy.analytics"))
        .order_by(col(AuditLog.id))
    ).all()
    assert [(r.action, r.studio_id, r.actor_user_id, r.target, r.detail) for r in rows] == [
        (
            "privacy.analytics_objection",
            hand.studio.id,
            anna.user_id,
            f"performer:{hand.ids['Anna']}",
            "Anna",
        ),
        (
            "privacy.analytics_objection_withdrawn",
            hand.studio.id,
            anna.user_id,
            f"performer:{hand.ids['Anna']}",
            "Anna",
        ),
    ]
    assert audit.action_label("privacy.analytics_objection") == "Model asked to be left out of analytics"
    assert audit.action_label("privacy.analytics_objection_withdrawn") == "Model back in analytics"


def test_only_a_model_with_her_own_profile_can_object(db: Session) -> None:
    hand, anna = _setup(db)
    manager = actor_for(db, add_member(db, hand.studio, Role.MANAGER), hand.studio)
    analyst = actor_for(db, add_member(db, hand.studio, Role.ANALYST), hand.studio)
    unlinked = actor_for(db, add_member(db, hand.studio, Role.PERFORMER), hand.studio)
    support = Actor(
        user_id=anna.user_id + 1000,
        email="help@example.com",
        name="Support",
        studio_id=None,
        role=None,
        is_support=True,
    )
    # Anna's account acting in a studio she is not a member of.
    other, _ = make_studio(db, "Studio B")
    elsewhere = replace(anna, studio_id=other.id)
    for nobody in (hand.owner, manager, analyst, unlinked, support, elsewhere):
        assert analytics_choice(db, nobody) == AnalyticsChoice(
            applies=False, objected=False, objected_at=None
        )
        with pytest.raises(ValidationFailed) as refused:
            set_analytics_objection(db, nobody, True)
        assert list(refused.value.errors) == ["objected"]
    db.commit()
    assert analytics_choice(db, anna) == AnalyticsChoice(applies=True, objected=False, objected_at=None)
    assert _feb(db, hand.owner).kpi("gross").value == 24214
    assert db.exec(select(AuditLog).where(col(AuditLog.action).startswith("privacy.analytics"))).all() == []


def test_another_studios_objection_changes_nothing_here(db: Session) -> None:
    hand, _anna = _setup(db)
    other, owner_b = make_studio(db, "Studio B")
    owner_b_actor = actor_for(db, owner_b, other)
    anna_b = performer_user(db, other, new_performer(db, owner_b_actor, "Anna"), name="Anna B")
    assert set_analytics_objection(db, anna_b, True).objected
    db.commit()
    assert _feb(db, hand.owner).kpi("gross").value == 24214
    assert hand.ids["Anna"] in analytics.model_options(db, hand.owner)


def test_a_cached_figure_is_not_served_after_the_objection(db: Session) -> None:
    hand, anna = _setup(db)
    revision = db.exec(select(Studio.revision).where(Studio.id == hand.studio.id)).one()
    first = _feb(db, hand.owner)
    hits = studio_cache.stats()["hits"]
    assert _feb(db, hand.owner) == first and studio_cache.stats()["hits"] == hits + 1  # served kept

    _object(db, anna)
    # Writing her profile raised the studio's revision: every figure kept before is stale.
    assert db.exec(select(Studio.revision).where(Studio.id == hand.studio.id)).one() > revision
    assert _feb(db, hand.owner).kpi("gross").value == 6872
    _object(db, anna, objected=False)
    assert _feb(db, hand.owner).kpi("gross").value == 24214


def test_the_dashboard_ranking_and_the_weekly_report_leave_her_out(db: Session) -> None:
    hand, anna = _setup(db)
    # A record in today's pay period, whatever day the tests run on: the dashboard's money card
    # sums the period so far.
    today = hand.owner.today()
    account = hand.ids["AnnaLJ"]
    db.add(
        EarningRecord(
            studio_id=hand.studio.id or 0,
            performer_id=hand.ids["Anna"],
            account_id=account,
            platform="LiveJasmin",
            kind=RecordKind.DAILY,
            day=today,
            usd_cents=5000,
            source=RecordSource.MANUAL,
            natural_key=f"objection-test:{today.isoformat()}",
        )
    )
    db.commit()
    money = dashboard.money(db, hand.owner)
    assert money is not None and "Anna" in [m.stage_name for m in money.top_models]
    week = weekly_report.build(db, hand.owner, date(2026, 2, 2))
    assert "Anna" in [m.stage_name for m in week.top_models]

    _object(db, anna)
    money = dashboard.money(db, hand.owner)
    assert money is not None
    # The period's gross is the earnings page's (she is paid); the ranking is analytics.
    assert money.gross_cents >= 5000 and "Anna" not in [m.stage_name for m in money.top_models]
    week = weekly_report.build(db, hand.owner, date(2026, 2, 2))
    assert [m.stage_name for m in week.top_models] == ["Bella"] and "Anna" not in week.body
