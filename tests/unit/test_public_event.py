"""Pages seen before signing in: what each refusal becomes on the page (never a toast or a redirect)."""

from __future__ import annotations

from typing import Any

import pytest

from studioos.services import auth
from studioos.services.errors import NotFound, Throttled, ValidationFailed
from studioos.ui.service_call import public_event
from tests.factories import ran


class FakeForm:
    """Just what the decorator writes on a state: the errors, the message and the link flag."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {"email": "an old message"}
        self.message = "an old message"
        self.valid = True

    @public_event(errors="errors", link="valid")
    def submit(self, exc: Exception | None) -> Any:
        if exc is not None:
            raise exc
        return "done"

    @public_event(errors="errors", summary=True)
    def sign_up(self, exc: Exception) -> Any:
        raise exc

    @public_event
    def on_load(self, exc: Exception) -> Any:
        raise exc


def test_success_clears_the_old_errors_and_message() -> None:
    page = FakeForm()
    assert ran(page.submit(None)) == "done"
    assert (page.errors, page.message, page.valid) == ({}, "", True)


def test_field_errors_show_under_their_fields() -> None:
    page = FakeForm()
    assert ran(page.submit(ValidationFailed({"password": "At least 12 characters."}))) is None
    assert page.errors == {"password": "At least 12 characters."}
    assert page.message == ""


def test_with_summary_the_form_also_says_to_correct_the_fields() -> None:
    page = FakeForm()
    ran(page.sign_up(ValidationFailed({"email": "Enter a valid email address."})))
    assert page.errors == {"email": "Enter a valid email address."}
    assert page.message == "Please correct the marked fields."


def test_wrong_credentials_are_said_once_above_the_form() -> None:
    page = FakeForm()
    ran(page.submit(ValidationFailed({"password": auth.WRONG_CREDENTIALS}, auth.WRONG_CREDENTIALS)))
    assert page.errors == {}
    assert page.message == auth.WRONG_CREDENTIALS


def test_a_browser_without_cookies_is_told_above_the_form() -> None:
    page = FakeForm()
    ran(page.submit(auth.BrowserUnknown()))
    assert page.errors == {}
    assert "did not send StudioOS's cookie" in page.message


def test_throttling_is_a_message_and_the_link_still_works() -> None:
    page = FakeForm()
    ran(page.submit(Throttled("Too many attempts. Try again in 5 minutes.", 300)))
    assert page.message == "Too many attempts. Try again in 5 minutes."
    assert page.valid is True


def test_a_dead_link_says_so_and_hides_the_form() -> None:
    page = FakeForm()
    ran(page.submit(NotFound("This reset link is invalid, already used or expired. Ask for a new one.")))
    assert page.message.startswith("This reset link is invalid")
    assert page.valid is False


def test_without_an_errors_var_a_field_error_is_the_message() -> None:
    page = FakeForm()
    ran(page.on_load(ValidationFailed({"token": "This link is malformed."})))
    assert page.message == "This link is malformed."


def test_a_bug_is_not_swallowed() -> None:
    with pytest.raises(ZeroDivisionError):
        ran(FakeForm().on_load(ZeroDivisionError()))
