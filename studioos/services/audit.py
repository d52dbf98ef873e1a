"""The audit log: who did what to whom, from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from studioos.models import AuditLog, User
from studioos.services.devices import describe_user_agent
from studioos.services.permissions import Actor, Cap, require


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
    action: str
    target: str
    detail: str
    ip: str
    browser: str


def list_entries(
    db: Session, actor: Actor, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditRow], int]:
    studio_id = require(actor, Cap.AUDIT_VIEW)
    base = select(AuditLog).where(AuditLog.studio_id == studio_id)
    total = db.exec(select(func.count()).select_from(AuditLog).where(AuditLog.studio_id == studio_id)).one()
    rows = db.exec(
        base.order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc()).offset(offset).limit(limit)
    ).all()
    names = {
        u.id: u.name
        for u in db.exec(select(User).where(col(User.id).in_({r.actor_user_id for r in rows}))).all()
    }
    return [
        AuditRow(
            id=r.id or 0,
            created_at=r.created_at,
            actor=names.get(r.actor_user_id, "—") if r.actor_user_id else "—",
            action=r.action,
            target=r.target,
            detail=r.detail,
            ip=r.ip,
            browser=describe_user_agent(r.user_agent),
        )
        for r in rows
    ], total
