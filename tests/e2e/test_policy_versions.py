"""Support staff publish a material change of the privacy policy; an owner who signs in next is
asked to read it, acknowledges it once, and /privacy shows the new version with the old one kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, App, NewContext, make_owner, make_support, shot, sign_in

pytestmark = pytest.mark.e2e

NEW_TEXT = (
    "## 1. Who we are\n\nStudioOS is the back office of webcam studios. "
    + "We keep sign-in history for one year and then delete it. " * 6
)


def test_a_material_change_is_acknowledged_at_the_next_sign_in(new_context: NewContext, app: App) -> None:
    owner = make_owner(app, "Policy Studio")
    support = new_context().new_page()
    sign_in(support, make_support(app))
    support.click('a[href="/support/policy"]')
    support.locator("#policy-body").wait_for()
    support.fill("#policy-body", NEW_TEXT)
    support.fill("#policy-effective", datetime.now(UTC).date().isoformat())
    support.check("#policy-material")
    support.fill("#policy-summary-input", "We now keep sign-in history for one year.")
    support.click("#policy-publish-open")
    support.click("#policy-publish-confirm")
    support.get_by_text("The new version is published").wait_for()

    page = new_context().new_page()
    page.goto("/signin")
    page.fill("#email", owner)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_url("**/policy-update**")
    expect(page.locator("#policy-summary")).to_have_text("We now keep sign-in history for one year.")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "policy-update-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.click("#policy-acknowledge")
    page.wait_for_url("**/dashboard**")

    # Asked once: the next sign-in goes straight on.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "studioos_consent", "value": "essential", "url": app.base_url}])
    sign_in(page, owner)

    page.goto("/privacy")
    versions = page.locator("#policy-versions li")
    expect(versions).to_have_count(2)
    expect(page.locator("#policy-text")).to_contain_text("We keep sign-in history for one year")
    versions.nth(1).get_by_role("link").click()
    expect(page.locator("#policy-earlier")).to_be_visible()
