"""The support desk: requests from anyone signed in, answered by StudioOS's support staff.

A requester sees only their own requests and never the internal notes; support staff see every
request. Support sees of the requester's studio only its name and plan. Each category has a target
time for the first answer; the queue puts the requests still waiting for one first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from studioos.models import (
    Membership,
    RequestCategory,
    RequestState,
    Studio,
    SupportMessage,
    SupportRequest,
    User,
    row_id,
    utcnow,
)
from studioos.services import audit, mail
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.notifications import notify
from studioos.services.permissions import Actor, Cap
from studioos.services.validation import clean_text, require_id
from studioos.settings import get_settings

FIRST_RESPONSE_HOURS: dict[str, int] = {
    RequestCategory.ACCOUNT: 8,
    RequestCategory.BILLING: 8,
    RequestCategory.PRIVACY: 24,
    RequestCategory.BUG: 24,
    RequestCategory.OTHER: 48,
}
CATEGORY_LABELS: dict[str, str] = {
    RequestCategory.ACCOUNT: "Account",
    RequestCategory.BILLING: "Billing",
    RequestCategory.PRIVACY: "Data and privacy",
    RequestCategory.BUG: "Something does not work",
    RequestCategory.OTHER: "Other",
}
STATUS_LABELS: dict[str, str] = {
    RequestState.OPEN: "Open",
    RequestState.WAITING_ON_YOU: "Waiting on you",
    RequestState.WAITING_ON_US: "Waiting on us",
    RequestState.RESOLVED: "Resolved",
    RequestState.CLOSED: "Closed",
}
# The same states as support staff say them: "you" and "us" are the requester's words.
STAFF_STATUS_LABELS: dict[str, str] = {
    **STATUS_LABELS,
    RequestState.WAITING_ON_YOU: "Waiting on the customer",
    RequestState.WAITING_ON_US: "Waiting on support",
}
TITLE_MAX = 200
BODY_MAX = 10_000

# What the requester may do to their own request's status: end it, nothing else.
_REQUESTER_STATUSES = frozenset({RequestState.RESOLVED, RequestState.CLOSED})
_FINISHED = frozenset({RequestState.RESOLVED, RequestState.CLOSED})


@dataclass(frozen=True)
class RequestSummary:
    id: int
    title: str
    category: str
    status: str
    created_at: datetime
    updated_at: datetime
    requester_name: str
    requester_email: str
    studio_name: str
    studio_plan: str
    assigned_to_name: str
    first_response_due_at: datetime
    first_responded_at: datetime | None
    due_text: str  # "due in 3 h", "overdue by 5 min"; "" once answered, resolved or closed
    studio_id: int | None = None  # the requester's studio when they asked


@dataclass(frozen=True)
class MessageView:
    id: int
    author_name: str
    from_support: bool
    internal: bool
    body: str
    created_at: datetime


@dataclass(frozen=True)
class RequestDetail:
    request: RequestSummary
    messages: list[MessageView]
    merged_into_id: int | None


# --- helpers ---------------------------------------------------------------------------------


def due_text(due: datetime, now: datetime) -> str:
    """due in 3 h / due in 25 min / overdue by 1 h: the time left to the first-response target."""
    left = due - now
    late = left < timedelta(0)
    span = -left if late else left
    hours = int(span.total_seconds() // 3600)
    # Never "0 min": under a minute still reads as one, so "due" and "overdue" stay telling.
    amount = f"{hours} h" if hours >= 1 else f"{max(1, int(span.total_seconds() // 60))} min"
    return f"overdue by {amount}" if late else f"due in {amount}"


def _awaiting_first_response(req: SupportRequest) -> bool:
    return req.first_responded_at is None and req.status not in _FINISHED


def _text(raw: str | None, field: str, label: str, max_len: int, empty: str) -> str:
    try:
        value = clean_text(raw, label, max_len)
    except ValueError as exc:
        raise ValidationFailed({field: str(exc)}) from exc
    if not value:
        raise ValidationFailed({field: empty})
    return value


def _require_support(actor: Actor) -> None:
    if not (actor.is_support and actor.can(Cap.SUPPORT_TICKETS)):
        raise PermissionDenied()


def _visible(db: Session, actor: Actor, request_id: object) -> SupportRequest:
    """The request if the actor may see it: support sees all, a requester only their own.

    Anyone else's id is NotFound, never PermissionDenied: we do not confirm it exists."""
    req = db.get(SupportRequest, require_id(request_id))
    if req is None:
        raise NotFound()
    if actor.is_support or req.requester_id == actor.user_id:
        return req
    raise NotFound()


def _summaries(db: Session, reqs: Sequence[SupportRequest], now: datetime) -> list[RequestSummary]:
    user_ids = {r.requester_id for r in reqs} | {r.assigned_to_id for r in reqs if r.assigned_to_id}
    users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all()} if reqs else {}
    studio_ids = {r.studio_id for r in reqs if r.studio_id}
    # Name and plan only: support has no business with the rest of a studio's row.
    studios = (
        {
            sid: (name, plan)
            for sid, name, plan in db.exec(
                select(Studio.id, Studio.name, Studio.plan).where(col(Studio.id).in_(studio_ids))
            ).all()
        }
        if studio_ids
        else {}
    )
    rows = []
    for r in reqs:
        requester = users.get(r.requester_id)
        agent = users.get(r.assigned_to_id) if r.assigned_to_id else None
        studio_name, studio_plan = studios.get(r.studio_id, ("", "")) if r.studio_id else ("", "")
        rows.append(
            RequestSummary(
                id=row_id(r),
                title=r.title,
                category=r.category,
                status=r.status,
                created_at=r.created_at,
                updated_at=r.updated_at,
                requester_name=requester.name if requester else "",
                requester_email=requester.email if requester else "",
                studio_name=studio_name,
                studio_plan=studio_plan,
                assigned_to_name=agent.name if agent else "",
                first_response_due_at=r.first_response_due_at,
                first_responded_at=r.first_responded_at,
                due_text=due_text(r.first_response_due_at, now) if _awaiting_first_response(r) else "",
                studio_id=r.studio_id,
            )
        )
    return rows


def _summary(db: Session, req: SupportRequest, now: datetime) -> RequestSummary:
    return _summaries(db, [req], now)[0]


def _add_message(
    db: Session, req: SupportRequest, author_id: int | None, body: str, *, internal: bool, now: datetime
) -> None:
    db.add(
        SupportMessage(
            request_id=row_id(req), author_id=author_id, body=body, internal=internal, created_at=now
        )
    )
    req.updated_at = now
    db.add(req)


def _target(req: SupportRequest) -> str:
    return f"support_request:{row_id(req)}"


# --- the requester ---------------------------------------------------------------------------


def open_request(
    db: Session, actor: Actor, title: str, category: str, message: str, *, now: datetime | None = None
) -> RequestSummary:
    """Anyone signed in may ask; the first response is due by the category's target time."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for field, raw, label, max_len, empty in (
        ("title", title, "The title", TITLE_MAX, "Enter a title."),
        ("message", message, "The message", BODY_MAX, "Write your message."),
    ):
        try:
            clean[field] = _text(raw, field, label, max_len, empty)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if category not in FIRST_RESPONSE_HOURS:
        errors["category"] = "Choose a category from the list."
    if errors:
        raise ValidationFailed(errors)
    req = SupportRequest(
        requester_id=actor.user_id,
        studio_id=actor.studio_id,
        title=clean["title"],
        category=RequestCategory(category),
        status=RequestState.OPEN,
        created_at=now,
        updated_at=now,
        first_response_due_at=now + timedelta(hours=FIRST_RESPONSE_HOURS[category]),
    )
    db.add(req)
    db.flush()
    _add_message(db, req, actor.user_id, clean["message"], internal=False, now=now)
    audit.record_by(db, actor, "support.request_opened", target=_target(req), detail=req.category)
    db.flush()
    return _summary(db, req, now)


def my_requests(db: Session, actor: Actor) -> list[RequestSummary]:
    """The actor's own requests, the most recently active first."""
    reqs = db.exec(
        select(SupportRequest)
        .where(SupportRequest.requester_id == actor.user_id)
        .order_by(col(SupportRequest.updated_at).desc(), col(SupportRequest.id).desc())
    ).all()
    return _summaries(db, reqs, utcnow())


def thread(db: Session, actor: Actor, request_id: int, *, now: datetime | None = None) -> RequestDetail:
    """The request and its messages, oldest first; internal notes only for support staff."""
    req = _visible(db, actor, request_id)
    where: list[ColumnElement[bool]] = [col(SupportMessage.request_id) == row_id(req)]
    if not actor.is_support:
        where.append(col(SupportMessage.internal).is_(False))
    msgs = db.exec(
        select(SupportMessage).where(*where).order_by(col(SupportMessage.created_at), col(SupportMessage.id))
    ).all()
    author_ids = {m.author_id for m in msgs if m.author_id}
    authors = (
        {u.id: u for u in db.exec(select(User).where(col(User.id).in_(author_ids))).all()}
        if author_ids
        else {}
    )
    views = []
    for m in msgs:
        author = authors.get(m.author_id) if m.author_id else None
        views.append(
            MessageView(
                id=row_id(m),
                author_name=author.name if author else "Former user",
                from_support=bool(author and author.is_support and author.id != req.requester_id),
                internal=m.internal,
                body=m.body,
                created_at=m.created_at,
            )
        )
    return RequestDetail(
        request=_summary(db, req, now or utcnow()), messages=views, merged_into_id=req.merged_into_id
    )


# --- both sides ------------------------------------------------------------------------------


def reply(
    db: Session,
    actor: Actor,
    request_id: int,
    body: str,
    *,
    internal: bool = False,
    now: datetime | None = None,
) -> None:
    """A message in the thread. The requester's hands the request to support; support's hands it
    back (and the requester hears of it by email); an internal note changes nothing they see."""
    now = now or utcnow()
    req = _visible(db, actor, request_id)
    text = _text(body, "body", "The reply", BODY_MAX, "Write a reply.")
    # A support agent who opened a request for themselves answers in it as its requester.
    as_support = actor.is_support and req.requester_id != actor.user_id
    if internal:
        if not actor.is_support:
            raise PermissionDenied()
        _add_message(db, req, actor.user_id, text, internal=True, now=now)
        audit.record_by(db, actor, "support.note_added", target=_target(req))
        db.flush()
        return
    if req.merged_into_id is not None:
        raise ValidationFailed({"body": f"This request continues in #{req.merged_into_id}; reply there."})
    if not as_support:
        if req.status == RequestState.CLOSED:
            raise ValidationFailed({"body": "This request is closed. Please open a new one."})
        req.status = RequestState.WAITING_ON_US
        _add_message(db, req, actor.user_id, text, internal=False, now=now)
        db.flush()
        return
    req.status = RequestState.WAITING_ON_YOU
    if req.first_responded_at is None:
        req.first_responded_at = now
    _add_message(db, req, actor.user_id, text, internal=False, now=now)
    audit.record_by(db, actor, "support.replied", target=_target(req))
    db.flush()
    _tell_requester(db, req, text)


def _tell_requester(db: Session, req: SupportRequest, text: str) -> None:
    requester = db.get(User, req.requester_id)
    if requester is None or requester.deleted_at is not None:
        return
    path = f"/support?request={row_id(req)}"
    mail.send(
        requester.email,
        f"New reply to your request: {req.title}",
        f"Hello {requester.name},\n\nStudioOS support replied to your request \u201c{req.title}\u201d:\n\n"
        f"{text}\n\nRead the conversation and answer here: {get_settings().base_url}{path}\n",
    )
    # The bell lives inside a studio: only if they are still a member of the one they asked from.
    if (
        req.studio_id is not None
        and db.exec(
            select(Membership.id).where(
                Membership.user_id == req.requester_id, Membership.studio_id == req.studio_id
            )
        ).first()
    ):
        notify(
            db,
            studio_id=req.studio_id,
            user_ids=[req.requester_id],
            kind="support_reply",
            title=f"New reply to your request: {req.title}",
            link=path,
        )


# Public for services built on the desk (privacy requests): a message in a thread, and the email
# and bell a requester gets for support's answer, the same as a reply's.
add_message = _add_message
tell_requester = _tell_requester


def set_status(db: Session, actor: Actor, request_id: int, status: str) -> None:
    """Support may set any status; the requester may only mark their own resolved or closed."""
    req = _visible(db, actor, request_id)
    if status not in STATUS_LABELS:
        raise ValidationFailed({"status": "Choose a status from the list."})
    if not actor.is_support and status not in _REQUESTER_STATUSES:
        raise PermissionDenied()
    if req.merged_into_id is not None:
        raise ValidationFailed({"status": f"This request continues in #{req.merged_into_id}."})
    old = req.status
    if old == status:
        return
    req.status = RequestState(status)
    req.updated_at = utcnow()
    db.add(req)
    audit.record_by(db, actor, "support.status_changed", target=_target(req), detail=f"{old} -> {status}")
    db.flush()


# --- support staff ---------------------------------------------------------------------------


def assign(db: Session, actor: Actor, request_id: int, agent_id: int | None) -> None:
    """Give the request to a support agent, or to nobody (None)."""
    _require_support(actor)
    req = _visible(db, actor, request_id)
    agent: User | None = None
    if agent_id is not None:
        agent = db.get(User, agent_id)
        if agent is None or not agent.is_support or not agent.is_active or agent.deleted_at is not None:
            raise ValidationFailed({"agent_id": "Choose a support agent from the list."})
    req.assigned_to_id = agent.id if agent else None
    db.add(req)
    audit.record_by(
        db, actor, "support.assigned", target=_target(req), detail=agent.name if agent else "unassigned"
    )
    db.flush()


def merge(db: Session, actor: Actor, request_id: int, into_id: int) -> None:
    """Close request A as a duplicate of B: A's thread points to B, B's notes say where it came from.

    Only requests of the same requester merge: A's requester is told to go on in B, and could not
    open someone else's request (nor should they read it)."""
    _require_support(actor)
    now = utcnow()
    source = _visible(db, actor, request_id)
    target = _visible(db, actor, into_id)
    if source.id == target.id:
        raise ValidationFailed({"into_id": "A request cannot be merged into itself."})
    if source.merged_into_id is not None:
        raise ValidationFailed({"into_id": f"This request is already merged into #{source.merged_into_id}."})
    if target.merged_into_id is not None:
        raise ValidationFailed(
            {"into_id": f"#{target.id} is already merged into #{target.merged_into_id}; choose that one."}
        )
    if source.requester_id != target.requester_id:
        raise ValidationFailed({"into_id": "Only requests from the same person can be merged."})
    _add_message(db, target, actor.user_id, f"Merged from #{source.id}", internal=True, now=now)
    _add_message(
        db, source, actor.user_id, f"This request continues in #{target.id}", internal=False, now=now
    )
    source.merged_into_id = target.id
    source.status = RequestState.CLOSED
    db.add(source)
    audit.record_by(db, actor, "support.merged", target=_target(source), detail=f"into #{target.id}")
    db.flush()


def queue(
    db: Session,
    actor: Actor,
    *,
    status: str | None = None,
    category: str | None = None,
    studio_id: int | None = None,
    now: datetime | None = None,
) -> list[RequestSummary]:
    """Support's work list: those still awaiting a first answer, most overdue first, then the rest
    by latest activity. Merged requests live on in the one they were merged into."""
    _require_support(actor)
    now = now or utcnow()
    where: list[ColumnElement[bool]] = [col(SupportRequest.merged_into_id).is_(None)]
    if status:
        if status not in STATUS_LABELS:
            raise ValidationFailed({"status": "Choose a status from the list."})
        where.append(col(SupportRequest.status) == status)
    if category:
        if category not in CATEGORY_LABELS:
            raise ValidationFailed({"category": "Choose a category from the list."})
        where.append(col(SupportRequest.category) == category)
    if studio_id is not None:
        where.append(col(SupportRequest.studio_id) == studio_id)
    reqs = list(db.exec(select(SupportRequest).where(*where)).all())
    waiting = sorted(
        (r for r in reqs if _awaiting_first_response(r)), key=lambda r: (r.first_response_due_at, row_id(r))
    )
    rest = sorted(
        (r for r in reqs if not _awaiting_first_response(r)),
        key=lambda r: (r.updated_at, row_id(r)),
        reverse=True,
    )
    return _summaries(db, waiting + rest, now)


def agents(db: Session, actor: Actor) -> list[tuple[int, str]]:
    """Support staff who can take a request: (user id, name), by name."""
    _require_support(actor)
    rows = db.exec(
        select(User.id, User.name)
        .where(
            col(User.is_support).is_(True),
            col(User.is_active).is_(True),
            col(User.deleted_at).is_(None),
        )
        .order_by(User.name, col(User.id))
    ).all()
    return [(uid or 0, name) for uid, name in rows]


def request_studios(db: Session, actor: Actor) -> list[tuple[int, str]]:
    """The studios that have asked something: the queue's studio filter (id, name), by name."""
    _require_support(actor)
    rows = db.exec(
        select(Studio.id, Studio.name)
        .where(
            col(Studio.id).in_(
                select(SupportRequest.studio_id).where(col(SupportRequest.studio_id).is_not(None))
            )
        )
        .order_by(Studio.name, col(Studio.id))
    ).all()
    return [(sid or 0, name) for sid, name in rows]
