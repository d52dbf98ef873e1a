"""Who may do what. Every service checks here; the UI only mirrors it to hide what it can't use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from studioos.models.accounts import Role
from studioos.services.errors import PermissionDenied


class Cap(StrEnum):
    DASHBOARD = "dashboard"
    TEAM_VIEW = "team.view"
    TEAM_INVITE = "team.invite"
    TEAM_INVITE_MANAGER = "team.invite_manager"
    TEAM_MANAGE_ROLES = "team.manage_roles"
    AUDIT_VIEW = "audit.view"
    BILLING = "billing"
    STUDIO_DELETE = "studio.delete"
    STUDIO_SETTINGS = "studio.settings"
    PERFORMERS_MANAGE = "performers.manage"
    PERFORMERS_VIEW = "performers.view"
    LEGAL_FIELDS = "performers.legal"
    SCHEDULE_MANAGE = "schedule.manage"
    SCHEDULE_OWN = "schedule.own"
    STREAMS_MANAGE = "streams.manage"
    EARNINGS_VIEW = "earnings.view"
    EARNINGS_OWN = "earnings.own"
    PAYROLL = "payroll"
    MEMBER_NOTES = "member_notes"
    CHAT = "chat"
    SUPPORT_TICKETS = "support.tickets"
    POLICY_PUBLISH = "policy.publish"
    SUPPORT_ACCESS_GRANT = "support.access_grant"  # let support read the studio for one request


SUPPORT_VIEW_ROLE = "support_view"

_MANAGER = {
    Cap.DASHBOARD,
    Cap.TEAM_VIEW,
    Cap.TEAM_INVITE,
    Cap.AUDIT_VIEW,
    Cap.PERFORMERS_MANAGE,
    Cap.PERFORMERS_VIEW,
    Cap.LEGAL_FIELDS,
    Cap.SCHEDULE_MANAGE,
    Cap.STREAMS_MANAGE,
    Cap.EARNINGS_VIEW,
    Cap.PAYROLL,
    Cap.MEMBER_NOTES,
    Cap.CHAT,
}

ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.OWNER: frozenset(
        _MANAGER
        | {
            Cap.TEAM_INVITE_MANAGER,
            Cap.TEAM_MANAGE_ROLES,
            Cap.BILLING,
            Cap.STUDIO_DELETE,
            Cap.STUDIO_SETTINGS,
            Cap.SUPPORT_ACCESS_GRANT,
        }
    ),
    Role.MANAGER: frozenset(_MANAGER),
    Role.ANALYST: frozenset({Cap.DASHBOARD, Cap.PERFORMERS_VIEW, Cap.EARNINGS_VIEW}),
    Role.PERFORMER: frozenset(
        {Cap.DASHBOARD, Cap.SCHEDULE_OWN, Cap.EARNINGS_OWN, Cap.MEMBER_NOTES, Cap.CHAT}
    ),
    # Not a membership role: the actor support_access.studio_actor builds for a support agent while
    # the owner's grant lasts. Reading only, and never legal names, ID documents or member notes.
    # It is in no Role, ROLE_LABELS or INVITABLE_ROLES, so no invitation, role change or session
    # can carry it.
    SUPPORT_VIEW_ROLE: frozenset({Cap.PERFORMERS_VIEW, Cap.EARNINGS_VIEW}),
}
SUPPORT_CAPS: frozenset[Cap] = frozenset({Cap.DASHBOARD, Cap.SUPPORT_TICKETS, Cap.POLICY_PUBLISH})

ROLE_LABELS: dict[str, str] = {
    Role.OWNER: "Owner",
    Role.MANAGER: "Manager",
    Role.ANALYST: "Analyst",
    Role.PERFORMER: "Model",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in person acting now, resolved from a live session on every request."""

    user_id: int
    email: str
    name: str
    studio_id: int | None
    role: str | None
    is_support: bool = False
    session_id: int | None = None
    ip: str = ""
    user_agent: str = ""
    # The studio's clock and currency, read with the session: every page and service that shows a
    # day or an amount uses these (support staff, who have no studio, work on UTC).
    timezone: str = "UTC"
    currency: str = "USD"
    # The studio's data revision, read with the session (studioos.models.revision): the key of
    # the per-studio caches. None when the actor did not come from a session (jobs, tests).
    studio_revision: int | None = None
    # The studio requires two-factor sign-in and this person has not turned it on: until they do,
    # they hold no capability at all (only their own account's pages work).
    must_enrol_two_factor: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")

    def today(self, now: datetime | None = None) -> date:
        """The studio's calendar day now (a shift at 23:30 local time is on the local day)."""
        return (now or datetime.now(UTC)).astimezone(self.zone).date()

    @property
    def caps(self) -> frozenset[Cap]:
        if self.must_enrol_two_factor:
            return frozenset()
        if self.is_support:
            return SUPPORT_CAPS
        if self.role is None:
            return frozenset()
        return ROLE_CAPS.get(self.role, frozenset())

    def can(self, cap: Cap) -> bool:
        return cap in self.caps


def require(actor: Actor, cap: Cap) -> int:
    """Raise unless the actor holds `cap`; return the actor's studio id for scoping queries."""
    if not actor.can(cap):
        raise PermissionDenied()
    if actor.studio_id is None and not actor.is_support:
        raise PermissionDenied()
    return actor.studio_id or 0


def require_studio(actor: Actor) -> int:
    if actor.studio_id is None or actor.role is None or actor.must_enrol_two_factor:
        raise PermissionDenied()
    return actor.studio_id
