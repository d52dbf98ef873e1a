"""Full page loads asked for by an event handler, without `eval`.

`rx.redirect` moves within the single-page app, but the routes that set or clear the session
cookie need a real page load (and sign-out a POST). Reflex's `rx.call_script` would do it, but it
runs its script through `eval`, which the Content-Security-Policy (studioos.api.security_headers)
forbids. So a handler returns `NavigatorState.go(...)`, and the one `HardNavigator` on every page
(assets/navigator.jsx) does the load when it sees a nonce it has not acted on yet.
"""

from __future__ import annotations

import secrets

import reflex as rx


class NavigatorState(rx.State):
    url: str = ""
    method: str = "get"
    fields: dict[str, str] = {}
    nonce: str = ""

    @rx.event
    def go(self, url: str, method: str = "get", fields: dict[str, str] | None = None) -> None:
        self.url, self.method, self.fields = url, method, dict(fields or {})
        self.nonce = secrets.token_hex(8)


class HardNavigator(rx.Component):
    library = "$/public/navigator.jsx"
    tag = "HardNavigator"

    url: rx.Var[str]
    method: rx.Var[str]
    fields: rx.Var[dict[str, str]]
    nonce: rx.Var[str]


def navigator() -> rx.Component:
    s = NavigatorState
    return HardNavigator.create(url=s.url, method=s.method, fields=s.fields, nonce=s.nonce)
