"""Cam platforms and each model's handle on them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from studioos.models import Performer, Platform, PlatformAccount, row_id
from studioos.services import audit
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.performers import get_row, own_performer_id
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.validation import clean_name

BUILTIN_PLATFORMS: tuple[str, ...] = (
    "Chaturbate",
    "Stripchat",
    "BongaCams",
    "MyFreeCams",
    "LiveJasmin",
    "CamSoda",
    "Flirt4Free",
    "Streamate",
)
HANDLE_RE = re.compile(r"[A-Za-z0-9_.\-]{2,80}")


@dataclass(frozen=True)
class PlatformAccountRow:
    id: int
    performer_id: int
    stage_name: str
    platform: str
    handle: str


def list_platforms(db: Session, actor: Actor) -> list[str]:
    """Built-in platforms first, then the ones this studio added, alphabetically."""
    studio_id = require_studio(actor)
    added = db.exec(
        select(Platform.name).where(Platform.studio_id == studio_id).order_by(col(Platform.name))
    ).all()
    return [*BUILTIN_PLATFORMS, *added]


def _canonical_platform(db: Session, studio_id: int, raw: str) -> str | None:
    wanted = " ".join((raw or "").split()).lower()
    for name in BUILTIN_PLATFORMS:
        if name.lower() == wanted:
            return name
    return db.exec(
        select(Platform.name).where(Platform.studio_id == studio_id, func.lower(Platform.name) == wanted)
    ).first()


def add_platform(db: Session, actor: Actor, name: str) -> str:
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    try:
        clean = clean_name(name, "Platform name", 60)
    except ValueError as exc:
        raise ValidationFailed({"name": str(exc)}) from exc
    if _canonical_platform(db, studio_id, clean) is not None:
        raise ValidationFailed({"name": f"{clean} is already in the list of platforms."})
    db.add(Platform(studio_id=studio_id, name=clean))
    db.flush()
    return clean


def _rows(db: Session, studio_id: int, *where: ColumnElement[bool]) -> list[PlatformAccountRow]:
    rows = db.exec(
        select(PlatformAccount, Performer.stage_name)
        .join(Performer, col(Performer.id) == PlatformAccount.performer_id)
        .where(PlatformAccount.studio_id == studio_id, *where)
        .order_by(col(Performer.stage_name), col(PlatformAccount.platform), col(PlatformAccount.handle))
    ).all()
    return [PlatformAccountRow(row_id(a), a.performer_id, name, a.platform, a.handle) for a, name in rows]


def list_accounts(db: Session, actor: Actor, performer_id: int | None = None) -> list[PlatformAccountRow]:
    """Handles are work identities: staff and analysts see all, a model sees her own."""
    studio_id = require_studio(actor)
    if not actor.can(Cap.PERFORMERS_VIEW):
        own = own_performer_id(db, actor)
        if own is None or (performer_id is not None and performer_id != own):
            raise NotFound()
        performer_id = own
    if performer_id is None:
        return _rows(db, studio_id)
    get_row(db, studio_id, performer_id)
    return _rows(db, studio_id, col(PlatformAccount.performer_id) == performer_id)


def add_account(
    db: Session, actor: Actor, performer_id: int, platform: str, handle: str
) -> PlatformAccountRow:
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    performer = get_row(db, studio_id, performer_id)
    errors: dict[str, str] = {}
    name = _canonical_platform(db, studio_id, platform)
    if name is None:
        errors["platform"] = "Choose a platform from the list (or add it to the list first)."
    clean = (handle or "").strip().lstrip("@")
    if not HANDLE_RE.fullmatch(clean):
        errors["handle"] = "A handle has 2 to 80 letters, digits, dots, dashes or underscores."
    if not errors and name is not None:
        taken = db.exec(
            select(Performer.stage_name)
            .join(PlatformAccount, col(PlatformAccount.performer_id) == Performer.id)
            .where(
                PlatformAccount.studio_id == studio_id,
                PlatformAccount.platform == name,
                PlatformAccount.handle_key == clean.lower(),
            )
        ).first()
        if taken is not None:
            errors["handle"] = f"The {name} handle {clean} is already used by {taken}."
    if errors:
        raise ValidationFailed(errors)
    account = PlatformAccount(
        studio_id=studio_id,
        performer_id=performer_id,
        platform=name or "",
        handle=clean,
        handle_key=clean.lower(),
    )
    db.add(account)
    db.flush()
    audit.record_by(
        db, actor, "platform_account.added", target=f"performer:{performer_id}", detail=f"{name}:{clean}"
    )
    return PlatformAccountRow(row_id(account), performer_id, performer.stage_name, account.platform, clean)


def remove_account(db: Session, actor: Actor, account_id: int) -> None:
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    account = db.exec(
        select(PlatformAccount).where(
            PlatformAccount.id == account_id, PlatformAccount.studio_id == studio_id
        )
    ).first()
    if account is None:
        raise NotFound()
    audit.record_by(
        db,
        actor,
        "platform_account.removed",
        target=f"performer:{account.performer_id}",
        detail=f"{account.platform}:{account.handle}",
    )
    db.delete(account)
    db.flush()
