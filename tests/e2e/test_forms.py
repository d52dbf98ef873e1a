"""Bad input in the sign-up form: inline messages, and no studio is created."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from studioos.models.accounts import User
from studioos.models.studio import Studio
from studioos.services.passwords import MIN_LENGTH
from tests.e2e.conftest import PASSWORD, shot, unique_email, wait_hydrated

pytestmark = pytest.mark.e2e


def _counts(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with Session(app.engine) as db:
        return db.exec(select(func.count()).select_from(Studio)).one(), db.exec(
            select(func.count()).select_from(User)
        ).one()


def _fill(page, **fields: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in fields.items():
        page.fill(f"#{name}", value)


def _submit_and_expect(page, *fields: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Submit, wait until exactly `fields` carry an inline message, and return the messages."""
    page.click("#signup-submit")
    expected = sorted(f"error-{name}" for name in fields)
    page.wait_for_function(
        """(expected) => {
            const ids = [...document.querySelectorAll('[id^="error-"]')].map((e) => e.id).sort();
            return JSON.stringify(ids) === JSON.stringify(expected);
        }""",
        arg=expected,
    )
    messages = {name: page.locator(f"#error-{name}").inner_text().strip() for name in fields}
    for name, text in messages.items():
        assert text, f"empty message for {name}"
    assert "/signup" in page.url
    return messages


def test_sign_up_rejects_bad_input_inline(page, app) -> None:  # type: ignore[no-untyped-def]
    studios_before, users_before = _counts(app)
    page.goto("/signup")
    wait_hydrated(page)

    # Everything empty: every required field says so at once.
    messages = _submit_and_expect(page, "studio_name", "name", "email", "password")
    assert messages == {
        "studio_name": "Enter a studio name.",
        "name": "Enter your name.",
        "email": "Enter an email address.",
        "password": "Enter a password.",
    }
    # The form says so above the fields too.
    assert page.locator("#form-message").inner_text().strip() == "Please correct the marked fields."
    shot(page, "signup-errors")

    # A malformed address (the browser's own type=email check lets it through).
    email_addr = unique_email("bad")
    _fill(
        page,
        studio_name="Vega Studio",
        name="Vera Owner",
        email="vera@example",
        password=PASSWORD,
        password_confirm=PASSWORD,
    )
    messages = _submit_and_expect(page, "email")
    assert messages == {"email": "Enter a valid email address, like name@example.com."}

    # Mismatched passwords.
    _fill(page, email=email_addr, password=PASSWORD, password_confirm=PASSWORD + "!")
    messages = _submit_and_expect(page, "password_confirm")
    assert messages == {"password_confirm": "The two passwords do not match."}

    # A short password.
    _fill(page, password="short", password_confirm="short")
    messages = _submit_and_expect(page, "password")
    assert messages == {"password": f"Use at least {MIN_LENGTH} characters."}

    # Nothing was created, and the address cannot sign in.
    assert _counts(app) == (studios_before, users_before)
    with Session(app.engine) as db:
        assert db.exec(select(User).where(User.email == email_addr)).first() is None
    page.goto("/signin")
    wait_hydrated(page)
    page.fill("#email", email_addr)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.locator("#form-message").get_by_text("Wrong email or password.").wait_for()
