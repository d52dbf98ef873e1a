"""The support desk: an owner asks for help, support staff add an internal note and answer; the
owner gets an email and sees the answer in her thread, never the note."""

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

pytestmark = pytest.mark.e2e


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
