"""Looking into Reflex's state store from outside: what a pickled state holds (read from its opcodes,
never unpickled), which secrets a set of blobs leaks, and the model page's photo upload as a bare
HTTP request. Used by the disk store test and the Redis test alike."""

from __future__ import annotations

import pickletools
from collections.abc import Iterable

import httpx
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from studioos.models import Performer
from studioos.pages.performer_detail import ProfileTab
from tests.e2e.conftest import SECRETS, STAGE, App, wait_hydrated

LEGAL = {k: SECRETS[k] for k in ("legal name", "birth date", "document number")}
CONTACT = {k: SECRETS[k] for k in ("contact email", "phone", "telegram")}

# The model page's Profile tab, whose upload_photo handler takes the photo (a substate of the page).
PROFILE_TAB = ProfileTab.get_full_name()
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def leaks(blobs: Iterable[bytes], secrets: dict[str, str]) -> dict[str, str]:
    """The secrets (by label) that appear in any of the blobs."""
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


def open_documents(page: Page, performer_id: str) -> None:
    """Open the model's page on its Documents tab, and wait until her document number shows."""
    page.goto(f"/models/{performer_id}")
    page.get_by_role("heading", name=STAGE).wait_for()
    wait_hydrated(page, "#tab-documents")
    page.click("#tab-documents")
    expect(page.locator("#doc_number")).to_have_value(SECRETS["document number"])


def post_upload(app: App, client_token: str, cookie: str | None) -> int:
    """A photo upload for the tab holding `client_token`, sent with `cookie` (or none); its status."""
    headers = {"reflex-client-token": client_token, "reflex-event-handler": f"{PROFILE_TAB}.upload_photo"}
    if cookie:
        headers["cookie"] = cookie
    files = {"files": ("photo.png", PNG, "image/png")}
    return httpx.post(app.url("/_upload"), headers=headers, files=files, timeout=20).status_code


def photo_file(app: App, performer_id: str) -> str | None:
    """The stored photo's file name (a clear column: the app's keys are not the test's)."""
    with Session(app.engine) as db:
        return db.exec(select(Performer.photo_file).where(Performer.id == int(performer_id))).one()
