"""Who sees what on the Analytics page: analysts get aggregates only (no member handles, no single
records), a model only her own numbers whatever she asks for, and nobody another studio's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import Session

from studioos.models import Role
from studioos.services import analytics
from studioos.services.analytics import Filters
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from tests.analytics_data import FEB, TODAY, build
from tests.factories import actor_for, add_member, make_studio, new_performer, performer_user


def test_analysts_get_the_same_figures_without_members_or_records(db: Session) -> None:
    hand = build(db)
    owner_view = analytics.dashboard(db, hand.owner, Filters(*FEB), today=TODAY)
    analyst = actor_for(db, add_member(db, hand.studio, Role.ANALYST), hand.studio)
    view = analytics.dashboard(db, analyst, Filters(*FEB), today=TODAY)
    assert view.kpis == owner_view.kpis and view.series == owner_view.series
    assert not view.members_named
    assert [(m.rank, m.member_id, m.label, m.value_cents) for m in view.top_members] == [
        (1, 0, "Member 1", 1832),
        (2, 0, "Member 2", 1000),
        (3, 0, "Member 3", 35),
    ]
    # The owner's view, computed first and cached, still names them: the cache keeps both apart.
    assert [m.label for m in analytics.dashboard(db, hand.owner, Filters(*FEB), today=TODAY).top_members] == [
        "BigTipper",
        "NightOwl",
        "ShyGuy",
    ]
    day = analytics.day_records(db, analyst, Filters(*FEB), date(2026, 2, 2), today=TODAY)
    assert [
        (r.stage_name, r.platform, r.kind, r.counted, r.entries, r.tokens, r.value_cents, r.online_minutes)
        for r in day.rows
    ] == [
        ("Anna", "Chaturbate", "daily", False, 1, 900, 0, 180),
        ("Anna", "Chaturbate", "ledger", True, 2, 340, 1700, 0),
    ]
    assert all(r.member == "" and r.local_time == "" and r.record_id == 0 for r in day.rows)
    assert day.total == 2


def test_a_model_sees_her_own_numbers_only(db: Session) -> None:
    hand = build(db)
    anna = performer_user(db, hand.studio, hand.ids["Anna"], name="Anna's account")
    view = analytics.dashboard(db, anna, Filters(*FEB), today=TODAY)
    assert view.personal and view.members_named
    assert {k.key: (k.value, k.previous) for k in view.kpis} == {
        "gross": (17342, 1250),
        "model_payouts": (10405, 750),
        "studio_share": (17342 - 10405, 500),
        "hours_online": (720, 60),
        "per_hour": (1445, 1250),
        "active_models": (1, 1),
        "attendance": (5000, 10000),  # her 2 Feb in, 10 Feb missed; January both in
        "top_members_share": (1633, 2000),  # 1832 + 1000 of 17342; 250 of 1250
    }
    assert {m.performer_id for m in (*view.top_models, *view.per_hour)} == {hand.ids["Anna"]}
    assert [m.label for m in view.top_members] == ["BigTipper", "NightOwl"]  # her own members
    assert view.platforms == ("LiveJasmin", "Chaturbate")
    assert sum(r.total_cents for r in view.series) == 17342
    assert [(r.name, r.scheduled_minutes) for r in view.rooms] == [("Room 1", 840)]  # only her rooms
    assert [(c.month, c.members) for c in view.cohorts] == [(date(2026, 2, 1), 1)]  # NightOwl
    # Asking for herself is the same; asking for Bella is "not found", never Bella's numbers.
    herself = analytics.dashboard(db, anna, Filters(*FEB, performer_id=hand.ids["Anna"]), today=TODAY)
    assert replace(herself, filters=view.filters) == view
    with pytest.raises(NotFound):
        analytics.dashboard(db, anna, Filters(*FEB, performer_id=hand.ids["Bella"]), today=TODAY)
    with pytest.raises(NotFound):
        analytics.day_records(
            db, anna, Filters(*FEB, performer_id=hand.ids["Bella"]), date(2026, 2, 5), today=TODAY
        )
    # Bella's day holds nothing of Bella's for Anna.
    assert analytics.day_records(db, anna, Filters(*FEB), date(2026, 2, 5), today=TODAY).total == 0
    # Her members keep their handles in her drill-down.
    mine = analytics.day_records(db, anna, Filters(*FEB), date(2026, 2, 2), today=TODAY)
    assert [r.member for r in mine.rows] == ["NightOwl", "BigTipper", ""]


def test_a_model_account_without_a_profile_sees_nothing(db: Session) -> None:
    hand = build(db)
    unlinked = actor_for(db, add_member(db, hand.studio, Role.PERFORMER), hand.studio)
    with pytest.raises(NotFound):
        analytics.dashboard(db, unlinked, Filters(*FEB), today=TODAY)


def test_another_studios_ids_are_not_found_and_its_figures_are_its_own(db: Session) -> None:
    hand = build(db)
    other, other_owner = make_studio(db, "Studio B")
    them = actor_for(db, other_owner, other)
    dora = new_performer(db, them, "Dora")
    for crossing in (
        Filters(*FEB, performer_id=hand.ids["Anna"]),
        Filters(*FEB, room_id=hand.ids["Room 1"]),
    ):
        with pytest.raises(NotFound):
            analytics.dashboard(db, them, crossing, today=TODAY)
        with pytest.raises(NotFound):
            analytics.day_records(db, them, crossing, date(2026, 2, 2), today=TODAY)
    view = analytics.dashboard(db, them, Filters(*FEB), today=TODAY)
    assert view.kpi("gross").value == 0 and view.top_members == () and view.platform_mix == ()
    assert view.rooms == () and not view.has_data
    assert analytics.day_records(db, them, Filters(*FEB), date(2026, 2, 2), today=TODAY).total == 0
    # And the first studio's owner cannot reach the second's model either.
    with pytest.raises(NotFound):
        analytics.dashboard(db, hand.owner, Filters(*FEB, performer_id=dora), today=TODAY)


def test_who_may_not_open_it_at_all(db: Session) -> None:
    hand = build(db)
    support = Actor(
        user_id=999, email="s@example.com", name="Support", studio_id=None, role=None, is_support=True
    )
    with pytest.raises(PermissionDenied):
        analytics.dashboard(db, support, Filters(*FEB), today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        analytics.dashboard(db, hand.owner, Filters(*FEB, platform="NoSuchSite"), today=TODAY)
    assert refused.value.errors == {"platform": "Choose a platform from the list."}
    with pytest.raises(ValidationFailed):
        analytics.dashboard(db, hand.owner, Filters(date(2026, 2, 1), date(2026, 4, 2)), today=TODAY)
    with pytest.raises(ValidationFailed):
        analytics.day_records(db, hand.owner, Filters(*FEB), date(2026, 4, 2), today=TODAY)
