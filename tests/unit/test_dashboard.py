"""The dashboard's floor figures: today's shifts and the ID documents that need action."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from studioos.models import RequestKind, Role, Studio
from studioos.services import attendance, dashboard, performers, shift_requests
from studioos.services.permissions import Actor, Cap
from tests.factories import (
    actor_for,
    add_member,
    book,
    make_studio,
    new_performer,
    performer_user,
    setup_studio,
)


def on_studio_clock(actor: Actor, studio: Studio) -> Actor:
    """The actor as a signed-in session carries it: with the studio's zone and currency."""
    return dataclasses.replace(actor, timezone=studio.timezone, currency=studio.currency)


def test_operations_count_todays_shifts_and_documents_to_renew(db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    today = performers.studio_today(db, studio.id or 0)
    book(db, actor, ids, "Anna", "Room 1", today, "10:00", "16:00")
    book(db, actor, ids, "Bella", "Room 2", today, "18:00", "02:00")
    book(db, actor, ids, "Carla", "Room 1", today + timedelta(days=1), "10:00", "16:00")
    # Entered a year ago with a document that has expired since, and one expiring in 10 days.
    new_performer(db, actor, "Dana", doc_expiry=today - timedelta(days=3), today=today - timedelta(days=365))
    new_performer(db, actor, "Eva", doc_expiry=today + timedelta(days=10))
    db.commit()

    ops = dashboard.operations(db, actor)
    assert ops is not None
    assert ops.shifts_today == 2
    assert ops.checked_in_today == 0
    assert ops.active_models == 5
    assert (ops.docs_expired, ops.docs_expiring_soon) == (1, 1)


def test_operations_are_for_owners_and_managers_only(db: Session) -> None:
    studio, owner = make_studio(db)
    for role in (Role.ANALYST, Role.PERFORMER):
        who = actor_for(db, add_member(db, studio, role), studio)
        assert not who.can(Cap.PERFORMERS_MANAGE)
        assert dashboard.operations(db, who) is None
    assert dashboard.operations(db, actor_for(db, owner, studio)) is not None


def test_the_team_card_counts_every_role_models_included(db: Session) -> None:
    studio, owner = make_studio(db)
    for role in (Role.MANAGER, Role.ANALYST, Role.PERFORMER):
        add_member(db, studio, role)
    add_member(db, studio, Role.PERFORMER)
    figs = dashboard.figures(db, actor_for(db, owner, studio))
    assert figs.team_size == 5
    assert figs.role_summary == "1 owner · 1 manager · 1 analyst · 2 models"
    assert dashboard.role_summary({"owner": 1, "performer": 1}) == "1 owner · 1 model"


def test_a_model_lands_on_her_next_shift_hours_and_pending_requests(db: Session) -> None:
    studio, actor, ids = setup_studio(db)
    anna = on_studio_clock(performer_user(db, studio, ids["Anna"]), studio)
    day = performers.studio_today(db, studio.id or 0) + timedelta(days=1)
    done = book(db, actor, ids, "Anna", "Room 1", day, "10:00", "16:00")
    attendance.check_in(db, anna, done.id, now=done.starts_at)
    attendance.check_out(db, anna, done.id, now=done.ends_at)
    coming = book(db, actor, ids, "Anna", "Room 2", day + timedelta(days=1), "18:00", "02:00")
    book(db, actor, ids, "Bella", "Room 1", day + timedelta(days=1), "10:00", "16:00")  # not hers
    shift_requests.request_time_off(db, anna, coming.id, "Exam")
    db.commit()

    home = dashboard.performer_home(db, anna, now=done.ends_at + timedelta(hours=1))
    assert home is not None and home.linked
    assert home.next_shift is not None
    assert (home.next_shift.id, home.next_shift.room_name) == (coming.id, "Room 2")
    assert (home.period_first, home.period_last) == (day.replace(day=1), day)
    assert (home.hours, home.shifts_worked) == (Decimal("6.00"), 1)
    assert [(r.kind, r.shift_id, r.what) for r in home.pending] == [
        (RequestKind.TIME_OFF, coming.id, "Time off")
    ]
    assert not home.can_check_in and not home.can_check_out  # more than an hour before it starts
    assert not home.shift_started
    # An hour before, the check-in button shows; once she is in, the check-out one.
    soon = dashboard.performer_home(db, anna, now=coming.starts_at - timedelta(minutes=59))
    assert soon is not None and soon.can_check_in and not soon.can_check_out
    attendance.check_in(db, anna, coming.id, now=coming.starts_at)
    # While a shift runs it is still "next": she needs its check-out.
    running = dashboard.performer_home(db, anna, now=coming.starts_at + timedelta(hours=1))
    assert running is not None and running.next_shift is not None and running.next_shift.id == coming.id
    assert running.can_check_out and not running.can_check_in and running.shift_started


def test_staff_keep_the_studio_dashboard_and_an_unlinked_model_is_told(db: Session) -> None:
    studio, actor, _ = setup_studio(db)
    assert dashboard.performer_home(db, actor) is None
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    assert dashboard.performer_home(db, analyst) is None
    unlinked = on_studio_clock(actor_for(db, add_member(db, studio, Role.PERFORMER), studio), studio)
    home = dashboard.performer_home(db, unlinked)
    assert home is not None and not home.linked and home.next_shift is None
    assert (home.hours, home.shifts_worked, home.pending) == (Decimal("0.00"), 0, [])
    assert not home.can_check_in and not home.can_check_out
