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


class PrivacyKind(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    CORRECTION = "correction"
    DELETION = "deletion"
    RESTRICTION = "restriction"
    OBJECTION = "objection"


class PrivacyState(StrEnum):
    RECEIVED = "received"
    VERIFYING = "verifying_identity"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REFUSED = "refused"


class PrivacyRequest(SQLModel, table=True):
    """The structure a data-and-privacy support request carries on top of its thread: which right,
    where it stands, the statutory due date, and who checked the requester's identity and how."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="supportrequest.id", unique=True, ondelete="CASCADE")
    # Whose data it is about: the request's requester (also when support logged it for them).
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    status: str = Field(default=PrivacyState.RECEIVED, max_length=20, index=True)
    received_at: datetime = utc_field(default_now=True)
    due_at: datetime = utc_field()
    # How it reached us: the app, or email / telegram / phone logged by a support agent.
    channel: str = Field(default="app", max_length=16)
    logged_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    identity_verified_at: datetime | None = utc_field(nullable=True)
    identity_verified_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    identity_method: str = Field(default="", max_length=200)
    refusal_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    completed_at: datetime | None = utc_field(nullable=True)


class SupportAccessGrant(SQLModel, table=True):
    """An owner lets support read the studio's models, earnings and members for one request,
    until `expires_at` or until revoked."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="supportrequest.id", index=True, ondelete="CASCADE")
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    granted_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(nullable=True)
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class SupportAttachment(SQLModel, table=True):
    """A file on a message: an image or a PDF, checked by content, kept encrypted on disk."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="supportrequest.id", index=True, ondelete="CASCADE")
    message_id: int = Field(foreign_key="supportmessage.id", index=True, ondelete="CASCADE")
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=64)
    size_bytes: int
    stored_name: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_field(default_now=True)


class CannedReply(SQLModel, table=True):
    """A saved answer support staff insert into a reply and edit before sending."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120, unique=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)
