"""Requests: time off and swaps, decided by a manager; the schedule follows; people are notified."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from studioos.models import RequestKind, RequestStatus, Role, Shift, ShiftStatus
from studioos.services import notifications, shift_requests
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from tests.factories import actor_for, add_member, book, performer_user, setup_studio

# A Monday some weeks ahead: within the booking window (at most two years ahead), still upcoming.
FUTURE = date.today() + timedelta(weeks=8) - timedelta(days=date.today().weekday())


@pytest.fixture
def scene(db: Session):
    studio, owner, ids = setup_studio(db)
    anna = performer_user(db, studio, ids["Anna"], "Anna User")
    bella = performer_user(db, studio, ids["Bella"], "Bella User")
    manager = actor_for(db, add_member(db, studio, Role.MANAGER), studio)
    return studio, owner, manager, anna, bella, ids


def test_time_off_approved_cancels_and_notifies(db: Session, scene) -> None:
    _, owner, manager, anna, _, ids = scene
    shift = book(db, owner, ids, "Anna", "Room 1", FUTURE, "18:00", "02:00")
    req = shift_requests.request_time_off(db, anna, shift.id, "Family visit")
    db.commit()
    assert notifications.unread_count(db, manager) == 1
    assert "Anna asks for time off" in notifications.list_notifications(db, manager)[0].title
    assert (req.kind, req.status, req.what) == (RequestKind.TIME_OFF, RequestStatus.PENDING, "Time off")
    with pytest.raises(ValidationFailed) as twice:
        shift_requests.request_time_off(db, anna, shift.id)  # one pending request per shift
    assert twice.value.errors == {"shift_id": "There is already a pending request for this shift."}
    with pytest.raises(PermissionDenied):
        shift_requests.decide_request(db, anna, req.id, approve=True)
    done = shift_requests.decide_request(db, manager, req.id, approve=True, note="Enjoy")
    db.commit()
    assert done.status == RequestStatus.APPROVED and done.decision_note == "Enjoy"
    assert db.get(Shift, shift.id).status == ShiftStatus.CANCELLED
    mine = notifications.list_notifications(db, anna, unread_only=True)
    assert [n.title for n in mine] == ["Time off request approved"]
    notifications.mark_read(db, anna, mine[0].id)
    assert notifications.unread_count(db, anna) == 0


def test_swap_handover_and_exchange(db: Session, scene) -> None:
    _, owner, manager, anna, bella, ids = scene
    mine = book(db, owner, ids, "Anna", "Room 1", FUTURE, "18:00", "02:00")
    theirs = book(db, owner, ids, "Bella", "Room 2", FUTURE + timedelta(days=1), "10:00", "16:00")
    handover = shift_requests.request_swap(db, anna, mine.id, with_performer_id=ids["Carla"])
    shift_requests.decide_request(db, manager, handover.id, approve=True)
    assert db.get(Shift, mine.id).performer_id == ids["Carla"]

    other = book(db, owner, ids, "Anna", "Room 1", FUTURE + timedelta(days=2), "18:00", "02:00")
    exchange = shift_requests.request_swap(
        db, anna, other.id, with_performer_id=ids["Bella"], their_shift_id=theirs.id, reason="Exam"
    )
    assert notifications.unread_count(db, bella) == 1  # Bella hears about the proposal
    assert exchange.what == f"Swap with Bella (her shift {exchange.swap_shift_label})"
    assert exchange.swap_shift_label.endswith("10:00–16:00")
    assert [r.id for r in shift_requests.list_requests(db, bella)] == [exchange.id]
    shift_requests.decide_request(db, manager, exchange.id, approve=True)
    db.commit()
    assert db.get(Shift, other.id).performer_id == ids["Bella"]
    assert db.get(Shift, theirs.id).performer_id == ids["Anna"]
    titles = [n.title for n in notifications.list_notifications(db, bella)]
    assert "Swap request approved" in titles


def test_swap_refused_when_partner_is_busy(db: Session, scene) -> None:
    _, owner, manager, anna, _, ids = scene
    mine = book(db, owner, ids, "Anna", "Room 1", FUTURE, "18:00", "02:00")
    book(db, owner, ids, "Bella", "Room 2", FUTURE, "20:00", "23:00")
    req = shift_requests.request_swap(db, anna, mine.id, with_performer_id=ids["Bella"])
    with pytest.raises(ValidationFailed) as err:
        shift_requests.decide_request(db, manager, req.id, approve=True)
    assert err.value.errors["request"].startswith("Bella is already booked")


def test_decline_leaves_schedule(db: Session, scene) -> None:
    _, owner, manager, anna, _, ids = scene
    mine = book(db, owner, ids, "Anna", "Room 1", FUTURE, "18:00", "02:00")
    req = shift_requests.request_time_off(db, anna, mine.id)
    shift_requests.decide_request(db, manager, req.id, approve=False, note="Busy week")
    assert db.get(Shift, mine.id).status == ShiftStatus.SCHEDULED
    assert notifications.list_notifications(db, anna)[0].title == "Time off request declined"
    with pytest.raises(ValidationFailed) as again:
        shift_requests.decide_request(db, manager, req.id, approve=True)
    assert again.value.errors == {"request": "This request has already been decided."}
    with pytest.raises(ValidationFailed) as late:
        shift_requests.withdraw_request(db, anna, req.id)
    assert late.value.errors == {"request": "Only a pending request can be withdrawn."}


def test_model_cannot_request_for_others_or_past(db: Session, scene) -> None:
    _, owner, _, anna, bella, ids = scene
    hers = book(db, owner, ids, "Bella", "Room 1", FUTURE, "18:00", "02:00")
    with pytest.raises(NotFound):
        shift_requests.request_time_off(db, anna, hers.id)
    # Last week's shift: over, nothing to ask for.
    past = book(db, owner, ids, "Anna", "Room 1", date.today() - timedelta(days=7), "10:00", "16:00")
    with pytest.raises(ValidationFailed) as over:
        shift_requests.request_time_off(db, anna, past.id)
    assert over.value.errors == {"shift_id": "Requests are only possible for upcoming scheduled shifts."}
    req = shift_requests.request_time_off(db, bella, hers.id)
    with pytest.raises(NotFound):
        shift_requests.withdraw_request(db, anna, req.id)
    assert shift_requests.withdraw_request(db, bella, req.id).status == RequestStatus.WITHDRAWN


def test_notifications_are_private(db: Session, scene) -> None:
    _, owner, manager, anna, _, ids = scene
    shift = book(db, owner, ids, "Anna", "Room 1", FUTURE, "18:00", "02:00")
    shift_requests.request_time_off(db, anna, shift.id)
    note = notifications.list_notifications(db, manager)[0]
    with pytest.raises(NotFound):
        notifications.mark_read(db, anna, note.id)
    assert notifications.mark_all_read(db, manager) == 1
    assert notifications.unread_count(db, manager) == 0


def test_requests_stay_in_their_studio(db: Session, scene) -> None:
    _, owner, _, anna, _, ids = scene
    shift = book(db, owner, ids, "Anna", "Room 1", FUTURE, "18:00", "02:00")
    req = shift_requests.request_time_off(db, anna, shift.id)
    other_studio, other_owner, _ = setup_studio(db)
    other = actor_for(db, add_member(db, other_studio, Role.MANAGER), other_studio)
    db.commit()
    assert [r.id for r in shift_requests.list_requests(db, owner)] == [req.id]
    assert shift_requests.list_requests(db, other, status=None) == []
    with pytest.raises(NotFound):
        shift_requests.decide_request(db, other, req.id, approve=True)
    assert shift_requests.list_requests(db, other_owner, status=None) == []
