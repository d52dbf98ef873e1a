"""Formatting for pages: the one formatting module (studioos.services.formatting) re-exported.

Pages and services write dates, times and money through the same functions, so a table, a toast
and a mail say "20 Dec 2026, 08:24" alike: studio time zone, studio-country English conventions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import reflex as rx
from reflex.event import EventSpec
from reflex.vars import Var

from studioos.services.formatting import Formats, for_actor, for_studio, for_timezone, locale_for_timezone
from studioos.ui.service_call import ServicePage, service_event

__all__ = [
    "DateEchoState",
    "Formats",
    "date_echo",
    "date_echo_handler",
    "for_actor",
    "for_studio",
    "for_timezone",
    "local_time",
    "locale_for_timezone",
]


def local_time(value: datetime | None, tz: str = "UTC") -> str:
    """A stored UTC instant as the studio reads it: 20 Dec 2026, 08:24 (date and clock of its country)."""
    return for_timezone(tz).moment(value)


# --- the date pickers ---------------------------------------------------------------------------
#
# A native <input type=date> is drawn by the browser in the browser's own UI language: Chromium
# ignores the element's and the page's `lang` and the Accept-Language setting (checked with
# Debian's Chromium: lang="en-GB" and a en-GB context still show 12/20/2026). So the picker cannot
# be made to follow the studio; instead the chosen day is written under it the studio's way
# ("20 Dec 2026" in Bucharest, "Dec 20, 2026" in New York), so nobody has to guess which number
# is the month.

ECHO_MAX_FIELDS = 16  # a browser can call the handler with any ids: keep what it stores small


class DateEchoState(ServicePage, rx.State):
    """The studio-formatted text of the day chosen in each date picker of the page, by input id."""

    echoes: dict[str, str] = {}

    @rx.event
    def clear(self) -> None:
        """On every page load: a day picked on another page must not sit under this page's picker."""
        if self.echoes:
            self.echoes = {}

    @service_event
    def show(self, field_id: str, value: str) -> None:
        key = str(field_id)[:64]
        try:
            day = date.fromisoformat(str(value or "").strip()[:10])
        except ValueError:
            self.echoes = {k: v for k, v in self.echoes.items() if k != key}
            return
        with self._acting() as (_db, actor):
            text = for_actor(actor).day(day)
        kept = {k: v for k, v in self.echoes.items() if k != key}
        if len(kept) >= ECHO_MAX_FIELDS:
            kept = {}
        self.echoes = {**kept, key: text}


def date_echo_handler(field_id: str) -> Callable[[Var], EventSpec]:
    """on_change for a date input: writes the chosen day under it (see date_echo)."""
    return lambda value: DateEchoState.show(field_id, value)


def date_echo(field_id: str) -> rx.Component:
    """The picked day, the studio's way, under a date input whose on_change is date_echo_handler."""
    return rx.text(
        rx.cond(DateEchoState.echoes.contains(field_id), DateEchoState.echoes[field_id], ""),
        size="1",
        color_scheme="gray",
        id=f"{field_id}-echo",
        aria_live="polite",
    )
