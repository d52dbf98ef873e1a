"""The browser's two ends of a trip to the OpenID Connect provider (studioos.services.oidc).

GET /api/auth/oidc/start?next=/page[&intent=reauth][&invitation=TOKEN]  → 303 to the provider
GET /api/auth/oidc/callback?state=..&code=..  (or &error=..)           → 303 to where the trip leads:
    signed in: /api/auth/complete?code=<hand-off>&next=<page> (that route sets the session cookie);
    an account to link: /signin/link; confirmed (reauth): back to next;
    refused: /signin?sso_error=<code> (a reauth: back to next with ?sso_error=<code>).
Only a code travels in the URL; the page shows ERROR_MESSAGES[code].

The handlers are plain functions: Starlette runs them in its thread pool, so the calls to the
provider and the database never stall the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

# routes.py mounts these routes, so this module reads its helpers as module attributes when a
# request comes (a `from ... import` here would run while routes.py is still being imported).
from studioos.api import routes as api
from studioos.api.cookies import token_from_request
from studioos.db import session_scope
from studioos.services import auth, oidc
from studioos.services.errors import ServiceError

# sso_error code → the message the sign-in page shows (the provider's name filled in).
ERROR_MESSAGES: Mapping[str, str] = oidc.ERROR_MESSAGES
SIGNIN = "/signin"


def _redirect(url: str) -> Response:
    # The answer carries a one-time code or the provider's URL with its state: never cached.
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _with_error(path: str, code: str) -> str:
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "sso_error"]
    query.append(("sso_error", code))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def _failed(failed: oidc.SsoFailed) -> Response:
    """A refused sign-in goes back to the sign-in page; a signed-in person who was confirming who
    they are goes back to the page they were on (unless their session is gone)."""
    if failed.return_to and failed.code != "signed_out":
        return _redirect(_with_error(api.safe_next(failed.return_to), failed.code))
    return _redirect(_with_error(SIGNIN, failed.code))


def start(request: Request) -> Response:
    query = request.query_params
    intent: oidc.Intent = "reauth" if query.get("intent") == "reauth" else "signin"
    next_path = api.safe_next(query.get("next"))
    client = api.client_of(request)
    try:
        with session_scope() as db:
            user_id = None
            if intent == "reauth":
                actor = auth.resolve_actor(db, token_from_request(request), client, touch=False)
                user_id = actor.user_id if actor is not None else None
            url = oidc.begin(
                db,
                client,
                intent=intent,
                next_path=next_path,
                session_user_id=user_id,
                invitation=query.get("invitation") or None,
            )
    except oidc.SsoFailed as failed:
        return _failed(failed)
    return _redirect(url)


def callback(request: Request) -> Response:
    query = request.query_params
    client = api.client_of(request)
    try:
        with session_scope() as db:
            outcome = oidc.finish(
                db,
                client,
                state=query.get("state", ""),
                code=query.get("code", ""),
                error=query.get("error") or None,
                session_token=token_from_request(request),
            )
            target = api.safe_next(outcome.next_path)
            if outcome.kind == "signed_in" and outcome.user is not None:
                handoff = auth.create_handoff(db, outcome.user, outcome.studio_id, client=client)
                target = f"/api/auth/complete?code={quote(handoff, safe='')}&next={quote(target, safe='/')}"
            elif outcome.kind == "link_needed":
                target = oidc.LINK_PAGE
    except oidc.SsoFailed as failed:
        return _failed(failed)
    except ServiceError:
        # create_handoff without the browser cookie (the trip itself checked it: not expected).
        return _redirect(_with_error(SIGNIN, "browser"))
    return _redirect(target)


def routes() -> list[Route]:
    return [
        Route("/api/auth/oidc/start", start, methods=["GET"]),
        Route("/api/auth/oidc/callback", callback, methods=["GET"]),
    ]
