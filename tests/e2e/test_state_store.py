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

import pickletools
from collections.abc import Iterable
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from studioos.models import Membership, Studio, User
from studioos.pages.performer_detail import PerformerDetailState, ProfileTab
from studioos.services.passwords import hash_password
from tests.e2e.conftest import PASSWORD, App, sign_in, sign_out, unique_email, wait_hydrated, wait_until
from tests.e2e.test_analyst_state import SECRETS, STAGE, _new_model
from tests.e2e.test_event_isolation import EventChannel

pytestmark = pytest.mark.e2e

LEGAL = {k: SECRETS[k] for k in ("legal name", "birth date", "document number")}
CONTACT = {k: SECRETS[k] for k in ("contact email", "phone", "telegram")}


def make_owner(app: App, studio: str) -> str:
    """An owner made straight in the app's database (sign-up itself is tested elsewhere)."""
    email = unique_email("owner")
    with Session(app.engine) as db:
        s = Studio(name=studio, timezone="Europe/Bucharest", currency="EUR")
        user = User(email=email, name="Olivia Owner", password_hash=hash_password(PASSWORD))
        db.add(s)
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id, studio_id=s.id, role="owner"))
        db.commit()
    return email


def leaks(blobs: Iterable[bytes], secrets: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for blob in blobs:
        for label, value in secrets.items():
            if value.encode() in blob:
                found[label] = value
    return found


def pickled_vars(blob: bytes) -> dict[str, object]:
    """The str and bool values of a pickled state's vars, by name: read from the opcodes, without
    unpickling anything (a value pickled as a memo reference is not seen)."""
    found: dict[str, object] = {}
    previous = None
    try:
        for op, arg, _pos in pickletools.genops(blob):
            if op.name == "MEMOIZE":
                continue
            if previous is not None:
                if op.name in ("NEWTRUE", "NEWFALSE"):
                    found.setdefault(previous, op.name == "NEWTRUE")
                elif isinstance(arg, str):
                    found.setdefault(previous, arg)
            previous = arg if isinstance(arg, str) else None
    except Exception:  # a torn file being written is simply not it yet
        return found
    return found


def legal_loaded_pickled(blob: bytes) -> bool:
    """Does this pickle hold a Documents tab with `legal_loaded` True?"""
    return pickled_vars(blob).get("legal_loaded") is True


def profile_pickled(blob: bytes, performer_id: str) -> bool:
    """Does this pickle hold the model page's own state (with her sealed profile) for this model?"""
    return PerformerDetailState.__name__.encode() in blob and pickled_vars(blob).get("performer_id") == (
        performer_id
    )


def states_dir(app: App) -> Path:
    return app.log_path.parent / "states"


def store_blobs(app: App) -> list[bytes]:
    return [p.read_bytes() for p in states_dir(app).rglob("*") if p.is_file()]


def wait_for_store(app: App, condition, timeout: float = 20) -> list[bytes]:  # type: ignore[no-untyped-def]
    def written() -> list[bytes] | None:
        blobs = store_blobs(app)
        return blobs if condition(blobs) else None

    return wait_until(written, timeout, "the state store never recorded the documents tab")  # type: ignore[return-value]


def open_documents(page, performer_id: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/models/{performer_id}")
    page.get_by_role("heading", name=STAGE).wait_for()
    wait_hydrated(page, "#tab-documents")
    page.click("#tab-documents")
    expect(page.locator("#doc_number")).to_have_value(SECRETS["document number"])


def frames_for_token(browser, app: App, token: str, path: str) -> list[str]:  # type: ignore[no-untyped-def]
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
    new_context, browser, app
) -> None:  # type: ignore[no-untyped-def]
    ctx = new_context()
    page = ctx.new_page()
    sign_in(page, make_owner(app, "Store Studio"))
    performer_id = _new_model(page)

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


# The model page's Profile tab, whose upload_photo handler takes the photo (a substate of the page).
PROFILE_TAB = ProfileTab.get_full_name()
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _post_upload(app: App, client_token: str, cookie: str | None) -> int:
    import httpx

    headers = {"reflex-client-token": client_token, "reflex-event-handler": f"{PROFILE_TAB}.upload_photo"}
    if cookie:
        headers["cookie"] = cookie
    files = {"files": ("photo.png", PNG, "image/png")}
    return httpx.post(app.url("/_upload"), headers=headers, files=files, timeout=20).status_code


def _photo_file(app: App, performer_id: str) -> str | None:
    from sqlmodel import select

    from studioos.models import Performer

    with Session(app.engine) as db:  # one clear column: the app's keys are not the test's
        return db.exec(select(Performer.photo_file).where(Performer.id == int(performer_id))).one()


def test_uploads_act_only_for_the_requests_own_session(new_context, app) -> None:  # type: ignore[no-untyped-def]
    import socket
    from urllib.parse import urlsplit

    ctx = new_context()
    page = ctx.new_page()
    sign_in(page, make_owner(app, "Upload Studio"))
    performer_id = _new_model(page)
    page.goto(f"/models/{performer_id}")
    page.get_by_role("heading", name=STAGE).wait_for()
    wait_hydrated(page, "#tab-documents")
    client_token = page.evaluate("window.sessionStorage.getItem('token')")
    before = _photo_file(app, performer_id)

    # The owner's tab is open, but a request without her cookie, or with another user's, is
    # refused: holding her client token is not being her.
    assert _post_upload(app, client_token, None) == 401
    other = new_context().new_page()
    sign_in(other, make_owner(app, "Other Studio"))
    [other_token] = [c["value"] for c in other.context.cookies() if c["name"] == "studioos_session"]
    assert _post_upload(app, client_token, f"studioos_session={other_token}") == 403
    assert _photo_file(app, performer_id) == before

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
    assert _post_upload(app, client_token, f"studioos_session={session_token}") == 200
    wait_until(lambda: _photo_file(app, performer_id) != before, 15, "her own upload never saved the photo")
