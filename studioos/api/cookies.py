"""The essential session cookie: HttpOnly, SameSite=Lax, Secure behind TLS."""

from __future__ import annotations

from starlette.requests import Request
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


def token_from_request(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")
