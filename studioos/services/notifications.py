"""In-app notifications: created by other services and jobs, read by the person they are for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, func, select

from studioos.models import Membership, Notification, Role, row_id, utcnow
from studioos.services.errors import NotFound
from studioos.services.permissions import Actor, require_studio

STAFF_ROLES = (Role.OWNER, Role.MANAGER)


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


def notify(
    db: Session,
    *,
    studio_id: int,
    user_ids: Iterable[int],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
) -> int:
    """Queue one notification per recipient (de-duplicated); returns how many were written."""
    recipients = sorted(set(user_ids))
    for user_id in recipients:
        db.add(
            Notification(
                studio_id=studio_id,
                user_id=user_id,
                kind=kind[:40],
                title=title[:200],
                body=body[:1000],
                link=link[:255],
            )
        )
    return len(recipients)


def staff_user_ids(db: Session, studio_id: int) -> list[int]:
    """Owners and managers of a studio: who hears about requests and expiring documents."""
    return list(
        db.exec(
            select(Membership.user_id).where(
                Membership.studio_id == studio_id, col(Membership.role).in_(STAFF_ROLES)
            )
        ).all()
    )


def performer_user_ids(db: Session, studio_id: int, performer_ids: Iterable[int]) -> list[int]:
    """The accounts linked to these model profiles (a model may not have an account yet)."""
    ids = set(performer_ids)
    if not ids:
        return []
    return list(
        db.exec(
            select(Membership.user_id).where(
                Membership.studio_id == studio_id, col(Membership.performer_id).in_(ids)
            )
        ).all()
    )


def _mine(actor: Actor) -> tuple[int, ColumnElement[bool]]:
    studio_id = require_studio(actor)
    return studio_id, and_(
        col(Notification.user_id) == actor.user_id, col(Notification.studio_id) == studio_id
    )


def list_notifications(
    db: Session, actor: Actor, *, unread_only: bool = False, limit: int = 20, offset: int = 0
) -> list[NotificationRow]:
    _, where = _mine(actor)
    query = select(Notification).where(where)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    rows = db.exec(
        query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), 200))
    ).all()
    return [
        NotificationRow(
            id=row_id(n),
            kind=n.kind,
            title=n.title,
            body=n.body,
            link=n.link,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in rows
    ]


def unread_count(db: Session, actor: Actor) -> int:
    _, where = _mine(actor)
    return int(
        db.exec(
            select(func.count()).select_from(Notification).where(where, col(Notification.read_at).is_(None))
        ).one()
    )


def mark_read(db: Session, actor: Actor, notification_id: int) -> None:
    _, where = _mine(actor)
    found = db.exec(select(Notification).where(where, Notification.id == notification_id)).first()
    if found is None:
        raise NotFound()
    if found.read_at is None:
        found.read_at = utcnow()
        db.add(found)
        db.flush()


def mark_all_read(db: Session, actor: Actor) -> int:
    _, where = _mine(actor)
    rows = db.exec(select(Notification).where(where, col(Notification.read_at).is_(None))).all()
    now = utcnow()
    for n in rows:
        n.read_at = now
        db.add(n)
    db.flush()
    return len(rows)
