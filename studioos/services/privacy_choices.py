"""A model's privacy choices about her own profile: objecting to the studio's analytics.

The privacy centre's "Restrict or object": a model (role performer, her account linked to a model
profile through Membership.performer_id) may object to being included in the studio's analytics
beyond what payroll needs. While she objects (Performer.analytics_objected_at), every figure staff
see on the Analytics page, in its exports, in the weekly report and in the dashboard's ranking
leaves her out (analytics_scope.Viewer.excluded); payroll, earnings records and statements keep
her, and her own /my-analytics still shows her numbers.

Only she sets or withdraws it, for her own profile in the studio she is signed in to: the profile
is read from her membership, never passed in, so no one can set it for someone else. Each change
is in the studio's audit log, so the owner sees why a model left the charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from studioos.models import Membership, Performer, Role, utcnow
from studioos.services import audit
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor

NO_PROFILE = (
    "Only a model whose account is linked to her model profile can make this choice: "
    "your account has no model profile in this studio."
)


@dataclass(frozen=True)
class AnalyticsChoice:
    applies: bool  # she has a model profile here: staff and support are not subjects of analytics
    objected: bool
    objected_at: datetime | None  # UTC; None while she does not object


NOT_APPLICABLE = AnalyticsChoice(applies=False, objected=False, objected_at=None)


def _own_profile(db: Session, actor: Actor) -> Performer | None:
    """The model profile linked to the actor's membership in her current studio, for a model only."""
    if actor.is_support or actor.studio_id is None or actor.role != Role.PERFORMER:
        return None
    return db.exec(
        select(Performer)
        .join(Membership, Membership.performer_id == Performer.id)  # type: ignore[arg-type]
        .where(
            Membership.user_id == actor.user_id,
            Membership.studio_id == actor.studio_id,
            Membership.role == Role.PERFORMER,
            Performer.studio_id == actor.studio_id,
        )
    ).first()


def _choice(profile: Performer) -> AnalyticsChoice:
    at = profile.analytics_objected_at
    return AnalyticsChoice(applies=True, objected=at is not None, objected_at=at)


def analytics_choice(db: Session, actor: Actor) -> AnalyticsChoice:
    """Whether the signed-in model objects to the studio's analytics (applies=False for anyone
    without a model profile in the current studio)."""
    profile = _own_profile(db, actor)
    return NOT_APPLICABLE if profile is None else _choice(profile)


def set_analytics_objection(
    db: Session, actor: Actor, objected: bool, *, now: datetime | None = None
) -> AnalyticsChoice:
    """The signed-in model objects to (True) or stops objecting to (False) being included in the
    studio's analytics. Choosing what is already in force changes nothing and logs nothing (the
    first objection's time stays)."""
    profile = _own_profile(db, actor)
    if profile is None:
        raise ValidationFailed({"objected": NO_PROFILE}, NO_PROFILE)
    if (profile.analytics_objected_at is not None) == bool(objected):
        return _choice(profile)
    profile.analytics_objected_at = (now or utcnow()) if objected else None
    # Writing the profile raises the studio's revision at commit (studioos.models.revision), so no
    # cached analytics figure from before the change is served after it.
    db.add(profile)
    db.flush()
    audit.record_by(
        db,
        actor,
        "privacy.analytics_objection" if objected else "privacy.analytics_objection_withdrawn",
        target=f"performer:{profile.id}",
        detail=profile.stage_name,
    )
    return _choice(profile)
