"""In-app notifications, one row per recipient."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from studioos.models.types import utc_field


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    studio_id: int | None = Field(default=None, foreign_key="studio.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=1000)
    link: str = Field(default="", max_length=255)
    read_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True, index=True)
