"""The bridge from a page's state to the services: the request's actor and a unit of work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import reflex as rx
from sqlmodel import Session

from studioos.api.cookies import token_from_header
from studioos.db import session_scope
from studioos.services import auth
from studioos.services.permissions import Actor


def client_of(router: Any) -> auth.Client:
    return auth.Client(
        ip=(router.session.client_ip or "")[:64],
        user_agent=(router.headers.user_agent or "")[:512],
    )


def token_of(router: Any) -> str:
    # The cookie header stays server-side in Reflex 0.10; it is never sent to the browser.
    return token_from_header(router.headers.cookie)


@contextmanager
def acting(router: Any) -> Iterator[tuple[Session, Actor]]:
    """A unit of work with the actor re-checked against the database on every event."""
    with session_scope() as db:
        actor = auth.require_actor(db, token_of(router), client_of(router))
        yield db, actor


@contextmanager
def anonymous() -> Iterator[Session]:
    with session_scope() as db:
        yield db


def hard_navigate(url: str) -> rx.event.EventSpec:
    """A full page load: the next websocket carries the cookie the route just set or cleared."""
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def sign_in_redirect(path: str) -> rx.event.EventSpec:
    return rx.redirect(f"/signin?next={quote(path or '/dashboard')}", replace=True)
