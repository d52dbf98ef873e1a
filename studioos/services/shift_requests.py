"""Requests from models: time off for a shift, or a swap with another model; decided by a manager.

A swap either hands the shift to another model (no `swap_shift_id`) or exchanges it with one of
hers (`swap_shift_id`). Approval changes the schedule (with the usual clash checks) and notifies
the people concerned; a new request notifies owners and managers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from studioos.models import (
    Performer,
    PerformerStatus,
    RequestKind,
    RequestStatus,
    Shift,
    ShiftRequest,
    ShiftStatus,
    utcnow,
)
from studioos.services import audit
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.formatting import for_timezone
from studioos.services.notifications import notify, performer_user_ids, staff_user_ids
from studioos.services.performers import get_row as get_performer_row
from studioos.services.performers import own_performer_id
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.shifts import find_clashes, get_shift_row, studio_zone, to_local
from studioos.services.validation import clean_text, require_id

KIND_LABELS = {RequestKind.TIME_OFF: "Time off", RequestKind.SWAP: "Swap"}
REASON_MAX = 500
NOTE_MAX = 500


def _limited(raw: str | None, field: str, label: str, max_len: int) -> str:
    """Free text refused (with the limit named) when too long; never cut short behind the user's back."""
    try:
        return clean_text(raw, label, max_len)
    except ValueError as exc:
        raise ValidationFailed({field: str(exc)}) from exc


@dataclass(frozen=True)
class RequestRow:
    id: int
    kind: RequestKind
    status: RequestStatus
    shift_id: int
    shift_label: str
    performer_id: int
    stage_name: str
    swap_performer_id: int | None
    swap_stage_name: str
    swap_shift_id: int | None
    swap_shift_label: str
    reason: str
    decision_note: str
    created_at: datetime
    decided_at: datetime | None

    @property
    def what(self) -> str:
        """Time off / Swap with Bella (her shift Tue 02 Jun, 10:00-16:00): the request in words."""
        if self.kind == RequestKind.TIME_OFF:
            return "Time off"
        what = f"Swap with {self.swap_stage_name}"
        return f"{what} (her shift {self.swap_shift_label})" if self.swap_shift_label else what


def _shift_label(shift: Shift | None, db: Session) -> str:
    if shift is None:
        return ""
    zone = studio_zone(db, shift.studio_id)
    start, end = to_local(shift.starts_at, zone), to_local(shift.ends_at, zone)
    fmt = for_timezone(zone.key)
    return f"{fmt.weekday_date(start)}, {fmt.wall_time(start)}–{fmt.wall_time(end)}"


def _dto(db: Session, r: ShiftRequest) -> RequestRow:
    names = dict(
        db.exec(
            select(Performer.id, Performer.stage_name).where(
                col(Performer.id).in_({r.performer_id, r.swap_performer_id or 0})
            )
        ).all()
    )
    shift = db.get(Shift, r.shift_id)
    other = db.get(Shift, r.swap_shift_id) if r.swap_shift_id else None
    return RequestRow(
        id=r.id or 0,
        kind=RequestKind(r.kind),
        status=RequestStatus(r.status),
        shift_id=r.shift_id,
        shift_label=_shift_label(shift, db),
        performer_id=r.performer_id,
        stage_name=names.get(r.performer_id, ""),
        swap_performer_id=r.swap_performer_id,
        swap_stage_name=names.get(r.swap_performer_id or 0, ""),
        swap_shift_id=r.swap_shift_id,
        swap_shift_label=_shift_label(other, db),
        reason=r.reason,
        decision_note=r.decision_note,
        created_at=r.created_at,
        decided_at=r.decided_at,
    )


def _my_future_shift(db: Session, actor: Actor, shift_id: int) -> tuple[int, int, Shift]:
    studio_id = require(actor, Cap.SCHEDULE_OWN)
    own = own_performer_id(db, actor)
    shift = get_shift_row(db, studio_id, shift_id)
    if own is None or shift.performer_id != own:
        raise NotFound()
    if shift.status != ShiftStatus.SCHEDULED or shift.starts_at <= utcnow():
        raise ValidationFailed({"shift_id": "Requests are only possible for upcoming scheduled shifts."})
    pending = db.exec(
        select(ShiftRequest.id).where(
            ShiftRequest.shift_id == shift_id, ShiftRequest.status == RequestStatus.PENDING
        )
    ).first()
    if pending is not None:
        raise ValidationFailed({"shift_id": "There is already a pending request for this shift."})
    return studio_id, own, shift


def _announce(db: Session, actor: Actor, req: ShiftRequest) -> RequestRow:
    db.add(req)
    db.flush()
    row = _dto(db, req)
    what = "time off" if req.kind == RequestKind.TIME_OFF else f"a swap with {row.swap_stage_name}"
    notify(
        db,
        studio_id=req.studio_id,
        user_ids=staff_user_ids(db, req.studio_id),
        kind="shift_request",
        title=f"{row.stage_name} asks for {what}",
        body=f"Shift {row.shift_label}. {req.reason}".strip(),
        link="/requests",
    )
    if req.kind == RequestKind.SWAP and req.swap_performer_id:
        notify(
            db,
            studio_id=req.studio_id,
            user_ids=performer_user_ids(db, req.studio_id, [req.swap_performer_id]),
            kind="shift_request",
            title=f"{row.stage_name} proposes a shift swap with you",
            body=f"Shift {row.shift_label}; a manager will decide.",
            link="/my-schedule",
        )
    db.flush()
    return row


def request_time_off(db: Session, actor: Actor, shift_id: int, reason: str = "") -> RequestRow:
    clean_reason = _limited(reason, "reason", "The reason", REASON_MAX)
    studio_id, own, _ = _my_future_shift(db, actor, shift_id)
    req = ShiftRequest(
        studio_id=studio_id,
        kind=RequestKind.TIME_OFF,
        shift_id=shift_id,
        performer_id=own,
        requested_by_id=actor.user_id,
        reason=clean_reason,
    )
    return _announce(db, actor, req)


def request_swap(
    db: Session,
    actor: Actor,
    shift_id: int,
    *,
    with_performer_id: int,
    their_shift_id: int | None = None,
    reason: str = "",
) -> RequestRow:
    clean_reason = _limited(reason, "reason", "The reason", REASON_MAX)
    studio_id, own, _ = _my_future_shift(db, actor, shift_id)
    if with_performer_id == own:
        raise ValidationFailed({"with_performer_id": "Choose another model to swap with."})
    get_performer_row(db, studio_id, with_performer_id)
    if their_shift_id is not None:
        theirs = get_shift_row(db, studio_id, their_shift_id)
        if theirs.performer_id != with_performer_id or theirs.status != ShiftStatus.SCHEDULED:
            raise ValidationFailed({"their_shift_id": "Choose one of her upcoming shifts."})
        if theirs.starts_at <= utcnow():
            raise ValidationFailed({"their_shift_id": "Choose one of her upcoming shifts."})
    req = ShiftRequest(
        studio_id=studio_id,
        kind=RequestKind.SWAP,
        shift_id=shift_id,
        performer_id=own,
        requested_by_id=actor.user_id,
        swap_performer_id=with_performer_id,
        swap_shift_id=their_shift_id,
        reason=clean_reason,
    )
    return _announce(db, actor, req)


def swap_partners(db: Session, actor: Actor) -> dict[int, str]:
    """id -> stage name of the other models a model may propose a swap with (not those who left)."""
    studio_id = require(actor, Cap.SCHEDULE_OWN)
    own = own_performer_id(db, actor)
    rows = db.exec(
        select(Performer.id, Performer.stage_name)
        .where(Performer.studio_id == studio_id, Performer.status != PerformerStatus.LEFT)
        .order_by(col(Performer.stage_name))
    ).all()
    return {i: n for i, n in rows if i is not None and i != own}


def list_requests(
    db: Session, actor: Actor, *, status: RequestStatus | None = RequestStatus.PENDING
) -> list[RequestRow]:
    """Managers see every request of the studio; a model sees those she made or that concern her."""
    studio_id = require_studio(actor)
    query = select(ShiftRequest).where(ShiftRequest.studio_id == studio_id)
    if not actor.can(Cap.SCHEDULE_MANAGE):
        require(actor, Cap.SCHEDULE_OWN)
        own = own_performer_id(db, actor)
        if own is None:
            return []
        query = query.where(
            or_(col(ShiftRequest.performer_id) == own, col(ShiftRequest.swap_performer_id) == own)
        )
    if status:
        query = query.where(ShiftRequest.status == status)
    rows = db.exec(query.order_by(col(ShiftRequest.created_at).desc(), col(ShiftRequest.id).desc())).all()
    return [_dto(db, r) for r in rows]


def _get_request(db: Session, studio_id: int, request_id: int) -> ShiftRequest:
    req = db.exec(
        select(ShiftRequest).where(
            ShiftRequest.id == require_id(request_id), ShiftRequest.studio_id == studio_id
        )
    ).first()
    if req is None:
        raise NotFound()
    return req


def withdraw_request(db: Session, actor: Actor, request_id: int) -> RequestRow:
    studio_id = require(actor, Cap.SCHEDULE_OWN)
    req = _get_request(db, studio_id, request_id)
    if req.performer_id != own_performer_id(db, actor):
        raise NotFound()
    if req.status != RequestStatus.PENDING:
        raise ValidationFailed({"request": "Only a pending request can be withdrawn."})
    req.status = RequestStatus.WITHDRAWN
    db.add(req)
    db.flush()
    return _dto(db, req)


def _apply_swap(db: Session, req: ShiftRequest) -> None:
    shift = get_shift_row(db, req.studio_id, req.shift_id)
    partner = req.swap_performer_id or 0
    if req.swap_shift_id is None:
        errors = find_clashes(
            db,
            req.studio_id,
            [(shift.starts_at, shift.ends_at)],
            room_id=shift.room_id,
            performer_id=partner,
            exclude_ids=[shift.id or 0],
        )
        if errors.get("performer_id"):
            raise ValidationFailed({"request": errors["performer_id"]})
        shift.performer_id = partner
        db.add(shift)
        return
    theirs = get_shift_row(db, req.studio_id, req.swap_shift_id)
    if theirs.status != ShiftStatus.SCHEDULED or theirs.performer_id != partner:
        raise ValidationFailed({"request": "Her shift has changed since the request; it cannot be swapped."})
    both = [shift.id or 0, theirs.id or 0]
    for performer_id, target in ((partner, shift), (req.performer_id, theirs)):
        errors = find_clashes(
            db,
            req.studio_id,
            [(target.starts_at, target.ends_at)],
            room_id=target.room_id,
            performer_id=performer_id,
            exclude_ids=both,
        )
        if errors.get("performer_id"):
            raise ValidationFailed({"request": errors["performer_id"]})
    shift.performer_id, theirs.performer_id = partner, req.performer_id
    db.add(shift)
    db.add(theirs)


def decide_request(
    db: Session, actor: Actor, request_id: int, *, approve: bool, note: str = ""
) -> RequestRow:
    """Approve (the schedule changes) or decline; the models concerned are notified either way."""
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    clean_note = _limited(note, "note", "A note", NOTE_MAX)
    req = _get_request(db, studio_id, request_id)
    if req.status != RequestStatus.PENDING:
        raise ValidationFailed({"request": "This request has already been decided."})
    shift = get_shift_row(db, studio_id, req.shift_id)
    if approve:
        if shift.status != ShiftStatus.SCHEDULED or shift.performer_id != req.performer_id:
            raise ValidationFailed(
                {"request": "The shift has changed since the request; decline it instead."}
            )
        if req.kind == RequestKind.TIME_OFF:
            shift.status = ShiftStatus.CANCELLED
            db.add(shift)
        else:
            _apply_swap(db, req)
    req.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    req.decided_by_id, req.decided_at = actor.user_id, utcnow()
    req.decision_note = clean_note
    db.add(req)
    db.flush()
    row = _dto(db, req)
    verdict = "approved" if approve else "declined"
    concerned = [req.performer_id] + ([req.swap_performer_id] if req.swap_performer_id else [])
    notify(
        db,
        studio_id=studio_id,
        user_ids=performer_user_ids(db, studio_id, concerned),
        kind=f"shift_request_{verdict}",
        title=f"{KIND_LABELS[RequestKind(req.kind)]} request {verdict}",
        body=f"Shift {row.shift_label}. {row.decision_note}".strip(),
        link="/my-schedule",
    )
    audit.record_by(db, actor, f"shift_request.{verdict}", target=f"shift_request:{req.id}")
    db.flush()
    return row
