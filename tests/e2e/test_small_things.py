"""What only a browser shows: the not-found page in and out of the shell, a date picker that the
browser draws in its own language (12/20/2026 here) with the studio's way written under it, and a
model's invitation box filled with her email."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.conftest import App, NewContext, shot, sign_up, unique_email, wait_hydrated

pytestmark = pytest.mark.e2e


def test_unknown_urls_and_date_pickers(new_context: NewContext, app: App) -> None:
    page = new_context().new_page()

    # Signed out: the page says what happened and offers the way in.
    page.goto("/no-such-page")
    page.locator("#not-found").wait_for()
    assert page.locator("#not-found-signin").get_attribute("href") == "/signin"
    assert page.locator("[data-nav]").count() == 0
    shot(page, "not-found-signed-out")

    # Signed in: the same address keeps the app around it (sidebar, top bar) and a way back.
    sign_up(page, studio="Lost Studio", name="Lena Owner", email_addr=unique_email("owner"))
    shot(page, "dashboard-owner")
    page.goto("/no-such-page")
    page.locator("#not-found").wait_for()
    page.locator('[data-nav="/dashboard"]').wait_for()
    page.locator("#user-menu").wait_for()
    assert page.locator("#not-found-home").get_attribute("href") == "/dashboard"
    shot(page, "not-found-signed-in")

    # The studio is in Bucharest (the sign-up default): the chosen day reads "23 Apr 1996" under
    # the picker, whatever order the browser's own picker uses.
    page.goto("/models")
    wait_hydrated(page, "#new-model")
    page.click("#new-model")
    page.fill("#birth_date", "1996-04-23")
    page.locator("#birth_date-echo").get_by_text("23 Apr 1996", exact=True).wait_for()
    shot(page, "date-picker-echo")

    # Her page's invitation box already holds the email her profile has.
    page.fill("#stage_name", "Mira")
    page.fill("#email", "mira@example.com")
    page.fill("#legal_name", "Mira Pop")
    expiry = date.today().replace(month=1, day=1) + timedelta(days=5 * 366)
    expiry = expiry.replace(month=1, day=1)  # 1 January, about five years from now
    page.fill("#doc_expiry", expiry.isoformat())
    page.click("#new-model-submit")
    page.wait_for_url("**/models/*")
    page.get_by_role("heading", name="Mira").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#model-invite-email')?.value === 'mira@example.com'"
    )
    assert page.locator("#back-link").get_attribute("href") == "/models"
    # The header's dates say what they are.
    page.get_by_text(f"ID valid until 1 Jan {expiry.year}", exact=True).wait_for()
    page.get_by_text("Model since ", exact=False).wait_for()
    # The day picked in the dialog on the list page is not left under this page's birth date picker.
    page.click("#tab-documents")
    page.locator("#birth_date").wait_for()
    assert page.locator("#birth_date-echo").inner_text() == ""
    shot(page, "model-invite-prefilled")
