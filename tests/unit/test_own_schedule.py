"""A model's own schedule (own_schedule.my_upcoming): the shift she is on or goes to next, the
check-in window, what she may still ask for, which requests wait; never anyone else's shifts."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from studioos.jobs.attendance import mark_no_shows
from studioos.models import RequestKind, RequestStatus, Role, Studio
from studioos.services import attendance, own_schedule, shift_requests, shifts
from studioos.services.errors import PermissionDenied, ValidationFailed
from studioos.services.own_schedule import MyUpcoming
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, book, performer_user, setup_studio

# A Monday two weeks ahead: her requests need shifts still to come by the real clock.
FUTURE = date.today() + timedelta(weeks=2) - timedelta(days=date.today().weekday())


def on_studio_clock(actor: Actor, studio: Studio) -> Actor:
    """The actor as a signed-in session carries it: with the studio's zone and currency."""
    return dataclasses.replace(actor, timezone=studio.timezone, currency=studio.currency)


def model(db: Session, studio: Studio, performer_id: int, name: str = "Model User") -> Actor:
    return on_studio_clock(performer_user(db, studio, performer_id, name), studio)


def upcoming(db: Session, actor: Actor, **kwargs: object) -> MyUpcoming:
    found = own_schedule.my_upcoming(db, actor, **kwargs)  # type: ignore[arg-type]
    assert found is not None, "her account is linked: there is a schedule"
    return found


def test_the_current_shift_and_its_check_in_window(db: Session) -> None:
    studio, owner, ids = setup_studio(db)
    anna = model(db, studio, ids["Anna"])
    first = book(db, owner, ids, "Anna", "Room 1", FUTURE, "10:00", "16:00")
    overnight = book(db, owner, ids, "Anna", "Room 2", FUTURE + timedelta(days=1), "18:00", "02:00")
    book(db, owner, ids, "Bella", "Room 2", FUTURE, "09:00", "12:00")  # not hers, and earlier
    db.commit()

    # Two hours before: the first shift is next, check-in not open yet.
    early = upcoming(db, anna, now=first.starts_at - timedelta(hours=2))
    assert early.current is not None and early.current.id == first.id
    assert (early.can_check_in, early.can_check_out, early.current_started) == (False, False, False)
    assert [s.shift.id for s in early.shifts] == [first.id, overnight.id]
    # An hour before it opens, exactly as attendance.check_in enforces.
    assert upcoming(db, anna, now=first.starts_at - timedelta(hours=1)).can_check_in
    with pytest.raises(ValidationFailed) as refused:
        attendance.check_in(db, anna, first.id, now=first.starts_at - timedelta(minutes=61))
    assert refused.value.errors == {"shift": "Check-in opens one hour before the shift starts."}

    # Checked in: she is on it, the button is the check-out one.
    attendance.check_in(db, anna, first.id, now=first.starts_at + timedelta(minutes=20))
    running = upcoming(db, anna, now=first.starts_at + timedelta(hours=1))
    assert running.current is not None and running.current.id == first.id
    assert (running.can_check_in, running.can_check_out, running.current_started) == (False, True, True)
    assert (running.hours, running.shifts_worked, running.late) == (Decimal("0.67"), 1, 1)
    assert running.month_first == FUTURE.replace(day=1) and running.today == FUTURE

    # Checked out early: that shift is done, the overnight one is next.
    attendance.check_out(db, anna, first.id, now=first.ends_at - timedelta(hours=1))
    after = upcoming(db, anna, now=first.ends_at - timedelta(minutes=30))
    assert after.current is not None and after.current.id == overnight.id
    assert not after.can_check_in and not after.can_check_out
    # Until its scheduled end it stays on her list, done, with nothing more to ask for it.
    assert [(s.shift.id, s.shift.attendance, s.can_request) for s in after.shifts] == [
        (first.id, "done", False),
        (overnight.id, "scheduled", True),
    ]
    later = upcoming(db, anna, now=first.ends_at)
    assert [s.shift.id for s in later.shifts] == [overnight.id]

    # Past midnight the overnight shift from yesterday still counts while it runs, and she may
    # still check in (late); the studio's day is the next one now.
    past_midnight = upcoming(db, anna, now=overnight.starts_at + timedelta(hours=7))
    assert past_midnight.current is not None and past_midnight.current.id == overnight.id
    assert past_midnight.can_check_in and past_midnight.current_started
    assert past_midnight.today == FUTURE + timedelta(days=2)


def test_a_missed_or_cancelled_shift_is_never_current(db: Session) -> None:
    studio, owner, ids = setup_studio(db)
    anna = model(db, studio, ids["Anna"])
    missed = book(db, owner, ids, "Anna", "Room 1", FUTURE, "10:00", "12:00")
    cancelled = book(db, owner, ids, "Anna", "Room 1", FUTURE, "13:00", "15:00")
    later = book(db, owner, ids, "Anna", "Room 1", FUTURE, "16:00", "20:00")
    shifts.cancel_shift(db, owner, cancelled.id)
    db.commit()
    assert mark_no_shows(db, missed.ends_at) == 1
    db.commit()
    # Still within the missed shift's day, before the cancelled one would have started.
    found = upcoming(db, anna, now=missed.ends_at + timedelta(minutes=1))
    assert found.current is not None and found.current.id == later.id
    assert [s.shift.id for s in found.shifts] == [later.id]


def test_what_she_may_ask_for_and_which_requests_wait(db: Session) -> None:
    studio, owner, ids = setup_studio(db)
    anna = model(db, studio, ids["Anna"], "Anna User")
    bella = model(db, studio, ids["Bella"], "Bella User")
    asked = book(db, owner, ids, "Anna", "Room 1", FUTURE, "10:00", "16:00")
    free = book(db, owner, ids, "Anna", "Room 1", FUTURE + timedelta(days=1), "10:00", "16:00")
    hers = book(db, owner, ids, "Bella", "Room 2", FUTURE, "18:00", "23:00")
    time_off = shift_requests.request_time_off(db, anna, asked.id, "Exam")
    # Bella proposes to hand her shift to Anna: Anna sees it, but it is not hers to withdraw.
    proposal = shift_requests.request_swap(db, bella, hers.id, with_performer_id=ids["Anna"])
    db.commit()

    found = upcoming(db, anna, now=asked.starts_at - timedelta(days=1))
    by_shift = {s.shift.id: s for s in found.shifts}
    assert (by_shift[asked.id].request_pending, by_shift[asked.id].can_request) == (True, False)
    assert (by_shift[free.id].request_pending, by_shift[free.id].can_request) == (False, True)
    assert hers.id not in by_shift  # the proposal does not put Bella's shift on Anna's list
    views = {r.request.id: r for r in found.requests}
    assert (views[time_off.id].mine, views[time_off.id].can_withdraw) == (True, True)
    assert (views[proposal.id].mine, views[proposal.id].can_withdraw) == (False, False)
    assert [(r.id, r.kind) for r in found.pending] == [
        (proposal.id, RequestKind.SWAP),
        (time_off.id, RequestKind.TIME_OFF),
    ]  # newest first
    assert views[proposal.id].request.what == "Swap with Anna"

    # A shift she is already on cannot be asked away.
    on_it = upcoming(db, anna, now=free.starts_at + timedelta(minutes=5))
    assert not {s.shift.id: s for s in on_it.shifts}[free.id].can_request

    # Withdrawn: nothing waits for that shift any more, and she may ask again.
    shift_requests.withdraw_request(db, anna, time_off.id)
    db.commit()
    again = upcoming(db, anna, now=asked.starts_at - timedelta(days=1))
    assert {s.shift.id: s for s in again.shifts}[asked.id].can_request
    withdrawn = {r.request.id: r for r in again.requests}[time_off.id]
    assert withdrawn.request.status == RequestStatus.WITHDRAWN and not withdrawn.can_withdraw
    assert [r.id for r in again.pending] == [proposal.id]


def test_other_models_and_other_studios_never_appear(db: Session) -> None:
    studio, owner, ids = setup_studio(db)
    other_studio, other_owner, other_ids = setup_studio(db)
    anna = model(db, studio, ids["Anna"])
    bella = model(db, studio, ids["Bella"])
    other_anna = model(db, other_studio, other_ids["Anna"])
    mine = book(db, owner, ids, "Anna", "Room 1", FUTURE, "12:00", "16:00")
    # Earlier on the same day: Bella here, and the other studio's Anna (same name, same room name).
    bellas = book(db, owner, ids, "Bella", "Room 2", FUTURE, "08:00", "11:00")
    theirs = book(db, other_owner, other_ids, "Anna", "Room 1", FUTURE, "08:00", "11:00")
    shift_requests.request_time_off(db, bella, bellas.id, "Dentist")
    shift_requests.request_time_off(db, other_anna, theirs.id, "Holiday")
    db.commit()

    found = upcoming(db, anna, now=bellas.starts_at - timedelta(hours=3))
    assert found.performer_id == ids["Anna"]
    assert found.current is not None and found.current.id == mine.id
    assert [s.shift.id for s in found.shifts] == [mine.id]
    assert found.requests == [] and found.pending == []
    # And the other way round: the other studio's model sees only her own.
    other = upcoming(db, other_anna, now=bellas.starts_at - timedelta(hours=3))
    assert [s.shift.id for s in other.shifts] == [theirs.id]
    assert [r.request.shift_id for r in other.requests] == [theirs.id]


def test_only_a_model_has_an_own_schedule_and_an_unlinked_one_has_none(db: Session) -> None:
    studio, owner, _ = setup_studio(db)
    with pytest.raises(PermissionDenied):
        own_schedule.my_upcoming(db, owner)
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    with pytest.raises(PermissionDenied):
        own_schedule.my_upcoming(db, analyst)
    unlinked = on_studio_clock(actor_for(db, add_member(db, studio, Role.PERFORMER), studio), studio)
    assert own_schedule.my_upcoming(db, unlinked) is None


def test_asking_from_the_request_form(db: Session) -> None:
    studio, owner, ids = setup_studio(db)
    anna = model(db, studio, ids["Anna"])
    first = book(db, owner, ids, "Anna", "Room 1", FUTURE, "10:00", "16:00")
    second = book(db, owner, ids, "Anna", "Room 1", FUTURE + timedelta(days=1), "10:00", "16:00")
    db.commit()
    for partner in ("", "Bella", None):
        with pytest.raises(ValidationFailed) as refused:
            own_schedule.ask(db, anna, first.id, RequestKind.SWAP, {"with_performer_id": partner})
        assert refused.value.errors == {"with_performer_id": "Choose the model to swap with."}
    with pytest.raises(ValidationFailed) as refused:
        own_schedule.ask(db, anna, first.id, "holiday", {})
    assert refused.value.errors == {"kind": "Ask for time off or a swap."}
    with pytest.raises(ValidationFailed) as refused:
        own_schedule.ask(db, anna, first.id, RequestKind.SWAP, {"with_performer_id": str(ids["Anna"])})
    assert refused.value.errors == {"with_performer_id": "Choose another model to swap with."}

    # Form values arrive as text.
    swap = own_schedule.ask(
        db, anna, first.id, RequestKind.SWAP, {"with_performer_id": str(ids["Bella"]), "reason": " Exam "}
    )
    assert (swap.kind, swap.swap_performer_id, swap.reason) == (RequestKind.SWAP, ids["Bella"], "Exam")
    assert swap.what == "Swap with Bella"
    off = own_schedule.ask(db, anna, second.id, RequestKind.TIME_OFF, {})
    assert (off.kind, off.status, off.what) == (RequestKind.TIME_OFF, RequestStatus.PENDING, "Time off")
    with pytest.raises(PermissionDenied):
        own_schedule.ask(db, owner, first.id, RequestKind.TIME_OFF, {})
