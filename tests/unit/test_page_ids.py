"""Element ids must be unique on a page: a label's `for`, a test's `#id` and a screen reader all pick one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import reflex as rx

from studioos.pages import account, audit, forgot, invite, reset, signin, signup, team
from studioos.ui import layout


def _ids(component: Any) -> Counter[str]:
    """How often each id can be on the page at once: of a condition's two branches only one shows."""
    found: Counter[str] = Counter()
    value = getattr(component, "id", None)
    if value is not None:
        found[str(value)] += 1
    children = getattr(component, "children", None) or []
    if getattr(component, "cond", None) is not None:
        for branch in children:
            found |= _ids(branch)  # the larger count of either branch
        return found
    for child in children:
        found += _ids(child)
    return found


def _duplicates(ids: Counter[str]) -> list[str]:
    return [i for i, n in ids.items() if n > 1]


def test_my_account_has_no_duplicate_ids() -> None:
    ids = _ids(account.body())
    assert "current_password" in ids  # the walk does reach the password forms
    assert "email_current_password" in ids  # the email form's password field has its own id
    assert _duplicates(ids) == []


@pytest.mark.parametrize(
    ("build", "known"),
    [
        (team.body, "invite-email"),
        (audit.body, "audit-first_day"),
        (signin.page, "signin-submit"),
        (signup.page, "signup-submit"),
        (forgot.page, "forgot-submit"),
        (reset.page, "password_confirm"),
        (invite.page, "accept-invite"),
    ],
)
def test_page_has_no_duplicate_ids(build: Callable[[], rx.Component], known: str) -> None:
    ids = _ids(build())
    assert known in ids
    assert _duplicates(ids) == []


def test_the_shell_around_a_page_adds_no_duplicate_ids() -> None:
    ids = _ids(layout.shell(team.body()))
    assert {"sidebar-nav", "nav-drawer", "notification-bell", "invite-email"} <= set(ids)
    assert _duplicates(ids) == []
