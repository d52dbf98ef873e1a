"""Support requests: a thread between the person who asked and StudioOS's support staff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel

from studioos.models.types import utc_field


class RequestCategory(StrEnum):
    ACCOUNT = "account"
    BILLING = "billing"
    PRIVACY = "privacy"  # data and privacy
    BUG = "bug"
    OTHER = "other"


class RequestState(StrEnum):
    OPEN = "open"
    WAITING_ON_YOU = "waiting_on_you"  # support answered: the requester's turn
    WAITING_ON_US = "waiting_on_us"  # the requester answered: support's turn
    RESOLVED = "resolved"
    CLOSED = "closed"


class SupportRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    requester_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    # The requester's studio when they asked (support sees its name and plan, nothing else of it).
    studio_id: int | None = Field(default=None, foreign_key="studio.id", index=True, ondelete="SET NULL")
    title: str = Field(max_length=200)  # the subject line
    category: str = Field(max_length=16, index=True)
    status: str = Field(default=RequestState.OPEN, max_length=20, index=True)
    assigned_to_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)
    # The first response is due by this time (a target per category); met when support first answers.
    first_response_due_at: datetime = utc_field()
    first_responded_at: datetime | None = utc_field(nullable=True)
    merged_into_id: int | None = Field(default=None, foreign_key="supportrequest.id", ondelete="SET NULL")


class SupportMessage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="supportrequest.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    body: str = Field(sa_column=Column(Text, nullable=False))
    # An internal note among support staff: the requester never sees it.
    internal: bool = False
    created_at: datetime = utc_field(default_now=True)
