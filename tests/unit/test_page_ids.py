"""Element ids must be unique on a page: a label's `for`, a test's `#id` and a screen reader all pick one."""

from __future__ import annotations

from collections import Counter
from typing import Any

from studioos.pages import account


def _ids(component: Any, out: list[str]) -> list[str]:
    value = getattr(component, "id", None)
    if value is not None:
        out.append(str(value))
    for child in getattr(component, "children", None) or []:
        _ids(child, out)
    return out


def test_my_account_has_no_duplicate_ids() -> None:
    ids = _ids(account.body(), [])
    assert "current_password" in ids  # the walk does reach the password forms
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates == []
