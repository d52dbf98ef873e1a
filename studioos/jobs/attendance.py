"""Attendance job: shifts that ended without a check-in become no-shows."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from studioos.models import Shift, ShiftStatus


def mark_no_shows(db: Session, now: datetime) -> int:
    """Flag every scheduled shift (all studios) that ended by `now` with no check-in; returns the count.

    Idempotent: a flagged shift is not selected again.
    """
    shifts = db.exec(
        select(Shift).where(
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.ends_at <= now,
            col(Shift.checked_in_at).is_(None),
            col(Shift.no_show).is_(False),
        )
    ).all()
    for shift in shifts:
        shift.no_show = True
        db.add(shift)
    db.flush()
    return len(shifts)
