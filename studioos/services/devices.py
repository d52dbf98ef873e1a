"""Browser and device names from a user agent, for session lists and new-device alerts."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from user_agents import parse


@lru_cache(maxsize=1024)
def describe_user_agent(ua: str) -> str:
    """A browser's description for people ("Chrome on Android (phone)"); parsing is slow and a
    studio's people use a handful of browsers, so each description is worked out once."""
    if not ua:
        return "Unknown browser"
    parsed = parse(ua)
    browser = parsed.browser.family or "Unknown browser"
    os_name = parsed.os.family or "unknown system"
    kind = "phone" if parsed.is_mobile else "tablet" if parsed.is_tablet else "computer"
    if parsed.is_bot:
        kind = "bot"
    return f"{browser} on {os_name} ({kind})"


def device_key(ua: str) -> str:
    """Same browser family + OS + device: the same 'browser seen before' for alerts."""
    parsed = parse(ua or "")
    basis = f"{parsed.browser.family}|{parsed.os.family}|{parsed.device.family}"
    return hashlib.sha256(basis.encode()).hexdigest()[:32]
