"""Every new tab gets a deep copy of every page state's defaults (Reflex builds the whole state
tree for a new client), so a default that is costly to copy slows every page of the app, not
just its own. A plotly Figure is the one we met: about 100 ms per copy, even empty."""

from __future__ import annotations

import plotly.graph_objects as go  # type: ignore[import-untyped]
import reflex as rx

import studioos.studioos  # noqa: F401  (registers every page and its states)


def _all_states(state: type[rx.State]) -> list[type[rx.State]]:
    found = [state]
    for sub in state.get_substates():
        found += _all_states(sub)
    return found


def test_no_state_default_is_a_plotly_figure() -> None:
    states = _all_states(rx.State)
    assert any(s.__name__ == "AnalyticsState" for s in states)
    for state in states:
        for name, value in state.get_fields().items():
            default = getattr(value, "default", None)
            assert not isinstance(default, go.Figure), f"{state.__name__}.{name}"
