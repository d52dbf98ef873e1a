"""The privacy centre: ask for a copy of my data, watch it being made, download the ZIP and find my
own records in it (and nobody else's)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, App, NewContext, add_member, make_owner, shot, sign_in

pytestmark = pytest.mark.e2e


def test_download_a_copy_of_my_data(new_context: NewContext, app: App) -> None:
    owner_email = make_owner(app, "Export Studio")
    colleague = add_member(app, owner_email, "manager")
    page = new_context().new_page()
    sign_in(page, owner_email)
    page.click('a[href="/privacy-centre"]')
    page.get_by_role("heading", name="Privacy centre").wait_for()
    page.click("#export-request")
    link = page.locator("#export-download")
    link.wait_for()
    expect(page.locator("#export-ready-text")).to_contain_text("The link works until")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("studioos-data-")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    assert {"README.txt", "data.json", "csv/user.csv"} <= set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    assert data["user"][0]["email"] == owner_email
    assert data["membership"][0]["role"] == "owner"
    assert colleague not in json.dumps(data)
    assert "password_hash" not in json.dumps(data)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator("#export-download").wait_for()
    shot(page, "privacy-centre-phone")


def test_delete_my_account_signs_me_out_and_refuses_sign_in(new_context: NewContext, app: App) -> None:
    owner_email = make_owner(app, "Leaving Studio")
    manager = add_member(app, owner_email, "manager")
    page = new_context().new_page()
    sign_in(page, manager)
    page.goto("/privacy-centre")
    page.click("#delete-account-open")
    page.fill("#delete-password", "not my password")
    page.click("#delete-account")
    expect(page.locator("#delete-account-dialog")).to_contain_text("That is not your password.")
    page.fill("#delete-password", PASSWORD)
    page.click("#delete-account")
    page.wait_for_url("**/signin**deleted=1")
    page.get_by_text("Your account is being deleted").wait_for()
    # The old session no longer opens anything, and signing in again is refused.
    page.goto("/dashboard")
    page.wait_for_url("**/signin**")
    page.fill("#email", manager)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.get_by_text("Wrong email or password").wait_for()
