"""Every table, imported here so SQLModel.metadata (and Alembic) sees them all."""

from studioos.models import revision as _revision  # noqa: F401  (registers the revision bump)
from studioos.models.accounts import (
    AuthSession,
    Invitation,
    LoginEvent,
    Membership,
    Role,
    SignupRequest,
    TokenPurpose,
    TrustedBrowser,
    User,
    UserToken,
)
from studioos.models.compliance import DocumentReminder
from studioos.models.notifications import Notification
from studioos.models.performers import DocumentType, Performer, PerformerStatus, Platform, PlatformAccount
from studioos.models.privacy import AuditLog
from studioos.models.schedule import (
    RequestKind,
    RequestStatus,
    Room,
    ScheduleSettings,
    Shift,
    ShiftRequest,
    ShiftSeries,
    ShiftStatus,
)
from studioos.models.studio import Studio
from studioos.models.types import row_id, utcnow

__all__ = [
    "AuditLog",
    "AuthSession",
    "DocumentReminder",
    "DocumentType",
    "Invitation",
    "LoginEvent",
    "Membership",
    "Notification",
    "Performer",
    "PerformerStatus",
    "Platform",
    "PlatformAccount",
    "RequestKind",
    "RequestStatus",
    "Role",
    "Room",
    "ScheduleSettings",
    "Shift",
    "ShiftRequest",
    "ShiftSeries",
    "ShiftStatus",
    "SignupRequest",
    "Studio",
    "TokenPurpose",
    "TrustedBrowser",
    "User",
    "UserToken",
    "row_id",
    "utcnow",
]
