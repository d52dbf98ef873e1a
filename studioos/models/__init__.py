"""Every table, imported here so SQLModel.metadata (and Alembic) sees them all."""

from studioos.models.accounts import (
    AuthSession,
    Invitation,
    LoginEvent,
    Membership,
    Role,
    TokenPurpose,
    User,
    UserToken,
)
from studioos.models.privacy import AuditLog
from studioos.models.studio import Studio
from studioos.models.types import utcnow

__all__ = [
    "AuditLog",
    "AuthSession",
    "Invitation",
    "LoginEvent",
    "Membership",
    "Role",
    "Studio",
    "TokenPurpose",
    "User",
    "UserToken",
    "utcnow",
]
