"""A page's Reflex websocket in the test's hands: Playwright sits between the page and the server
(route_web_socket), forwards everything both ways, records what the server says, and injects
hand-made event frames exactly as the page's Reflex client sends its own."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, WebSocketRoute


class EventChannel:
    """The page's Reflex websocket, with a way to send it hand-made events."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.server: Any = None
        self.received: list[str] = []
        page.route_web_socket(re.compile(r"/_event"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        self.server = server

        def down(message: str | bytes) -> None:
            self.received.append(message if isinstance(message, str) else message.decode())
            ws.send(message)

        server.on_message(down)  # page -> server is forwarded as is

    @staticmethod
    def toasts(frames: list[str]) -> list[tuple[str, str]]:
        """The toasts (kind, text) the server asked the page to show in these frames: each is a
        change of the toast state (studioos.ui.toast), which the page's relay shows."""
        found = []
        for frame in frames:
            if not frame.startswith("42/_event,"):
                continue
            body = json.loads(frame.removeprefix("42/_event,"))[1]
            for name, changes in (body.get("delta") or {}).items():
                if name.endswith("toast_state") and changes.get("nonce_rx_state_"):
                    found.append((changes.get("level_rx_state_", ""), changes.get("message_rx_state_", "")))
        return found

    def wait_for_frames(self, condition: Callable[[list[str]], object], timeout: float = 15) -> list[str]:
        """Frames received so far, once `condition(frames)` holds. Playwright hands the routed
        frames over only while the test is inside a Playwright call, hence the short waits."""
        deadline = time.monotonic() + timeout
        while not condition(self.received):
            if time.monotonic() > deadline:
                raise AssertionError(f"the websocket never carried what was awaited within {timeout:.0f}s")
            self.page.wait_for_timeout(50)
        return list(self.received)

    def _settle(self, quiet: float = 0.4) -> None:
        """Wait until the server has gone quiet for `quiet` seconds: only for frames that answer
        nothing the test could wait on (send() waits on the answer itself)."""
        deadline = time.monotonic() + 10
        count, since = len(self.received), time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - since < quiet:
            self.page.wait_for_timeout(50)
            if len(self.received) != count:
                count, since = len(self.received), time.monotonic()

    def send(self, handler: str, path: str, **payload: str) -> tuple[str, str]:
        """Send one event as the page would; return the toast (kind, text) it answered with.

        The caller makes sure the page's own events are answered first (it waits for what they
        show); a handler's toast is the last thing it sends, so once it arrives the event is done
        and the next send's answer cannot be mistaken for this one's."""
        assert self.server is not None, "the page has no websocket yet"
        seen = len(self.received)
        event = {"name": handler, "payload": payload, "router_data": {"pathname": path, "asPath": path}}
        self.server.send("42/_event," + json.dumps(["event", event]))
        try:
            frames = self.wait_for_frames(lambda got: self.toasts(got[seen:]))
        except AssertionError:
            raise AssertionError(f"no answer to {handler}({payload})") from None
        return self.toasts(frames[seen:])[0]
