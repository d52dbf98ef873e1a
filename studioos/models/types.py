"""Column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back an aware UTC datetime, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_field(*, nullable: bool = False, index: bool = False, default_now: bool = False) -> Any:
    kwargs: dict[str, Any] = {"sa_type": UTCDateTime, "nullable": nullable, "index": index}
    if default_now:
        kwargs["default_factory"] = utcnow
    elif nullable:
        kwargs["default"] = None
    return Field(**kwargs)


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Stored) -> int:
    """The id of a row that is in the database. Tables declare `id: int | None` because a new object has
    none until it is flushed; after that a missing id is a bug, so it raises instead of passing None on."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id
