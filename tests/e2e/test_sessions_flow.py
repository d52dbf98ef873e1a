"""Revoking a session from another browser signs that browser out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in, sign_up, unique_email

pytestmark = pytest.mark.e2e


def test_revoking_a_session_signs_that_browser_out(new_context, app) -> None:  # type: ignore[no-untyped-def]
    owner = unique_email("owner")
    first = new_context().new_page()
    sign_up(first, studio="Orbit Studio", name="Olga Owner", email_addr=owner)

    second = new_context().new_page()
    sign_in(second, owner)

    first.goto("/account")
    table = first.locator("#sessions-table")
    table.locator("tbody tr").nth(1).wait_for()
    assert table.locator("tbody tr").count() == 2
    assert table.get_by_text("this browser").count() == 1
    # Only the other session has a sign-out button.
    revoke = table.locator(".revoke-session")
    assert revoke.count() == 1
    shot(first, "account-sessions")
    revoke.click()
    first.click("#revoke-session-confirm")  # it asks first
    first.locator("[data-sonner-toast]").filter(has_text="Session signed out.").wait_for()
    first.wait_for_function("() => document.querySelectorAll('#sessions-table tbody tr').length === 1")

    # The sign-in history has the second browser's password sign-in (creating the studio from the
    # emailed link is no password sign-in), as a success.
    history = first.locator("#history-table tbody tr")
    expect(history).to_have_count(1)
    expect(history.first.get_by_text("Signed in", exact=True)).to_have_count(1)

    # The other browser's next navigation ends on the sign-in page.
    second.goto("/dashboard")
    second.wait_for_url("**/signin**")
    second.locator("#signin-submit").wait_for()
    assert second.locator("#user-menu").count() == 0

    # The browser that revoked it stays signed in.
    first.goto("/dashboard")
    first.locator("#user-menu").wait_for()
    assert "/dashboard" in first.url
