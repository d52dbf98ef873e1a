"""Who can sign in, to which studio, with what role; and how they are signed in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from studioos.crypto import EncryptedString
from studioos.models.types import utc_field


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    ANALYST = "analyst"
    PERFORMER = "performer"


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE = "email_change"
    SIGNIN_HANDOFF = "signin_handoff"
    # The password was right and a second factor is due: the sign-in page asks for the code.
    TWO_FACTOR_PENDING = "two_factor_pending"


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased: uniqueness is case-insensitive by construction.
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    is_support: bool = Field(default=False)
    is_active: bool = Field(default=True)
    created_at: datetime = utc_field(default_now=True)
    deleted_at: datetime | None = utc_field(nullable=True)
    # Two-factor sign-in (studioos.services.two_factor): the TOTP secret, encrypted at rest; set
    # while enrolling and kept once a first code confirms it (`totp_enabled_at`). The last time
    # step accepted: a code is good once, so a code seen over a shoulder cannot be replayed.
    totp_secret: str | None = Field(default=None, sa_type=EncryptedString)
    totp_enabled_at: datetime | None = utc_field(nullable=True)
    totp_last_step: int | None = Field(default=None)


class RecoveryCode(SQLModel, table=True):
    """One of the ten single-use codes that stand in for the authenticator app; stored hashed."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_field(default_now=True)
    used_at: datetime | None = utc_field(nullable=True)


class ExternalIdentity(SQLModel, table=True):
    """An account at an OpenID Connect provider linked to a StudioOS user: (issuer, subject) is
    the provider's stable id of the person; the email is only what the provider said last."""

    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    email: str = Field(default="", max_length=254)
    created_at: datetime = utc_field(default_now=True)
    last_used_at: datetime | None = utc_field(nullable=True)


class OidcLogin(SQLModel, table=True):
    """One trip to the OpenID Connect provider and back: the state (stored hashed), the nonce and
    the PKCE verifier it must come back with, bound to the browser that left. Single use. When
    the provider names an account that exists but is not linked yet, the row waits (with the
    provider's issuer, subject and email) for that person's password before linking."""

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(sa_type=EncryptedString)
    browser_hash: str = Field(default="", max_length=64)
    # signin / reauth (a signed-in person confirming who they are with the provider)
    intent: str = Field(default="signin", max_length=16)
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="CASCADE")
    next_path: str = Field(default="", max_length=512)
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True)
    # Filled when the callback found an unlinked account for a verified email: the link ticket.
    link_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    issuer: str | None = Field(default=None, max_length=255)
    subject: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=254)
    # A trip started from an invitation link: coming back, the invitation is accepted with this
    # provider account (no password), or after linking it to the invited address's account.
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id", ondelete="CASCADE")


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "studio_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)
    created_at: datetime = utc_field(default_now=True)
    # A performer's account is linked to her model profile (set when she is invited as that model).
    performer_id: int | None = Field(default=None, foreign_key="performer.id", ondelete="SET NULL")


class AuthSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    studio_id: int | None = Field(default=None, foreign_key="studio.id", ondelete="SET NULL")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = utc_field(default_now=True)
    last_seen_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    revoked_at: datetime | None = utc_field(nullable=True)
    # The last time the person proved who they are in this session (the sign-in itself, or a
    # password or provider confirmation since): sensitive actions want it within 10 minutes.
    reauthenticated_at: datetime | None = utc_field(nullable=True)


class LoginEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254, index=True)
    ip: str = Field(default="", max_length=64, index=True)
    user_agent: str = Field(default="", max_length=512)
    device_key: str = Field(default="", max_length=64)
    # HMAC of the browser cookie (never the cookie itself): failures are counted per browser.
    browser_hash: str = Field(default="", max_length=64, index=True)
    success: bool = Field(default=False)
    reason: str = Field(default="", max_length=64)
    created_at: datetime = utc_field(default_now=True, index=True)


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    # A model invited from her profile: accepting links the account to that profile.
    performer_id: int | None = Field(default=None, foreign_key="performer.id", ondelete="SET NULL")
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    accepted_at: datetime | None = utc_field(nullable=True)
    accepted_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    revoked_at: datetime | None = utc_field(nullable=True)


class UserToken(SQLModel, table=True):
    """Single-use emailed links (reset, email change) and the sign-in cookie hand-off."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    payload: str = Field(default="", max_length=512)
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True)


class TrustedBrowser(SQLModel, table=True):
    """A browser (by the HMAC of its long-lived cookie) that has signed in to this account before.

    OWASP's device-cookie defence: a stranger's failed sign-ins throttle strangers, never the
    owner signing in from a browser she has used before."""

    __table_args__ = (UniqueConstraint("user_id", "browser_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    browser_hash: str = Field(max_length=64)
    created_at: datetime = utc_field(default_now=True)
    last_seen_at: datetime = utc_field(default_now=True)


class SignupRequest(SQLModel, table=True):
    """A sign-up waiting for its emailed confirmation: the same answer whether or not the
    address already has an account, so sign-up reveals nobody's membership."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    name: str = Field(max_length=120)
    studio_name: str = Field(max_length=120)
    timezone: str = Field(max_length=64, default="UTC")
    currency: str = Field(max_length=3, default="USD")
    password_hash: str = Field(max_length=255)
    token_hash: str = Field(max_length=64, unique=True)
    ip: str = Field(default="", max_length=64, index=True)
    created_at: datetime = utc_field(default_now=True, index=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True)
