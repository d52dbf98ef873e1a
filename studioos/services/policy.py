"""The privacy policy's versions: the current one for /privacy, every earlier one kept, support
staff publishing a new one, and a material change acknowledged by each person at their next
sign-in.

The text StudioOS was built with (`studioos/privacy_text.py`) is the first version (id 0); each
version support staff publish is a `PolicyVersion` row, in force from its `effective_on` day (UTC).
A material change notifies every active account in the app, and `pending_acknowledgement` sends a
person who has not acknowledged it (and whose account is older than the change) to read it when
they next sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from studioos.models import Membership, Notification, PolicyAcceptance, PolicyVersion, User, utcnow
from studioos.privacy_text import LAST_UPDATED, SECTIONS
from studioos.services import audit
from studioos.services.auth import Client
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor, Cap

BODY_MIN, BODY_MAX = 200, 100_000
SUMMARY_MAX = 500
FIRST_EFFECTIVE = datetime.strptime(LAST_UPDATED, "%B %d, %Y").replace(tzinfo=UTC).date()


@dataclass(frozen=True)
class PolicyView:
    id: int  # 0: the text the app was built with
    effective_on: date
    material: bool
    summary: str
    body: str  # markdown

    @property
    def label(self) -> str:
        """ "December 3, 2026": the version's name, as its "Last updated" line says it."""
        return f"{self.effective_on:%B} {self.effective_on.day}, {self.effective_on.year}"


def builtin_markdown() -> str:
    return "\n\n".join(f"## {title}\n\n" + "\n\n".join(paragraphs) for title, paragraphs in SECTIONS)


def builtin_label() -> str:
    return _builtin().label


def _builtin() -> PolicyView:
    return PolicyView(0, FIRST_EFFECTIVE, False, "", builtin_markdown())


def _view(row: PolicyVersion) -> PolicyView:
    return PolicyView(row.id or 0, row.effective_on, row.material, row.summary, row.body)


def _today() -> date:
    return datetime.now(UTC).date()


def versions(db: Session, today: date | None = None) -> list[PolicyView]:
    """Every version in force on or before today, newest first (the first one last)."""
    day = today or _today()
    rows = db.exec(
        select(PolicyVersion)
        .where(col(PolicyVersion.effective_on) <= day)
        .order_by(col(PolicyVersion.effective_on).desc(), col(PolicyVersion.id).desc())
    ).all()
    return [*(_view(r) for r in rows), _builtin()]


def current(db: Session, today: date | None = None) -> PolicyView:
    return versions(db, today)[0]


def get(db: Session, version_id: int, today: date | None = None) -> PolicyView:
    for view in versions(db, today):
        if view.id == version_id:
            return view
    raise NotFound("There is no such version of the privacy policy.")


def publish(
    db: Session, actor: Actor, body: str, effective_on: str, material: bool, summary: str = ""
) -> PolicyVersion:
    """Support staff publish a version; a material one is announced to every active account."""
    if not actor.is_support or not actor.can(Cap.POLICY_PUBLISH):
        raise PermissionDenied()
    errors: dict[str, str] = {}
    text = (body or "").strip()
    if len(text) < BODY_MIN:
        errors["body"] = f"The policy needs its whole text: at least {BODY_MIN} characters."
    elif len(text) > BODY_MAX:
        errors["body"] = f"At most {BODY_MAX:,} characters."
    try:
        day = date.fromisoformat((effective_on or "").strip())
    except ValueError:
        errors["effective_on"] = "Give the day it takes effect."
        day = _today()
    if "effective_on" not in errors and day < _today():
        errors["effective_on"] = "A new version cannot take effect in the past."
    said = (summary or "").strip()
    if material and not said:
        errors["summary"] = "Say what changed: people are asked to read it when they next sign in."
    if len(said) > SUMMARY_MAX:
        errors["summary"] = f"At most {SUMMARY_MAX} characters."
    if errors:
        raise ValidationFailed(errors)
    row = PolicyVersion(
        body=text, effective_on=day, material=bool(material), summary=said, published_by_id=actor.user_id
    )
    db.add(row)
    db.flush()
    audit.record_by(
        db, actor, "policy.published", target=f"policy:{row.id}", detail="material" if material else ""
    )
    if material:
        _announce(db, row)
    return row


def _announce(db: Session, row: PolicyVersion) -> int:
    users = db.exec(
        select(User.id).where(col(User.is_active).is_(True), col(User.deleted_at).is_(None))
    ).all()
    studio_of = dict(
        db.exec(select(Membership.user_id, Membership.studio_id).order_by(col(Membership.id).desc())).all()
    )
    label = _view(row).label
    for user_id in users:
        if user_id is None:
            continue
        db.add(
            Notification(
                studio_id=studio_of.get(user_id),
                user_id=user_id,
                kind="policy",
                title=f"Our privacy policy changes on {label}",
                body=row.summary[:1000],
                link=f"/privacy?version={row.id}",
            )
        )
    return len(users)


def pending_acknowledgement(db: Session, user_id: int, today: date | None = None) -> PolicyView | None:
    """The newest material change in force that this person has not acknowledged, if their account
    is older than it (someone who signed up later read the new text then)."""
    user = db.get(User, user_id)
    if user is None:
        return None
    row = db.exec(
        select(PolicyVersion)
        .where(
            col(PolicyVersion.material).is_(True),
            col(PolicyVersion.effective_on) <= (today or _today()),
            col(PolicyVersion.published_at) > user.created_at,
        )
        .order_by(col(PolicyVersion.effective_on).desc(), col(PolicyVersion.id).desc())
    ).first()
    if row is None:
        return None
    done = db.exec(
        select(PolicyAcceptance.id).where(
            PolicyAcceptance.user_id == user_id, PolicyAcceptance.policy_version_id == row.id
        )
    ).first()
    return None if done is not None else _view(row)


def acknowledge(db: Session, actor: Actor, version_id: int, client: Client) -> None:
    pending = pending_acknowledgement(db, actor.user_id)
    if pending is None or pending.id != version_id:
        return  # already acknowledged, or nothing asked: nothing to record twice
    db.add(
        PolicyAcceptance(
            user_id=actor.user_id,
            policy_version_id=version_id,
            accepted_at=utcnow(),
            ip=client.ip[:64],
            user_agent=client.user_agent[:512],
        )
    )
    audit.record_by(db, actor, "policy.acknowledged", target=f"policy:{version_id}")
