"""The weekly report: a Monday email to the owners who ask for it, with last week's KPIs against the
week before and the top models.

The figures are `analytics.dashboard` for last Monday to Sunday, as the studio's owner sees them
(so the email and the Analytics page can never disagree). Owners opt in one by one; the job that
sends it (studioos.jobs.weekly_report) claims each studio's week in the database first, so it goes
out once however many runners there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from studioos.models import Membership, Role, Studio, User, WeeklyReportSubscription, row_id
from studioos.services import analytics
from studioos.services.analytics_filters import Filters
from studioos.services.analytics_views import Kpi, ModelRow
from studioos.services.errors import PermissionDenied
from studioos.services.formatting import Formats, for_timezone
from studioos.services.permissions import Actor, require_studio
from studioos.settings import get_settings

SEND_FROM = time(6, 0)  # Monday, on the studio's clock
TOP_MODELS = 5


# ---------------------------------------------------------------- the owner's setting


def _owner_studio(actor: Actor) -> int:
    studio_id = require_studio(actor)
    if actor.role != Role.OWNER:
        raise PermissionDenied("Only the studio's owners can get the weekly report.")
    return studio_id


def is_subscribed(db: Session, actor: Actor) -> bool:
    studio_id = _owner_studio(actor)
    return db.get(WeeklyReportSubscription, (studio_id, actor.user_id)) is not None


def set_subscribed(db: Session, actor: Actor, on: bool) -> bool:
    """Opt the acting owner in (on) or out of the weekly report; returns the setting now."""
    studio_id = _owner_studio(actor)
    found = db.get(WeeklyReportSubscription, (studio_id, actor.user_id))
    # A person's own mail preference, like notifications: not an audit-log event.
    if on and found is None:
        db.add(WeeklyReportSubscription(studio_id=studio_id, user_id=actor.user_id))
    elif not on and found is not None:
        db.delete(found)
    db.flush()
    return on


def recipients(db: Session, studio_id: int) -> list[User]:
    """The studio's owners who asked for the report and can still sign in."""
    return list(
        db.exec(
            select(User)
            .join(WeeklyReportSubscription, col(WeeklyReportSubscription.user_id) == User.id)
            .join(
                Membership,
                (col(Membership.user_id) == User.id) & (col(Membership.studio_id) == studio_id),
            )
            .where(
                WeeklyReportSubscription.studio_id == studio_id,
                Membership.role == Role.OWNER,
                col(User.is_active).is_(True),
                col(User.deleted_at).is_(None),
            )
            .order_by(col(User.id))
        ).all()
    )


# ---------------------------------------------------------------- when, and what


def report_week(local_now: datetime) -> date | None:
    """The Monday of the week to report at this moment on the studio's clock: last week, from
    Monday SEND_FROM on (and any later day, if the runner was down on Monday); None before."""
    monday = local_now.date() - timedelta(days=local_now.weekday())
    if local_now.replace(tzinfo=None) < datetime.combine(monday, SEND_FROM):
        return None
    return monday - timedelta(days=7)


@dataclass(frozen=True)
class WeeklyReport:
    studio_name: str
    first: date
    last: date
    previous_first: date
    previous_last: date
    kpis: tuple[Kpi, ...]
    top_models: tuple[ModelRow, ...]
    subject: str
    body: str


def owner_actor(db: Session, studio: Studio, user: User) -> Actor:
    return Actor(
        user_id=row_id(user),
        email=user.email,
        name=user.name,
        studio_id=row_id(studio),
        role=Role.OWNER,
        ip="weekly report",
        user_agent="studioos jobs",
        timezone=studio.timezone,
        currency=studio.currency,
    )


def build(db: Session, actor: Actor, week_start: date) -> WeeklyReport:
    """The report of the week from `week_start` (a Monday), as this owner sees the Analytics page."""
    studio_id = _owner_studio(actor)
    last = week_start + timedelta(days=6)
    view = analytics.dashboard(db, actor, Filters(week_start, last, grain="day"), today=last)
    studio = db.get(Studio, studio_id)
    name = studio.name if studio else ""
    fmt = for_timezone(view.timezone)
    subject = f"{name}: the week of {fmt.date_range(week_start, last)}"
    lines = [
        f"{name}, {fmt.date_range(week_start, last)}, against the week before "
        f"({fmt.date_range(view.previous_first, view.previous_last)}).",
        "",
        *(_kpi_line(k, fmt) for k in view.kpis),
        "",
        "Top models",
    ]
    top = view.top_models[:TOP_MODELS]
    lines += [
        f"{i}. {m.stage_name}: {fmt.money(m.gross_cents, 'USD')} "
        f"(week before {fmt.money(m.previous_cents, 'USD')}{_change(m.change_bp, 'relative')})"
        for i, m in enumerate(top, start=1)
    ] or ["No earnings this week."]
    query = f"range=custom&from={week_start.isoformat()}&to={last.isoformat()}"
    lines += [
        "",
        f"Amounts in USD, days on the studio's clock ({view.timezone}).",
        f"Open the Analytics page: {get_settings().base_url}/analytics?{query}",
        "You get this email because you asked for it on the Analytics page; switch it off there.",
    ]
    return WeeklyReport(
        name,
        week_start,
        last,
        view.previous_first,
        view.previous_last,
        view.kpis,
        top,
        subject,
        "\n".join(lines) + "\n",
    )


def kpi_text(kpi: Kpi, value: int | None, fmt: Formats) -> str:
    if value is None:
        return "–"
    if kpi.unit in ("cents", "cents_per_hour"):
        return fmt.money(value, "USD") + (" an hour" if kpi.unit == "cents_per_hour" else "")
    if kpi.unit == "minutes":
        return f"{Decimal(value) / 60:.2f} hours"
    if kpi.unit == "bp":
        return f"{Decimal(value) / 100:.2f} %"
    return f"{value:,}"


def _change(change: int | None, kind: str) -> str:
    if change is None:
        return ""
    sign = "+" if change > 0 else ""
    if kind == "points":
        return f", {sign}{Decimal(change) / 100:.2f} points"
    return f", {sign}{Decimal(change) / 100:.2f} %"


def _kpi_line(kpi: Kpi, fmt: Formats) -> str:
    return (
        f"{kpi.label}: {kpi_text(kpi, kpi.value, fmt)} "
        f"(week before {kpi_text(kpi, kpi.previous, fmt)}{_change(kpi.change_bp, kpi.change_kind)})"
    )
