"""The rooms page: add with inline errors, edit in a dialog, switch a room off and on."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_up, unique_email, wait_hydrated

pytestmark = pytest.mark.e2e


def test_rooms_page(page) -> None:  # type: ignore[no-untyped-def]
    sign_up(page, studio="Rooms Studio", name="Rita Owner", email_addr=unique_email("rooms"))
    page.goto("/rooms")
    wait_hydrated(page)
    page.get_by_text("No rooms yet").wait_for()

    # A name is required: the message sits under the field and nothing is added.
    page.click("#new-room-submit")
    page.get_by_text("Enter a room name.").wait_for()
    assert page.locator("#rooms-table").count() == 0

    page.fill("#name", "Studio 3")
    page.fill("#notes", "Green wall")
    page.click("#new-room-submit")
    row = page.locator("#rooms-table tr", has_text="Studio 3")
    row.wait_for()
    page.get_by_text("Room Studio 3 added.").wait_for()
    assert row.get_by_text("Active").is_visible()

    # Edit: the dialog opens with the room's values and saves new ones.
    row.get_by_role("button", name="Edit").click()
    assert page.input_value("#edit_name") == "Studio 3"
    page.fill("#edit_name", "")
    page.click("#save-room")
    page.get_by_role("dialog").get_by_text("Enter a room name.").wait_for()  # inline; the dialog stays open
    page.fill("#edit_name", "Room 4")
    page.click("#save-room")
    page.get_by_text("Room 4 saved.").wait_for()
    renamed = page.locator("#rooms-table tr", has_text="Room 4")
    renamed.wait_for()
    room_id = renamed.get_attribute("data-room-id")
    assert room_id and room_id.isdigit()

    # Switch it off: the badge says so and it survives a reload.
    page.click(f"#room-active-{room_id}")
    page.get_by_text("Room 4 is inactive.").wait_for()
    page.reload()
    wait_hydrated(page)
    page.locator(f"#rooms-table tr[data-room-id='{room_id}']").get_by_text("Inactive").wait_for()
