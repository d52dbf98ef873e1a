"""The acting user's studio: as the shell shows it, and the owner's settings for it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from studioos.models import Studio
from studioos.services import audit
from studioos.services.errors import NotFound
from studioos.services.permissions import Actor, Cap, require
from studioos.services.validation import (
    FormErrors,
    clean_currency,
    clean_name,
    clean_timezone,
)


@dataclass(frozen=True)
class StudioInfo:
    name: str
    timezone: str
    currency: str


def current_studio(db: Session, actor: Actor) -> StudioInfo | None:
    if actor.studio_id is None:
        return None
    studio = db.get(Studio, actor.studio_id)
    if studio is None:
        return None
    return StudioInfo(name=studio.name, timezone=studio.timezone, currency=studio.currency)


@dataclass(frozen=True)
class StudioSettings:
    name: str
    timezone: str
    currency: str


def studio_settings(db: Session, actor: Actor) -> StudioSettings:
    """What the owner's Studio settings page edits: the studio's name, clock and currency."""
    studio_id = require(actor, Cap.STUDIO_SETTINGS)
    studio = db.get(Studio, studio_id)
    if studio is None:
        raise NotFound()
    return StudioSettings(
        name=studio.name,
        timezone=studio.timezone,
        currency=studio.currency,
    )


def update_settings(db: Session, actor: Actor, *, name: str, timezone: str, currency: str) -> StudioSettings:
    """Rename the studio, move its clock or change its currency (the privacy centre's "correct my
    data" for a business). Every change is in the studio's audit log with the old and new value."""
    studio_id = require(actor, Cap.STUDIO_SETTINGS)
    studio = db.get(Studio, studio_id)
    if studio is None:
        raise NotFound()
    form = FormErrors()
    name_c = form.check("name", clean_name, name, "Studio name")
    tz = form.check("timezone", clean_timezone, timezone)
    cur = form.check("currency", clean_currency, currency)
    form.raise_if_any()
    assert name_c and tz and cur
    changes = [
        f"{label}: {old} -> {new}"
        for label, old, new in (
            ("name", studio.name, name_c),
            ("time zone", studio.timezone, tz),
            ("currency", studio.currency, cur),
        )
        if old != new
    ]
    if changes:
        studio.name, studio.timezone, studio.currency = name_c, tz, cur
        db.add(studio)
        audit.record_by(
            db, actor, "studio.settings_changed", target=f"studio:{studio_id}", detail="; ".join(changes)
        )
        db.flush()
    return studio_settings(db, actor)
