"""Single sign-on in a browser, against the OpenID Connect provider the tests run: the sign-in
page offers the provider; a first trip links the provider account to the StudioOS account once
its password confirms it; the next trip goes straight in; an unverified address is refused on the
sign-in page with a sentence, and nobody is signed in."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PASSWORD,
    SSO_NAME,
    App,
    NewContext,
    make_owner,
    shot,
    sign_out,
    wait_hydrated,
)
from tests.oidc_server import Provider

pytestmark = pytest.mark.e2e


def test_link_once_with_the_password_then_sign_in_with_the_provider(
    new_context: NewContext, app: App, sso_provider: Provider
) -> None:
    owner = make_owner(app, "SSO Studio")
    sso_provider.scenario(sub=f"sso-{secrets.token_hex(4)}", email=owner, email_verified=True, name="Olivia")
    page = new_context().new_page()
    page.goto("/signin")
    wait_hydrated(page)
    expect(page.locator("#signin-sso")).to_have_text(f"Sign in with {SSO_NAME}")
    page.click("#signin-sso")
    page.wait_for_url("**/signin/link**")
    expect(page.get_by_text(f"{SSO_NAME} says you are")).to_be_visible()
    expect(page.locator("body")).to_contain_text(owner)
    shot(page, "sso-link")
    page.fill("#password", "not the password")
    page.click("#sso-link-submit")
    expect(page.get_by_text("That is not the password of this StudioOS account.")).to_be_visible()
    page.fill("#password", PASSWORD)
    page.click("#sso-link-submit")
    page.wait_for_url("**/dashboard**")
    page.goto("/account")
    expect(page.locator("#sso-linked")).to_contain_text(f"You can sign in with {SSO_NAME}")

    # The next time the provider alone signs her in.
    sign_out(page)
    wait_hydrated(page)
    page.click("#signin-sso")
    page.wait_for_url("**/dashboard**")
    page.locator("#user-menu").wait_for()

    # Someone whose address the provider has not verified is turned away with the reason.
    sign_out(page)
    sso_provider.scenario(sub=f"sso-{secrets.token_hex(4)}", email=owner, email_verified=False)
    wait_hydrated(page)
    page.click("#signin-sso")
    page.wait_for_url("**/signin**sso_error=unverified_email**")
    expect(page.locator("#form-message")).to_contain_text(f"{SSO_NAME} has not verified your email address")
    page.goto("/dashboard")
    page.wait_for_url("**/signin**")
