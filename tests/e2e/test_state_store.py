"""Reflex's state store is a cache others can read: it must hold no session token and no legal
identity or contact data in clear, and a tab's state must never reach another session.

The owner opens a model's documents; then every pickle in the store (REFLEX_STATES_WORKDIR) is
scanned, once it holds both states of the model page that carry her personal data: the page's
own state (her profile: contact data, notes) and its Documents tab (legal identity). A fresh
browser that presents the tab's client token (no cookie) and the same tab after sign-out must
receive none of the model's legal data in any websocket frame. The Redis run of the same scan
is in test_redis_workers.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from studioos.pages.performer_detail import PerformerDetailState
from tests.e2e.conftest import STAGE, App, make_owner, new_model, sign_in, sign_out, wait_hydrated, wait_until
from tests.e2e.event_channel import EventChannel
from tests.e2e.state_probe import (
    CONTACT,
    LEGAL,
    PROFILE_TAB,
    leaks,
    legal_loaded_pickled,
    open_documents,
    photo_file,
    pickled_vars,
    post_upload,
)

pytestmark = pytest.mark.e2e


def profile_pickled(blob: bytes, performer_id: str) -> bool:
    """Does this pickle hold the model page's own state (with her sealed profile) for this model?"""
    return PerformerDetailState.__name__.encode() in blob and pickled_vars(blob).get("performer_id") == (
        performer_id
    )


def states_dir(app: App) -> Path:
    return app.log_path.parent / "states"


def store_blobs(app: App) -> list[bytes]:
    return [p.read_bytes() for p in states_dir(app).rglob("*") if p.is_file()]


def wait_for_store(app: App, condition: Callable[[list[bytes]], bool], timeout: float = 20) -> list[bytes]:
    def written() -> list[bytes] | None:
        blobs = store_blobs(app)
        return blobs if condition(blobs) else None

    found = wait_until(written, timeout, "the state store never recorded the model page's states")
    assert isinstance(found, list)
    return found


def frames_for_token(browser: Browser, app: App, token: str, path: str) -> list[str]:
    """A fresh browser with no cookie that presents `token` as its tab's client token."""
    ctx = browser.new_context(base_url=app.base_url)
    ctx.add_init_script(f"window.sessionStorage.setItem('token', {token!r});")
    try:
        page = ctx.new_page()
        channel = EventChannel(page)
        page.goto(path)
        page.wait_for_url("**/signin**")
        wait_hydrated(page)
        channel._settle(0.8)
        assert channel.received, "the replayed tab got no frames at all"
        assert token == page.evaluate("window.sessionStorage.getItem('token')")
        return channel.received
    finally:
        ctx.close()


def test_the_state_store_holds_no_token_or_legal_data_and_no_other_session_gets_them(
    new_context: Callable[[], BrowserContext], browser: Browser, app: App
) -> None:
    ctx = new_context()
    page = ctx.new_page()
    sign_in(page, make_owner(app, "Store Studio"))
    performer_id = new_model(page)

    channel = EventChannel(page)
    open_documents(page, performer_id)
    assert "document number" in leaks([f.encode() for f in channel.received], LEGAL)  # the control
    client_token = page.evaluate("window.sessionStorage.getItem('token')")
    [session_token] = [c["value"] for c in ctx.cookies() if c["name"] == "studioos_session"]

    # The store did record this tab's page state (her profile) and its Documents tab (her legal
    # identity), yet holds none of it in clear, and no session token.
    blobs = wait_for_store(
        app,
        lambda bs: (
            any(legal_loaded_pickled(b) for b in bs) and any(profile_pickled(b, performer_id) for b in bs)
        ),
    )
    assert leaks(blobs, {"session token": session_token, **LEGAL, **CONTACT}) == {}

    # The tab is closed without signing out; its client token replayed elsewhere gets nothing.
    page.close()
    replayed = frames_for_token(browser, app, client_token, f"/models/{performer_id}")
    assert leaks([f.encode() for f in replayed], LEGAL) == {}

    # A new tab of the signed-in owner loads the documents again, then signs out: from then on
    # that tab's frames, and a browser replaying its token, carry none of it.
    page = ctx.new_page()
    channel = EventChannel(page)
    open_documents(page, performer_id)
    client_token = page.evaluate("window.sessionStorage.getItem('token')")
    seen = len(channel.received)
    sign_out(page)
    wait_hydrated(page)
    channel._settle(0.8)
    after = channel.received[seen:]
    assert after, "no frames after sign-out"
    assert leaks([f.encode() for f in after], LEGAL) == {}
    page.close()  # (while a tab is open, Reflex gives a second one with its token a new token)
    replayed = frames_for_token(browser, app, client_token, "/dashboard")
    assert leaks([f.encode() for f in replayed], LEGAL) == {}
    assert leaks(store_blobs(app), {"session token": session_token, **LEGAL, **CONTACT}) == {}


def test_uploads_act_only_for_the_requests_own_session(
    new_context: Callable[[], BrowserContext], app: App
) -> None:
    import socket
    from urllib.parse import urlsplit

    ctx = new_context()
    page = ctx.new_page()
    sign_in(page, make_owner(app, "Upload Studio"))
    performer_id = new_model(page)
    page.goto(f"/models/{performer_id}")
    page.get_by_role("heading", name=STAGE).wait_for()
    wait_hydrated(page, "#tab-documents")
    client_token = page.evaluate("window.sessionStorage.getItem('token')")
    before = photo_file(app, performer_id)

    # The owner's tab is open, but a request without her cookie, or with another user's, is
    # refused: holding her client token is not being her.
    assert post_upload(app, client_token, None) == 401
    other = new_context().new_page()
    sign_in(other, make_owner(app, "Other Studio"))
    [other_token] = [c["value"] for c in other.context.cookies() if c["name"] == "studioos_session"]
    assert post_upload(app, client_token, f"studioos_session={other_token}") == 403
    assert photo_file(app, performer_id) == before

    # A 200 MB upload is answered at once, from its headers: the server does not wait for a body.
    parts = urlsplit(app.base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST /_upload HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Reflex-Client-Token: {client_token}\r\nReflex-Event-Handler: {PROFILE_TAB}.upload_photo\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
            ).encode()
        )
        answer = sock.recv(200).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer

    # Her own upload, through the page, still works.
    [session_token] = [c["value"] for c in ctx.cookies() if c["name"] == "studioos_session"]
    assert post_upload(app, client_token, f"studioos_session={session_token}") == 200
    wait_until(lambda: photo_file(app, performer_id) != before, 15, "her own upload never saved the photo")
