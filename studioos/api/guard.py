"""The ASGI layer in front of Reflex: what Reflex itself must never see or do.

- Reflex copies the websocket's request headers into the page state, and the state store
  (pickles on disk, Redis in production) keeps them. So our private cookies (the session
  token, the browser id) are taken out of the websocket handshake here and kept only in the
  live connection's ASGI scope, in this worker's memory (a socket stays on one worker).
  `studioos.ui.backend` reads them from there per event.
- Every browser gets a long-lived random id cookie on its first page load. Sign-in is bound
  to it (a hand-off link opened in another browser signs nobody in) and throttling trusts
  browsers that have signed in to an account before (OWASP's device cookie).
- Reflex's upload endpoint acts on the client token alone and reads the whole body first.
  Here an upload is refused by size (Content-Length, then a streaming count) and by the
  request's own session cookie before a byte of it is read.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import cookie_parser

from studioos.services.auth import BROWSER_COOKIE, SESSION_COOKIE
from studioos.settings import get_settings

log = logging.getLogger("studioos.guard")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SCOPE_COOKIES = "studioos.cookies"
PRIVATE_COOKIES = frozenset({SESSION_COOKIE, BROWSER_COOKIE})
EVENT_PATH = "/_event"
UPLOAD_PATH = "/_upload"
# The largest upload StudioOS accepts (a photo is at most 10 MB) plus multipart overhead.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024 + 64 * 1024
BROWSER_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers allow

# Given the request's session token and the upload's client token, says whether that session
# may act through that tab's state: installed by the app (it needs the state manager).
UploadCheck = Callable[[str, str], Awaitable[int]]
_upload_check: UploadCheck | None = None
# Reflex runs an upload's handler on the worker that received the request, in its own task:
# the session this request proved (by its own cookie) waits here, keyed by the tab's client
# token, until the response is done. The handler reads it through `upload_session`.
_upload_sessions: dict[str, list[str]] = {}


def upload_session(client_token: str) -> str:
    """The session token of an upload in progress for this tab, or "" (no upload, no session)."""
    pending = _upload_sessions.get(client_token)
    return pending[-1] if pending else ""


def install_upload_check(check: UploadCheck) -> None:
    global _upload_check
    _upload_check = check


Headers = list[tuple[bytes, bytes]]


def split_private_cookies(headers: Headers) -> tuple[Headers, dict[str, str]]:
    """The headers without our private cookies, and those cookies by name."""
    kept: Headers = []
    private: dict[str, str] = {}
    for name, value in headers:
        if name.lower() != b"cookie":
            kept.append((name, value))
            continue
        parsed = cookie_parser(value.decode("latin-1"))
        others = []
        for key, val in parsed.items():
            if key in PRIVATE_COOKIES:
                private[key] = val
            else:
                others.append(f"{key}={val}")
        if others:
            kept.append((b"cookie", "; ".join(others).encode("latin-1")))
    return kept, private


def request_cookies(scope: Scope) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name.lower() == b"cookie":
            cookies.update(cookie_parser(value.decode("latin-1")))
    return cookies


def _browser_cookie_header(value: str) -> bytes:
    parts = [
        f"{BROWSER_COOKIE}={value}",
        "Path=/",
        f"Max-Age={BROWSER_COOKIE_MAX_AGE}",
        "HttpOnly",
        "SameSite=Lax",
    ]
    if get_settings().is_https:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def _is_page_load(scope: Scope) -> bool:
    """A browser loading a page (not a script, an image or an API call): only those get the
    browser id, so cacheable assets never carry a Set-Cookie."""
    if scope.get("method") != "GET":
        return False
    headers: dict[bytes, bytes] = {k.lower(): v for k, v in scope.get("headers", [])}
    dest = headers.get(b"sec-fetch-dest")
    if dest is not None:
        return dest == b"document"
    return b"text/html" in headers.get(b"accept", b"")


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class CookieGuard:
    """Wraps the whole backend (see `studioos.studioos`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        path: str = scope.get("path", "")
        if kind in ("websocket", "http") and path.startswith(EVENT_PATH):
            headers, private = split_private_cookies(list(scope.get("headers", [])))
            scope = dict(scope)
            scope["headers"] = headers
            scope[SCOPE_COOKIES] = private
            await self.app(scope, receive, send)
            return
        if kind == "http" and path.startswith(UPLOAD_PATH):
            await self._upload(scope, receive, send)
            return
        if kind == "http" and _is_page_load(scope) and BROWSER_COOKIE not in request_cookies(scope):
            await self.app(scope, receive, self._with_browser_cookie(send))
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _with_browser_cookie(send: Send) -> Send:
        value = secrets.token_urlsafe(32)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", _browser_cookie_header(value)))
                message = {**message, "headers": headers}
            await send(message)

        return sending

    async def _upload(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {k.lower(): v for k, v in scope.get("headers", [])}
        raw_length = headers.get(b"content-length")
        if raw_length is None:
            await _refuse(send, 411, "An upload must say its size (Content-Length).")
            return
        try:
            length = int(raw_length)
        except ValueError:
            await _refuse(send, 400, "The upload's Content-Length is not a number.")
            return
        if length > MAX_UPLOAD_BYTES:
            await _refuse(send, 413, "The file is too large: 10 MB at most.")
            return
        token = request_cookies(scope).get(SESSION_COOKIE, "")
        client_token = headers.get(b"reflex-client-token", b"").decode("latin-1")
        if not token:
            await _refuse(send, 401, "Sign in to upload files.")
            return
        if _upload_check is None:
            await _refuse(send, 503, "Uploads are not available yet.")
            return
        status = await _upload_check(token, client_token)
        if status != 200:
            reason = "Sign in to upload files." if status == 401 else "This upload is not allowed."
            await _refuse(send, status, reason)
            return
        _upload_sessions.setdefault(client_token, []).append(token)
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _limited(receive, MAX_UPLOAD_BYTES), sending)
        except UploadTooLarge:
            log.warning("an upload sent more than its Content-Length promised; cut off")
            if not started:
                await _refuse(send, 413, "The file is too large: 10 MB at most.")
        finally:
            pending = _upload_sessions[client_token]
            pending.remove(token)
            if not pending:
                del _upload_sessions[client_token]


class UploadTooLarge(Exception):
    pass


def _limited(receive: Receive, limit: int) -> Receive:
    """A body that lies about its Content-Length is cut off at the limit, never read past it."""
    seen = 0

    async def receiving() -> Message:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise UploadTooLarge(f"upload body passed {limit} bytes")
        return message

    return receiving
