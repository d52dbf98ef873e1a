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


class ConsentRecord(SQLModel, table=True):
    """A browser's cookie choice: essential cookies are always on, analytics only when chosen. Every
    choice is a new row (the newest is in force), with the policy version it was made under."""

    id: int | None = Field(default=None, primary_key=True)
    # auth.browser_hash() of the browser's id cookie: consent belongs to a browser, signed in or not.
    browser: str = Field(max_length=64, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="SET NULL")
    analytics: bool = False
    policy_version: str = Field(max_length=40)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    created_at: datetime = utc_field(default_now=True)


class UsageEvent(SQLModel, table=True):
    """A page view or feature use, written only for a browser whose newest choice allows analytics,
    and deleted after the retention period (Settings.usage_retention_days)."""

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int | None = Field(default=None, foreign_key="studio.id", index=True, ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=64)
    path: str = Field(default="", max_length=255)
    created_at: datetime = utc_field(default_now=True, index=True)


class DataExport(SQLModel, table=True):
    """A person's "copy of my data": built in the background into an encrypted file, downloadable by
    that person alone until `expires_at`, then deleted by the hourly `exports` job."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    status: str = Field(default="queued", max_length=16)  # queued, building, ready, failed
    progress: int = 0  # percent
    file_name: str = Field(default="", max_length=120)  # under the data folder's exports/
    size_bytes: int = 0
    error: str = Field(default="", max_length=300)
    created_at: datetime = utc_field(default_now=True)
    finished_at: datetime | None = utc_field(nullable=True)
    expires_at: datetime | None = utc_field(nullable=True, index=True)


class AccountDeletion(SQLModel, table=True):
    """A person's request to delete their account: access ends at once; the `account-erasure` job
    erases what the personal-data registry lists (well within the 30 days the policy promises) and
    sets `erased_at`. The model profiles the account was linked to are kept here, because the
    memberships that linked them end with the request."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    requested_at: datetime = utc_field(default_now=True)
    performer_ids: str = Field(default="", max_length=500)  # comma-separated
    erased_at: datetime | None = utc_field(nullable=True)
