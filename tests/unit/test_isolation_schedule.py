"""Isolation: studio B's users get NotFound for studio A's ids; a model cannot reach another model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from studioos.services import (
    attendance,
    notifications,
    performers,
    photos,
    platforms,
    rooms,
    shift_requests,
    shifts,
)
from studioos.services.errors import NotFound
from studioos.services.performers import LegalInput, ProfileInput
from tests.factories import actor_for, book, image_bytes, make_studio, performer_user, setup_studio

# A Monday some weeks ahead: within the booking window (at most two years ahead), still upcoming.
FUTURE = date.today() + timedelta(weeks=8) - timedelta(days=date.today().weekday())


@pytest.fixture
def two_studios(db: Session):
    studio_a, owner_a, ids = setup_studio(db)
    anna = performer_user(db, studio_a, ids["Anna"], "Anna User")
    shift = book(db, owner_a, ids, "Anna", "Room 1", FUTURE, "18:00", "02:00")
    series = shifts.create_series(
        db,
        owner_a,
        performer_id=ids["Bella"],
        room_id=ids["Room 2"],
        weekdays=[0],
        start_time=time(10),
        end_time=time(16),
        first_day=FUTURE,
        weeks=2,
        confirm_blocked=True,  # whatever the models' documents say by FUTURE
    )
    series_shift = shifts.shifts_between(db, owner_a, FUTURE, FUTURE, performer_id=ids["Bella"])[0]
    account = platforms.add_account(db, owner_a, ids["Anna"], "Chaturbate", "anna_a")
    request = shift_requests.request_time_off(db, anna, shift.id)
    photos.upload_photo(db, owner_a, ids["Anna"], image_bytes("PNG"))
    db.commit()
    note = notifications.list_notifications(db, owner_a)[0]
    studio_b, owner_b_user = make_studio(db, "Studio B")
    owner_b = actor_for(db, owner_b_user, studio_b)
    refs = {**ids, "shift": shift.id, "series_shift": series_shift.id, "series": series.series_id,
            "account": account.id, "request": request.id, "note": note.id}  # fmt: skip
    return owner_a, owner_b, anna, refs


def _calls(refs: dict[str, int]) -> dict[str, Callable]:
    p, r, s = refs["Anna"], refs["Room 1"], refs["shift"]
    day = FUTURE + timedelta(days=1)
    when = datetime.combine(day, time(10)), datetime.combine(day, time(16))
    form_shift = shifts.ShiftInput(p, r, day, time(10), time(16))  # as the schedule page's forms give it
    return {
        "get_performer": lambda db, a: performers.get_performer(db, a, p),
        "get_legal": lambda db, a: performers.get_legal(db, a, p),
        "update_profile": lambda db, a: performers.update_profile(db, a, p, ProfileInput("X")),
        "update_contact": lambda db, a: performers.update_contact(db, a, p, email="", phone="", telegram=""),
        "update_legal": lambda db, a: performers.update_legal(db, a, p, LegalInput("X Y", "1990-01-01")),
        "link_account": lambda db, a: performers.link_account(db, a, p, a.user_id),
        "list_accounts": lambda db, a: platforms.list_accounts(db, a, p),
        "add_account": lambda db, a: platforms.add_account(db, a, p, "Stripchat", "zzz"),
        "remove_account": lambda db, a: platforms.remove_account(db, a, refs["account"]),
        "get_room": lambda db, a: rooms.get_room(db, a, r),
        "update_room": lambda db, a: rooms.update_room(db, a, r, name="Hijacked"),
        "create_shift_room": lambda db, a: shifts.create_shift(
            db, a, performer_id=p, room_id=r, starts=when[0], ends=when[1]
        ),
        "update_shift": lambda db, a: shifts.update_shift(
            db, a, s, performer_id=p, room_id=r, starts=when[0], ends=when[1]
        ),
        "book_shift": lambda db, a: shifts.book_shift(db, a, form_shift),
        "change_shift": lambda db, a: shifts.change_shift(db, a, s, form_shift),
        "change_series": lambda db, a: shifts.change_series_from(db, a, refs["series_shift"], form_shift),
        "cancel_shift": lambda db, a: shifts.cancel_shift(db, a, s),
        "cancel_series": lambda db, a: shifts.cancel_series_from(db, a, refs["series_shift"]),
        "get_shift": lambda db, a: shifts.get_shift(db, a, s),
        "room_week": lambda db, a: shifts.room_week(db, a, r, FUTURE),
        "performer_week": lambda db, a: shifts.performer_week(db, a, p, FUTURE),
        "check_in": lambda db, a: attendance.check_in(db, a, s),
        "hours": lambda db, a: attendance.hours_worked(db, a, FUTURE, FUTURE, performer_id=p),
        "decide": lambda db, a: shift_requests.decide_request(db, a, refs["request"], approve=True),
        "mark_read": lambda db, a: notifications.mark_read(db, a, refs["note"]),
        "read_photo": lambda db, a: photos.read_photo(db, a, p),
        "upload_photo": lambda db, a: photos.upload_photo(db, a, p, image_bytes("PNG")),
        "delete_photo": lambda db, a: photos.delete_photo(db, a, p),
    }


def _not_found_everywhere(db: Session, actor, calls: dict[str, Callable], names: list[str]) -> list[str]:
    """Run each call; return the names that did not answer NotFound (one test, one set-up: fast)."""
    leaks = []
    for name in names:
        try:
            calls[name](db, actor)
        except NotFound:
            pass
        except Exception as exc:
            leaks.append(f"{name}: {type(exc).__name__}")
        else:
            leaks.append(f"{name}: answered")
        db.rollback()
    return leaks


def test_other_studio_gets_not_found(db: Session, two_studios) -> None:
    _, owner_b, _, refs = two_studios
    calls = _calls(refs)
    assert _not_found_everywhere(db, owner_b, calls, list(calls)) == []


def test_other_studio_lists_are_empty(db: Session, two_studios) -> None:
    _, owner_b, _, _ = two_studios
    assert performers.list_performers(db, owner_b).total == 0
    assert platforms.list_accounts(db, owner_b) == []
    assert rooms.list_rooms(db, owner_b, include_inactive=True) == []
    assert shifts.shifts_between(db, owner_b, FUTURE, FUTURE) == []
    assert shift_requests.list_requests(db, owner_b, status=None) == []
    assert notifications.list_notifications(db, owner_b) == []


PERFORMER_BLOCKED = [
    "get_performer",
    "get_legal",
    "update_contact",
    "list_accounts",
    "get_shift",
    "performer_week",
    "check_in",
    "hours",
    "read_photo",
]


def test_model_cannot_reach_another_model(db: Session, two_studios) -> None:
    """Anna (a model) asking for Bella's data by id gets NotFound, as if it did not exist."""
    _, _, anna, refs = two_studios
    bella_refs = {**refs, "Anna": refs["Bella"], "shift": refs["series_shift"]}
    assert _not_found_everywhere(db, anna, _calls(bella_refs), PERFORMER_BLOCKED) == []


def test_model_reaches_her_own(db: Session, two_studios) -> None:
    _, _, anna, refs = two_studios
    assert performers.get_performer(db, anna, refs["Anna"]).id == refs["Anna"]
    assert shifts.get_shift(db, anna, refs["shift"]).stage_name == "Anna"
    assert [s.id for s in shifts.my_week(db, anna, FUTURE).shifts] == [refs["shift"]]
    assert [a.handle for a in platforms.list_accounts(db, anna)] == ["anna_a"]
    assert [r.id for r in shift_requests.list_requests(db, anna)] == [refs["request"]]
