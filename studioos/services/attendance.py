"""Check-in, check-out, lateness and hours worked.

A model checks herself in and out; a manager may do it for her. A check-in later than the
studio's grace period after the scheduled start flags the shift late. Shifts that ended with no
check-in become no-shows (studioos.jobs.attendance.mark_no_shows).

Hours worked count checked-in time: check-out minus check-in; a shift checked in but not checked
out counts up to now while it runs, and up to its scheduled end once that has passed (the usual
"forgot to check out"). A shift belongs to the local day it starts on, so an overnight shift counts
wholly in the period of its start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from studioos.models import Performer, ScheduleSettings, Shift, ShiftStatus, utcnow
from studioos.services import audit
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.performers import get_row as get_performer_row
from studioos.services.performers import own_performer_id
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.shifts import (
    ShiftRow,
    check_view_day,
    day_window,
    get_shift_row,
    shift_dto,
    studio_zone,
)
from studioos.services.validation import parse_int

DEFAULT_GRACE_MINUTES = 10
MAX_GRACE_MINUTES = 120
EARLY_CHECK_IN = timedelta(hours=1)
MAX_REPORT_DAYS = 366  # an hours report covers at most a year


@dataclass(frozen=True)
class HoursRow:
    performer_id: int
    stage_name: str
    shifts: int
    worked_minutes: int
    late: int
    no_shows: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.worked_minutes) / 60).quantize(Decimal("0.01"))


@dataclass
class _Tally:
    stage_name: str
    shifts: int = 0
    worked: timedelta = field(default_factory=timedelta)
    late: int = 0
    no_shows: int = 0

    def add(self, shift: Shift, now: datetime) -> None:
        self.shifts += 1
        self.worked += worked(shift, now)
        self.late += int(shift.late)
        self.no_shows += int(shift.no_show)


def late_grace_minutes(db: Session, studio_id: int) -> int:
    found = db.get(ScheduleSettings, studio_id)
    return found.late_grace_minutes if found else DEFAULT_GRACE_MINUTES


def get_grace(db: Session, actor: Actor) -> int:
    return late_grace_minutes(db, require_studio(actor))


def set_grace(db: Session, actor: Actor, minutes: int) -> int:
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    value = parse_int(minutes, 0, MAX_GRACE_MINUTES)
    if value is None:
        raise ValidationFailed(
            {"late_grace_minutes": f"The grace period is between 0 and {MAX_GRACE_MINUTES} minutes."}
        )
    found = db.get(ScheduleSettings, studio_id) or ScheduleSettings(studio_id=studio_id)
    found.late_grace_minutes = value
    db.add(found)
    db.flush()
    return found.late_grace_minutes


def _own_or_managed(db: Session, actor: Actor, shift_id: int) -> Shift:
    """Managers act on any shift of the studio; a model only on her own (others: NotFound)."""
    studio_id = require_studio(actor)
    shift = get_shift_row(db, studio_id, shift_id)
    if actor.can(Cap.SCHEDULE_MANAGE):
        return shift
    if actor.can(Cap.SCHEDULE_OWN) and own_performer_id(db, actor) == shift.performer_id:
        return shift
    raise NotFound()


def check_in(db: Session, actor: Actor, shift_id: int, *, now: datetime | None = None) -> ShiftRow:
    shift = _own_or_managed(db, actor, shift_id)
    now = now or utcnow()
    if shift.status == ShiftStatus.CANCELLED:
        raise ValidationFailed({"shift": "This shift is cancelled."})
    if shift.checked_in_at is not None:
        raise ValidationFailed({"shift": "Already checked in."})
    if now < shift.starts_at - EARLY_CHECK_IN:
        raise ValidationFailed({"shift": "Check-in opens one hour before the shift starts."})
    if now >= shift.ends_at:
        raise ValidationFailed({"shift": "This shift has ended; it can no longer be checked in."})
    grace = timedelta(minutes=late_grace_minutes(db, shift.studio_id))
    shift.checked_in_at = now
    shift.late = now > shift.starts_at + grace
    shift.no_show = False
    db.add(shift)
    if actor.can(Cap.SCHEDULE_MANAGE):
        audit.record_by(db, actor, "shift.checked_in_by_manager", target=f"shift:{shift.id}")
    db.flush()
    return shift_dto(db, shift)


def check_out(db: Session, actor: Actor, shift_id: int, *, now: datetime | None = None) -> ShiftRow:
    shift = _own_or_managed(db, actor, shift_id)
    now = now or utcnow()
    if shift.checked_in_at is None:
        raise ValidationFailed({"shift": "Check in first."})
    if shift.checked_out_at is not None:
        raise ValidationFailed({"shift": "Already checked out."})
    shift.checked_out_at = max(now, shift.checked_in_at)
    db.add(shift)
    db.flush()
    return shift_dto(db, shift)


def worked(shift: Shift, now: datetime | None = None) -> timedelta:
    """Time worked so far: to the check-out, else to now, at most to the scheduled end."""
    if shift.checked_in_at is None:
        return timedelta(0)
    end = shift.checked_out_at or min(shift.ends_at, now or utcnow())
    return max(end - shift.checked_in_at, timedelta(0))


def hours_worked(
    db: Session,
    actor: Actor,
    first_day: date,
    last_day: date,
    *,
    performer_id: int | None = None,
    now: datetime | None = None,
) -> list[HoursRow]:
    """Per model, shifts starting on local days first_day..last_day: count, time worked, late, no-shows.

    Staff and analysts see every model; a model sees only her own row.
    """
    studio_id = require_studio(actor)
    if not (actor.can(Cap.SCHEDULE_MANAGE) or actor.can(Cap.PERFORMERS_VIEW)):
        require(actor, Cap.SCHEDULE_OWN)
        own = own_performer_id(db, actor)
        if own is None or (performer_id is not None and performer_id != own):
            raise NotFound()
        performer_id = own
    if performer_id is not None:
        get_performer_row(db, studio_id, performer_id)
    check_view_day(db, studio_id, first_day, "first_day")
    check_view_day(db, studio_id, last_day, "last_day")
    if last_day < first_day:
        raise ValidationFailed({"last_day": "The period ends before it starts."})
    if (last_day - first_day).days >= MAX_REPORT_DAYS:
        raise ValidationFailed(
            {"last_day": f"A period can cover at most {MAX_REPORT_DAYS} days; choose a shorter one."}
        )
    lo, hi = day_window(studio_zone(db, studio_id), first_day, last_day)
    where: list[ColumnElement[bool]] = [
        col(Shift.studio_id) == studio_id,
        col(Shift.status) == ShiftStatus.SCHEDULED,
        col(Shift.starts_at) >= lo,
        col(Shift.starts_at) < hi,
    ]
    if performer_id is not None:
        where.append(col(Shift.performer_id) == performer_id)
    found = db.exec(
        select(Shift, Performer.stage_name)
        .join(Performer, col(Performer.id) == Shift.performer_id)
        .where(*where)
    ).all()
    totals: dict[int, _Tally] = {}
    now = now or utcnow()
    for shift, name in found:
        tally = totals.setdefault(shift.performer_id, _Tally(name))
        tally.add(shift, now)
    return sorted(
        (
            HoursRow(
                performer_id=pid,
                stage_name=t.stage_name,
                shifts=t.shifts,
                worked_minutes=int(t.worked.total_seconds() // 60),
                late=t.late,
                no_shows=t.no_shows,
            )
            for pid, t in totals.items()
        ),
        key=lambda r: r.stage_name.lower(),
    )
