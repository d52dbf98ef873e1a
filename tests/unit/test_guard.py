"""studioos.api.guard, the ASGI layer in front of Reflex, driven with hand-made ASGI messages."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from studioos.api import guard
from studioos.services import auth


def run_async(coro) -> None:  # type: ignore[no-untyped-def]
    """asyncio.run in a thread of its own: the browser tests keep Playwright's loop running in
    the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


class Inner:
    """The app behind the guard: records what reached it and reads the whole body."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []
        self.body = b""
        self.seen_session = ""

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        self.scopes.append(scope)
        if scope["type"] == "http":
            if scope["path"].startswith(guard.UPLOAD_PATH):
                self.seen_session = guard.upload_session("tab-1")
                while True:
                    message = await receive()
                    self.body += message.get("body", b"")
                    if not message.get("more_body"):
                        break
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})


def run(app, scope, body_chunks: list[bytes] | None = None) -> tuple[int, list[tuple[bytes, bytes]], int]:  # type: ignore[no-untyped-def]
    """Call the guard; returns (status, response headers, how many body chunks were read)."""
    chunks = list(body_chunks or [])
    reads = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run_async(app(scope, receive, send))
    start = next((m for m in sent if m["type"] == "http.response.start"), {"status": 0, "headers": []})
    return start["status"], list(start.get("headers", [])), reads


def http_scope(path: str, method: str = "GET", headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "path": path,
        "method": method,
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }


def test_the_websocket_never_sees_the_private_cookies() -> None:
    inner = Inner()
    cookie = f"theme=dark; {auth.SESSION_COOKIE}=SECRET-TOKEN; {auth.BROWSER_COOKIE}=BROWSER-ID; lang=ro"
    scope = {"type": "websocket", "path": "/_event/", "headers": [(b"cookie", cookie.encode())]}

    async def nothing() -> dict[str, Any]:
        return {}

    async def ignore(_message: dict[str, Any]) -> None:
        return None

    run_async(guard.CookieGuard(inner)(scope, nothing, ignore))
    [seen] = inner.scopes
    headers = b"".join(value for _name, value in seen["headers"])
    assert b"SECRET-TOKEN" not in headers
    assert b"BROWSER-ID" not in headers
    assert headers == b"theme=dark; lang=ro"  # other cookies pass untouched
    assert seen[guard.SCOPE_COOKIES] == {
        auth.SESSION_COOKIE: "SECRET-TOKEN",
        auth.BROWSER_COOKIE: "BROWSER-ID",
    }


PAGE_LOAD = {"accept": "text/html,application/xhtml+xml", "sec-fetch-dest": "document"}


def test_a_first_page_load_gets_a_browser_id_cookie_and_later_ones_keep_it() -> None:
    status, headers, _ = run(guard.CookieGuard(Inner()), http_scope("/signin", headers=PAGE_LOAD))
    assert status == 200
    [set_cookie] = [v.decode() for k, v in headers if k == b"set-cookie"]
    assert set_cookie.startswith(f"{auth.BROWSER_COOKIE}=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    value = set_cookie.split(";", 1)[0].split("=", 1)[1]
    assert len(value) >= 40  # 256 random bits

    known = http_scope("/signin", headers={**PAGE_LOAD, "cookie": f"{auth.BROWSER_COOKIE}={value}"})
    _, again, _ = run(guard.CookieGuard(Inner()), known)
    assert [v for k, v in again if k == b"set-cookie"] == []


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/assets/app.js", {"accept": "*/*", "sec-fetch-dest": "script"}),
        ("/favicon.svg", {"accept": "image/avif,image/webp,*/*"}),
        ("/healthz", {"accept": "application/json"}),
    ],
)
def test_assets_and_api_calls_get_no_cookie(path: str, headers: dict[str, str]) -> None:
    _, got, _ = run(guard.CookieGuard(Inner()), http_scope(path, headers=headers))
    assert [v for k, v in got if k == b"set-cookie"] == []


@pytest.fixture
def upload_check() -> Any:
    calls: list[tuple[str, str]] = []

    async def check(token: str, client_token: str) -> int:
        calls.append((token, client_token))
        return 200 if token == "OWNER-TOKEN" and client_token == "tab-1" else 403

    previous = guard._upload_check
    guard.install_upload_check(check)
    yield calls
    guard._upload_check = previous


def upload(headers: dict[str, str]) -> dict[str, Any]:
    return http_scope(guard.UPLOAD_PATH, "POST", {"reflex-client-token": "tab-1", **headers})


def test_an_oversized_upload_is_refused_before_its_body_is_read(upload_check) -> None:  # type: ignore[no-untyped-def]
    inner = Inner()
    status, _, reads = run(
        guard.CookieGuard(inner),
        upload({"content-length": str(200 * 1024 * 1024), "cookie": f"{auth.SESSION_COOKIE}=OWNER-TOKEN"}),
        [b"x" * 1024] * 5,
    )
    assert status == 413
    assert reads == 0 and inner.scopes == []


def test_an_upload_without_a_size_is_refused(upload_check) -> None:  # type: ignore[no-untyped-def]
    no_size = upload({"cookie": f"{auth.SESSION_COOKIE}=OWNER-TOKEN"})
    status, _, reads = run(guard.CookieGuard(Inner()), no_size)
    assert (status, reads) == (411, 0)


def test_an_upload_without_a_session_cookie_is_refused_unread(upload_check) -> None:  # type: ignore[no-untyped-def]
    inner = Inner()
    status, _, reads = run(guard.CookieGuard(inner), upload({"content-length": "10"}), [b"0123456789"])
    assert (status, reads) == (401, 0)
    assert inner.scopes == [] and upload_check == []


def test_an_upload_with_another_sessions_cookie_is_refused_unread(upload_check) -> None:  # type: ignore[no-untyped-def]
    inner = Inner()
    status, _, reads = run(
        guard.CookieGuard(inner),
        upload({"content-length": "10", "cookie": f"{auth.SESSION_COOKIE}=SOMEONE-ELSE"}),
        [b"0123456789"],
    )
    assert (status, reads) == (403, 0)
    assert inner.scopes == []


def test_an_allowed_upload_reaches_the_app_with_its_own_session(upload_check) -> None:  # type: ignore[no-untyped-def]
    inner = Inner()
    status, _, _ = run(
        guard.CookieGuard(inner),
        upload({"content-length": "10", "cookie": f"{auth.SESSION_COOKIE}=OWNER-TOKEN"}),
        [b"01234", b"56789"],
    )
    assert status == 200
    assert inner.body == b"0123456789"
    assert inner.seen_session == "OWNER-TOKEN"  # what the upload handler acts as
    assert guard.upload_session("tab-1") == ""  # and only while the request lasts


def test_a_body_longer_than_the_limit_is_cut_off(upload_check, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(guard, "MAX_UPLOAD_BYTES", 16)
    inner = Inner()
    status, _, reads = run(
        guard.CookieGuard(inner),
        upload({"content-length": "10", "cookie": f"{auth.SESSION_COOKIE}=OWNER-TOKEN"}),
        [b"x" * 10, b"y" * 10, b"z" * 10],
    )
    assert status == 413
    assert reads == 2  # the third chunk is never read
    assert guard.upload_session("tab-1") == ""
