"""Builders for test data, going through the services the app uses."""

from __future__ import annotations

from functools import lru_cache

from sqlmodel import Session, select

from studioos.models import Membership, Studio, User
from studioos.services import auth
from studioos.services.passwords import hash_password
from studioos.services.permissions import Actor
from tests.conftest import random_email

PASSWORD = "correct horse battery"
# What auth.browser_hash() gives for the test browser's id cookie (any opaque 64-char value).
TEST_BROWSER = "b" * 64
CLIENT = auth.Client(
    ip="203.0.113.7", user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36",
    browser=TEST_BROWSER,
)


def make_studio(db: Session, name: str = "Studio A") -> tuple[Studio, User]:
    """A studio and its owner as a confirmed sign-up creates them (without the mail round trip)."""
    studio, owner = auth.create_studio_and_owner(
        db,
        studio_name=name,
        timezone="Europe/Bucharest",
        currency="EUR",
        name=f"{name} Owner",
        email=random_email("owner"),
        password_hash=_password_hash(),
        client=CLIENT,
    )
    db.commit()
    return studio, owner


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # argon2 is slow on purpose; one hash of the shared test password serves every test.
    return hash_password(PASSWORD)


def add_member(db: Session, studio: Studio, role: str, name: str | None = None) -> User:
    user = User(
        email=random_email(role), name=name or f"{role.title()} Person", password_hash=hash_password(PASSWORD)
    )
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, studio_id=studio.id, role=role))
    db.commit()
    return user


def actor_for(db: Session, user: User, studio: Studio | None = None) -> Actor:
    """An actor as resolve_actor would build it, without a browser session."""
    role = None
    if studio is not None:
        role = db.exec(
            select(Membership.role).where(Membership.user_id == user.id, Membership.studio_id == studio.id)
        ).first()
    return Actor(
        user_id=user.id or 0,
        email=user.email,
        name=user.name,
        studio_id=studio.id if studio else None,
        role=role,
        is_support=user.is_support,
        ip=CLIENT.ip,
        user_agent=CLIENT.user_agent,
    )
