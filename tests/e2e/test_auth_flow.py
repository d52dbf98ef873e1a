"""Sign up, sign out, sign in; wrong password; the session cookie as the browser sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, shot, sign_in, sign_out, sign_up, unique_email, wait_hydrated

pytestmark = pytest.mark.e2e


def test_sign_up_sign_out_sign_in(page, app) -> None:  # type: ignore[no-untyped-def]
    owner = unique_email("owner")
    sign_up(page, studio="Aurora Studio", name="Ana Owner", email_addr=owner)
    assert page.locator("#studio-name").inner_text() == "Aurora Studio"
    assert page.locator("#user-menu").inner_text().strip().startswith("A")
    shot(page, "dashboard-after-signup")

    sign_out(page)
    page.get_by_text("You are signed out.").wait_for()
    assert not [c for c in page.context.cookies() if c["name"] == "studioos_session"]

    # Signed out means signed out: a signed-in page sends us back to sign in.
    page.goto("/dashboard")
    page.wait_for_url("**/signin?next=**")

    sign_in(page, owner)
    assert page.locator("#studio-name").inner_text() == "Aurora Studio"


def test_wrong_password_says_so(page, app) -> None:  # type: ignore[no-untyped-def]
    owner = unique_email("owner")
    sign_up(page, studio="Borealis", name="Bo Owner", email_addr=owner)
    sign_out(page)

    wait_hydrated(page)
    # Nothing typed: each field says what it needs, under itself, and nothing is said above the form.
    page.click("#signin-submit")
    expect(page.locator("#error-email")).to_have_text("Enter an email address.")
    expect(page.locator("#error-password")).to_have_text("Enter your password.")
    expect(page.locator("#form-message")).to_have_count(0)

    page.fill("#email", owner)
    page.fill("#password", PASSWORD + " but wrong")
    page.click("#signin-submit")
    message = page.locator("#form-message")
    expect(message).to_have_text("Wrong email or password.")
    # Said once, above the form: not again under the password field.
    expect(page.locator("#error-password")).to_have_count(0)
    expect(page.locator("#error-email")).to_have_count(0)
    shot(page, "wrong-password")
    assert "/signin" in page.url
    assert not [c for c in page.context.cookies() if c["name"] == "studioos_session"]

    # An unknown address gets the very same message (no account enumeration).
    page.goto("/signin")
    wait_hydrated(page)
    expect(page.locator("#form-message")).to_have_count(0)
    page.fill("#email", unique_email("nobody"))
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.locator("#form-message").get_by_text("Wrong email or password.").wait_for()


def test_session_cookie_is_httponly_and_lax(page, app) -> None:  # type: ignore[no-untyped-def]
    sign_up(page, studio="Cookie Studio", name="Cy Owner", email_addr=unique_email("owner"))
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "studioos_session" in cookies
    session = cookies["studioos_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert session["path"] == "/"
    # Plain http in the test, so no Secure flag; the app sets it behind TLS.
    assert session["secure"] is False
    assert "studioos_session" not in page.evaluate("document.cookie")
    assert session["value"] not in page.content()


@pytest.mark.parametrize("path", ["/signin", "/signup"])
def test_password_never_lands_in_the_url(browser, app, path: str) -> None:  # type: ignore[no-untyped-def]
    """Pages are prerendered: a submit before React takes over (or without JavaScript) is a
    native form submission, which must not be a GET carrying the password in the URL."""
    ctx = browser.new_context(base_url=app.base_url, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(path)
        page.fill("#email", unique_email("nojs"))
        page.fill("#password", "a-secret-that-must-not-leak")
        page.click("#signin-submit" if path == "/signin" else "#signup-submit")
        page.wait_for_load_state()
        assert "a-secret-that-must-not-leak" not in page.url
    finally:
        ctx.close()
