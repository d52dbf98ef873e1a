"""The one way a page calls services: what each refusal becomes for the user."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from studioos.services.errors import NotFound, NotSignedIn, PermissionDenied, ValidationFailed
from studioos.services.reauth import ReauthRequired
from studioos.ui import reauth as _the_dialog  # noqa: F401  # its state exists before a handler runs, as in the app
from studioos.ui.service_call import service_event
from tests.factories import ran


class FakePage:
    """Just what the decorator reads and writes on a state: the router's path and the errors var."""

    def __init__(self) -> None:
        self.router = SimpleNamespace(url=SimpleNamespace(path="/rooms"))
        self.new_errors: dict[str, str] = {"name": "an old message"}
        self.ran = False
        self.reloads = 0

    def _reload(self) -> None:
        self.reloads += 1

    @service_event(errors="new_errors", prefix="edit_", fields={"ends": "end_time"})
    def save(self, exc: Exception | None) -> Any:
        self.ran = True
        if exc is not None:
            raise exc
        return "saved"

    @service_event
    def toggle(self, exc: Exception) -> Any:
        raise exc

    @service_event(errors="new_errors")
    async def upload(self, exc: Exception) -> Any:
        raise exc

    @service_event(refresh=True)
    def approve(self, exc: Exception) -> Any:
        raise exc


def _js(answer: Any) -> str:
    """An EventSpec as the browser receives it (its handler name and arguments)."""
    return str(answer)


def test_success_clears_the_forms_old_errors_and_returns_the_handlers_answer() -> None:
    page = FakePage()
    assert ran(page.save(None)) == "saved"
    assert page.new_errors == {}


def test_a_refused_form_shows_each_message_under_its_field() -> None:
    page = FakePage()
    answer = ran(page.save(ValidationFailed({"name": "Enter a name.", "ends": "End after the start."})))
    assert answer is None
    assert page.new_errors == {"edit_name": "Enter a name.", "edit_end_time": "End after the start."}


def test_without_a_form_a_refusal_is_a_toast_with_the_first_message() -> None:
    answer = ran(FakePage().toggle(ValidationFailed({"active": "A room with shifts ahead cannot close."})))
    assert "A room with shifts ahead cannot close." in _js(answer)
    assert "ToastState.show" in _js(answer)


def test_signed_out_meanwhile_goes_to_sign_in_and_back_to_this_page() -> None:
    answer = ran(FakePage().toggle(NotSignedIn()))
    assert "/signin?next=/rooms" in _js(answer)


def test_not_allowed_is_the_standard_toast() -> None:
    answer = ran(FakePage().toggle(PermissionDenied("internal detail")))
    assert "You are not allowed to do that." in _js(answer)
    assert "internal detail" not in _js(answer)


def test_any_other_refusal_is_a_toast_with_its_message() -> None:
    assert "Not found." in _js(ran(FakePage().toggle(NotFound())))


def test_a_bug_is_not_swallowed() -> None:
    with pytest.raises(ZeroDivisionError):
        ran(FakePage().toggle(ZeroDivisionError()))


def test_a_refused_action_on_a_row_changed_meanwhile_refreshes_the_page() -> None:
    page = FakePage()
    answer = ran(page.approve(ValidationFailed({"request": "This request was already decided."})))
    assert "This request was already decided." in _js(answer)
    assert page.reloads == 1


def test_a_plain_refusal_leaves_the_page_as_it_is_and_signed_out_does_not_reload() -> None:
    page = FakePage()
    ran(page.toggle(NotFound()))
    ran(page.approve(NotSignedIn()))
    assert page.reloads == 0


def test_an_async_handler_is_guarded_the_same_way() -> None:
    page = FakePage()
    assert ran(page.upload(ValidationFailed({"photo": "Not an image."}))) is None
    assert page.new_errors == {"photo": "Not an image."}


def test_a_handler_runs_off_the_event_loop_so_other_tabs_are_answered_meanwhile() -> None:
    """While one tab's handler waits (a slow report), the loop answers another tab's event."""
    import asyncio
    import threading

    release = threading.Event()
    seen: dict[str, str] = {}

    class SlowPage(FakePage):
        @service_event
        def report(self) -> str:
            seen["thread"] = threading.current_thread().name
            release.wait(10)
            return "report"

    async def both() -> tuple[Any, str]:
        slow = asyncio.ensure_future(SlowPage().report())
        await asyncio.sleep(0)
        # The loop is free: another event is handled while the report still runs.
        other = await FakePage().save(None)
        release.set()
        return await slow, other

    assert ran(both()) == ("report", "saved")
    assert seen["thread"].startswith("studioos-db")


def test_a_refusal_that_wants_the_password_again_opens_the_confirm_dialog() -> None:
    answer = ran(FakePage().toggle(ReauthRequired()))
    assert "ReauthState.ask" in _js(answer)
