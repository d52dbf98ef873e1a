"""Demo data for `make run`: one studio with every role, and a support user."""

from __future__ import annotations

from sqlmodel import Session, col, select

from studioos.models import Membership, Performer, Role, Studio, User, row_id, utcnow
from studioos.services import billing, canned_replies, demo_earnings, demo_schedule, performers
from studioos.services.passwords import hash_password
from studioos.services.performers import studio_today

DEMO_PASSWORD = "demo-password-2026"
DEMO_STUDIO = "Aurora Studio (demo)"
DEMO_USERS = [
    ("owner@demo.studioos.app", "Olivia Owner", Role.OWNER),
    ("manager@demo.studioos.app", "Mark Manager", Role.MANAGER),
    ("analyst@demo.studioos.app", "Ana Analyst", Role.ANALYST),
    ("model@demo.studioos.app", "Mia Model", Role.PERFORMER),
]
DEMO_SUPPORT = ("support@studioos.app", "Sam Support")

SIGN_IN_HELP = (
    f"Demo sign-ins (password for all: {DEMO_PASSWORD}):\n"
    + "\n".join(f"  {role.value:<9} {email}" for email, _name, role in DEMO_USERS)
    + f"\n  support   {DEMO_SUPPORT[0]}"
)


def seed(db: Session, *, force: bool = False) -> bool:
    """Idempotent: does nothing when the demo owner exists (unless forced on a fresh studio)."""
    if not force and db.exec(select(User.id).where(User.email == DEMO_USERS[0][0])).first():
        return False
    password_hash = hash_password(DEMO_PASSWORD)
    studio = Studio(name=DEMO_STUDIO, timezone="Europe/Bucharest", currency="EUR")
    billing.start_trial(studio, utcnow())  # like a studio just signed up: 14 days, no card
    db.add(studio)
    db.flush()
    for email, name, role in DEMO_USERS:
        user = db.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = User(email=email, name=name, password_hash=password_hash)
            db.add(user)
            db.flush()
        db.add(Membership(user_id=row_id(user), studio_id=row_id(studio), role=role))
    if not db.exec(select(User.id).where(User.email == DEMO_SUPPORT[0])).first():
        db.add(
            User(email=DEMO_SUPPORT[0], name=DEMO_SUPPORT[1], password_hash=password_hash, is_support=True)
        )
    db.flush()
    canned_replies.seed_defaults(db)  # the support desk's saved replies, if it has none yet
    _seed_studio_data(db, studio)
    return True


def _seed_studio_data(db: Session, studio: Studio) -> None:
    """Models, rooms, ten weeks of shifts, five months of earnings and payroll; the demo model's
    account is linked to a profile."""
    owner_id = db.exec(
        select(Membership.user_id).where(Membership.studio_id == studio.id, Membership.role == Role.OWNER)
    ).first()
    demo_schedule.seed(db, row_id(studio), owner_id or 0, studio_today(db, row_id(studio)))
    model_user = db.exec(select(User.id).where(User.email == DEMO_USERS[3][0])).first()
    first = db.exec(
        select(Performer.id).where(Performer.studio_id == studio.id).order_by(col(Performer.id))
    ).first()
    if model_user and first:
        performers.link_membership(db, studio_id=row_id(studio), user_id=model_user, performer_id=first)
    demo_earnings.seed(db, row_id(studio), owner_id or 0, studio_today(db, row_id(studio)))
