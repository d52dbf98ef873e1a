"""The landing page's figures, from what exists now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from studioos.models import Invitation, LoginEvent, Membership, Role, Studio, User, utcnow
from studioos.services import earnings, own_schedule, pay_periods, performers, shifts, studio_cache, team
from studioos.services.analytics_scope import objecting
from studioos.services.devices import describe_user_agent
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.shift_requests import RequestRow
from studioos.services.shifts import ShiftRow

# How the team card names each role, in this order: every role a studio has, models included.
ROLE_WORDS: tuple[tuple[str, str, str], ...] = (
    ("owner", "owner", "owners"),
    ("manager", "manager", "managers"),
    ("analyst", "analyst", "analysts"),
    ("performer", "model", "models"),
)


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

    @property
    def role_summary(self) -> str:
        return role_summary(self.by_role)


def role_summary(by_role: dict[str, int]) -> str:
    """1 owner · 1 manager · 2 models: every role with members, so the parts add up to the total."""
    return " · ".join(
        f"{n} {one if n == 1 else many}" for role, one, many in ROLE_WORDS if (n := by_role.get(role, 0))
    )


# The latest sign-ins, built once with bound parameters: the dashboard asks on every load.
_SIGN_INS = (
    select(User.name, LoginEvent.created_at, LoginEvent.user_agent, LoginEvent.success)
    .join(User, col(User.id) == LoginEvent.user_id)
    .order_by(col(LoginEvent.created_at).desc())
    .limit(10)
)
_TEAM_SIGN_INS = _SIGN_INS.where(
    col(LoginEvent.user_id).in_(
        select(Membership.user_id).where(Membership.studio_id == bindparam("studio_id"))
    )
)
_OWN_SIGN_INS = _SIGN_INS.where(LoginEvent.user_id == bindparam("user_id"))


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
    members = studio_cache.remember(db, actor, "dashboard.team", lambda: _team(db, studio_id))
    counts = dict(members.by_role)
    can_team = actor.can(Cap.TEAM_VIEW)
    # Only people who may see the team see who signed in; others see their own sign-ins. A sign-in
    # changes the studio's revision (studioos.models.revision), so the list is never stale.
    if can_team:
        recent = studio_cache.remember(
            db, actor, "dashboard.sign_ins", lambda: _sign_ins(db, _TEAM_SIGN_INS, studio_id=studio_id)
        )
    else:
        recent = studio_cache.remember(
            db,
            actor,
            "dashboard.own_sign_ins",
            lambda: _sign_ins(db, _OWN_SIGN_INS, user_id=actor.user_id),
            parts=(actor.user_id,),
        )
    now = utcnow()
    return DashboardFigures(
        studio_name=members.studio_name,
        team_size=sum(counts.values()),
        by_role=counts,
        # Invitations lapse with time, not with a change: the cache holds when each open one
        # lapses, and the count is of those still open now.
        pending_invitations=sum(1 for ends in members.invitations_end if ends > now) if can_team else None,
        recent_sign_ins=list(recent),
    )


def _sign_ins(db: Session, query: Any, **params: int) -> tuple[RecentSignIn, ...]:
    rows = db.exec(query, params=params).all()
    return tuple(RecentSignIn(name, at, describe_user_agent(ua), ok) for name, at, ua, ok in rows)


@dataclass(frozen=True)
class _Team:
    """The team card's figures for a whole studio, as studio_cache keeps them: counts only."""

    studio_name: str
    by_role: tuple[tuple[str, int], ...]
    invitations_end: tuple[datetime, ...]  # when each open invitation lapses


def _team(db: Session, studio_id: int) -> _Team:
    studio = db.get(Studio, studio_id)
    counts = db.exec(
        select(Membership.role, func.count())
        .where(Membership.studio_id == studio_id)
        .group_by(Membership.role)
    ).all()
    ends = db.exec(select(Invitation.expires_at).where(*team.open_invitations(studio_id))).all()
    return _Team(studio.name if studio else "", tuple(counts), tuple(ends))


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
    today = actor.today()
    # Whose documents have expired needs every model's decrypted expiry date: computed once per
    # change of the studio's data and day, not on every load by everyone looking.
    return studio_cache.remember(
        db, actor, "dashboard.operations", lambda: _operations(db, actor, today), day=today
    )


def _operations(db: Session, actor: Actor, today: date) -> OperationsFigures:
    summary = performers.compliance_summary(db, actor)
    todays = shifts.shifts_between(db, actor, today, today)
    return OperationsFigures(
        active_models=summary.active,
        docs_expired=summary.expired,
        docs_expiring_soon=summary.expiring_soon,
        shifts_today=len(todays),
        checked_in_today=sum(1 for s in todays if s.checked_in_local is not None),
        no_shows_today=sum(1 for s in todays if s.no_show),
    )


@dataclass(frozen=True)
class PerformerHome:
    """A model's landing page: what she does next, what she has worked, what she is waiting on."""

    linked: bool  # her account is tied to a model profile (else there is no schedule to show)
    next_shift: ShiftRow | None
    period_first: date  # the pay period so far: there is no pay period table yet, so the month
    period_last: date
    hours: Decimal
    shifts_worked: int
    pending: list[RequestRow] = field(default_factory=list)
    can_check_in: bool = False  # the next shift's check-in window is open and she is not in yet
    can_check_out: bool = False  # she is checked in and not out
    shift_started: bool = False  # the next shift has begun: she is on it now


def performer_home(db: Session, actor: Actor, *, now: datetime | None = None) -> PerformerHome | None:
    """None for every role but the model's: the others keep the studio dashboard."""
    if actor.role != Role.PERFORMER or not actor.can(Cap.SCHEDULE_OWN):
        return None
    mine = own_schedule.my_upcoming(db, actor, now=now)
    if mine is None:
        today = actor.today(now)
        return PerformerHome(False, None, today.replace(day=1), today, Decimal("0.00"), 0)
    # The same decisions as My schedule (own_schedule): the shift she is on or goes to next, the
    # check-in window, the requests that wait for a manager.
    return PerformerHome(
        linked=True,
        next_shift=mine.current,
        period_first=mine.month_first,
        period_last=mine.today,
        hours=mine.hours,
        shifts_worked=mine.shifts_worked,
        pending=mine.pending,
        can_check_in=mine.can_check_in,
        can_check_out=mine.can_check_out,
        shift_started=mine.current_started,
    )


@dataclass(frozen=True)
class MoneyFigures:
    """This pay period so far, for those who read the studio's earnings."""

    period_first: date
    period_last: date
    gross_cents: int  # the studio's earnings, as the Earnings page sums them (every model)
    # The five who earned most: a ranking is analytics, so a model who objected to being
    # analysed is not in it (analytics_scope.objecting).
    top_models: tuple[earnings.ModelTotal, ...]


def money(db: Session, actor: Actor) -> MoneyFigures | None:
    if not actor.can(Cap.EARNINGS_VIEW):
        return None
    today = actor.today()
    period = pay_periods.rule_for(db, require_studio(actor)).containing(today)

    def compute() -> MoneyFigures:
        total = earnings.summary(db, actor, period.starts_on, today)
        left_out = set(objecting(db, require_studio(actor)))
        ranked = [m for m in total.by_model if m.performer_id not in left_out]
        return MoneyFigures(period.starts_on, period.ends_on, total.gross_cents, tuple(ranked[:5]))

    # Every dashboard load by everyone looking would otherwise sum the period's records again.
    return studio_cache.remember(db, actor, "dashboard.money", compute, day=today)
