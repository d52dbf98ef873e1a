"""The weekly report by email: who asked for it, and which weeks have gone out."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from studioos.models.types import utc_field


class WeeklyReportSubscription(SQLModel, table=True):
    """An owner who gets the Monday email with last week's figures (a row: yes; none: no)."""

    studio_id: int = Field(foreign_key="studio.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = utc_field(default_now=True)


class WeeklyReportRun(SQLModel, table=True):
    """One studio's report of one week. Inserting the row claims the week (the unique key lets only
    one runner in); `sent_at` says it went out, so a claim whose sending failed is tried again."""

    __table_args__ = (UniqueConstraint("studio_id", "week_start"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    week_start: date  # the Monday of the week reported
    claimed_at: datetime = utc_field()
    sent_at: datetime | None = utc_field(nullable=True)
    recipients: int = 0
