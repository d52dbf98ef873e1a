"""Rooms a studio streams from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from studioos.models import Room, row_id
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.validation import clean_name, clean_text, require_id

ROOM_NAME_MAX = 60
NOTES_MAX = 1000


@dataclass(frozen=True)
class RoomRow:
    id: int
    name: str
    notes: str
    is_active: bool


def _dto(room: Room) -> RoomRow:
    return RoomRow(row_id(room), room.name, room.notes, room.is_active)


def get_room_row(db: Session, studio_id: int, room_id: int) -> Room:
    room = db.exec(select(Room).where(Room.id == require_id(room_id), Room.studio_id == studio_id)).first()
    if room is None:
        raise NotFound()
    return room


def list_rooms(db: Session, actor: Actor, *, include_inactive: bool = False) -> list[RoomRow]:
    studio_id = require_studio(actor)
    query = select(Room).where(Room.studio_id == studio_id)
    if not include_inactive:
        query = query.where(col(Room.is_active).is_(True))
    return [_dto(r) for r in db.exec(query.order_by(col(Room.name))).all()]


def get_room(db: Session, actor: Actor, room_id: int) -> RoomRow:
    return _dto(get_room_row(db, require_studio(actor), room_id))


def _clean(db: Session, studio_id: int, name: str, notes: str, exclude_id: int | None) -> tuple[str, str]:
    errors: dict[str, str] = {}
    clean = clean_notes = ""
    try:
        clean = clean_name(name, "Room name", ROOM_NAME_MAX)
    except ValueError as exc:
        errors["name"] = str(exc)
    try:
        clean_notes = clean_text(notes, "Notes", NOTES_MAX)
    except ValueError as exc:
        errors["notes"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    query = select(Room.id).where(Room.studio_id == studio_id, func.lower(Room.name) == clean.lower())
    if exclude_id is not None:
        query = query.where(Room.id != exclude_id)
    if db.exec(query).first() is not None:
        raise ValidationFailed({"name": f"There is already a room called {clean}."})
    return clean, clean_notes


def create_room(db: Session, actor: Actor, name: str, notes: str = "", is_active: bool = True) -> RoomRow:
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    clean, clean_notes = _clean(db, studio_id, name, notes, None)
    room = Room(studio_id=studio_id, name=clean, notes=clean_notes, is_active=is_active)
    db.add(room)
    db.flush()
    return _dto(room)


def update_room(
    db: Session, actor: Actor, room_id: int, *, name: str, notes: str = "", is_active: bool = True
) -> RoomRow:
    """Deactivating a room keeps its past shifts; new shifts can no longer be booked in it."""
    studio_id = require(actor, Cap.SCHEDULE_MANAGE)
    room = get_room_row(db, studio_id, room_id)
    room.name, room.notes = _clean(db, studio_id, name, notes, room.id)
    room.is_active = is_active
    db.add(room)
    db.flush()
    return _dto(room)
