"""Which document-expiry reminders have gone out, so the daily job never sends one twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from studioos.models.types import utc_field


class DocumentReminder(SQLModel, table=True):
    # doc_key is an HMAC of the document number and expiry (never the plaintext): a renewed
    # document gets a new key and so its own reminders.
    __table_args__ = (UniqueConstraint("performer_id", "doc_key", "threshold_days"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", index=True, ondelete="CASCADE")
    doc_key: str = Field(max_length=64)
    threshold_days: int
    sent_at: datetime = utc_field(default_now=True)
