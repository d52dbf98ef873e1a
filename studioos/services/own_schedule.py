"""A model's own schedule as her pages show it (My schedule, her dashboard).

The decisions those pages make live here, where the fast tests on both databases cover them: which
shift she is on now or goes to next, whether it can be checked in or out now, which of her shifts
she may still ask time off or a swap for, and which requests wait for a manager.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from studioos.models import RequestKind, RequestStatus, utcnow
from studioos.services import attendance, shift_requests, shifts
from studioos.services.errors import ValidationFailed
from studioos.services.performers import own_performer_id
from studioos.services.permissions import Actor, Cap, require
from studioos.services.shift_requests import RequestRow
from studioos.services.shifts import ShiftRow
from studioos.services.validation import parse_id, require_id

UPCOMING_DAYS = 28  # how far ahead her list of shifts (and her "next shift") looks
# A shift still to be worked or being worked: not cancelled, not done, not missed.
_OPEN_ATTENDANCE = frozenset({"scheduled", "checked_in", "late"})


@dataclass(frozen=True)
class OwnShift:
    """One of her shifts still running or to come, with what she may do about it."""

    shift: ShiftRow
    request_pending: bool  # a request of hers for it waits for a manager
    can_request: bool  # she may ask time off or a swap for it now (upcoming, scheduled, nothing pending)


@dataclass(frozen=True)
class OwnRequest:
    """A request she made, or a colleague's swap proposed to her."""

    request: RequestRow
    mine: bool  # she asked (else a colleague proposes to hand her a shift)
    can_withdraw: bool  # hers and still pending


@dataclass(frozen=True)
class MyUpcoming:
    performer_id: int
    today: date  # the studio's day now
    current: ShiftRow | None  # the shift she is on now, or else the next one (within UPCOMING_DAYS)
    current_started: bool  # the current shift has begun: she is on it now
    can_check_in: bool  # the current shift's check-in window is open and she is not in yet
    can_check_out: bool  # she is checked in to the current shift and not out
    shifts: list[OwnShift] = field(default_factory=list)  # running or to come, earliest first
    requests: list[OwnRequest] = field(default_factory=list)  # newest first
    month_first: date = date.min  # hours count from the 1st of the studio's month to today
    hours: Decimal = Decimal("0.00")
    shifts_worked: int = 0
    late: int = 0

    @property
    def pending(self) -> list[RequestRow]:
        """The requests that wait for a manager, hers or proposed to her."""
        return [r.request for r in self.requests if r.request.status == RequestStatus.PENDING]


def current_shift(coming: Iterable[ShiftRow], now: datetime) -> ShiftRow | None:
    """The one she is on now or goes to next; an overnight shift from yesterday counts while it runs."""
    return next(
        (
            s
            for s in sorted(coming, key=lambda s: s.starts_at)
            if s.ends_at > now and s.attendance in _OPEN_ATTENDANCE
        ),
        None,
    )


def can_check_in(shift: ShiftRow | None, now: datetime) -> bool:
    """The window attendance.check_in enforces, so a button shows only when it would work."""
    return (
        shift is not None
        and shift.checked_in_local is None
        and shift.starts_at - attendance.EARLY_CHECK_IN <= now < shift.ends_at
    )


def can_check_out(shift: ShiftRow | None) -> bool:
    return shift is not None and shift.checked_in_local is not None and shift.checked_out_local is None


def my_upcoming(db: Session, actor: Actor, *, now: datetime | None = None) -> MyUpcoming | None:
    """Her schedule from now on; None when her account is not linked to a model profile yet."""
    require(actor, Cap.SCHEDULE_OWN)
    own = own_performer_id(db, actor)
    if own is None:
        return None
    now = now or utcnow()
    today = actor.today(now)
    coming = shifts.shifts_between(
        db, actor, today - timedelta(days=1), today + timedelta(days=UPCOMING_DAYS), performer_id=own
    )
    requests = shift_requests.list_requests(db, actor, status=None)
    pending = {r.shift_id for r in requests if r.status == RequestStatus.PENDING and r.performer_id == own}
    live = [s for s in coming if s.ends_at > now]
    current = current_shift(live, now)
    first = today.replace(day=1)
    worked = attendance.hours_worked(db, actor, first, today, now=now)
    mine = worked[0] if worked else None
    return MyUpcoming(
        performer_id=own,
        today=today,
        current=current,
        current_started=current is not None and current.starts_at <= now,
        can_check_in=can_check_in(current, now),
        can_check_out=can_check_out(current),
        shifts=[
            OwnShift(
                shift=s,
                request_pending=s.id in pending,
                # The rules shift_requests checks when she asks (its refusal stays the last word).
                can_request=s.id not in pending and s.starts_at > now and s.attendance == "scheduled",
            )
            for s in live
        ],
        requests=[
            OwnRequest(
                request=r,
                mine=r.performer_id == own,
                can_withdraw=r.performer_id == own and r.status == RequestStatus.PENDING,
            )
            for r in requests
        ],
        month_first=first,
        hours=mine.hours if mine else Decimal("0.00"),
        shifts_worked=mine.shifts if mine else 0,
        late=mine.late if mine else 0,
    )


def ask(db: Session, actor: Actor, shift_id: int, kind: str, form: Mapping[str, object]) -> RequestRow:
    """Her time-off or swap request from the request form (fields `reason`, `with_performer_id`)."""
    require(actor, Cap.SCHEDULE_OWN)
    sid = require_id(shift_id)
    reason = str(form.get("reason") or "")
    if kind == RequestKind.SWAP:
        partner = parse_id(form.get("with_performer_id"))
        if partner is None:
            raise ValidationFailed({"with_performer_id": "Choose the model to swap with."})
        return shift_requests.request_swap(db, actor, sid, with_performer_id=partner, reason=reason)
    if kind == RequestKind.TIME_OFF:
        return shift_requests.request_time_off(db, actor, sid, reason)
    raise ValidationFailed({"kind": "Ask for time off or a swap."})
