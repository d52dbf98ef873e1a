"""Support's temporary access to a studio's data, granted by its owner for one support request.

Support staff see of a requester's studio only its name and plan. When a request needs more ("my
payout looks wrong", "a model is missing"), an owner of the studio the request came from lets
support read the studio's models, earnings and members for a while (24 hours to 7 days). The
grant is:
- time-limited and revocable: at most one is active per request, a new one replaces it;
- read only: support acts through an Actor with the pseudo-role SUPPORT_VIEW_ROLE, whose caps
  read models and earnings and nothing else (no legal names, ID documents, member notes, writes);
- audited and visible: granting, revoking and every use are rows of the studio's own audit log,
  and granting and revoking are messages in the request's thread, which both sides read.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from studioos.models import (
    AuditLog,
    RequestState,
    Studio,
    SupportAccessGrant,
    SupportMessage,
    SupportRequest,
    User,
    row_id,
    utcnow,
)
from studioos.services import audit, earnings, members, performers
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.formatting import Formats
from studioos.services.performers import PerformerStageRow
from studioos.services.permissions import SUPPORT_VIEW_ROLE, Actor, Cap, require
from studioos.services.validation import require_id

GRANT_HOURS: tuple[int, ...] = (24, 72, 168)
DEFAULT_GRANT_HOURS = 72
GRANT_LABELS: dict[int, str] = {24: "24 hours", 72: "3 days", 168: "7 days"}
WHAT_MAX = 200
LOOK_WHAT = "models, members, earnings"
LOOK_MODELS_MAX = 200  # the model list's largest page
LOOK_MEMBERS_MAX = 25  # the first page of the member list
USED = "support.access_used"
# Each use names its grant at the end of the detail, so a grant counts its own uses.
_GRANT_SUFFIX = re.compile(r"\(grant #(\d+)\)$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class GrantView:
    id: int
    request_id: int
    # The request's title for support and for its requester; "" for an owner who did not open it
    # (a model's or a manager's request is theirs, its subject too): show "#request_id" then.
    request_title: str
    studio_id: int
    studio_name: str
    granted_by_name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by_name: str  # "" unless revoked
    active: bool
    state_text: str  # Active until 5 Dec 2026, 14:00 UTC / Expired on ... / Revoked by Olga Owner on ...
    uses: int  # how many times support looked at the studio's data under this grant


@dataclass(frozen=True)
class LookModel:
    id: int
    stage_name: str
    status: str
    status_label: str  # Active, Paused, ...


@dataclass(frozen=True)
class LookMember:
    id: int
    handle: str
    platform: str
    tokens: int  # all the member gave the studio's models
    tips: int
    last_tip_at: datetime | None


@dataclass(frozen=True)
class LookEarnings:
    """One model's gross in this and last month. Amounts are USD cents (the platforms pay in USD;
    StudioOS shows gross earnings in USD everywhere), with the texts in the studio's conventions."""

    performer_id: int
    stage_name: str
    this_month_cents: int
    last_month_cents: int
    this_month_text: str  # $1,234.50
    last_month_text: str


@dataclass(frozen=True)
class StudioLook:
    """What the support page shows under a grant."""

    request_id: int
    studio_id: int
    studio_name: str
    studio_plan: str
    expires_at: datetime
    expires_text: str  # 6 Dec 2026, 14:00 UTC
    models: list[LookModel]  # by stage name, at most LOOK_MODELS_MAX
    models_total: int
    members: list[LookMember]  # the first page, most tokens first
    members_total: int
    currency: str  # of the amounts below: "USD"
    this_month: str  # December 2026 (the studio's month)
    last_month: str
    this_month_total_cents: int
    last_month_total_cents: int
    this_month_total_text: str
    last_month_total_text: str
    earnings: list[LookEarnings]  # the models who earned in either month, most this month first


# --- helpers ---------------------------------------------------------------------------------


def utc_text(value: datetime) -> str:
    """5 Dec 2026, 14:00 UTC: one spelling for the owner and support, whatever their clocks."""
    at = value.astimezone(UTC) if value.tzinfo else value  # naive means UTC already
    return f"{at.day} {_MONTHS[at.month - 1]} {at.year}, {at:%H:%M} UTC"


def _is_support(actor: Actor) -> bool:
    return actor.is_support and actor.can(Cap.SUPPORT_TICKETS)


def _require_support(actor: Actor) -> None:
    if not _is_support(actor):
        raise PermissionDenied()


def _target(request_id: int) -> str:
    return f"support_request:{request_id}"


def _is_active(grant: SupportAccessGrant, now: datetime) -> bool:
    return grant.revoked_at is None and grant.expires_at > now


def _request(db: Session, request_id: object, *, lock: bool = False) -> SupportRequest:
    query = select(SupportRequest).where(col(SupportRequest.id) == require_id(request_id))
    if lock:
        # Two owners granting at once must not leave two active grants (PostgreSQL; SQLite
        # serialises writers anyway).
        query = query.with_for_update()
    req = db.exec(query).first()
    if req is None:
        raise NotFound()
    return req


def _studio_request(db: Session, actor: Actor, request_id: object, *, lock: bool = False) -> SupportRequest:
    """A request of the owner's studio; another studio's (or none) is NotFound."""
    studio_id = require(actor, Cap.SUPPORT_ACCESS_GRANT)
    req = _request(db, request_id, lock=lock)
    if req.studio_id != studio_id:
        raise NotFound()
    return req


def _active(db: Session, request_id: int, now: datetime) -> SupportAccessGrant | None:
    return db.exec(
        select(SupportAccessGrant)
        .where(
            col(SupportAccessGrant.request_id) == request_id,
            col(SupportAccessGrant.revoked_at).is_(None),
            col(SupportAccessGrant.expires_at) > now,
        )
        .order_by(col(SupportAccessGrant.id).desc())
    ).first()


def _say(db: Session, req: SupportRequest, author_id: int, body: str, now: datetime) -> None:
    """A message in the request's thread that the requester and support both read."""
    db.add(
        SupportMessage(request_id=row_id(req), author_id=author_id, body=body, internal=False, created_at=now)
    )
    req.updated_at = now
    db.add(req)


def _uses(db: Session, grants: Sequence[SupportAccessGrant]) -> dict[int, int]:
    if not grants:
        return {}
    details = db.exec(
        select(AuditLog.detail).where(
            col(AuditLog.action) == USED,
            col(AuditLog.studio_id).in_({g.studio_id for g in grants}),
            col(AuditLog.target).in_({_target(g.request_id) for g in grants}),
        )
    ).all()
    counts: dict[int, int] = {}
    for detail in details:
        found = _GRANT_SUFFIX.search(detail)
        if found:
            counts[int(found.group(1))] = counts.get(int(found.group(1)), 0) + 1
    return counts


def _state_text(grant: SupportAccessGrant, revoked_by: str, now: datetime) -> str:
    if grant.revoked_at is not None:
        return f"Revoked by {revoked_by or 'a former user'} on {utc_text(grant.revoked_at)}"
    if grant.expires_at <= now:
        return f"Expired on {utc_text(grant.expires_at)}"
    return f"Active until {utc_text(grant.expires_at)}"


def _views(db: Session, actor: Actor, grants: Sequence[SupportAccessGrant], now: datetime) -> list[GrantView]:
    if not grants:
        return []
    reqs = {
        r.id: r
        for r in db.exec(
            select(SupportRequest).where(col(SupportRequest.id).in_({g.request_id for g in grants}))
        ).all()
    }
    people = {g.granted_by_id for g in grants} | {g.revoked_by_id for g in grants}
    people.discard(None)
    names = dict(db.exec(select(User.id, User.name).where(col(User.id).in_(people))).all()) if people else {}
    studios = dict(
        db.exec(select(Studio.id, Studio.name).where(col(Studio.id).in_({g.studio_id for g in grants}))).all()
    )
    uses = _uses(db, grants)
    views = []
    for g in grants:
        req = reqs.get(g.request_id)
        mine = _is_support(actor) or (req is not None and req.requester_id == actor.user_id)
        revoked_by = names.get(g.revoked_by_id, "") if g.revoked_by_id else ""
        views.append(
            GrantView(
                id=row_id(g),
                request_id=g.request_id,
                request_title=req.title if req is not None and mine else "",
                studio_id=g.studio_id,
                studio_name=studios.get(g.studio_id, ""),
                granted_by_name=names.get(g.granted_by_id, "Former user")
                if g.granted_by_id
                else "Former user",
                created_at=g.created_at,
                expires_at=g.expires_at,
                revoked_at=g.revoked_at,
                revoked_by_name=revoked_by,
                active=_is_active(g, now),
                state_text=_state_text(g, revoked_by, now),
                uses=uses.get(row_id(g), 0),
            )
        )
    return views


def _newest_first(db: Session, *where: object) -> list[SupportAccessGrant]:
    return list(
        db.exec(
            select(SupportAccessGrant)
            .where(*where)  # type: ignore[arg-type]  # SQL expressions
            .order_by(col(SupportAccessGrant.created_at).desc(), col(SupportAccessGrant.id).desc())
        ).all()
    )


# --- the owner -------------------------------------------------------------------------------


def grant(
    db: Session, actor: Actor, request_id: int, hours: int, *, now: datetime | None = None
) -> GrantView:
    """Let support read the studio's models, earnings and members for `hours` for this request.
    An active grant of the request is replaced, so there is never more than one."""
    now = now or utcnow()
    req = _studio_request(db, actor, request_id, lock=True)
    errors: dict[str, str] = {}
    if hours not in GRANT_HOURS or isinstance(hours, bool):
        errors["hours"] = "Choose how long support may look: 24 hours, 3 days or 7 days."
    if req.merged_into_id is not None:
        errors["request"] = f"This request continues in #{req.merged_into_id}; give access there."
    elif req.status == RequestState.CLOSED:
        errors["request"] = "This request is closed: support no longer needs access for it."
    if errors:
        raise ValidationFailed(errors)
    replaced = _active(db, row_id(req), now)
    if replaced is not None:
        replaced.revoked_at = now
        replaced.revoked_by_id = actor.user_id
        db.add(replaced)
    expires = now + timedelta(hours=hours)
    row = SupportAccessGrant(
        request_id=row_id(req),
        studio_id=req.studio_id or 0,
        granted_by_id=actor.user_id,
        created_at=now,
        expires_at=expires,
    )
    db.add(row)
    db.flush()
    until = utc_text(expires)
    detail = f"grant #{row.id}, until {until}" + (f" (replaces grant #{replaced.id})" if replaced else "")
    audit.record_by(db, actor, "support.access_granted", target=_target(row_id(req)), detail=detail)
    _say(
        db,
        req,
        actor.user_id,
        f"{actor.name} let support look at the studio's models, earnings and members until {until}.",
        now,
    )
    db.flush()
    return _views(db, actor, [row], now)[0]


def revoke(db: Session, actor: Actor, grant_id: int, *, now: datetime | None = None) -> GrantView:
    """End a grant at once. One already revoked or expired stays as it is."""
    now = now or utcnow()
    studio_id = require(actor, Cap.SUPPORT_ACCESS_GRANT)
    row = db.get(SupportAccessGrant, require_id(grant_id))
    if row is None or row.studio_id != studio_id:
        raise NotFound()
    if not _is_active(row, now):
        return _views(db, actor, [row], now)[0]
    row.revoked_at = now
    row.revoked_by_id = actor.user_id
    db.add(row)
    audit.record_by(
        db, actor, "support.access_revoked", target=_target(row.request_id), detail=f"grant #{row.id}"
    )
    req = db.get(SupportRequest, row.request_id)
    if req is not None:
        _say(db, req, actor.user_id, f"{actor.name} withdrew support's access to the studio.", now)
    db.flush()
    return _views(db, actor, [row], now)[0]


def studio_grants(db: Session, actor: Actor, *, now: datetime | None = None) -> list[GrantView]:
    """Every grant the studio's owners gave, newest first: the owner's overview."""
    studio_id = require(actor, Cap.SUPPORT_ACCESS_GRANT)
    rows = _newest_first(db, col(SupportAccessGrant.studio_id) == studio_id)
    return _views(db, actor, rows, now or utcnow())


# --- both sides ------------------------------------------------------------------------------


def request_grants(
    db: Session, actor: Actor, request_id: int, *, now: datetime | None = None
) -> list[GrantView]:
    """The grants of one request, newest first, for its thread: support staff, or an owner of the
    studio the request came from; anyone else NotFound."""
    if _is_support(actor):
        req = _request(db, request_id)
    elif actor.can(Cap.SUPPORT_ACCESS_GRANT):
        req = _studio_request(db, actor, request_id)
    else:
        raise NotFound()
    rows = _newest_first(db, col(SupportAccessGrant.request_id) == row_id(req))
    return _views(db, actor, rows, now or utcnow())


# --- support staff ---------------------------------------------------------------------------


def active_grant(
    db: Session, actor: Actor, request_id: int, *, now: datetime | None = None
) -> GrantView | None:
    """The request's grant in force now, if any."""
    _require_support(actor)
    now = now or utcnow()
    req = _request(db, request_id)
    found = _active(db, row_id(req), now)
    return _views(db, actor, [found], now)[0] if found is not None else None


def studio_actor(
    db: Session, actor: Actor, request_id: int, *, what: str, now: datetime | None = None
) -> Actor:
    """The read-only actor a support agent reads the granted studio with, while the grant lasts.

    `what`: what the agent is about to look at ("models"), written to the studio's audit log, where
    the owner sees every use."""
    _require_support(actor)
    now = now or utcnow()
    req = _request(db, request_id)
    found = _active(db, row_id(req), now)
    studio = db.get(Studio, found.studio_id) if found is not None else None
    if found is None or studio is None or studio.deleted_at is not None:
        raise PermissionDenied(
            "The studio's owner has not given support access for this request, or it has ended."
        )
    looked_at = " ".join((what or "").split())[:WHAT_MAX] or "the studio's data"
    reader = dataclasses.replace(
        actor,
        studio_id=found.studio_id,
        role=SUPPORT_VIEW_ROLE,
        is_support=False,
        timezone=studio.timezone or "UTC",
        currency=studio.currency or "USD",
        # Read from the database for this studio: the agent's own session may carry another
        # studio's revision, and the per-studio caches key on studio and revision together.
        studio_revision=None,
    )
    audit.record_by(
        db,
        reader,
        "support.access_used",
        target=_target(row_id(req)),
        detail=f"{looked_at} (grant #{found.id})",
    )
    db.flush()
    return reader


def _month_span(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def look(db: Session, actor: Actor, request_id: int, *, now: datetime | None = None) -> StudioLook:
    """The granted studio's models, the first page of its members and its earnings this month and
    last, read through the studio's own services with the read-only actor (one audit row)."""
    now = now or utcnow()
    reader = studio_actor(db, actor, request_id, what=LOOK_WHAT, now=now)
    found = _active(db, require_id(request_id), now)
    studio = db.get(Studio, reader.studio_id)
    assert found is not None and studio is not None  # studio_actor has just checked both
    fmt = Formats(timezone=reader.timezone, currency=reader.currency)

    status_labels: dict[str, str] = {str(k): v for k, v in performers.STATUS_LABELS.items()}
    models_page = performers.list_performers(db, reader, per_page=LOOK_MODELS_MAX)
    models = [
        LookModel(r.id, r.stage_name, r.status, status_labels.get(r.status, r.status))
        for r in models_page.rows
        if isinstance(r, PerformerStageRow)
    ]
    member_page = members.list_members(db, reader, per_page=LOOK_MEMBERS_MAX)
    member_rows = [
        LookMember(m.id, m.handle, m.platform, m.tokens, m.tips, m.last_tip_at) for m in member_page.rows
    ]

    this_first, this_last = _month_span(reader.today(now))
    last_first, last_last = _month_span(this_first - timedelta(days=1))
    this_sum = earnings.summary(db, reader, this_first, this_last)
    last_sum = earnings.summary(db, reader, last_first, last_last)
    names = {m.performer_id: m.stage_name for m in (*last_sum.by_model, *this_sum.by_model)}
    this_by = {m.performer_id: m.gross_cents for m in this_sum.by_model}
    last_by = {m.performer_id: m.gross_cents for m in last_sum.by_model}
    usd = "USD"
    lines = [
        LookEarnings(
            pid,
            names[pid],
            this_by.get(pid, 0),
            last_by.get(pid, 0),
            fmt.money(this_by.get(pid, 0), usd),
            fmt.money(last_by.get(pid, 0), usd),
        )
        for pid in names
    ]
    lines.sort(key=lambda e: (-e.this_month_cents, -e.last_month_cents, e.stage_name))
    return StudioLook(
        request_id=found.request_id,
        studio_id=studio.id or 0,
        studio_name=studio.name,
        studio_plan=studio.plan,
        expires_at=found.expires_at,
        expires_text=utc_text(found.expires_at),
        models=models,
        models_total=models_page.total,
        members=member_rows,
        members_total=member_page.total,
        currency=usd,
        this_month=fmt.month(this_first),
        last_month=fmt.month(last_first),
        this_month_total_cents=this_sum.gross_cents,
        last_month_total_cents=last_sum.gross_cents,
        this_month_total_text=fmt.money(this_sum.gross_cents, usd),
        last_month_total_text=fmt.money(last_sum.gross_cents, usd),
        earnings=lines,
    )


@dataclass(frozen=True)
class ThreadAccess:
    """What a request's page shows of support's access to the requester's studio."""

    can_grant: bool  # the viewer is an owner of the studio the request came from
    active: bool  # support staff: a grant is in force now
    grants: list[GrantView]


def thread_access(db: Session, actor: Actor, request_id: int, *, now: datetime | None = None) -> ThreadAccess:
    if _is_support(actor):
        return ThreadAccess(
            can_grant=False,
            active=active_grant(db, actor, request_id, now=now) is not None,
            grants=request_grants(db, actor, request_id, now=now),
        )
    if not actor.can(Cap.SUPPORT_ACCESS_GRANT):
        return ThreadAccess(False, False, [])
    try:
        grants = request_grants(db, actor, request_id, now=now)
    except NotFound:  # asked from another studio, or from none: not this owner's to open
        return ThreadAccess(False, False, [])
    return ThreadAccess(can_grant=True, active=any(g.active for g in grants), grants=grants)
