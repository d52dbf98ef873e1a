"""Starlette routes mounted in front of the Reflex app (see studioos.studioos.api_transformer)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from reflex.config import get_config
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from studioos.api.cookies import clear_session_cookie, set_session_cookie, token_from_request
from studioos.db import get_engine, session_scope
from studioos.services import auth, photos
from studioos.services.errors import ServiceError
from studioos.settings import get_settings

log = logging.getLogger("studioos.api")


def forwarded_client_ip(peer: str, forwarded_for: str, trusted_hops: int) -> str:
    """The client's address behind `trusted_hops` reverse proxies, by the rule Reflex applies to
    the websocket (REFLEX_TRUSTED_PROXY_HOPS): X-Forwarded-For is the client's to write, except for
    the entries the trusted proxies appended; with no trusted proxy it is ignored."""
    if trusted_hops <= 0:
        return peer
    hops = [ip.strip() for ip in forwarded_for.split(",") if ip.strip()]
    return hops[-trusted_hops] if len(hops) >= trusted_hops else peer


def client_of(request: Request) -> auth.Client:
    peer = request.client.host if request.client else ""
    hops = int(getattr(get_config(), "trusted_proxy_hops", 0) or 0)
    return auth.Client(
        ip=forwarded_client_ip(peer, request.headers.get("x-forwarded-for", ""), hops)[:64],
        user_agent=request.headers.get("user-agent", "")[:512],
        browser=auth.browser_hash(request.cookies.get(auth.BROWSER_COOKIE, "")),
    )


def same_origin(request: Request) -> bool:
    """A state-changing request must come from our own pages (OWASP: verify the Origin header,
    else the Referer). Browsers send Origin on every POST, so a missing one is refused too."""
    expected = get_settings().origin
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == expected
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    return bool(parts.scheme and parts.netloc) and f"{parts.scheme}://{parts.netloc}" == expected


def safe_next(raw: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths: an open redirect would make our links a phishing tool."""
    if not raw:
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    return raw


async def complete_sign_in(request: Request) -> Response:
    code = request.query_params.get("code", "")
    with session_scope() as db:
        token = auth.redeem_handoff(db, code, client_of(request))
    if token is None:
        return RedirectResponse("/signin?expired=1", status_code=303)
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    set_session_cookie(response, token)
    return response


async def sign_out(request: Request) -> Response:
    """A POST from our own pages only: a plain link or a foreign page signs nobody out."""
    if not same_origin(request):
        return JSONResponse({"error": "Sign-out must come from StudioOS's own pages."}, status_code=403)
    form = await request.form()
    with session_scope() as db:
        auth.sign_out(db, token_from_request(request), client_of(request))
    then = "/signin?reset=1" if form.get("then") == "reset" else "/signin?signed_out=1"
    response = RedirectResponse(then, status_code=303)
    clear_session_cookie(response)
    return response


async def performer_photo(request: Request) -> Response:
    """Photos live outside the public upload folder; every read checks the session and the role."""
    try:
        performer_id = int(request.path_params["performer_id"])
    except (KeyError, ValueError):
        return JSONResponse({"error": "Unknown photo."}, status_code=404)
    try:
        with session_scope() as db:
            actor = auth.require_actor(db, token_from_request(request), client_of(request))
            photo = photos.read_photo(db, actor, performer_id)
    except ServiceError as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status_code)
    return Response(
        photo.content,
        media_type=photo.content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


async def healthz(_request: Request) -> Response:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        log.exception("health check failed")
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/api/auth/complete", complete_sign_in, methods=["GET"]),
            Route("/api/auth/signout", sign_out, methods=["POST"]),
            Route("/api/photos/{performer_id}", performer_photo, methods=["GET"]),
        ]
    )
