"""An analyst never receives a model's legal or contact data: not on the page, and not in any
state delta the server sends over the websocket, even when she calls the handlers that load it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from studioos.pages.performer_detail import DocumentsTab
from tests.e2e.conftest import SECRETS, STAGE, App, add_member, new_model, sign_in, sign_up, unique_email
from tests.e2e.event_channel import EventChannel

pytestmark = pytest.mark.e2e

# The Reflex state of the model page's Documents tab (a substate of the page's state).
DOCUMENTS = DocumentsTab.get_full_name()


def _leaks(frames: list[str]) -> dict[str, str]:
    blob = "\n".join(frames)
    return {label: value for label, value in SECRETS.items() if value in blob}


def test_analyst_receives_no_legal_or_contact_fields(
    new_context: Callable[[], BrowserContext], app: App
) -> None:
    owner_page = new_context().new_page()
    owner_email = unique_email("owner")
    sign_up(owner_page, studio="Delta Studio", name="Olga Owner", email_addr=owner_email)
    performer_id = new_model(owner_page)

    # Control: the owner's own websocket does carry the legal fields when she opens Documents,
    # so the absence below is a real absence and not a channel that records nothing.
    owner_channel = EventChannel(owner_page)
    owner_page.goto(f"/models/{performer_id}")
    owner_page.get_by_role("heading", name=STAGE).wait_for()
    owner_page.click("#tab-documents")
    expect(owner_page.locator("#doc_number")).to_have_value(SECRETS["document number"])
    assert "document number" in _leaks(owner_channel.received)

    analyst_email = add_member(app, owner_email, "analyst")

    page = new_context().new_page()
    channel = EventChannel(page)
    sign_in(page, analyst_email)
    page.goto("/models")
    page.get_by_text(STAGE).first.wait_for()
    page.goto(f"/models/{performer_id}")
    page.get_by_role("heading", name=STAGE).wait_for()

    # She calls the handler that loads the documents herself: it is refused, and sends nothing.
    kind, text = channel.send(f"{DOCUMENTS}.load_tab", f"/models/{performer_id}/")
    assert (kind, text) == ("error", "You are not allowed to do that.")
    channel._settle()

    assert STAGE in "\n".join(channel.received)  # the deltas were recorded
    assert _leaks(channel.received) == {}
    content = page.content()
    assert {label for label, value in SECRETS.items() if value in content} == set()
