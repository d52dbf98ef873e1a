"""Every published version of the privacy policy, and who acknowledged which."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from studioos.models.types import utc_field


class PolicyVersion(SQLModel, table=True):
    """A version of the privacy policy as published by support staff (the text StudioOS was built
    with is the first version, `studioos/privacy_text.py`, and is not stored)."""

    id: int | None = Field(default=None, primary_key=True)
    body: str = Field(sa_column=Column(Text, nullable=False))  # markdown
    effective_on: date = Field(index=True)
    material: bool = False
    summary: str = Field(default="", max_length=500)  # what changed, shown when asking to acknowledge
    published_at: datetime = utc_field(default_now=True)
    published_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class PolicyAcceptance(SQLModel, table=True):
    """A person's acknowledgement of a material change, when they were asked at sign-in."""

    __table_args__ = (UniqueConstraint("user_id", "policy_version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    policy_version_id: int = Field(foreign_key="policyversion.id", ondelete="CASCADE")
    accepted_at: datetime = utc_field(default_now=True)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
