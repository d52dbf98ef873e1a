"""The acting user's studio, as the shell shows it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from studioos.models import Studio
from studioos.services.permissions import Actor


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
