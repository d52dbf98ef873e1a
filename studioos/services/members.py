"""Members (the platforms' tippers): who gave what to which model, the studio's tags and notes.

Ledger imports create the members and keep their totals per model (`MemberTotal`); this module
only reads those and adds the studio's own words about a member. Who sees what:
- owners, managers and analysts: every member of the studio, totals over all of its models;
- a model: only the members who gave her something, and only what they gave her;
- notes (encrypted at rest): owners and managers read all of a member's notes, a model only the
  ones she wrote herself, an analyst none; tags are set by owners and managers only.
A member the actor may not see is NotFound, never PermissionDenied, so ids cannot be probed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, literal, or_
from sqlmodel import Session, col, func, select

from studioos.models import (
    EarningRecord,
    Member,
    MemberNote,
    MemberTotal,
    Performer,
    RecordKind,
    User,
    row_id,
)
from studioos.models.types import UTCDateTime
from studioos.services import audit
from studioos.services.earnings import viewer_scope
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.performers import MAX_PAGE, Page
from studioos.services.permissions import Actor, Cap, require
from studioos.services.validation import clean_text, require_id

TAG_MAX = 30
TAGS_MAX = 10
NOTE_MAX = 2000
HISTORY_MAX = 100
SEARCH_MAX = 120  # a handle is at most this long, so a longer search finds nothing anyway
DEFAULT_SORT = "tokens"


# ---------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class MemberRow:
    id: int
    platform: str
    handle: str
    tags: list[str]
    tokens: int
    tips: int
    first_tip_at: datetime | None
    last_tip_at: datetime | None
    models: int  # how many of the models the viewer may see this member gave to
    notes_count: int  # the notes the viewer may read (0 for those who may read none)


@dataclass(frozen=True)
class ModelTotalRow:
    performer_id: int
    stage_name: str
    tokens: int
    tips: int
    first_tip_at: datetime | None
    last_tip_at: datetime | None


@dataclass(frozen=True)
class HistoryRow:
    id: int
    day: date
    occurred_at: datetime | None
    performer_id: int
    stage_name: str
    platform: str
    entry_type: str
    tokens: int


@dataclass(frozen=True)
class NoteRow:
    id: int
    author: str
    created_at: datetime
    body: str
    own: bool  # written by the viewer


@dataclass(frozen=True)
class MemberDetail:
    id: int
    platform: str
    handle: str
    tags: list[str]
    tokens: int
    tips: int
    first_tip_at: datetime | None
    last_tip_at: datetime | None
    totals: list[ModelTotalRow]  # largest first
    history: list[HistoryRow]  # the latest HISTORY_MAX ledger entries, newest first
    notes: list[NoteRow]  # newest first; empty for those who may read none
    can_tag: bool
    can_read_notes: bool
    can_write_notes: bool


# ---------------------------------------------------------------- who sees what


@dataclass(frozen=True)
class _Scope:
    studio_id: int
    own: int | None  # a model's own profile: only her totals, her members and her notes
    user_id: int
    notes: bool  # may read (and write) notes

    def totals_where(self) -> list[ColumnElement[bool]]:
        where = [col(MemberTotal.studio_id) == self.studio_id]
        if self.own is not None:
            where.append(col(MemberTotal.performer_id) == self.own)
        return where

    def notes_where(self) -> list[ColumnElement[bool]]:
        where = [col(MemberNote.studio_id) == self.studio_id]
        if self.own is not None:
            # The notes a model keeps are hers alone; she never reads the staff's.
            where.append(col(MemberNote.author_id) == self.user_id)
        return where


def _scope(db: Session, actor: Actor) -> _Scope:
    studio_id, own = viewer_scope(db, actor)
    return _Scope(studio_id, own, actor.user_id, actor.can(Cap.MEMBER_NOTES))


def can_tag(actor: Actor) -> bool:
    """Tags are the staff's labels: owners and managers (not analysts, not models)."""
    return actor.can(Cap.MEMBER_NOTES) and actor.can(Cap.EARNINGS_VIEW)


def _member(db: Session, scope: _Scope, member_id: object) -> Member:
    found = db.exec(
        select(Member).where(
            col(Member.id) == require_id(member_id), col(Member.studio_id) == scope.studio_id
        )
    ).first()
    if found is None:
        raise NotFound()
    if scope.own is not None:
        gave_her = db.exec(
            select(MemberTotal.member_id).where(col(MemberTotal.member_id) == found.id, *scope.totals_where())
        ).first()
        if gave_her is None:
            raise NotFound()
    return found


def split_tags(stored: str) -> list[str]:
    return [t for t in (stored or "").split(",") if t]


# ---------------------------------------------------------------- the list


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_members(
    db: Session,
    actor: Actor,
    *,
    search: str = "",
    platform: str | None = None,
    performer_id: int | None = None,
    tag: str | None = None,
    sort: str = DEFAULT_SORT,
    descending: bool = True,
    page: int = 1,
    per_page: int = 25,
) -> Page[MemberRow]:
    """One row per member with the totals summed over the models the actor may see.

    performer_id: only the members who gave this model something, with her totals only (a model's
    own list is always this, whatever she asks for)."""
    scope = _scope(db, actor)
    model = scope.own if scope.own is not None else performer_id
    totals_where = scope.totals_where()
    if scope.own is None and model is not None:
        totals_where.append(col(MemberTotal.performer_id) == model)
    totals = (
        select(  # type: ignore[call-overload]
            col(MemberTotal.member_id).label("member_id"),
            func.sum(MemberTotal.tokens).label("tokens"),
            func.sum(MemberTotal.tips).label("tips"),
            func.min(MemberTotal.first_tip_at).label("first_tip"),
            func.max(MemberTotal.last_tip_at).label("last_tip"),
            func.count().label("models"),
        )
        .where(*totals_where)
        .group_by(col(MemberTotal.member_id))
        .subquery("totals")
    )
    # Those who may read no notes are not even told how many there are.
    notes = (
        select(col(MemberNote.member_id).label("member_id"), func.count().label("n"))
        .where(*scope.notes_where())
        .group_by(col(MemberNote.member_id))
        .subquery("notes")
        if scope.notes
        else None
    )
    notes_count: Any = func.coalesce(notes.c.n, 0) if notes is not None else literal(0)

    where: list[ColumnElement[bool]] = [col(Member.studio_id) == scope.studio_id]
    if platform:
        where.append(col(Member.platform) == platform)
    term = " ".join((search or "").split()).lower()[:SEARCH_MAX]
    if term:
        # handle_key is the handle lower-cased by Python, as the term is: the same on both databases.
        where.append(col(Member.handle_key).like(f"%{_escape_like(term)}%", escape="\\"))
    wanted_tag = _clean_tag(tag or "")
    if wanted_tag:
        # Tags are stored comma-joined, so ",a,b," holds ",b," exactly when b is one of them.
        stored = literal(",") + col(Member.tags) + literal(",")
        where.append(
            or_(
                # The exact spelling too: SQLite's lower() leaves letters outside ASCII as they are.
                stored.like(f"%,{_escape_like(wanted_tag)},%", escape="\\"),
                func.lower(stored).like(f"%,{_escape_like(wanted_tag.lower())},%", escape="\\"),
            )
        )

    tokens = func.coalesce(totals.c.tokens, 0)
    tips = func.coalesce(totals.c.tips, 0)
    models = func.coalesce(totals.c.models, 0)
    query = select(  # type: ignore[call-overload]
        Member.id,
        Member.platform,
        Member.handle,
        Member.tags,
        tokens,
        tips,
        totals.c.first_tip,
        totals.c.last_tip,
        models,
        notes_count,
    )
    # Staff see every member of the studio, even one whose records were all undone (notes and tags
    # stay); a model or a model's filter only those who gave that model something.
    if model is None:
        query = query.outerjoin(totals, totals.c.member_id == Member.id)
    else:
        query = query.join(totals, totals.c.member_id == Member.id)
    if notes is not None:
        query = query.outerjoin(notes, notes.c.member_id == Member.id)
    query = query.where(*where)

    total = int(db.exec(select(func.count()).select_from(query.subquery())).one())
    orders: dict[str, Any] = {
        "handle": col(Member.handle_key),
        "tokens": tokens,
        "tips": tips,
        "last_tip": totals.c.last_tip,
        "first_tip": totals.c.first_tip,
    }
    key = sort if sort in orders else DEFAULT_SORT
    order = orders[key].desc() if descending else orders[key].asc()
    per_page = min(max(per_page, 1), 200)
    page = min(max(page, 1), MAX_PAGE)
    rows = db.exec(
        query.order_by(order.nulls_last(), col(Member.id)).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page([_row(*r) for r in rows], total, page, per_page, key)


def _row(
    member_id: int,
    platform: str,
    handle: str,
    tags: str,
    tokens: int | None,
    tips: int | None,
    first: datetime | str | None,
    last: datetime | str | None,
    models: int | None,
    notes: int | None,
) -> MemberRow:
    return MemberRow(
        id=int(member_id),
        platform=platform,
        handle=handle,
        tags=split_tags(tags),
        tokens=int(tokens or 0),
        tips=int(tips or 0),
        first_tip_at=_aware(first),
        last_tip_at=_aware(last),
        models=int(models or 0),
        notes_count=int(notes or 0),
    )


def _aware(value: datetime | str | None) -> datetime | None:
    # MIN()/MAX() in a subquery come back as the driver gives them (SQLite: text).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)


def tag_options(db: Session, actor: Actor) -> list[str]:
    """The tags in use on the members the actor may see, for the list's filter."""
    scope = _scope(db, actor)
    query = select(Member.tags).where(col(Member.studio_id) == scope.studio_id, col(Member.tags) != "")
    if scope.own is not None:
        query = query.where(col(Member.id).in_(select(MemberTotal.member_id).where(*scope.totals_where())))
    seen: dict[str, str] = {}
    for stored in db.exec(query.distinct()).all():
        for t in split_tags(stored):
            seen.setdefault(t.lower(), t)
    return sorted(seen.values(), key=str.lower)


def platform_options(db: Session, actor: Actor) -> list[str]:
    """The platforms of the members the actor may see, for the list's filter."""
    scope = _scope(db, actor)
    query = select(Member.platform).where(col(Member.studio_id) == scope.studio_id)
    if scope.own is not None:
        query = query.where(col(Member.id).in_(select(MemberTotal.member_id).where(*scope.totals_where())))
    return sorted(db.exec(query.distinct()).all())


# ---------------------------------------------------------------- one member


def member_detail(db: Session, actor: Actor, member_id: object) -> MemberDetail:
    scope = _scope(db, actor)
    member = _member(db, scope, member_id)
    mid = row_id(member)
    totals = [
        ModelTotalRow(t.performer_id, name, t.tokens, t.tips, t.first_tip_at, t.last_tip_at)
        for t, name in db.exec(
            select(MemberTotal, Performer.stage_name)
            .join(Performer, col(Performer.id) == MemberTotal.performer_id)
            .where(col(MemberTotal.member_id) == mid, *scope.totals_where())
            .order_by(col(MemberTotal.tokens).desc(), col(Performer.stage_name))
        ).all()
    ]
    history_where: list[ColumnElement[bool]] = [
        col(EarningRecord.studio_id) == scope.studio_id,
        col(EarningRecord.member_id) == mid,
        col(EarningRecord.kind) == RecordKind.LEDGER,
    ]
    if scope.own is not None:
        history_where.append(col(EarningRecord.performer_id) == scope.own)
    history = [
        HistoryRow(
            id=int(rid),
            day=day,
            occurred_at=occurred_at,
            performer_id=int(pid),
            stage_name=name,
            platform=platform,
            entry_type=entry_type or "",
            tokens=int(tokens),
        )
        for rid, day, occurred_at, pid, name, platform, entry_type, tokens in db.exec(
            select(  # type: ignore[call-overload]
                EarningRecord.id,
                EarningRecord.day,
                EarningRecord.occurred_at,
                EarningRecord.performer_id,
                Performer.stage_name,
                EarningRecord.platform,
                EarningRecord.entry_type,
                EarningRecord.tokens,
            )
            .join(Performer, col(Performer.id) == EarningRecord.performer_id)
            .where(*history_where)
            .order_by(
                col(EarningRecord.occurred_at).desc().nulls_last(),
                col(EarningRecord.day).desc(),
                col(EarningRecord.id).desc(),
            )
            .limit(HISTORY_MAX)
        ).all()
    ]
    notes = _notes(db, scope, mid) if scope.notes else []
    firsts = [t.first_tip_at for t in totals if t.first_tip_at is not None]
    lasts = [t.last_tip_at for t in totals if t.last_tip_at is not None]
    return MemberDetail(
        id=mid,
        platform=member.platform,
        handle=member.handle,
        tags=split_tags(member.tags),
        tokens=sum(t.tokens for t in totals),
        tips=sum(t.tips for t in totals),
        first_tip_at=min(firsts) if firsts else None,
        last_tip_at=max(lasts) if lasts else None,
        totals=totals,
        history=history,
        notes=notes,
        can_tag=can_tag(actor),
        can_read_notes=scope.notes,
        can_write_notes=scope.notes,
    )


def _notes(db: Session, scope: _Scope, member_id: int) -> list[NoteRow]:
    found = db.exec(
        select(MemberNote, User.name)
        .outerjoin(User, col(User.id) == MemberNote.author_id)
        .where(col(MemberNote.member_id) == member_id, *scope.notes_where())
        .order_by(col(MemberNote.created_at).desc(), col(MemberNote.id).desc())
    ).all()
    return [
        NoteRow(row_id(n), name or "Former team member", n.created_at, n.body, n.author_id == scope.user_id)
        for n, name in found
    ]


# ---------------------------------------------------------------- tags and notes


def _clean_tag(raw: str) -> str:
    printable = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")
    return " ".join(printable.split())


def clean_tags(raw: str) -> list[str]:
    """The tags typed as "vip, regular": trimmed, blanks and repeats (in any case) dropped."""
    tags: dict[str, str] = {}
    for part in (raw or "").split(","):
        tag = _clean_tag(part)
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise ValidationFailed(
                {"tags": f"A tag can be at most {TAG_MAX} characters ('{tag[:TAG_MAX]}…' has {len(tag)})."}
            )
        tags.setdefault(tag.lower(), tag)
    if len(tags) > TAGS_MAX:
        raise ValidationFailed(
            {"tags": f"A member can have at most {TAGS_MAX} tags (you typed {len(tags)})."}
        )
    return list(tags.values())


def set_tags(db: Session, actor: Actor, member_id: object, tags: str) -> list[str]:
    """Replace the member's tags with the comma-separated `tags` (blank: none)."""
    require(actor, Cap.MEMBER_NOTES)
    if not can_tag(actor):
        raise PermissionDenied()
    scope = _scope(db, actor)
    member = _member(db, scope, member_id)
    cleaned = clean_tags(tags)
    member.tags = ",".join(cleaned)
    db.add(member)
    db.flush()
    audit.record_by(
        db, actor, "members.tagged", f"{member.platform} {member.handle}", ", ".join(cleaned) or "no tags"
    )
    return cleaned


def clean_note(raw: str) -> str:
    # Line breaks stay (a note may be a list); other control characters are never meant.
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    try:
        body = clean_text(text, "A note", NOTE_MAX)
    except ValueError as exc:
        raise ValidationFailed({"body": str(exc)}) from exc
    if not body:
        raise ValidationFailed({"body": "Write the note first."})
    return body


def add_note(db: Session, actor: Actor, member_id: object, body: str) -> NoteRow:
    """A note about a member the actor may see (owners, managers, a model about her own members)."""
    require(actor, Cap.MEMBER_NOTES)
    scope = _scope(db, actor)
    member = _member(db, scope, member_id)
    text = clean_note(body)
    note = MemberNote(studio_id=scope.studio_id, member_id=row_id(member), author_id=actor.user_id, body=text)
    db.add(note)
    db.flush()
    # The note's words stay out of the log: it is read by everyone with the audit view.
    audit.record_by(
        db, actor, "members.note_added", f"{member.platform} {member.handle}", f"note {row_id(note)}"
    )
    return NoteRow(row_id(note), actor.name, note.created_at, note.body, True)
