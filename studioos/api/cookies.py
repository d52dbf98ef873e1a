"""The essential session cookie: HttpOnly, SameSite=Lax, Secure behind TLS."""

from __future__ import annotations

from starlette.requests import Request, cookie_parser
from starlette.responses import Response

from studioos.services.auth import SESSION_COOKIE
from studioos.settings import get_settings


def set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.is_https,
    )


def clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.is_https)


def token_from_header(cookie_header: str) -> str:
    """The session token from a raw Cookie header (the websocket's), parsed as Starlette parses
    requests: leniently, so another site's malformed cookie cannot hide ours."""
    return cookie_parser(cookie_header or "").get(SESSION_COOKIE, "")


def token_from_request(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")
