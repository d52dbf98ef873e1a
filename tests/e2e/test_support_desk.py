"""The support desk: an owner asks for help, support staff add an internal note and answer; the
owner gets an email and sees the answer in her thread, never the note. A file goes with a request
(checked as it is chosen), and support looks at the studio only while the owner allows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    App,
    NewContext,
    mail_text,
    make_owner,
    make_support,
    shot,
    sign_in,
)
from tests.factories import image_bytes

pytestmark = pytest.mark.e2e

PNG = image_bytes("PNG")


def test_an_owner_asks_and_support_answers(new_context: NewContext, app: App, mailbox) -> None:  # type: ignore[no-untyped-def]
    owner = make_owner(app, "Help Studio")
    page = new_context().new_page()
    sign_in(page, owner)
    page.click('a[href="/support"]')
    page.locator("#support-title").wait_for()
    page.click("#support-submit")  # nothing filled in: told what is missing, nothing sent
    page.locator("#error-title").wait_for()
    page.fill("#support-title", "Payroll ZIP is empty")
    page.select_option("#support-category", "billing")
    page.fill("#support-message", "The statements ZIP for November has no files in it.")
    page.click("#support-submit")
    page.wait_for_url("**/support?request=*")
    thread = page.locator("#support-thread")
    expect(thread).to_contain_text("The statements ZIP for November has no files in it.")
    expect(page.locator("#support-status-badge")).to_have_text("Open")

    staff = new_context().new_page()
    sign_in(staff, make_support(app, "Dana Desk"))
    staff.click('a[href="/support/queue"]')
    row = staff.locator("#support-requests tr", has_text="Payroll ZIP is empty")
    expect(row).to_contain_text("Help Studio")
    expect(row).to_contain_text("due in 7 h")
    row.get_by_role("link").click()
    staff.wait_for_url("**/support?request=*")
    staff.fill("#support-reply", "Checked the logs: the period had no locked payroll.")
    staff.check("#support-internal")
    staff.click("#support-send")
    staff.get_by_text("Note added.").wait_for()
    staff.fill("#support-reply", "Lock November's payroll first, then download the ZIP again.")
    staff.click("#support-send")
    staff.get_by_text("Reply sent.").wait_for()
    expect(staff.locator("#support-thread [data-internal='1']")).to_have_count(1)
    expect(staff.locator("#support-status-badge")).to_have_text("Waiting on the customer")
    shot(staff, "support-thread-staff")

    mail = mailbox.wait_for(owner, subject="New reply")
    assert "Lock November's payroll first" in mail_text(mail)
    assert "Checked the logs" not in mail_text(mail)

    page.reload()
    expect(thread).to_contain_text("Lock November's payroll first, then download the ZIP again.")
    expect(thread).not_to_contain_text("Checked the logs")
    expect(page.locator("#support-status-badge")).to_have_text("Waiting on you")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "support-thread-phone")
    page.click("#support-resolve")
    expect(page.locator("#support-status-badge")).to_have_text("Resolved")


def test_a_file_goes_with_the_request_and_support_looks_only_with_the_owners_leave(
    new_context: NewContext, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlmodel import Session, select

    from studioos.models import Performer, Studio
    from studioos.settings import reset_settings_cache

    # The model row is written here with the app's keys (her notes are encrypted at rest).
    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", app.env["STUDIOOS_ENCRYPTION_KEYS"])
    reset_settings_cache()
    owner = make_owner(app, "Lens Studio")
    with Session(app.engine) as db:
        studio = db.exec(select(Studio).where(Studio.name == "Lens Studio")).one()
        db.add(Performer(studio_id=studio.id or 0, stage_name="Nova Lens", status="active"))
        db.commit()
    page = new_context().new_page()
    sign_in(page, owner)
    page.goto("/support")
    page.locator("#support-title").wait_for()
    page.fill("#support-title", "Nova's payout looks low")
    page.select_option("#support-category", "billing")
    page.fill("#support-message", "See the screenshot.")
    # Only a browser can prove this: the file is chosen, checked and held before the message goes.
    page.set_input_files(
        "#new-files input[type=file]",
        files=[{"name": "not-a-picture.png", "mimeType": "image/png", "buffer": b"hi"}],
    )
    expect(page.locator("#error-new-files-files")).to_contain_text("not-a-picture.png")
    page.set_input_files(
        "#new-files input[type=file]", files=[{"name": "payout.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(page.locator("#new-files-held")).to_contain_text("payout.png")
    page.click("#support-submit")
    page.wait_for_url("**/support?request=*")
    link = page.locator("#support-thread a.file-chip", has_text="payout.png")
    expect(link).to_be_visible()
    got = page.request.get(link.get_attribute("href") or "")
    assert got.status == 200 and got.headers["content-type"] == "image/png"

    staff = new_context().new_page()
    sign_in(staff, make_support(app, "Lee Look"))
    staff.goto(page.url.replace(app.base_url, ""))
    expect(staff.locator("#support-thread")).to_contain_text("payout.png")
    expect(staff.locator("#access-none")).to_be_visible()  # no leave: nothing of the studio

    page.select_option("#access-hours", "24")
    page.click("#access-grant")
    expect(page.locator("#access-grants")).to_contain_text("Active until")
    staff.reload()
    staff.click("#access-look")
    expect(staff.locator("#look-models")).to_contain_text("Nova Lens")
    shot(staff, "support-look")

    page.click("#access-revoke")
    expect(page.locator("#access-grants")).to_contain_text("Revoked")
    staff.reload()
    expect(staff.locator("#access-none")).to_be_visible()
    expect(staff.locator("#access-look")).to_have_count(0)
