"""What a person sees on the pages about her own account: a forgotten password reset by mail,
an email change confirmed by mail, the name and password forms of My account, and the sign-in
throttle once a stranger has failed too often."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from studioos.models import LoginEvent
from tests.e2e.conftest import (
    PASSWORD,
    App,
    NewContext,
    link_in,
    mail_text,
    make_owner,
    shot,
    sign_in,
    sign_out,
    unique_email,
    wait_hydrated,
)
from tests.local_servers import MailCapture

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a brand new and rather long passphrase"
WRONG_CREDENTIALS = "Wrong email or password."
LINK_DEAD = "This reset link is invalid, already used or expired."


def _try_sign_in(page: Page, email_addr: str, password: str) -> None:
    """Submit the sign-in form and stay on it (sign_in() is for the attempts that must succeed)."""
    page.goto("/signin")
    wait_hydrated(page)
    page.fill("#email", email_addr)
    page.fill("#password", password)
    page.click("#signin-submit")


def _refused(page: Page, email_addr: str, password: str, message: str) -> None:
    _try_sign_in(page, email_addr, password)
    expect(page.locator("#form-message")).to_have_text(message)
    assert "/signin" in page.url


# --- forgotten password -----------------------------------------------------------------


def test_forgotten_password_is_reset_by_the_mailed_link(
    new_context: NewContext, app: App, mailbox: MailCapture
) -> None:
    owner = make_owner(app, "Reset Studio")
    old_browser = new_context().new_page()
    sign_in(old_browser, owner)

    page = new_context().new_page()
    page.goto("/signin")
    wait_hydrated(page)
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/forgot")
    wait_hydrated(page)
    page.fill("#email", owner)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("If an account uses this address, we have sent it a link")).to_be_visible()

    link = link_in(mailbox.wait_for(owner, subject="Reset your StudioOS password"), "/reset/")
    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    wait_hydrated(page)
    # Two different passwords are refused inline, and the link still works afterwards.
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD + "!")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("#error-password_confirm")).to_have_text("The two passwords do not match.")
    page.fill("#password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_url("**/signin**")
    expect(page.get_by_text("Your password was changed. Sign in with the new one.")).to_be_visible()
    shot(page, "reset-done")

    _refused(page, owner, PASSWORD, WRONG_CREDENTIALS)  # the old password is dead
    sign_in(page, owner, NEW_PASSWORD)

    # The browser still signed in with the old password was signed out by the reset.
    old_browser.goto("/account")
    old_browser.wait_for_url("**/signin**")

    # The used link, and a made-up one, say so instead of showing the form.
    for dead in (link, app.url("/reset/not-a-token-we-ever-sent")):
        page.goto(dead)
        expect(page.get_by_text(LINK_DEAD)).to_be_visible()
        expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
        expect(page.locator("#password")).to_have_count(0)
    shot(page, "reset-link-used")


def test_forgot_answers_the_same_for_an_unknown_address(page: Page, mailbox: MailCapture) -> None:
    stranger = unique_email("nobody")
    page.goto("/forgot")
    wait_hydrated(page)
    page.fill("#email", stranger)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("#reset-sent")).to_have_text(
        "If an account uses this address, we have sent it a link to choose a new password. "
        "The link works once, for one hour."
    )
    # Mail is delivered in the request: by now a link to a registered address would be there.
    assert mailbox.to(stranger) == []


# --- email change -----------------------------------------------------------------------


def test_email_change_is_confirmed_by_the_mailed_link(
    new_context: NewContext, app: App, mailbox: MailCapture
) -> None:
    old, new = make_owner(app, "Move Studio"), unique_email("after")
    page = new_context().new_page()
    sign_in(page, old)
    page.goto("/account")
    page.get_by_role("heading", name="My account").wait_for()
    wait_hydrated(page)
    expect(page.get_by_text(f"Email: {old}")).to_be_visible()

    # A wrong current password is refused inline, and nothing is mailed for it.
    page.fill("#email", new)
    page.fill("#email_current_password", "not my password at all")
    page.get_by_role("button", name="Change email").click()
    expect(page.locator("#error-email_current_password")).to_have_text(
        "Your current password is not correct."
    )

    page.fill("#email", new)
    page.fill("#email_current_password", PASSWORD)
    page.get_by_role("button", name="Change email").click()
    expect(
        page.get_by_text(f"We sent a confirmation link to {new}. Your email changes when you follow it.")
    ).to_be_visible()
    # Nothing changes before the link is followed.
    page.reload()
    expect(page.get_by_text(f"Email: {old}")).to_be_visible()

    link = link_in(
        mailbox.wait_for(new, subject="Confirm your new StudioOS email address"), "/confirm-email/"
    )
    # Followed from another browser (a phone's mail app): the link alone is enough.
    phone = new_context().new_page()
    phone.goto(link)
    expect(phone.locator("#confirm-email-result")).to_have_text(f"Your sign-in address is now {new}.")
    shot(phone, "email-change-confirmed")
    notice = mailbox.wait_for(old, subject="Your StudioOS email address was changed")
    assert new in mail_text(notice)

    page.goto("/account")
    expect(page.get_by_text(f"Email: {new}")).to_be_visible()
    sign_out(page)
    _refused(page, old, PASSWORD, WRONG_CREDENTIALS)
    sign_in(page, new)
    page.goto("/account")
    expect(page.get_by_text(f"Email: {new}")).to_be_visible()

    # The link worked once.
    phone.goto(link)
    expect(phone.locator("#confirm-email-result")).to_have_text(
        "This confirmation link is invalid, already used or expired."
    )


# --- My account's name and password forms ---------------------------------------------------


def test_account_forms_change_the_name_and_the_password(new_context: NewContext, app: App) -> None:
    owner = make_owner(app, "Forms Studio")
    page = new_context().new_page()
    sign_in(page, owner)
    page.goto("/account")
    page.get_by_role("heading", name="My account").wait_for()
    wait_hydrated(page)
    expect(page.locator("#name")).to_have_value("Olivia Owner")

    # Name: an empty one is refused inline, a real one is saved and shown after a reload.
    page.fill("#name", "   ")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#error-name")).not_to_be_empty()
    page.fill("#name", "Nora After")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your name is now Nora After.")).to_be_visible()
    page.reload()
    wait_hydrated(page)
    expect(page.locator("#name")).to_have_value("Nora After")

    # Password: a wrong current password is refused inline and changes nothing.
    page.fill("#current_password", "this is not my password")
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    page.click("#change-password")
    expect(page.locator("#error-current_password")).to_have_text("Your current password is not correct.")
    shot(page, "account-wrong-current-password")
    # The new one must differ, and be repeated the same.
    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD + "?")
    page.click("#change-password")
    expect(page.locator("#error-new_password_confirm")).to_have_text("The two passwords do not match.")
    expect(page.locator("#error-current_password")).to_have_count(0)

    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    page.click("#change-password")
    expect(page.get_by_text("Password changed.", exact=True)).to_be_visible()
    expect(page.locator("#current_password")).to_have_value("")

    sign_out(page)
    _refused(page, owner, PASSWORD, WRONG_CREDENTIALS)
    sign_in(page, owner, NEW_PASSWORD)


# --- sign-in throttling -------------------------------------------------------------------


def _limit(app: App) -> int:
    """The app's STUDIOOS_LOGIN_MAX_FAILURES (as settings.py reads it; at least 1)."""
    raw = app.env.get("STUDIOOS_LOGIN_MAX_FAILURES", "").strip()
    return max(1, int(raw)) if raw else 10


def _failures(app: App, email_addr: str) -> list[LoginEvent]:
    with Session(app.engine) as db:
        return list(
            db.exec(
                select(LoginEvent)
                .where(LoginEvent.email == email_addr, LoginEvent.success == False)  # noqa: E712
                .order_by(col(LoginEvent.id))
            ).all()
        )


def test_too_many_failed_sign_ins_lock_out_a_stranger_but_not_the_owners_browser(
    new_context: NewContext, app: App, mailbox: MailCapture
) -> None:
    """The e2e app allows STUDIOOS_LOGIN_MAX_FAILURES failures (1000, so that a whole run from
    127.0.0.1 never trips it). The first failure is typed here (it shows how the app records this
    browser), the next ones up to two short of the limit are copies of it written straight to the
    sign-in history, and the last two and every attempt after them are typed here again."""
    owner = make_owner(app, "Lock Studio")
    own_browser = new_context().new_page()
    sign_in(own_browser, owner)  # this browser is known to her account from now on
    sign_out(own_browser)

    stranger = new_context().new_page()
    _refused(stranger, owner, "guess number one", WRONG_CREDENTIALS)
    first = _failures(app, owner)
    assert len(first) == 1, "the failed sign-in was not recorded"
    seen = first[0]  # where the app sees this browser's attempts come from

    limit = _limit(app)
    earlier = limit - 3
    with Session(app.engine) as db:
        db.add_all(
            LoginEvent(
                user_id=seen.user_id,
                email=owner,
                ip=seen.ip,
                user_agent=seen.user_agent,
                device_key=seen.device_key,
                browser_hash=seen.browser_hash,
                success=False,
                reason="wrong_password",
            )
            for _ in range(earlier)
        )
        db.commit()

    # Up to the limit, a wrong password gets the usual answer.
    _refused(stranger, owner, "guess number two", WRONG_CREDENTIALS)
    _refused(stranger, owner, "guess number three", WRONG_CREDENTIALS)
    assert len(_failures(app, owner)) == limit

    # Then the form says to wait: for a wrong password, and for the right one as well.
    locked = re.compile(r"^Too many failed sign-ins\. Try again in \d+ minutes?\.$")
    _try_sign_in(stranger, owner, "guess number four")
    expect(stranger.locator("#form-message")).to_have_text(locked)
    _try_sign_in(stranger, owner, PASSWORD)
    expect(stranger.locator("#form-message")).to_have_text(locked)
    shot(stranger, "signin-throttled")
    assert "/signin" in stranger.url
    assert len(_failures(app, owner)) == limit, "an attempt refused for the throttle counted as a failure"

    # The owner is told by mail ...
    alert = mailbox.wait_for(owner, subject="Failed sign-ins to your StudioOS account")
    assert f"There were {limit} failed sign-ins" in mail_text(alert)
    # ... and her own browser, which signed in before, still gets in and shows the alert.
    sign_in(own_browser, owner)
    expect(own_browser.locator("#unread-count")).to_have_text("1")
    own_browser.click("#notification-bell")
    expect(own_browser.get_by_text(f"{limit} failed sign-ins to your account")).to_be_visible()
