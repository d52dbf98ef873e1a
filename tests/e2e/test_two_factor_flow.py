"""Two-factor sign-in in a browser: an owner sets it up from My account (a QR image, a code from the
app, the recovery codes file), signs in again with a code and then with a recovery code, requires it
for her studio, and a manager without it is taken to set it up. After ten minutes a sensitive change
asks her to confirm it's her.

The authenticator app is pyotp with the secret read from the app's database (encrypted there with
the app's keys)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from tests.e2e.conftest import (
    PASSWORD,
    App,
    NewContext,
    add_member,
    make_owner,
    shot,
    sign_in,
    sign_out,
    wait_hydrated,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_keys(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    from studioos.settings import reset_settings_cache

    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", app.env["STUDIOOS_ENCRYPTION_KEYS"])
    reset_settings_cache()


def _secret(app: App, email: str) -> str:
    from studioos.models import User

    with Session(app.engine) as db:
        secret = db.exec(select(User.totp_secret).where(User.email == email)).one()
    assert secret
    return secret


def _code_after(app: App, email: str) -> str:
    """The app's code for a time step the account has not used yet (a code is good once)."""
    from studioos.models import User

    with Session(app.engine) as db:
        last = db.exec(select(User.totp_last_step).where(User.email == email)).one()
    totp = pyotp.TOTP(_secret(app, email))
    now = datetime.now(UTC)
    step = int(now.timestamp()) // 30
    # The service accepts the previous, current and next step: take the first one not used yet.
    for offset in (0, 1):
        if last is None or step + offset > last:
            return totp.at(now + timedelta(seconds=30 * offset))
    raise AssertionError("no unused time step in the window")


def _password_then_code(page: Page, email: str) -> None:
    page.goto("/signin")
    wait_hydrated(page)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.locator("#signin-code-submit").wait_for()


def _age_reauthentication(app: App, email: str) -> None:
    from studioos.models import AuthSession, User

    with Session(app.engine) as db:
        user_id = db.exec(select(User.id).where(User.email == email)).one()
        for row in db.exec(select(AuthSession).where(col(AuthSession.user_id) == user_id)).all():
            row.reauthenticated_at = datetime.now(UTC) - timedelta(minutes=20)
            db.add(row)
        db.commit()


def test_set_up_sign_in_with_codes_and_require_it_for_the_studio(
    new_context: NewContext, app: App, app_keys: None
) -> None:
    owner = make_owner(app, "Two Factor Studio")
    page = new_context().new_page()
    sign_in(page, owner)
    page.goto("/account")
    page.click("#two-factor-start")
    qr = page.locator("#two-factor-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.getElementById('two-factor-qr').naturalWidth > 0")
    shot(page, "two-factor-setup")

    page.fill("#two-factor-code", "000000" if pyotp.TOTP(_secret(app, owner)).now() != "000000" else "111111")
    page.click("#two-factor-confirm")
    expect(page.get_by_text("That code is not right")).to_be_visible()
    with page.expect_download() as caught:
        page.fill("#two-factor-code", pyotp.TOTP(_secret(app, owner)).now())
        page.click("#two-factor-confirm")
    assert caught.value.suggested_filename == "studioos-recovery-codes.txt"
    text = caught.value.path().read_text()
    codes = [line for line in text.splitlines() if line.count("-") == 2 and len(line) == 14]
    assert len(codes) == 10
    expect(page.locator("#two-factor-status")).to_contain_text("On")
    expect(page.locator("#two-factor-codes-left")).to_contain_text("10 of 10")

    # Signing in again: the password, then the code.
    sign_out(page)
    _password_then_code(page, owner)
    page.fill("#code", "123 456" if _code_after(app, owner) != "123456" else "654321")
    page.click("#signin-code-submit")
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.fill("#code", _code_after(app, owner))
    page.click("#signin-code-submit")
    page.wait_for_url("**/dashboard**")

    # A recovery code stands in for the phone, once.
    sign_out(page)
    _password_then_code(page, owner)
    page.fill("#code", codes[0].upper())
    page.click("#signin-code-submit")
    page.wait_for_url("**/dashboard**")
    page.goto("/account")
    expect(page.locator("#two-factor-codes-left")).to_contain_text("9 of 10")

    # Twenty minutes later, new recovery codes need her password first.
    _age_reauthentication(app, owner)
    page.click("#two-factor-new-codes")
    page.locator("#reauth-dialog").wait_for()
    page.fill("#reauth-password", "not the password")
    page.click("#reauth-submit")
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    page.fill("#reauth-password", PASSWORD)
    page.click("#reauth-submit")
    expect(page.locator("#reauth-dialog")).to_be_hidden()
    with page.expect_download() as again:
        page.click("#two-factor-new-codes")
    assert codes[1] not in again.value.path().read_text()
    expect(page.locator("#two-factor-codes-left")).to_contain_text("10 of 10")

    # She requires it for the studio; a manager without it is taken to set it up.
    manager = add_member(app, owner, "manager")
    page.goto("/studio")
    page.click("#require-two-factor")
    expect(page.get_by_text("Two-factor sign-in is required")).to_be_visible()
    other = new_context().new_page()
    other.goto("/signin")
    wait_hydrated(other)
    other.fill("#email", manager)
    other.fill("#password", PASSWORD)
    other.click("#signin-submit")
    other.wait_for_url(re.compile(r"/account/?\?two_factor=required$"))
    expect(other.locator("#two-factor-required")).to_be_visible()
    other.goto("/models")
    other.wait_for_url(re.compile(r"/account/?\?two_factor=required$"))
    shot(other, "two-factor-required")
