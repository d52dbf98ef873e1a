"""Records the privacy policy promises rest on."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from studioos.models.types import utc_field


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    studio_id: int | None = Field(default=None, foreign_key="studio.id", index=True, ondelete="CASCADE")
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    action: str = Field(max_length=64, index=True)
    target: str = Field(default="", max_length=255)
    detail: str = Field(default="", max_length=1000)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    created_at: datetime = utc_field(default_now=True, index=True)
