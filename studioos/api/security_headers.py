"""Security headers on every HTTP response the backend serves: the built pages, the API routes,
Reflex's own endpoints and uploads alike (it wraps them all: see `studioos.studioos`).

The Content-Security-Policy allows scripts from this origin only, plus the exact inline scripts of
each page: the production build puts a few in every HTML file (the router's context and its
module loader), so each HTML response's own inline scripts are hashed into its policy rather than
allowing inline script wholesale. No 'unsafe-eval': the pages never call `eval`
(`studioos.ui.backend` navigates and submits without `rx.call_script`). Styles may be inline: the
component library sets style attributes at run time, and a style cannot run code.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import re
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from studioos.settings import get_settings

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)

BASE_POLICY = (
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    # 'self' covers the websocket to the same host (CSP level 3).
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
HSTS = "max-age=31536000; includeSubDomains"


def script_hashes(html: bytes) -> list[str]:
    """The CSP source for each inline script of a page, in order, without repeats."""
    seen: dict[str, None] = {}
    for body in _INLINE_SCRIPT.findall(html):
        if body.strip():
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            seen[f"'sha256-{digest}'"] = None
    return list(seen)


def content_security_policy(html: bytes | None = None) -> str:
    scripts = ["'self'", *(script_hashes(html) if html else [])]
    return "; ".join((*BASE_POLICY, "script-src " + " ".join(scripts)))


@functools.cache
def _fixed_headers(https: bool) -> tuple[tuple[bytes, bytes], ...]:
    """Built once per setting: every response of the backend adds these."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if https:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return tuple(headers)


class SecurityHeaders:
    """ASGI middleware: adds the headers above to every HTTP response (not to websocket frames)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        fixed = _fixed_headers(get_settings().is_https)
        start: Message | None = None
        chunks: list[bytes] = []

        async def sending(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                is_html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                message = {**message, "headers": [*headers, *fixed]}
                if is_html:
                    # The policy depends on the page's inline scripts: hold the answer until its
                    # body is complete (pages are small, prebuilt files).
                    start = message
                    return
                if message.get("status") != 304:
                    # A 304 carries no body to hash, and its headers replace the cached page's:
                    # a policy without the page's script hashes would block the page.
                    message["headers"].append((b"content-security-policy", _NO_INLINE_POLICY))
                await send(message)
                return
            if start is None:
                await send(message)
                return
            if message["type"] == "http.response.pathsend":
                # Granian lets a file response name its file instead of sending its bytes.
                chunks.append(Path(message["path"]).read_bytes())
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
            else:
                await send(message)
                return
            body = b"".join(chunks)
            encoded = any(
                k.lower() == b"content-encoding" and v.lower() == b"gzip" for k, v in start["headers"]
            )
            page = gzip.decompress(body) if encoded and body else body
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            headers.append((b"content-security-policy", content_security_policy(page).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, sending)


# The policy of every answer that is not a page: no inline script to allow.
_NO_INLINE_POLICY = content_security_policy().encode()

_OURS = {
    b"content-security-policy",
    b"x-content-type-options",
    b"referrer-policy",
    b"x-frame-options",
    b"strict-transport-security",
    b"cross-origin-opener-policy",
    b"permissions-policy",
}
