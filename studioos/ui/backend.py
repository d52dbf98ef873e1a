"""The bridge from a page's state to the services: the request's actor and a unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote

import reflex as rx
from sqlmodel import Session

from studioos.api.guard import EVENT_PATH, SCOPE_COOKIES, upload_session
from studioos.db import session_scope
from studioos.models import User
from studioos.services import auth, billing_gate, two_factor, usage
from studioos.services.permissions import Actor
from studioos.ui.navigator import NavigatorState

_app: Any = None


def use_app(app: Any) -> None:
    """The rx.App whose socket server holds each live connection's private cookies."""
    global _app
    _app = app


def socket_cookies(router: Any) -> dict[str, str]:
    """The private cookies of the websocket this event came on.

    studioos.api.guard took them out of the handshake before Reflex saw it, so they are in no
    state (nothing in the state store can sign anyone in). They live in the connection's ASGI
    scope in this worker's memory; a closed tab has none, so a replayed client token alone
    acts as nobody."""
    sid = getattr(router.session, "session_id", "") or ""
    sio = getattr(_app, "sio", None)
    if not sid or sio is None:
        return {}
    environ = sio.get_environ(sid, EVENT_PATH)
    if not environ:
        return {}
    cookies = environ.get("asgi.scope", {}).get(SCOPE_COOKIES)
    return dict(cookies) if cookies else {}


def client_of(router: Any) -> auth.Client:
    return auth.Client(
        ip=(router.session.client_ip or "")[:64],
        user_agent=(router.headers.user_agent or "")[:512],
        browser=auth.browser_hash(socket_cookies(router).get(auth.BROWSER_COOKIE, "")),
    )


def token_of(router: Any) -> str:
    """The session of this event: the live socket's cookie. An upload's event carries none and
    may run on a worker without the tab's socket (several workers): its session is the one the
    upload request itself proved by its own cookie (studioos.api.guard)."""
    return socket_cookies(router).get(auth.SESSION_COOKIE, "") or upload_session(
        router.session.client_token or ""
    )


@contextmanager
def acting(router: Any) -> Iterator[tuple[Session, Actor]]:
    """A unit of work with the actor re-checked against the database on every event."""
    with session_scope() as db:
        actor = auth.require_actor(db, token_of(router), client_of(router))
        # A lapsed subscription makes the studio read-only for people (not for jobs).
        billing_gate.guard(db, actor)
        yield db, actor


@contextmanager
def anonymous() -> Iterator[Session]:
    with session_scope() as db:
        yield db


def signed_in(
    db: Session, user: User, client: auth.Client, studio_id: int | None = None, next_path: str = "/dashboard"
) -> rx.event.EventSpec:
    """Once a password (an invitation's, a provider link's) proved who this is: the two-factor
    code step when the account has it, else the one-minute hand-off code the cookie route trades
    for the session. Call inside the unit of work that proved it."""
    if two_factor.is_enabled(user):
        two_factor.begin_second_step(db, user, client)
        return rx.redirect("/signin")
    code = auth.create_handoff(db, user, studio_id, client=client)
    return hard_navigate(f"/api/auth/complete?code={quote(code)}&next={quote(next_path)}")


def hard_navigate(url: str) -> rx.event.EventSpec:
    """A full page load: the next websocket carries the cookie the route just set or cleared."""
    return NavigatorState.go(url)


def post_navigate(url: str, fields: dict[str, str] | None = None) -> rx.event.EventSpec:
    """A full page load by a form POST from this page (routes that change state take no GET)."""
    return NavigatorState.go(url, "post", fields or {})


def sign_in_redirect(path: str) -> rx.event.EventSpec:
    return rx.redirect(f"/signin?next={quote(path or '/dashboard')}", replace=True)


def plain_cookie(router: Any, name: str) -> str:
    """A cookie the page's scripts may read (not a private one: those are in `socket_cookies`)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(getattr(router.headers, "cookie", "") or "")
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel is not None else ""


# The consent banner's cookie (ui/consent.py) and its "yes" value.
CONSENT_COOKIE = "studioos_consent"
CONSENT_ANALYTICS = "analytics"


def feature_used(router: Any, feature: str) -> None:
    """A feature was used (a request sent, a copy asked for): a usage event when this browser allows
    analytics. The cookie spares the query for those who said no; the database record decides, in
    a unit of work of its own, so counting never undoes or delays the action itself."""
    if plain_cookie(router, CONSENT_COOKIE) != CONSENT_ANALYTICS:
        return
    with anonymous() as db:
        actor = auth.resolve_actor(db, token_of(router), touch=False)
        usage.record(db, client_of(router), actor, f"feature:{feature}", router.url.path or "")
