"""The landing page's figures, from what exists now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from studioos.models import LoginEvent, Membership, Studio, User
from studioos.services import performers, shifts
from studioos.services.devices import describe_user_agent
from studioos.services.permissions import Actor, Cap, require
from studioos.services.team import count_pending_invitations


@dataclass(frozen=True)
class RecentSignIn:
    name: str
    created_at: datetime
    browser: str
    success: bool


@dataclass(frozen=True)
class DashboardFigures:
    studio_name: str
    team_size: int
    by_role: dict[str, int]
    pending_invitations: int | None
    recent_sign_ins: list[RecentSignIn] = field(default_factory=list)


def figures(db: Session, actor: Actor) -> DashboardFigures:
    studio_id = require(actor, Cap.DASHBOARD)
    if actor.is_support:
        mine = db.exec(
            select(LoginEvent)
            .where(LoginEvent.user_id == actor.user_id)
            .order_by(col(LoginEvent.created_at).desc())
            .limit(10)
        ).all()
        return DashboardFigures(
            studio_name="StudioOS support",
            team_size=0,
            by_role={},
            pending_invitations=None,
            recent_sign_ins=[
                RecentSignIn(actor.name, e.created_at, describe_user_agent(e.user_agent), e.success)
                for e in mine
            ],
        )
    studio = db.get(Studio, studio_id)
    counts = dict(
        db.exec(
            select(Membership.role, func.count())
            .where(Membership.studio_id == studio_id)
            .group_by(Membership.role)
        ).all()
    )
    can_team = actor.can(Cap.TEAM_VIEW)
    # Only people who may see the team see who signed in; others see their own sign-ins.
    member_ids = select(Membership.user_id).where(Membership.studio_id == studio_id)
    query = (
        select(LoginEvent, User)
        .join(User, col(User.id) == LoginEvent.user_id)
        .order_by(col(LoginEvent.created_at).desc())
        .limit(10)
    )
    query = (
        query.where(col(LoginEvent.user_id).in_(member_ids))
        if can_team
        else query.where(LoginEvent.user_id == actor.user_id)
    )
    recent = [
        RecentSignIn(u.name, e.created_at, describe_user_agent(e.user_agent), e.success)
        for e, u in db.exec(query).all()
    ]
    return DashboardFigures(
        studio_name=studio.name if studio else "",
        team_size=sum(counts.values()),
        by_role=counts,
        pending_invitations=count_pending_invitations(db, actor) if can_team else None,
        recent_sign_ins=recent,
    )


@dataclass(frozen=True)
class OperationsFigures:
    """Today's floor for owners and managers: who works, who is in, which documents need action."""

    active_models: int
    docs_expired: int
    docs_expiring_soon: int
    shifts_today: int
    checked_in_today: int
    no_shows_today: int


def operations(db: Session, actor: Actor) -> OperationsFigures | None:
    if not (actor.can(Cap.PERFORMERS_MANAGE) and actor.can(Cap.SCHEDULE_MANAGE)):
        return None
    summary = performers.compliance_summary(db, actor)
    today = performers.studio_today(db, actor.studio_id or 0)
    todays = shifts.shifts_between(db, actor, today, today)
    return OperationsFigures(
        active_models=summary.active,
        docs_expired=summary.expired,
        docs_expiring_soon=summary.expiring_soon,
        shifts_today=len(todays),
        checked_in_today=sum(1 for s in todays if s.checked_in_local is not None),
        no_shows_today=sum(1 for s in todays if s.no_show),
    )
