"""A model opening her own page never receives the staff's internal notes about her: not on the
page, and not in any state delta the server sends over the websocket."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import add_member, sign_in, sign_up, unique_email, wait_hydrated
from tests.e2e.test_analyst_state import STAGE, _new_model
from tests.e2e.test_event_isolation import EventChannel

pytestmark = pytest.mark.e2e

NOTE = "Internal: late twice in May, talk about the new room"


def test_model_receives_no_staff_notes_about_her(new_context, app) -> None:  # type: ignore[no-untyped-def]
    owner_page = new_context().new_page()
    owner_email = unique_email("owner")
    sign_up(owner_page, studio="Notes Studio", name="Olga Owner", email_addr=owner_email)
    performer_id = _new_model(owner_page)
    owner_page.fill("#notes", NOTE)
    owner_page.click("#profile-submit")
    owner_page.get_by_text("Profile saved.").wait_for()

    # Control: the owner's own websocket carries the notes, so their absence below is real.
    owner_channel = EventChannel(owner_page)
    owner_page.goto(f"/models/{performer_id}")
    owner_page.get_by_role("heading", name=STAGE).wait_for()
    wait_hydrated(owner_page)
    owner_channel._settle()
    assert NOTE in "\n".join(owner_channel.received)

    model_email = add_member(app, owner_email, "performer", performer_id=int(performer_id))

    page = new_context().new_page()
    channel = EventChannel(page)
    sign_in(page, model_email)
    page.goto(f"/models/{performer_id}")
    page.get_by_role("heading", name=STAGE).wait_for()
    channel._settle()

    assert STAGE in "\n".join(channel.received)  # her profile did arrive over the socket
    assert NOTE not in "\n".join(channel.received)
    assert NOTE not in page.content()
