"""Privacy requests: a person's data-protection rights, asked as a support request with structure.

A privacy request is a support request (category "privacy": its thread, messages and emails are the
support desk's) plus a `PrivacyRequest` row: which right (kind), where it stands (status), when it
reached us and the date the answer is due (`DUE_DAYS` after receipt, counted on UTC dates), how it
reached us (the app, or email / Telegram / phone logged by a support agent), and who checked that
the person asking is the account's owner, when and how.

The rules:

- Asked in the app, the person is signed in to the account the request is about: their identity is
  verified at once. Logged by support from an email, a Telegram chat or a call, it is not: the
  person is emailed and confirms it while signed in (`confirm_identity`), or support records
  another check (`verify_identity`).
- No path reaches "completed" without a verified identity, and "completed" and "refused" are final.
  A refusal always carries its reason, which the person is told.
- A logged request's `received_at` is the day it reached us at the time of day it was logged:
  the due date is a date, so the time only keeps the order of things.
- Every step is an audit row at platform level (studio_id None: a member's request about their
  own data is none of their studio's business), targeted "support_request:ID"; the history is read
  from those rows, so nobody can edit it. Its times are the server's clock when each step was
  recorded.
- A support agent does not handle their own request (verify, change status): another agent does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from studioos.models import (
    AuditLog,
    PrivacyKind,
    PrivacyRequest,
    PrivacyState,
    RequestCategory,
    RequestState,
    SupportRequest,
    User,
    row_id,
    utcnow,
)
from studioos.services import audit, mail, support
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.permissions import Actor, Cap
from studioos.services.validation import clean_text, normalize_email, parse_id, require_id
from studioos.settings import get_settings

KIND_LABELS: dict[str, str] = {
    PrivacyKind.ACCESS: "Access to my data",
    PrivacyKind.PORTABILITY: "A copy to take elsewhere (portability)",
    PrivacyKind.CORRECTION: "Correct my data",
    PrivacyKind.DELETION: "Delete my data",
    PrivacyKind.RESTRICTION: "Restrict processing",
    PrivacyKind.OBJECTION: "Object to processing",
}
KIND_HELP: dict[str, str] = {
    PrivacyKind.ACCESS: "We tell you what personal data StudioOS holds about you, why we hold it, "
    "where it came from and who receives it, and give you a copy of it.",
    PrivacyKind.PORTABILITY: "We give you the data you provided to StudioOS in a machine-readable "
    "file (JSON and CSV) that you can take to another service.",
    PrivacyKind.CORRECTION: "We correct or complete personal data about you that is wrong or "
    "missing: tell us what should change.",
    PrivacyKind.DELETION: "We delete your personal data, except what the law makes us keep "
    "(payroll records, the security log) for as long as we must keep it.",
    PrivacyKind.RESTRICTION: "We keep your data but stop using it, except to store it or for legal "
    "claims, while a question about it is settled.",
    PrivacyKind.OBJECTION: "We stop using your data for the purpose you object to, unless we have "
    "compelling legitimate grounds that override your interests.",
}
STATUS_LABELS: dict[str, str] = {
    PrivacyState.RECEIVED: "Received",
    PrivacyState.VERIFYING: "Verifying identity",
    PrivacyState.IN_PROGRESS: "In progress",
    PrivacyState.COMPLETED: "Completed",
    PrivacyState.REFUSED: "Refused",
}
CHANNEL_LABELS: dict[str, str] = {
    "app": "In the app",
    "email": "Email",
    "telegram": "Telegram",
    "phone": "Phone",
}
# The channels a support agent logs a request from (the app is the person asking themselves).
LOGGED_CHANNELS: tuple[str, ...] = ("email", "telegram", "phone")
DUE_DAYS = 30
METHOD_MAX = 200  # PrivacyRequest.identity_method
REASON_MAX = 2_000
# How far back a logged request's day of receipt may go: an older day is a typing mistake.
RECEIVED_MAX_AGE_DAYS = 366

APP_METHOD = "Signed in to the account when asking"
CONFIRMED_METHOD = "Confirmed by the person while signed in"

RECEIVED_AUDIT = "privacy.request_received"
LOGGED_AUDIT = "privacy.request_logged"
VERIFIED_AUDIT = "privacy.identity_verified"
STATUS_AUDIT = "privacy.status_changed"
_HISTORY_ACTIONS = (RECEIVED_AUDIT, LOGGED_AUDIT, VERIFIED_AUDIT, STATUS_AUDIT)

_FINAL = frozenset({PrivacyState.COMPLETED, PrivacyState.REFUSED})
# "by email", "on Telegram": how a sentence says where the request came from.
_CHANNEL_PHRASE: dict[str, str] = {
    "app": "in the app",
    "email": "by email",
    "telegram": "on Telegram",
    "phone": "by phone",
}


@dataclass(frozen=True)
class HistoryItem:
    when: datetime
    who: str
    what: str


@dataclass(frozen=True)
class PrivacyView:
    request_id: int  # the SupportRequest's id: the thread is support.thread(request_id)
    user_id: int  # whose data
    kind: str
    kind_label: str
    status: str
    status_label: str
    received_at: datetime
    due_at: datetime
    due_text: str  # "due in 12 days", "due today", "overdue by 3 days"; "" once completed or refused
    channel: str
    channel_label: str
    logged_by_name: str  # "" when the person asked in the app
    identity_verified: bool
    identity_text: str  # "Verified on 3 Dec 2026 by Sam Support: ..." or "Not verified yet"
    refusal_reason: str
    completed_at: datetime | None  # when it was completed or refused
    history: list[HistoryItem]  # oldest first
    person_name: str
    person_email: str
    finished: bool  # completed or refused: no status can follow


# --- helpers ---------------------------------------------------------------------------------


def due_text(due: datetime, now: datetime) -> str:
    """due in 12 days / due today / overdue by 3 days, counted on UTC calendar days."""
    days = (due.astimezone(UTC).date() - now.astimezone(UTC).date()).days
    if days == 0:
        return "due today"
    span = abs(days)
    amount = f"{span} day" if span == 1 else f"{span} days"
    return f"due in {amount}" if days > 0 else f"overdue by {amount}"


def _is_staff(actor: Actor) -> bool:
    return actor.is_support and actor.can(Cap.SUPPORT_TICKETS)


def _require_staff(actor: Actor) -> None:
    if not _is_staff(actor):
        raise PermissionDenied()


def _target(request_id: int) -> str:
    return f"support_request:{request_id}"


def _record(db: Session, actor: Actor, action: str, request_id: int, detail: str = "") -> None:
    audit.record(
        db,
        action,
        studio_id=None,
        actor_user_id=actor.user_id,
        target=_target(request_id),
        detail=detail,
        ip=actor.ip,
        user_agent=actor.user_agent,
    )


def _message(raw: str, errors: dict[str, str]) -> str:
    """The request's text, under the support desk's rules for a first message."""
    try:
        value = clean_text(raw, "The message", support.BODY_MAX)
    except ValueError as exc:
        errors["message"] = str(exc)
        return ""
    if not value:
        errors["message"] = "Write your message."
    return value


def _check_kind(kind: str, errors: dict[str, str]) -> None:
    if kind not in KIND_LABELS:
        errors["kind"] = "Choose what you are asking for from the list."


def _load(db: Session, request_id: object) -> tuple[SupportRequest, PrivacyRequest | None]:
    req = db.get(SupportRequest, require_id(request_id))
    if req is None:
        raise NotFound()
    pr = db.exec(select(PrivacyRequest).where(PrivacyRequest.request_id == row_id(req))).first()
    return req, pr


def _privacy(db: Session, request_id: object) -> tuple[SupportRequest, PrivacyRequest]:
    req, pr = _load(db, request_id)
    if pr is None:
        raise NotFound()
    return req, pr


def _not_own(actor: Actor, pr: PrivacyRequest) -> None:
    # Four eyes: an agent's own request is handled by another agent.
    if pr.user_id == actor.user_id:
        raise PermissionDenied("Another member of support handles your own request.")


def _set_status(
    db: Session, actor: Actor, pr: PrivacyRequest, status: PrivacyState, reason: str = ""
) -> None:
    old = pr.status
    pr.status = status
    db.add(pr)
    detail = f"{old} -> {status}" + (f": {reason}" if reason else "")
    _record(db, actor, STATUS_AUDIT, pr.request_id, detail)


def _verify(
    db: Session, actor: Actor, req: SupportRequest, pr: PrivacyRequest, method: str, now: datetime
) -> None:
    pr.identity_verified_at = now
    pr.identity_verified_by_id = actor.user_id
    pr.identity_method = method
    db.add(pr)
    _record(db, actor, VERIFIED_AUDIT, row_id(req), method)
    if pr.status in (PrivacyState.RECEIVED, PrivacyState.VERIFYING):
        _set_status(db, actor, pr, PrivacyState.IN_PROGRESS)


def _user_name(users: dict[int, User], user_id: int | None, nobody: str = "") -> str:
    if user_id is None:
        return nobody
    user = users.get(user_id)
    return user.name if user else "Former user"


def _identity_text(pr: PrivacyRequest, users: dict[int, User]) -> str:
    if pr.identity_verified_at is None:
        return "Not verified yet"
    who = _user_name(users, pr.identity_verified_by_id)
    by = f" by {who}" if who else ""
    return f"Verified on {day_text(pr.identity_verified_at.date())}{by}: {pr.identity_method}"


def _what(row: AuditLog, pr: PrivacyRequest) -> str:
    """The history's sentence for one audit row."""
    kind = KIND_LABELS.get(pr.kind, pr.kind)
    if row.action == RECEIVED_AUDIT:
        return f"Asked in the app: {kind}"
    if row.action == LOGGED_AUDIT:
        phrase = _CHANNEL_PHRASE.get(pr.channel, pr.channel)
        return f"Logged by support: {kind}, received {phrase} on {day_text(pr.received_at.date())}"
    if row.action == VERIFIED_AUDIT:
        return f"Identity verified: {row.detail}"
    if row.action == STATUS_AUDIT:
        change, _, reason = row.detail.partition(": ")
        old, _, new = change.partition(" -> ")
        if new == PrivacyState.REFUSED and pr.refusal_reason:
            # The audit detail is cut at 1,000 characters; a refusal's reason is kept whole on the row.
            reason = pr.refusal_reason
        text = f"Status changed from {STATUS_LABELS.get(old, old)} to {STATUS_LABELS.get(new, new)}"
        return f"{text}. Reason: {reason}" if reason else text
    return audit.action_label(row.action)


def _views(db: Session, prs: Sequence[PrivacyRequest], now: datetime) -> list[PrivacyView]:
    """Views of the rows in their order: three queries whatever their number."""
    if not prs:
        return []
    by_target = {_target(pr.request_id): pr for pr in prs}
    rows = db.exec(
        select(AuditLog)
        .where(col(AuditLog.target).in_(by_target), col(AuditLog.action).in_(_HISTORY_ACTIONS))
        .order_by(col(AuditLog.created_at), col(AuditLog.id))
    ).all()
    user_ids: set[int] = {r.actor_user_id for r in rows if r.actor_user_id is not None}
    for pr in prs:
        user_ids |= {u for u in (pr.user_id, pr.logged_by_id, pr.identity_verified_by_id) if u is not None}
    users = {row_id(u): u for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all()}
    history: dict[int, list[HistoryItem]] = {pr.request_id: [] for pr in prs}
    for r in rows:
        pr = by_target[r.target]
        history[pr.request_id].append(
            HistoryItem(
                when=r.created_at, who=_user_name(users, r.actor_user_id, "StudioOS"), what=_what(r, pr)
            )
        )
    views = []
    for pr in prs:
        person = users.get(pr.user_id)
        finished = pr.status in _FINAL
        views.append(
            PrivacyView(
                request_id=pr.request_id,
                user_id=pr.user_id,
                kind=pr.kind,
                kind_label=KIND_LABELS.get(pr.kind, pr.kind),
                status=pr.status,
                status_label=STATUS_LABELS.get(pr.status, pr.status),
                received_at=pr.received_at,
                due_at=pr.due_at,
                due_text="" if finished else due_text(pr.due_at, now),
                channel=pr.channel,
                channel_label=CHANNEL_LABELS.get(pr.channel, pr.channel),
                logged_by_name=""
                if pr.channel == "app"
                else _user_name(users, pr.logged_by_id, "Former user"),
                identity_verified=pr.identity_verified_at is not None,
                identity_text=_identity_text(pr, users),
                refusal_reason=pr.refusal_reason,
                completed_at=pr.completed_at,
                history=history[pr.request_id],
                person_name=person.name if person else "Former user",
                person_email=person.email if person else "",
                finished=finished,
            )
        )
    return views


def _view(db: Session, pr: PrivacyRequest, now: datetime) -> PrivacyView:
    db.flush()
    return _views(db, [pr], now)[0]


# --- the person ------------------------------------------------------------------------------


def open_privacy_request(
    db: Session, actor: Actor, kind: str, message: str, *, now: datetime | None = None
) -> PrivacyView:
    """Anyone signed in asks in the app. Signed in to the account the request is about, they are
    who they say they are: the identity is verified at once."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    text = _message(message, errors)
    _check_kind(kind, errors)
    if errors:
        raise ValidationFailed(errors)
    # Without the studio, the desk's own audit row stays off the studio's log (see the module's
    # docstring); the request keeps the studio, whose name and plan support sees.
    summary = support.open_request(
        db, replace(actor, studio_id=None), KIND_LABELS[kind], RequestCategory.PRIVACY, text, now=now
    )
    req = db.get(SupportRequest, summary.id)
    if req is None:  # just written in this session
        raise NotFound()
    req.studio_id = actor.studio_id
    db.add(req)
    pr = PrivacyRequest(
        request_id=row_id(req),
        user_id=actor.user_id,
        kind=PrivacyKind(kind),
        status=PrivacyState.RECEIVED,
        received_at=now,
        due_at=now + timedelta(days=DUE_DAYS),
        channel="app",
    )
    db.add(pr)
    _record(db, actor, RECEIVED_AUDIT, row_id(req), kind)
    pr.identity_verified_at = now
    pr.identity_verified_by_id = actor.user_id
    pr.identity_method = APP_METHOD
    _record(db, actor, VERIFIED_AUDIT, row_id(req), APP_METHOD)
    return _view(db, pr, now)


def confirm_identity(
    db: Session, actor: Actor, request_id: int, *, now: datetime | None = None
) -> PrivacyView:
    """The person, signed in, confirms a request support logged in their name was theirs.

    Anyone else, support included, gets NotFound: only the account's owner can say this."""
    now = now or utcnow()
    req, pr = _privacy(db, request_id)
    if pr.user_id != actor.user_id:
        raise NotFound()
    if pr.status in _FINAL:
        raise ValidationFailed({"status": "This request is already finished."})
    if pr.identity_verified_at is None:
        _verify(db, actor, req, pr, CONFIRMED_METHOD, now)
        # The person has answered the question we asked them: support's turn.
        if req.status == RequestState.WAITING_ON_YOU:
            req.status = RequestState.WAITING_ON_US
        req.updated_at = now
        db.add(req)
    return _view(db, pr, now)


# --- both sides ------------------------------------------------------------------------------


def for_request(
    db: Session, actor: Actor, request_id: int, *, now: datetime | None = None
) -> PrivacyView | None:
    """The privacy side of a support request, for the person or support; None for another category."""
    req, pr = _load(db, request_id)
    if not _is_staff(actor) and req.requester_id != actor.user_id:
        raise NotFound()
    if pr is None:
        return None
    if not _is_staff(actor) and pr.user_id != actor.user_id:
        raise NotFound()
    return _views(db, [pr], now or utcnow())[0]


# --- support staff ---------------------------------------------------------------------------


def _account_by_email(db: Session, raw: str, errors: dict[str, str]) -> User | None:
    try:
        email = normalize_email(raw)
    except ValueError as exc:
        errors["email"] = str(exc)
        return None
    user = db.exec(
        select(User).where(User.email == email, col(User.is_active).is_(True), col(User.deleted_at).is_(None))
    ).first()
    if user is None:
        errors["email"] = (
            "No StudioOS account uses this address. Check it with the person: it must be the address "
            "they sign in with."
        )
    return user


def _received_day(received_on: date | None, now: datetime, errors: dict[str, str]) -> date:
    today = now.astimezone(UTC).date()
    day = received_on or today
    earliest = today - timedelta(days=RECEIVED_MAX_AGE_DAYS)
    if day > today:
        errors["received_on"] = "The day the request reached us cannot be in the future."
    elif day < earliest:
        errors["received_on"] = f"The day the request reached us cannot be before {day_text(earliest)}."
    return day


def log_on_behalf(
    db: Session,
    actor: Actor,
    *,
    email: str,
    kind: str,
    channel: str,
    message: str,
    received_on: date | None = None,
    now: datetime | None = None,
) -> PrivacyView:
    """Support logs a request that reached us by email, Telegram or phone, for the account with
    that address. Whoever wrote may not be the account's owner: the identity is not verified, and
    the person is emailed to confirm it (or to tell us it was not them)."""
    _require_staff(actor)
    now = now or utcnow()
    errors: dict[str, str] = {}
    text = _message(message, errors)
    _check_kind(kind, errors)
    if channel not in LOGGED_CHANNELS:
        errors["channel"] = "Choose how the request reached us: email, Telegram or phone."
    person = _account_by_email(db, email, errors)
    if person is not None and person.id == actor.user_id:
        errors["email"] = "This is your own account: ask in the app, and another agent will handle it."
    day = _received_day(received_on, now, errors)
    if errors or person is None:
        raise ValidationFailed(errors)
    received_at = datetime.combine(day, now.astimezone(UTC).time(), tzinfo=UTC)
    req = SupportRequest(
        requester_id=row_id(person),
        title=KIND_LABELS[kind],
        category=RequestCategory.PRIVACY,
        # We have written to the person (below) and wait for their confirmation.
        status=RequestState.WAITING_ON_YOU,
        created_at=now,
        updated_at=now,
        first_response_due_at=now + timedelta(hours=support.FIRST_RESPONSE_HOURS[RequestCategory.PRIVACY]),
        first_responded_at=now,
    )
    db.add(req)
    db.flush()
    support.add_message(
        db,
        req,
        actor.user_id,
        f"Logged by StudioOS support from {CHANNEL_LABELS[channel]} (received on {day_text(day)}):\n\n{text}",
        internal=False,
        now=now,
    )
    pr = PrivacyRequest(
        request_id=row_id(req),
        user_id=row_id(person),
        kind=PrivacyKind(kind),
        status=PrivacyState.VERIFYING,
        received_at=received_at,
        due_at=received_at + timedelta(days=DUE_DAYS),
        channel=channel,
        logged_by_id=actor.user_id,
    )
    db.add(pr)
    _record(
        db,
        actor,
        LOGGED_AUDIT,
        row_id(req),
        f"{kind} {_CHANNEL_PHRASE[channel]} on {day}, for user:{person.id}",
    )
    view = _view(db, pr, now)
    link = f"{get_settings().base_url}/support?request={row_id(req)}"
    mail.send(
        person.email,
        "A request about your data was received in your name",
        f"Hello {person.name},\n\nStudioOS support received a request about your personal data in your "
        f"name {_CHANNEL_PHRASE[channel]}: \u201c{KIND_LABELS[kind]}\u201d.\n\n"
        f"Before we act on it we need to know it came from you. Sign in and confirm it here:\n{link}\n\n"
        "If it was not you, tell us there and we will not act on it.\n",
    )
    return view


def verify_identity(
    db: Session, actor: Actor, request_id: int, method: str, *, now: datetime | None = None
) -> PrivacyView:
    """Support records how they checked the person's identity (a reply from the account's address,
    a call back to the number on file...)."""
    _require_staff(actor)
    now = now or utcnow()
    req, pr = _privacy(db, request_id)
    _not_own(actor, pr)
    try:
        clean = clean_text(method, "How the identity was checked", METHOD_MAX)
    except ValueError as exc:
        raise ValidationFailed({"method": str(exc)}) from exc
    if not clean:
        raise ValidationFailed({"method": "Say how you checked the person's identity."})
    if pr.status in _FINAL:
        raise ValidationFailed({"method": "This request is already finished."})
    if pr.identity_verified_at is not None:
        raise ValidationFailed({"method": "The person's identity is already verified."})
    _verify(db, actor, req, pr, clean, now)
    return _view(db, pr, now)


def _outcome_text(pr: PrivacyRequest, reason: str) -> str:
    kind = KIND_LABELS.get(pr.kind, pr.kind)
    if pr.status == PrivacyState.COMPLETED:
        text = f"We have completed your request: \u201c{kind}\u201d."
        return f"{text}\n\n{reason}" if reason else text
    return (
        f"We cannot carry out your request: \u201c{kind}\u201d.\n\nThe reason: {reason}\n\n"
        "If you disagree, reply here. You may also complain to your data protection authority."
    )


def set_privacy_status(
    db: Session, actor: Actor, request_id: int, status: str, *, reason: str = "", now: datetime | None = None
) -> PrivacyView:
    """Move the request on. Completed only once the identity is verified; refused only with a
    reason; both are final, and the person is told the outcome in the thread and by email."""
    _require_staff(actor)
    now = now or utcnow()
    req, pr = _privacy(db, request_id)
    _not_own(actor, pr)
    if status not in STATUS_LABELS:
        raise ValidationFailed({"status": "Choose a status from the list."})
    try:
        clean_reason = clean_text(reason, "The reason", REASON_MAX)
    except ValueError as exc:
        raise ValidationFailed({"reason": str(exc)}) from exc
    if pr.status in _FINAL:
        final = STATUS_LABELS[pr.status].lower()
        raise ValidationFailed({"status": f"This request is {final}: its status cannot change any more."})
    if status == pr.status:
        return _view(db, pr, now)
    if status == PrivacyState.COMPLETED and pr.identity_verified_at is None:
        raise ValidationFailed({"status": "Verify the person's identity before completing this request."})
    if status == PrivacyState.REFUSED and not clean_reason:
        raise ValidationFailed({"reason": "Give the reason for refusing: the person is told it."})
    _set_status(db, actor, pr, PrivacyState(status), clean_reason)
    if status in _FINAL:
        _finish(db, actor, req, pr, clean_reason, now)
    return _view(db, pr, now)


def _finish(
    db: Session, actor: Actor, req: SupportRequest, pr: PrivacyRequest, reason: str, now: datetime
) -> None:
    pr.completed_at = now
    if pr.status == PrivacyState.REFUSED:
        pr.refusal_reason = reason
    db.add(pr)
    text = _outcome_text(pr, reason)
    support.add_message(db, req, actor.user_id, text, internal=False, now=now)
    if req.first_responded_at is None:
        req.first_responded_at = now
    req.status = RequestState.RESOLVED
    db.add(req)
    db.flush()
    support.tell_requester(db, req, text)


def for_requests(
    db: Session, actor: Actor, request_ids: Iterable[object], *, now: datetime | None = None
) -> dict[int, PrivacyView]:
    """The privacy side of many support requests at once (the support queue's rows), by request id;
    requests of another category are not in it."""
    _require_staff(actor)
    ids = {i for i in (parse_id(raw) for raw in request_ids) if i is not None}
    if not ids:
        return {}
    prs = db.exec(select(PrivacyRequest).where(col(PrivacyRequest.request_id).in_(ids))).all()
    return {v.request_id: v for v in _views(db, prs, now or utcnow())}


def privacy_queue(
    db: Session, actor: Actor, *, status: str | None = None, now: datetime | None = None
) -> list[PrivacyView]:
    """Support's list of privacy requests: open ones by due date (most overdue first), then the
    finished ones, the most recently finished first."""
    _require_staff(actor)
    query = select(PrivacyRequest)
    if status:
        if status not in STATUS_LABELS:
            raise ValidationFailed({"status": "Choose a status from the list."})
        query = query.where(PrivacyRequest.status == status)
    prs = list(db.exec(query).all())
    open_ = sorted((p for p in prs if p.status not in _FINAL), key=lambda p: (p.due_at, row_id(p)))
    done = sorted(
        (p for p in prs if p.status in _FINAL),
        key=lambda p: (p.completed_at or p.received_at, row_id(p)),
        reverse=True,
    )
    return _views(db, open_ + done, now or utcnow())
