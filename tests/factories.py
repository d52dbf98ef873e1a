"""Builders for test data, going through the services the app uses.

Every test module builds its studios, members, models, rooms, shifts and signed-in sessions here;
no test module imports helpers from another test module.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal

import pytest
from PIL import Image
from sqlmodel import Session, col, select

from studioos.models import AuthSession, LoginEvent, Membership, Role, Studio, User, utcnow
from studioos.services import auth, performers, rooms, shifts
from studioos.services.errors import ValidationFailed
from studioos.services.passwords import hash_password
from studioos.services.performers import LegalInput, ProfileInput
from studioos.services.permissions import Actor
from studioos.services.shifts import ShiftRow, local_span
from studioos.services.tokens import new_token
from studioos.services.validation import normalize_email

PASSWORD = "correct horse battery"
# What auth.browser_hash() gives for the test browser's id cookie (any opaque 64-char value).
TEST_BROWSER = "b" * 64
CLIENT = auth.Client(
    ip="203.0.113.7",
    user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36",
    browser=TEST_BROWSER,
)
# The same person on other devices: other addresses and user agents, the same browser id cookie.
IPHONE = auth.Client(
    ip="198.51.100.23",
    user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    browser=TEST_BROWSER,
)
FIREFOX = auth.Client(
    ip="192.0.2.44",
    user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    browser=TEST_BROWSER,
)

# A Monday in summer time in Bucharest: the fixed day the schedule tests book on. Bookings on it
# are made "the day before" (see book), so it works whatever today's date is.
DAY = date(2026, 6, 1)


def random_email(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


# --- studios, members, actors -------------------------------------------------------------


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # argon2 is slow on purpose; one hash of the shared test password serves every test.
    return hash_password(PASSWORD)


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


def add_member(db: Session, studio: Studio, role: str, name: str | None = None) -> User:
    user = User(
        email=random_email(role), name=name or f"{role.title()} Person", password_hash=_password_hash()
    )
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, studio_id=studio.id, role=role))
    db.commit()
    return user


def add_support_user(db: Session, name: str = "Sam Support") -> User:
    """One of StudioOS's support staff (no studio)."""
    user = User(email=random_email("support"), name=name, password_hash=_password_hash(), is_support=True)
    db.add(user)
    db.commit()
    return user


def actor_for(db: Session, user: User, studio: Studio | None = None) -> Actor:
    """An actor as resolve_actor would build it, without a browser session."""
    role = None
    if studio is not None:
        role = db.exec(
            select(Membership.role).where(Membership.user_id == user.id, Membership.studio_id == studio.id)
        ).first()
    # A signed-in session that has just proved its person, as after signing in: services that
    # want a recent re-authentication (studioos.services.reauth) find it.
    session = AuthSession(
        user_id=user.id or 0,
        studio_id=studio.id if studio else None,
        token_hash=new_token()[1],
        expires_at=utcnow() + timedelta(hours=12),
        reauthenticated_at=utcnow(),
    )
    db.add(session)
    db.flush()
    return Actor(
        user_id=user.id or 0,
        email=user.email,
        name=user.name,
        studio_id=studio.id if studio else None,
        role=role,
        is_support=user.is_support,
        session_id=session.id,
        ip=CLIENT.ip,
        user_agent=CLIENT.user_agent,
        # The studio's clock and currency, as resolve_actor reads them with the session: services
        # take "today" from the actor, so a test's actor must keep the studio's time zone.
        timezone=(studio.timezone if studio else "") or "UTC",
        currency=(studio.currency if studio else "") or "USD",
    )


# --- signed-in sessions -------------------------------------------------------------------


def sign_in(
    db: Session,
    user: User,
    client: auth.Client = CLIENT,
    *,
    password: str | None = PASSWORD,
    studio_id: int | None = None,
) -> str:
    """What the sign-in page and the cookie route do together: check the password, hand off a
    one-time code, redeem it in the same browser. Returns the session cookie's value.

    password=None skips the password check, and with it the sign-in history and the new-device
    mail it records: for tests that count those."""
    if password is not None:
        auth.authenticate(db, email=user.email, password=password, client=client)
    code = auth.create_handoff(db, user, studio_id, client=client)
    db.commit()
    token = auth.redeem_handoff(db, code, client)
    db.commit()
    assert token is not None, "the hand-off code was refused"
    return token


def refused_sign_in(db: Session, email: str, password: str, client: auth.Client = CLIENT) -> str | None:
    """A sign-in that must fail. Every refusal shows the same message (no hint whether the address
    exists), so the rule that fired is read from the sign-in history: "wrong_password",
    "unknown_email" or "account_disabled"."""
    with pytest.raises(ValidationFailed) as refused:
        auth.authenticate(db, email=email, password=password, client=client)
    assert refused.value.errors == {"password": auth.WRONG_CREDENTIALS}
    return db.exec(
        select(LoginEvent.reason)
        .where(LoginEvent.email == normalize_email(email), LoginEvent.success == False)  # noqa: E712
        .order_by(col(LoginEvent.id).desc())
    ).first()


def actor_of(db: Session, token: str, client: auth.Client = CLIENT) -> Actor:
    """The actor a request with this session cookie acts as."""
    actor = auth.resolve_actor(db, token, client)
    assert actor is not None, "the session does not resolve to a signed-in user"
    return actor


def session_cookie(db: Session, user: User, studio: Studio, client: auth.Client = CLIENT) -> dict[str, str]:
    """The cookie jar of a browser signed in to `studio`, for HTTP routes (no password round trip)."""
    token = auth.start_session(db, user, studio.id, client)
    db.commit()
    return {auth.SESSION_COOKIE: token}


# --- models (performers) ------------------------------------------------------------------


def valid_document_expiry() -> date:
    """An expiry date a few years after today: never expired, never "expiring soon", whenever the
    tests run (a fixed date would turn every model into one with an expired document one day)."""
    return date.today() + timedelta(days=3 * 365)


def new_performer(
    db: Session,
    actor: Actor,
    stage_name: str = "Anna",
    *,
    status: str = "active",
    email: str = "",
    birth_date: date = date(1998, 4, 23),
    doc_expiry: date | Literal["valid"] | None = "valid",
    today: date | None = None,
) -> int:
    """A model entered through the service; her document is valid for years unless told otherwise
    (doc_expiry=None: no expiry date on file)."""
    expiry = valid_document_expiry() if doc_expiry == "valid" else doc_expiry
    detail = performers.create_performer(
        db,
        actor,
        ProfileInput(stage_name=stage_name, status=status, email=email, payout_split="60"),
        LegalInput(
            legal_name=f"{stage_name} Legal Surname",
            birth_date=birth_date,
            doc_type="passport",
            doc_number=f"P{abs(hash(stage_name)) % 10**8:08d}",
            doc_country="RO",
            doc_expiry=expiry,
        ),
        today=today,
    )
    db.commit()
    return detail.id


def performer_user(db: Session, studio: Studio, performer_id: int, name: str = "Model User") -> Actor:
    """A member with the Model role whose account is linked to `performer_id`."""
    user = add_member(db, studio, Role.PERFORMER, name=name)
    performers.link_membership(db, studio_id=studio.id or 0, user_id=user.id or 0, performer_id=performer_id)
    db.commit()
    return actor_for(db, user, studio)


# --- rooms and shifts ---------------------------------------------------------------------


def setup_studio(db: Session, timezone: str = "Europe/Bucharest") -> tuple[Studio, Actor, dict[str, int]]:
    """A studio with two rooms and three models; returns the owner's actor and ids by name."""
    studio, owner = make_studio(db)
    studio.timezone = timezone
    db.add(studio)
    db.commit()
    actor = actor_for(db, owner, studio)
    ids = {
        "Room 1": rooms.create_room(db, actor, "Room 1").id,
        "Room 2": rooms.create_room(db, actor, "Room 2").id,
    }
    for name in ("Anna", "Bella", "Carla"):
        ids[name] = new_performer(db, actor, name)
    db.commit()
    return studio, actor, ids


def book(
    db: Session, actor: Actor, ids: dict[str, int], who: str, room: str, day: date, start: str, end: str
) -> ShiftRow:
    """Book as a manager would, the day before (so the shift is not in the past when booked), and
    past the warnings about the model (paused, document expired): those have their own tests."""
    starts, ends = local_span(day, time.fromisoformat(start), time.fromisoformat(end))
    return shifts.create_shift(
        db,
        actor,
        performer_id=ids[who],
        room_id=ids[room],
        starts=starts,
        ends=ends,
        now=datetime.combine(day - timedelta(days=1), time(), tzinfo=UTC),
        confirm_blocked=True,
    )


# --- files --------------------------------------------------------------------------------


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), exif: bool = False) -> bytes:
    """A small real image in `fmt` (JPEG, PNG, WEBP...), optionally with an EXIF camera make."""
    img = Image.new("RGB", size, (200, 80, 120))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        img.save(out, fmt, exif=data)
    else:
        img.save(out, fmt)
    return out.getvalue()


# --- page handlers ------------------------------------------------------------------------


def ran(answer: Any) -> Any:
    """A decorated handler is async (its body runs in a worker thread): run it to its answer, on a
    loop of its own thread (in a full run the browser tests' Playwright loop owns this one)."""
    if inspect.iscoroutine(answer):
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, answer).result()
    return answer
