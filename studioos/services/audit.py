"""The audit log: who did what to whom, from where."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, func, select

from studioos.models import AuditLog, Studio, User, row_id
from studioos.services.devices import describe_user_agent
from studioos.services.errors import PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor, Cap, require

# What people read for each action code. Every code the services record has a label here
# (tests/unit/test_audit.py scans the source for them); an unknown one still reads as words.
ACTION_LABELS: dict[str, str] = {
    "signin.succeeded": "Signed in",
    "signin.failed": "Sign-in failed",
    "signin.burst_alert": "Many failed sign-ins",
    "signout": "Signed out",
    "signin.new_browser": "Signed in from a new browser",
    "signin.sso": "Signed in with the sign-in provider",
    "sso.linked": "Sign-in provider linked",
    "sso.unlinked": "Sign-in provider unlinked",
    "sso.failed": "Sign-in with the provider failed",
    "reauth.confirmed": "Confirmed identity",
    "reauth.failed": "Identity confirmation failed",
    "two_factor.enabled": "Two-factor sign-in turned on",
    "two_factor.disabled": "Two-factor sign-in turned off",
    "two_factor.recovery_regenerated": "New recovery codes made",
    "two_factor.recovery_used": "Recovery code used",
    "two_factor.code_failed": "Wrong two-factor code",
    "two_factor.required_on": "Two-factor sign-in required for the studio",
    "two_factor.required_off": "Two-factor sign-in no longer required",
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
    "studio.settings_changed": "Studio settings changed",
    "keys.rotated": "Encryption keys rotated",
    "account.deletion_requested": "Account deletion requested",
    "account.erased": "Deleted account erased",
    "studio.transferred": "Studio handed over to a new owner",
    "studio.deletion_requested": "Studio deleted",
    "studio.erased": "Deleted studio's data erased",
    "privacy.export_requested": "Copy of personal data requested",
    "privacy.export_downloaded": "Copy of personal data downloaded",
    "privacy.request_received": "Privacy request received in the app",
    "privacy.request_logged": "Privacy request logged by support",
    "privacy.identity_verified": "Privacy request: identity verified",
    "privacy.status_changed": "Privacy request status changed",
    "privacy.analytics_objection": "Model asked to be left out of analytics",
    "privacy.analytics_objection_withdrawn": "Model back in analytics",
    "policy.published": "Privacy policy version published",
    "policy.acknowledged": "Privacy policy change acknowledged",
    "support.request_opened": "Support request opened",
    "support.replied": "Support replied to a request",
    "support.note_added": "Support note added",
    "support.status_changed": "Support request status changed",
    "support.assigned": "Support request assigned",
    "support.merged": "Support requests merged",
    "support.attachment_added": "File attached to a support message",
    "support.canned_saved": "Saved reply added or changed",
    "support.canned_deleted": "Saved reply deleted",
    "audit.exported": "Audit log downloaded",
    "support.access_granted": "Support given access to the studio",
    "support.access_revoked": "Support's access to the studio withdrawn",
    "support.access_used": "Support looked at the studio's data",
    "billing.checkout_started": "Checkout for a subscription opened",
    "billing.checkout_completed": "Subscription bought through Checkout",
    "billing.portal_opened": "Stripe billing portal opened",
    "billing.status_changed": "Subscription status changed",
    "billing.plan_changed": "Plan changed",
    "billing.trial_extended": "Trial extended by support",
    "billing.trial_reminder_sent": "Trial ending reminder sent",
    "billing.support_viewed": "Support looked at the studio's billing",
}

# The filter's kinds of action: each is the set of code prefixes (the part before the dot).
ACTION_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "signin": ("Sign-ins", ("signin", "signout", "sso", "two_factor", "reauth")),
    "account": ("Account and sessions", ("account", "password", "session")),
    "team": ("Team and invitations", ("invitation", "member")),
    "models": ("Models", ("performer", "platform_account")),
    "schedule": ("Schedule", ("shift", "shift_series", "shift_request")),
    "money": ("Earnings and payroll", ("earnings", "import", "rates", "payroll", "members")),
    "studio": ("Studio", ("studio", "signup", "demo")),
    "privacy": ("Privacy and security", ("privacy", "policy", "audit", "keys")),
    "support": ("Support", ("support",)),
    "billing": ("Billing", ("billing",)),
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


def _kind_filter(kind: str) -> ColumnElement[bool]:
    if kind not in ACTION_KINDS:
        raise ValidationFailed({"kind": "Choose a kind of action from the list."})
    prefixes = ACTION_KINDS[kind][1]
    return or_(
        col(AuditLog.action).in_(prefixes),
        *(col(AuditLog.action).startswith(f"{p}.", autoescape=True) for p in prefixes),
    )


def _studio_filters(
    db: Session,
    studio_id: int,
    kind: str,
    person_id: int | None,
    first_day: date | None,
    last_day: date | None,
) -> list[ColumnElement[bool]]:
    """The conditions of the studio's log page: its own rows, then the filters the owner chose."""
    where: list[ColumnElement[bool]] = [col(AuditLog.studio_id) == studio_id]
    if kind:
        where.append(_kind_filter(kind))
    if person_id is not None:
        where.append(col(AuditLog.actor_user_id) == person_id)
    lo, hi = _day_bounds(db, studio_id, first_day, last_day)
    if lo is not None:
        where.append(col(AuditLog.created_at) >= lo)
    if hi is not None:
        where.append(col(AuditLog.created_at) < hi)
    return where


_NEWEST_FIRST = (col(AuditLog.created_at).desc(), col(AuditLog.id).desc())


def _rows(db: Session, records: Sequence[AuditLog]) -> list[AuditRow]:
    ids = {r.actor_user_id for r in records if r.actor_user_id}
    names = dict(db.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()) if ids else {}
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
        for r in records
    ]


def _page(
    db: Session, where: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[list[AuditRow], int]:
    total = db.exec(select(func.count()).select_from(AuditLog).where(*where)).one()
    records = db.exec(
        select(AuditLog)
        .where(*where)
        .order_by(*_NEWEST_FIRST)
        .offset(max(offset, 0))
        .limit(max(min(limit, 500), 1))
    ).all()
    return _rows(db, records), total


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
    where = _studio_filters(db, studio_id, kind, person_id, first_day, last_day)
    return _page(db, where, limit, offset)


# --- the log as a file -------------------------------------------------------------------------

CSV_HEADER = (
    "Time (UTC)",
    "Person",
    "Action",
    "Action code",
    "Target",
    "Detail",
    "IP address",
    "Browser",
)
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"); the
# log holds text people typed (names, email addresses, notes), so such a cell gets a leading
# apostrophe. The same rule as statement_files and analytics_export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _file_part(name: str, fallback: str) -> str:
    """aurora-studio for "Aurora Studio (demo)": plain ASCII, safe in any download header."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or fallback


def export_csv(
    db: Session,
    actor: Actor,
    *,
    kind: str = "",
    person_id: int | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    now: datetime | None = None,
) -> tuple[str, bytes]:
    """Every entry list_entries would show with these filters, newest first, as a CSV file:
    (file name, UTF-8 bytes with a byte-order mark, so Excel reads accents and Cyrillic right).

    Downloading the log is itself logged: the file holds people's addresses and browsers."""
    studio_id = require(actor, Cap.AUDIT_VIEW)
    where = _studio_filters(db, studio_id, kind, person_id, first_day, last_day)
    rows = _rows(db, db.exec(select(AuditLog).where(*where).order_by(*_NEWEST_FIRST)).all())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        stamp = r.created_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        cells = (r.actor, r.label, r.action, r.target, r.detail, r.ip, r.browser)
        writer.writerow([stamp, *(_safe_cell(c) for c in cells)])
    studio = db.get(Studio, studio_id)
    name = _file_part(studio.name if studio else "", f"studio-{studio_id}")
    filename = f"audit-log-{name}-{actor.today(now).isoformat()}.csv"
    chosen = [
        f"{label}={value}"
        for label, value in (
            ("kind", kind),
            ("person", person_id),
            ("from", first_day),
            ("to", last_day),
        )
        if value not in ("", None)
    ]
    record_by(
        db,
        actor,
        "audit.exported",
        target=filename,
        detail=f"{len(rows)} entries" + (f"; {', '.join(chosen)}" if chosen else ""),
    )
    return filename, out.getvalue().encode("utf-8-sig")


# --- the platform's own log, for support staff -------------------------------------------------


def platform_entries(
    db: Session, actor: Actor, *, page: int = 1, per_page: int = 50, kind: str | None = None
) -> tuple[list[AuditRow], int]:
    """The entries of no studio (support's actions, policy versions, privacy requests, saved
    replies, sign-ins outside any studio), newest first: (one page of rows, total matching).
    Support staff only; a studio's own entries are never among them."""
    if not (actor.is_support and actor.can(Cap.SUPPORT_TICKETS)):
        raise PermissionDenied()
    where: list[ColumnElement[bool]] = [col(AuditLog.studio_id).is_(None)]
    if kind:
        where.append(_kind_filter(kind))
    size = max(min(per_page, 500), 1)
    return _page(db, where, size, (max(page, 1) - 1) * size)
