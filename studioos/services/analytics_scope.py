"""Who sees what on the Analytics page, the room filter's days, and the rounding every figure shares.

- Owners, managers and analysts (Cap.EARNINGS_VIEW) see the whole studio; a model
  (Cap.EARNINGS_OWN) sees her own numbers only, whatever model the page asks for: another
  model's id is "not found", like another studio's model or room.
- Member handles are personal data: owners and managers see them, a model sees those of her own
  members (as on /my-members); analysts get aggregates only.
- A model who objected to being analysed (Performer.analytics_objected_at, set by her in the
  privacy centre: services/privacy_choices.py) is left out of every figure staff see: her ids are
  `Viewer.excluded`, which every query of analytics_sql leaves out, and filtering on her is
  refused. Her own view still shows her numbers. Payroll and the earnings pages are not analytics
  and keep her.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlmodel import Session, col, select

from studioos.models import Performer, Shift, ShiftStatus
from studioos.services.analytics_filters import Filters
from studioos.services.analytics_sql import MILLI, RoomDays
from studioos.services.earnings import round_cents, viewer_scope
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.performers import get_row as get_performer_row
from studioos.services.permissions import Actor, Cap
from studioos.services.platforms import list_platforms
from studioos.services.rooms import get_room_row
from studioos.services.shifts import day_window, to_local


@dataclass(frozen=True)
class Viewer:
    studio_id: int
    performer_id: int | None  # the model filter, or the model's own profile
    personal: bool  # a model's own view
    members_named: bool  # may see member handles and single records
    # The models who objected to being analysed, left out of everything staff see; () in a
    # model's own view (the objection is about others analysing her).
    excluded: tuple[int, ...] = ()


def objecting(db: Session, studio_id: int) -> tuple[int, ...]:
    """The studio's models who objected to being included in its analytics, by id."""
    rows = db.exec(
        select(Performer.id).where(
            Performer.studio_id == studio_id, col(Performer.analytics_objected_at).is_not(None)
        )
    ).all()
    return tuple(sorted(pid for pid in rows if pid is not None))


def left_out_message(stage_name: str) -> str:
    return f"{stage_name} asked to be left out of analytics."


def viewer(db: Session, actor: Actor, filters: Filters) -> Viewer:
    """The permission check of every Analytics service, and the filters' ids checked against the
    actor's studio."""
    studio_id, own = viewer_scope(db, actor)
    performer_id = filters.performer_id
    excluded: tuple[int, ...] = ()
    if own is not None:
        if performer_id is not None and performer_id != own:
            raise NotFound()
        performer_id = own
    else:
        if performer_id is not None:
            chosen = get_performer_row(db, studio_id, performer_id)
            if chosen.analytics_objected_at is not None:
                # Said plainly rather than "not found": staff know she exists (payroll shows her),
                # and an empty chart would read as "she earned nothing".
                message = left_out_message(chosen.stage_name)
                raise ValidationFailed({"performer_id": message}, message)
        excluded = objecting(db, studio_id)
    if filters.room_id is not None:
        get_room_row(db, studio_id, filters.room_id)
    if filters.platform is not None and filters.platform not in list_platforms(db, actor):
        raise ValidationFailed({"platform": "Choose a platform from the list."})
    # Owners, managers, and a model for her own members: those who hold member notes. Analysts
    # read earnings but never notes, and here no handles either.
    return Viewer(studio_id, performer_id, own is not None, actor.can(Cap.MEMBER_NOTES), excluded)


def model_options(db: Session, actor: Actor) -> dict[int, str]:
    """id -> stage name, by name: the Analytics page's model filter. Staff get every model of the
    studio but those who objected to being analysed; a model gets her own profile only."""
    studio_id, own = viewer_scope(db, actor)
    query = select(Performer.id, Performer.stage_name).where(Performer.studio_id == studio_id)
    if own is not None:
        query = query.where(Performer.id == own)
    else:
        query = query.where(col(Performer.analytics_objected_at).is_(None))
    rows = db.exec(query.order_by(col(Performer.stage_name), col(Performer.id))).all()
    return {pid: name for pid, name in rows if pid is not None}


def room_days(db: Session, studio_id: int, room_id: int, lo: date, hi: date, zone: ZoneInfo) -> RoomDays:
    """Each model's days in the room within lo..hi: the local days her scheduled shifts there
    cover (the day a shift starts and, past midnight, the day it ends). Earnings are recorded per
    model and day, not per room, so these days are what ties them to a room. A no-show was not
    in the room."""
    start_lo, start_hi = day_window(zone, lo - timedelta(days=1), hi)
    rows = db.exec(
        select(Shift.performer_id, Shift.starts_at, Shift.ends_at).where(
            Shift.studio_id == studio_id,
            Shift.room_id == room_id,
            Shift.status == ShiftStatus.SCHEDULED,
            col(Shift.no_show).is_(False),
            Shift.starts_at >= start_lo,
            Shift.starts_at < start_hi,
        )
    ).all()
    days: dict[int, set[date]] = defaultdict(set)
    for performer_id, starts, ends in rows:
        day = to_local(starts, zone).date()
        end = to_local(max(starts, ends - timedelta(microseconds=1)), zone).date()
        while day <= end:
            if lo <= day <= hi:
                days[performer_id].add(day)
            day += timedelta(days=1)
    return tuple(sorted((pid, tuple(sorted(found))) for pid, found in days.items()))


# ---------------------------------------------------------------- rounding, once per figure


def cents(millicents: int) -> int:
    """Exact milli-cents to cents, half-up once (earnings.round_cents)."""
    return round_cents(Decimal(int(millicents)) / MILLI)


def cents_array(values: np.ndarray) -> np.ndarray:
    """The same rounding over an int64 array: half away from zero, as ROUND_HALF_UP does."""
    rounded: np.ndarray = np.sign(values) * ((np.abs(values) + MILLI // 2) // MILLI)
    return rounded


def basis_points(part: int, whole: int) -> int | None:
    """part / whole in 1/100 of a percent, half-up; None when the whole is not positive."""
    if whole <= 0:
        return None
    return round_cents(Decimal(int(part)) * 10_000 / Decimal(int(whole)))


def per_hour(millicents: int, minutes: int) -> int | None:
    """Cents per online hour; None without online time."""
    if minutes <= 0:
        return None
    return round_cents(Decimal(int(millicents)) * 60 / (Decimal(int(minutes)) * MILLI))


def change_bp(value: int | None, previous: int | None) -> int | None:
    """The relative change in basis points; None when there is nothing to compare with."""
    if value is None or previous is None or previous == 0:
        return None
    return round_cents(Decimal(value - previous) * 10_000 / abs(Decimal(previous)))
