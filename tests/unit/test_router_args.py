"""Pages read route args and the query through Reflex 0.10's current API, not router.page (deprecated)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from reflex.istate.data import RouterData
from reflex.state import State

import studioos


def test_no_page_reads_the_deprecated_router_page() -> None:
    root = Path(studioos.__file__).resolve().parent
    code = re.compile(r"^[^#]*\brouter\.page\b", re.MULTILINE)
    users = [str(p.relative_to(root)) for p in root.rglob("*.py") if code.search(p.read_text())]
    assert users == []


@pytest.fixture(scope="module")
def root_state() -> State:
    import studioos.studioos  # noqa: F401  (registers the pages, and so the route vars)

    return State(_reflex_internal_init=True)


def _at(root: State, pattern: str, path: str, args: dict[str, str]) -> None:
    root.router = RouterData.from_router_data(
        {"pathname": pattern, "asPath": path, "query": args, "headers": {"origin": "http://studio.test"}}
    )


def test_the_route_token_and_id_reach_the_pages(root_state: State) -> None:
    from studioos.pages.invite import InviteState
    from studioos.pages.performer_detail import PerformerDetailState
    from studioos.pages.reset import ResetState

    _at(root_state, "/invite/[token]", "/invite/abc123", {"token": "abc123"})
    invite = root_state.get_substate(InviteState.get_full_name().split(".")[1:])
    assert invite._token() == "abc123"
    _at(root_state, "/reset/[token]", "/reset/xyz", {"token": "xyz"})
    reset = root_state.get_substate(ResetState.get_full_name().split(".")[1:])
    assert reset._token() == "xyz"
    _at(
        root_state,
        "/models/[performer_id]",
        "/models/42?tab=schedule",
        {"performer_id": "42", "tab": "schedule"},
    )
    detail = root_state.get_substate(PerformerDetailState.get_full_name().split(".")[1:])
    assert getattr(detail.parent_state, "performer_id", None) == "42"
    assert dict(detail.router.url.query_parameters) == {"tab": "schedule"}
