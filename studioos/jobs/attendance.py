"""Attendance job: shifts that ended without a check-in become no-shows."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from studioos.models import Performer, Room, Shift, ShiftStatus
from studioos.services.formatting import for_timezone
from studioos.services.notifications import notify, staff_user_ids
from studioos.services.shifts import studio_zone, to_local


def mark_no_shows(db: Session, now: datetime) -> int:
    """Flag every scheduled shift (all studios) that ended by `now` with no check-in; returns the count.

    A shift booked after it ended (a manager recording history, see shifts.create_shift's
    `record_past`) is never a no-show: nobody could have checked in for it.
    Idempotent: a flagged shift is not selected again.
    """
    shifts = db.exec(
        select(Shift).where(
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.ends_at <= now,
            col(Shift.created_at) < col(Shift.ends_at),
            col(Shift.checked_in_at).is_(None),
            col(Shift.no_show).is_(False),
        )
    ).all()
    for shift in shifts:
        shift.no_show = True
        db.add(shift)
        _tell_managers(db, shift)
    db.flush()
    return len(shifts)


def _tell_managers(db: Session, shift: Shift) -> None:
    performer = db.get(Performer, shift.performer_id)
    room = db.get(Room, shift.room_id)
    zone = studio_zone(db, shift.studio_id)
    start, end = to_local(shift.starts_at, zone), to_local(shift.ends_at, zone)
    name = performer.stage_name if performer else "A model"
    fmt = for_timezone(zone.key)
    notify(
        db,
        studio_id=shift.studio_id,
        user_ids=staff_user_ids(db, shift.studio_id),
        kind="no_show",
        title=f"No-show: {name}",
        body=f"{name} did not check in for {room.name if room else 'her room'}, "
        f"{fmt.weekday_date(start)}, {fmt.wall_time(start)}–{fmt.wall_time(end)}.",
        link="/schedule",
    )
