"""The event websocket accepts only the app's own origin (cors_allowed_origins from the base URL):
another site cannot open a socket that rides on a signed-in browser's cookie."""

from __future__ import annotations

import base64
import os
import socket
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import App

pytestmark = pytest.mark.e2e


def _handshake_status(base_url: str, origin: str) -> int:
    parts = urlsplit(base_url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(request.encode())
        status_line = conn.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


def test_websocket_refuses_a_foreign_origin(app: App) -> None:
    assert _handshake_status(app.base_url, app.base_url) == 101
    # Refused before the upgrade: the ASGI server closes a websocket the app did not accept with 403.
    assert _handshake_status(app.base_url, "https://evil.example") == 403
    assert _handshake_status(app.base_url, app.base_url.replace("127.0.0.1", "localhost")) == 403
