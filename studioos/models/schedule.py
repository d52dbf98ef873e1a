"""Rooms, shifts (single and weekly series), attendance and shift requests."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from studioos.models.types import utc_field


class Room(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("studio_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=60)
    notes: str = Field(default="", max_length=1000)
    is_active: bool = Field(default=True)
    created_at: datetime = utc_field(default_now=True)


class ScheduleSettings(SQLModel, table=True):
    """Per-studio schedule settings (a row appears the first time a studio changes a default)."""

    studio_id: int = Field(foreign_key="studio.id", primary_key=True, ondelete="CASCADE")
    late_grace_minutes: int = Field(default=10)


class ShiftSeries(SQLModel, table=True):
    """A weekly recurrence, kept in studio-local wall-clock terms so DST never shifts it."""

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", index=True, ondelete="CASCADE")
    room_id: int = Field(foreign_key="room.id", index=True, ondelete="CASCADE")
    weekdays: str = Field(max_length=16)  # "0,1,2,3,4" = Monday..Friday
    start_time: str = Field(max_length=5)  # "18:00", studio-local
    end_time: str = Field(max_length=5)  # "02:00" = next day when not after start_time
    first_day: date
    last_day: date
    timezone: str = Field(max_length=64)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = utc_field(default_now=True)


class ShiftStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Shift(SQLModel, table=True):
    __table_args__ = (
        Index("ix_shift_room_time", "room_id", "starts_at", "ends_at"),
        Index("ix_shift_performer_time", "performer_id", "starts_at", "ends_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", ondelete="CASCADE")
    room_id: int = Field(foreign_key="room.id", ondelete="CASCADE")
    series_id: int | None = Field(default=None, foreign_key="shiftseries.id", index=True, ondelete="SET NULL")
    starts_at: datetime = utc_field(index=True)
    ends_at: datetime = utc_field()
    status: str = Field(default=ShiftStatus.SCHEDULED, max_length=16)
    notes: str = Field(default="", max_length=500)
    checked_in_at: datetime | None = utc_field(nullable=True)
    checked_out_at: datetime | None = utc_field(nullable=True)
    late: bool = Field(default=False)
    no_show: bool = Field(default=False)
    created_at: datetime = utc_field(default_now=True)


class RequestKind(StrEnum):
    TIME_OFF = "time_off"
    SWAP = "swap"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ShiftRequest(SQLModel, table=True):
    """A model's request for time off, or to hand over / exchange a shift with another model."""

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    shift_id: int = Field(foreign_key="shift.id", index=True, ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", index=True, ondelete="CASCADE")
    requested_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    swap_performer_id: int | None = Field(default=None, foreign_key="performer.id", ondelete="CASCADE")
    swap_shift_id: int | None = Field(default=None, foreign_key="shift.id", ondelete="CASCADE")
    reason: str = Field(default="", max_length=500)
    status: str = Field(default=RequestStatus.PENDING, max_length=16, index=True)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    decided_at: datetime | None = utc_field(nullable=True)
    decision_note: str = Field(default="", max_length=500)
    created_at: datetime = utc_field(default_now=True)
