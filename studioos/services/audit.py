"""The audit log: who did what to whom, from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, func, select

from studioos.models import AuditLog, Studio, User, row_id
from studioos.services.devices import describe_user_agent
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor, Cap, require

# What people read for each action code. Every code the services record has a label here
# (tests/unit/test_audit.py scans the source for them); an unknown one still reads as words.
ACTION_LABELS: dict[str, str] = {
    "signin.succeeded": "Signed in",
    "signin.failed": "Sign-in failed",
    "signin.burst_alert": "Many failed sign-ins",
    "signout": "Signed out",
    "signup.requested": "Sign-up requested",
    "signup.confirmed": "Sign-up confirmed",
    "studio.created": "Studio created",
    "account.name_changed": "Name changed",
    "account.email_change_requested": "Email change requested",
    "account.email_changed": "Email changed",
    "account.password_changed": "Password changed",
    "password.reset_requested": "Password reset requested",
    "password.reset": "Password reset",
    "session.revoked": "Signed out a session",
    "invitation.sent": "Invitation sent",
    "invitation.resent": "Invitation sent again",
    "invitation.revoked": "Invitation withdrawn",
    "invitation.accepted": "Invitation accepted",
    "member.role_changed": "Role changed",
    "member.removed": "Removed from the team",
    "performer.created": "Model added",
    "performer.contact_updated": "Model's contact details changed",
    "performer.legal_updated": "Model's legal details changed",
    "performer.documents_viewed": "Model's ID documents viewed",
    "performer.account_linked": "Model's account linked",
    "performer.photo_uploaded": "Model's photo uploaded",
    "performer.photo_deleted": "Model's photo removed",
    "platform_account.added": "Platform account added",
    "platform_account.removed": "Platform account removed",
    "shift.cancelled": "Shift cancelled",
    "shift.checked_in_by_manager": "Checked a model in",
    "shift_series.cancelled": "Shift series cancelled",
    "shift_request.approved": "Shift request approved",
    "shift_request.declined": "Shift request declined",
    "demo.schedule_seeded": "Demo schedule created",
    "demo.earnings_seeded": "Demo earnings created",
    "payroll.settings": "Pay period settings changed",
    "payroll.locked": "Payroll locked",
    "payroll.paid": "Payroll marked paid",
    "payroll.reopened": "Payroll reopened",
    "payroll.adjustment_added": "Payroll adjustment added",
    "payroll.adjustment_removed": "Payroll adjustment removed",
    "rates.set": "Token value set",
    "rates.delete": "Token value removed",
    "earnings.entered": "Earnings entered",
    "earnings.edited": "Earnings changed",
    "earnings.deleted": "Earnings removed",
    "import.landed": "Earnings file imported",
    "import.undone": "Earnings import undone",
    "members.tagged": "Member tags changed",
    "members.note_added": "Member note added",
    "account.deletion_requested": "Account deletion requested",
    "account.erased": "Deleted account erased",
    "privacy.export_requested": "Copy of personal data requested",
    "privacy.export_downloaded": "Copy of personal data downloaded",
    "policy.published": "Privacy policy version published",
    "policy.acknowledged": "Privacy policy change acknowledged",
    "support.request_opened": "Support request opened",
    "support.replied": "Support replied to a request",
    "support.note_added": "Support note added",
    "support.status_changed": "Support request status changed",
    "support.assigned": "Support request assigned",
    "support.merged": "Support requests merged",
}

# The filter's kinds of action: each is the set of code prefixes (the part before the dot).
ACTION_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "signin": ("Sign-ins", ("signin", "signout")),
    "account": ("Account and sessions", ("account", "password", "session")),
    "team": ("Team and invitations", ("invitation", "member")),
    "models": ("Models", ("performer", "platform_account")),
    "schedule": ("Schedule", ("shift", "shift_series", "shift_request")),
    "money": ("Earnings and payroll", ("earnings", "import", "rates", "payroll", "members")),
    "studio": ("Studio", ("studio", "signup", "demo")),
    "privacy": ("Privacy", ("privacy", "policy")),
    "support": ("Support", ("support",)),
}
MAX_RANGE_DAYS = 3660  # the date filter: ten years covers any log and keeps the arithmetic in range


def action_label(code: str) -> str:
    """Signed in, for signin.succeeded: a label, or the code itself turned into words."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    words = code.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def record(
    db: Session,
    action: str,
    *,
    studio_id: int | None,
    actor_user_id: int | None,
    target: str = "",
    detail: str = "",
    ip: str = "",
    user_agent: str = "",
) -> None:
    db.add(
        AuditLog(
            studio_id=studio_id,
            actor_user_id=actor_user_id,
            action=action,
            target=target[:255],
            detail=detail[:1000],
            ip=ip[:64],
            user_agent=user_agent[:512],
        )
    )


def record_by(db: Session, actor: Actor, action: str, target: str = "", detail: str = "") -> None:
    record(
        db,
        action,
        studio_id=actor.studio_id,
        actor_user_id=actor.user_id,
        target=target,
        detail=detail,
        ip=actor.ip,
        user_agent=actor.user_agent,
    )


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    actor: str
    action: str  # the code, e.g. signin.succeeded
    label: str  # what people read, e.g. Signed in
    target: str
    detail: str
    ip: str
    browser: str


@dataclass(frozen=True)
class AuditFilterOptions:
    kinds: list[tuple[str, str]]  # (value, label)
    people: list[tuple[int, str]]  # (user id, name): everyone who appears in this studio's log


def filter_options(db: Session, actor: Actor) -> AuditFilterOptions:
    studio_id = require(actor, Cap.AUDIT_VIEW)
    ids = select(AuditLog.actor_user_id).where(AuditLog.studio_id == studio_id).distinct()
    people = db.exec(select(User.id, User.name).where(col(User.id).in_(ids)).order_by(User.name)).all()
    return AuditFilterOptions(
        kinds=[(key, label) for key, (label, _) in ACTION_KINDS.items()],
        people=[(uid or 0, name) for uid, name in people],
    )


def _day_bounds(
    db: Session, studio_id: int, first: date | None, last: date | None
) -> tuple[datetime | None, datetime | None]:
    """The studio's local days first..last as a UTC half-open window (either end may be open)."""
    if first and last and last < first:
        raise ValidationFailed({"last_day": "The end of the period is before its start."})
    if first and last and (last - first).days > MAX_RANGE_DAYS:
        raise ValidationFailed({"last_day": "Choose a period of at most ten years."})
    studio = db.get(Studio, studio_id)
    zone = ZoneInfo(studio.timezone if studio and studio.timezone else "UTC")
    lo = datetime.combine(first, time(0), zone) if first else None
    hi = datetime.combine(last + timedelta(days=1), time(0), zone) if last and last < date.max else None
    return lo, hi


def list_entries(
    db: Session,
    actor: Actor,
    *,
    limit: int = 50,
    offset: int = 0,
    kind: str = "",
    person_id: int | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> tuple[list[AuditRow], int]:
    """The studio's log, newest first, filtered in the database and paged: (rows, total matching)."""
    studio_id = require(actor, Cap.AUDIT_VIEW)
    where: list[ColumnElement[bool]] = [col(AuditLog.studio_id) == studio_id]
    if kind:
        if kind not in ACTION_KINDS:
            raise ValidationFailed({"kind": "Choose a kind of action from the list."})
        prefixes = ACTION_KINDS[kind][1]
        where.append(
            or_(
                col(AuditLog.action).in_(prefixes),
                *(col(AuditLog.action).startswith(f"{p}.", autoescape=True) for p in prefixes),
            )
        )
    if person_id is not None:
        where.append(col(AuditLog.actor_user_id) == person_id)
    lo, hi = _day_bounds(db, studio_id, first_day, last_day)
    if lo is not None:
        where.append(col(AuditLog.created_at) >= lo)
    if hi is not None:
        where.append(col(AuditLog.created_at) < hi)
    total = db.exec(select(func.count()).select_from(AuditLog).where(*where)).one()
    rows = db.exec(
        select(AuditLog)
        .where(*where)
        .order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
        .offset(max(offset, 0))
        .limit(max(min(limit, 500), 1))
    ).all()
    names = {
        u.id: u.name
        for u in db.exec(select(User).where(col(User.id).in_({r.actor_user_id for r in rows}))).all()
    }
    return [
        AuditRow(
            id=row_id(r),
            created_at=r.created_at,
            actor=names.get(r.actor_user_id, "—") if r.actor_user_id else "—",
            action=r.action,
            label=action_label(r.action),
            target=r.target,
            detail=r.detail,
            ip=r.ip,
            browser=describe_user_agent(r.user_agent),
        )
        for r in rows
    ], total
