"""studioos.api.security_headers: every HTTP answer carries the headers; a page's policy allows
exactly its own inline scripts and never eval. (tests/e2e/test_security_headers.py checks the
built app under this policy in Chromium.)"""

from __future__ import annotations

import base64
import gzip
import hashlib
from pathlib import Path

import pytest
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from studioos.api.routes import build_api
from studioos.api.security_headers import SecurityHeaders
from studioos.settings import reset_settings_cache

PAGE = (
    b"<!doctype html><html><head><script>window.__ctx = {a: 1};</script>"
    b'<script type="module" src="/assets/app.js"></script></head>'
    b'<body><script type="module">import("/assets/entry.js");</script></body></html>'
)


def _sha(script: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"


def _client(tmp_path: Path) -> TestClient:
    page_file = tmp_path / "page.html"
    page_file.write_bytes(PAGE)

    async def page(_request: Request) -> Response:
        return HTMLResponse(PAGE)

    async def zipped(_request: Request) -> Response:
        return Response(gzip.compress(PAGE), media_type="text/html", headers={"content-encoding": "gzip"})

    async def data(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def file(_request: Request) -> Response:
        return FileResponse(page_file, media_type="text/html")

    app = Starlette(
        routes=[Route("/page", page), Route("/zipped", zipped), Route("/data", data), Route("/file", file)]
    )
    return TestClient(SecurityHeaders(app))


def _policy(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_a_page_allows_its_own_inline_scripts_and_nothing_evaluated(tmp_path: Path) -> None:
    answer = _client(tmp_path).get("/page")
    policy = _policy(answer.headers["content-security-policy"])
    assert policy["script-src"] == [
        "'self'",
        _sha(b"window.__ctx = {a: 1};"),
        _sha(b'import("/assets/entry.js");'),
    ]
    assert "'unsafe-eval'" not in answer.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    # The body still arrives whole, with a length that matches it.
    assert answer.content == PAGE
    assert answer.headers["content-length"] == str(len(PAGE))


def test_a_compressed_page_and_a_file_page_are_hashed_from_their_html(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for path in ("/zipped", "/file"):
        policy = _policy(client.get(path).headers["content-security-policy"])
        assert _sha(b"window.__ctx = {a: 1};") in policy["script-src"], path


@pytest.mark.parametrize("path", ["/page", "/data", "/file"])
def test_every_answer_has_the_fixed_headers(tmp_path: Path, path: str) -> None:
    answer = _client(tmp_path).get(path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    # Plain http (the test settings' base URL): no HSTS, which would lock a browser out of it.
    assert "strict-transport-security" not in answer.headers


def test_hsts_when_the_base_url_is_https(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOOS_BASE_URL", "https://studio.example.com")
    reset_settings_cache()
    answer = _client(tmp_path).get("/data")
    assert answer.headers["strict-transport-security"].startswith("max-age=31536000")


def test_the_api_routes_and_their_refusals_carry_them_too(db: Session) -> None:
    client = TestClient(SecurityHeaders(build_api()))
    for answer in (
        client.get("/healthz"),
        client.get("/api/auth/complete?code=nothing", follow_redirects=False),
        client.get("/api/privacy/exports/1.zip"),
        client.post("/api/billing/webhook", content=b"{}"),
        client.post("/api/auth/signout"),
    ):
        assert answer.headers["x-content-type-options"] == "nosniff", answer.request.url
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_a_not_modified_answer_keeps_the_cached_pages_policy() -> None:
    async def unchanged(_request: Request) -> Response:
        # What the static file server answers a browser that revalidates its cached page.
        return Response(status_code=304, headers={"etag": '"page-1"'})

    again = TestClient(SecurityHeaders(Starlette(routes=[Route("/page", unchanged)]))).get("/page")
    assert again.status_code == 304
    # Its headers would replace the cached page's: a policy without the page's hashes must not be one.
    assert "content-security-policy" not in again.headers
    assert again.headers["x-content-type-options"] == "nosniff"


def test_no_handler_asks_the_browser_to_evaluate_a_script() -> None:
    """rx.call_script, rx.call_function and a toast returned by a handler reach the browser as
    strings it runs through eval, which the policy forbids (the pages use studioos.ui.navigator and
    studioos.ui.toast). A toast wired straight to a trigger (`on_...=rx.toast...`) is compiled into
    the page and stays allowed."""
    import re

    root = Path(__file__).resolve().parents[2] / "studioos"
    found = []
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.lstrip().startswith("#") or "`" in line:
                continue
            if re.search(r"\brx\.(call_script|call_function|run_script)\(", line) or (
                re.search(r"\brx\.toast\b", line) and not re.search(r"\bon_\w+=rx\.toast", line)
            ):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
