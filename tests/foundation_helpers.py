"""Helpers for the foundation tests: database snapshots, the outbox, links in mails, moving time."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

import studioos.models  # noqa: F401  (every table in the metadata)
from studioos.models import AuthSession, LoginEvent
from studioos.settings import get_settings

LINK = re.compile(r"https?://\S+")


def db_snapshot(db: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the session is flushed first, so pending changes show), but the
    sign-in sessions: `actor_for` opens one for the actor it makes, wherever the test makes it."""
    db.flush()
    snap: dict[str, list[tuple[Any, ...]]] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "authsession":
            continue
        rows = db.connection().execute(sa_select(table)).all()
        snap[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return snap


def outbox_messages() -> list[EmailMessage]:
    """Mails written to the outbox folder, oldest first."""
    folder: Path = get_settings().outbox_dir
    if not folder.exists():
        return []
    return [parse_mail(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def parse_mail(raw: bytes) -> EmailMessage:
    msg: Message = message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg


def body_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()  # type: ignore[attr-defined,no-any-return]


def mails_to(address: str) -> list[EmailMessage]:
    return [m for m in outbox_messages() if m["To"].lower() == address.lower()]


def link_in(msg: EmailMessage, path_prefix: str) -> str:
    """The URL in the mail whose path starts with path_prefix (e.g. '/invite/')."""
    for url in LINK.findall(body_of(msg)):
        if path_prefix in url:
            return url
    raise AssertionError(f"no {path_prefix} link in mail: {body_of(msg)!r}")


def token_in(msg: EmailMessage, path_prefix: str) -> str:
    url = link_in(msg, path_prefix)
    return url.split(path_prefix, 1)[1].strip().rstrip(".,)")


def age_session(
    db: Session, raw_token: str, *, idle: timedelta | None = None, age: timedelta | None = None
) -> None:
    """Move a session back in time: last seen `idle` ago, and/or created `age` ago (expiry moves too)."""
    from studioos.services.tokens import hash_token

    row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(raw_token))).one()
    if idle is not None:
        row.last_seen_at = row.last_seen_at - idle
    if age is not None:
        row.created_at = row.created_at - age
        row.expires_at = row.expires_at - age
    db.add(row)
    db.commit()


def age_login_events(db: Session, delta: timedelta) -> None:
    for ev in db.exec(select(LoginEvent)).all():
        ev.created_at = ev.created_at - delta
        db.add(ev)
    db.commit()
