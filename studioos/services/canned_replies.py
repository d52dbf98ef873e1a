"""Saved replies: answers support staff insert into a reply and edit before sending.

The saved replies are shared by every support agent and belong to no studio, so saving and deleting
one is audited at platform level (studio_id None). Only support staff see or change them.

A reply's text may hold placeholders, which `fill` replaces when the reply is inserted:

- ``{first_name}``: the requester's first name (the first word of their name);
- ``{name}``: the requester's full name;
- ``{agent}``: the name of the agent answering.

Anything else in braces ("{oops}", "{ name }", a lone "{") stays exactly as written: the text is
typed by people, so filling it never fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from studioos.models import CannedReply, User, row_id, utcnow
from studioos.services import audit
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor, Cap
from studioos.services.validation import clean_text, require_id

TITLE_MAX = 120
BODY_MAX = 10_000
CANNED_PLACEHOLDERS_HELP = (
    "You can write {first_name} (the requester's first name), {name} (their full name) "
    "and {agent} (your name): they are filled in when the reply is inserted."
)
DUPLICATE_TITLE = "A saved reply with this title exists."
SAVED_AUDIT = "support.canned_saved"
DELETED_AUDIT = "support.canned_deleted"

# Exactly these three, written exactly so: any other text in braces is the author's own.
_PLACEHOLDER = re.compile(r"\{(first_name|name|agent)\}")

# What a new desk starts with (seed_defaults): (title, body).
DEFAULT_REPLIES: tuple[tuple[str, str], ...] = (
    (
        "First response: we are on it",
        "Hello {first_name},\n\n"
        "Thank you for writing to us. We have your request and are looking into it; we will answer "
        "here as soon as we know more.\n\n"
        "Best regards,\n{agent}\nStudioOS support",
    ),
    (
        "We need more detail",
        "Hello {first_name},\n\n"
        "Thank you for letting us know. To find what went wrong we need a little more detail:\n\n"
        "1. Which page were you on (the menu item, or the address in your browser)?\n"
        "2. What did you do, and what did you expect to happen?\n"
        "3. What happened instead (the exact message, if one appeared)?\n\n"
        "A screenshot helps too: you can attach it to your answer.\n\n"
        "Best regards,\n{agent}\nStudioOS support",
    ),
    (
        "Your copy of your data is ready",
        "Hello {first_name},\n\n"
        "The copy of your personal data you asked for is ready. Sign in to StudioOS, open the Privacy "
        "centre from the menu and choose Download: the file is a ZIP with your data as JSON and CSV. "
        "The download is available for 7 days; after that you can make a new copy there at any time.\n\n"
        "Best regards,\n{agent}\nStudioOS support",
    ),
    (
        "Your account deletion is under way",
        "Hello {first_name},\n\n"
        "Your account is being deleted: it is signed out everywhere and can no longer be used. Within "
        "30 days every record about you is deleted or made anonymous, except what the law makes us keep "
        "(payroll records, the security log). We will email you once more when it is done.\n\n"
        "Best regards,\n{agent}\nStudioOS support",
    ),
    (
        "Closing the request",
        "Hello {first_name},\n\n"
        "We are glad this is sorted out, so we are closing this request. If you need anything else, "
        "open a new request from Help and support in the menu.\n\n"
        "Best regards,\n{agent}\nStudioOS support",
    ),
)


@dataclass(frozen=True)
class CannedView:
    id: int
    title: str
    body: str
    updated_at: datetime
    created_by_name: str  # "" for the built-in ones and for an author whose account was erased


# --- helpers ---------------------------------------------------------------------------------


def _require_support(actor: Actor) -> None:
    if not (actor.is_support and actor.can(Cap.SUPPORT_TICKETS)):
        raise PermissionDenied()


def _title_key(title: str) -> str:
    return title.casefold()


def _clean(title: str, body: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    # One line, single-spaced: "Refund  policy" and "Refund policy" are the same title.
    clean_title = " ".join((title or "").split())
    if not clean_title:
        errors["title"] = "Enter a title."
    elif len(clean_title) > TITLE_MAX:
        errors["title"] = f"The title can be at most {TITLE_MAX} characters (you typed {len(clean_title):,})."
    clean_body = ""
    try:
        clean_body = clean_text(body, "The text", BODY_MAX)
    except ValueError as exc:
        errors["body"] = str(exc)
    if not clean_body and "body" not in errors:
        errors["body"] = "Write the text of the reply."
    if errors:
        raise ValidationFailed(errors)
    return clean_title, clean_body


def _title_taken(db: Session, title: str, except_id: int | None) -> bool:
    # Compared in Python: SQLite's lower() folds ASCII only, and the table holds a few dozen rows.
    key = _title_key(title)
    return any(
        _title_key(other) == key
        for rid, other in db.exec(select(CannedReply.id, CannedReply.title)).all()
        if rid != except_id
    )


def _views(db: Session, replies: Sequence[CannedReply]) -> list[CannedView]:
    author_ids = {r.created_by_id for r in replies if r.created_by_id}
    names = (
        dict(db.exec(select(User.id, User.name).where(col(User.id).in_(author_ids))).all())
        if author_ids
        else {}
    )
    return [
        CannedView(
            id=row_id(r),
            title=r.title,
            body=r.body,
            updated_at=r.updated_at,
            created_by_name=names.get(r.created_by_id, "") if r.created_by_id else "",
        )
        for r in replies
    ]


def _audit(db: Session, actor: Actor, action: str, reply: CannedReply, detail: str) -> None:
    # The saved replies belong to no studio, even when the agent also belongs to one.
    audit.record(
        db,
        action,
        studio_id=None,
        actor_user_id=actor.user_id,
        target=f"canned_reply:{row_id(reply)}",
        detail=detail,
        ip=actor.ip,
        user_agent=actor.user_agent,
    )


# --- the API ---------------------------------------------------------------------------------


def list_replies(db: Session, actor: Actor) -> list[CannedView]:
    """Every saved reply, by title (ignoring case)."""
    _require_support(actor)
    replies = sorted(db.exec(select(CannedReply)).all(), key=lambda r: (_title_key(r.title), row_id(r)))
    return _views(db, replies)


def save(
    db: Session,
    actor: Actor,
    title: str,
    body: str,
    reply_id: int | None = None,
    *,
    now: datetime | None = None,
) -> CannedView:
    """A new saved reply (reply_id None) or an edit of one. Titles are unique ignoring case."""
    _require_support(actor)
    now = now or utcnow()
    reply: CannedReply | None = None
    if reply_id is not None:
        reply = db.get(CannedReply, require_id(reply_id))
        if reply is None:
            raise NotFound()
    clean_title, clean_body = _clean(title, body)
    if _title_taken(db, clean_title, reply.id if reply else None):
        raise ValidationFailed({"title": DUPLICATE_TITLE})
    if reply is None:
        reply = CannedReply(title=clean_title, body=clean_body, created_by_id=actor.user_id, created_at=now)
        verb = "added"
    else:
        reply.title, reply.body = clean_title, clean_body
        verb = "edited"
    reply.updated_at = now
    db.add(reply)
    try:
        db.flush()
    except IntegrityError as exc:
        # Another agent saved the same title a moment ago: the unique index caught it. The caller's
        # unit of work rolls back on the error, as on any other.
        raise ValidationFailed({"title": DUPLICATE_TITLE}) from exc
    _audit(db, actor, SAVED_AUDIT, reply, f"{verb}: {clean_title}")
    db.flush()
    return _views(db, [reply])[0]


def delete(db: Session, actor: Actor, reply_id: int) -> None:
    _require_support(actor)
    reply = db.get(CannedReply, require_id(reply_id))
    if reply is None:
        raise NotFound()
    _audit(db, actor, DELETED_AUDIT, reply, reply.title)
    db.delete(reply)
    db.flush()


def fill(body: str, *, requester_name: str, agent_name: str) -> str:
    """The reply's text with {first_name}, {name} and {agent} filled in; all else left as written.

    One pass: a name that itself contains "{agent}" is inserted as it is, never filled again."""
    full = " ".join(requester_name.split())
    values = {"first_name": full.split(" ", 1)[0] if full else "", "name": full, "agent": agent_name.strip()}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], body)


def seed_defaults(db: Session) -> int:
    """The built-in saved replies, only on an empty table (a desk's own replies are never touched).
    Returns how many were added."""
    if db.exec(select(CannedReply.id).limit(1)).first() is not None:
        return 0
    now = utcnow()
    for title, body in DEFAULT_REPLIES:
        db.add(CannedReply(title=title, body=body, created_by_id=None, created_at=now, updated_at=now))
    db.flush()
    return len(DEFAULT_REPLIES)
