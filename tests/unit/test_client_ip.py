"""Behind a reverse proxy the HTTP routes (hand-off, sign-out, photos) see the client's address,
by the same rule as the websocket; without a trusted proxy a forged X-Forwarded-For is ignored."""

from __future__ import annotations

import pytest
from reflex.config import get_config
from starlette.requests import Request

from studioos.api.routes import client_of, forwarded_client_ip


def _request(peer: str, forwarded_for: str | None) -> Request:
    headers = [(b"user-agent", b"test")]
    if forwarded_for is not None:
        headers.append((b"x-forwarded-for", forwarded_for.encode()))
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 5000)})


def test_without_a_trusted_proxy_the_header_is_the_clients_own_claim_and_ignored() -> None:
    assert forwarded_client_ip("198.51.100.2", "203.0.113.9", 0) == "198.51.100.2"


def test_one_trusted_proxy_gives_the_address_it_appended() -> None:
    # The client wrote the first entry itself; nginx appended the real peer.
    assert forwarded_client_ip("127.0.0.1", "10.6.6.6, 203.0.113.9", 1) == "203.0.113.9"


def test_two_trusted_proxies_skip_the_inner_one() -> None:
    assert forwarded_client_ip("127.0.0.1", "10.6.6.6, 203.0.113.9, 10.0.0.5", 2) == "203.0.113.9"


def test_a_request_that_skipped_the_proxy_keeps_its_peer_address() -> None:
    assert forwarded_client_ip("127.0.0.1", "", 1) == "127.0.0.1"


@pytest.mark.parametrize(("hops", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_routes_follow_the_apps_trusted_proxy_setting(
    monkeypatch: pytest.MonkeyPatch, hops: int, expected: str
) -> None:
    monkeypatch.setattr(get_config(), "trusted_proxy_hops", hops)
    assert client_of(_request("127.0.0.1", "10.6.6.6, 203.0.113.9")).ip == expected
