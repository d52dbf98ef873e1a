"""Formatting for pages: the one formatting module (studioos.services.formatting) re-exported.

Pages and services write dates, times and money through the same functions, so a table, a toast
and a mail say "20 Dec 2026, 08:24" alike: studio time zone, studio-country English conventions.
"""

from __future__ import annotations

from datetime import datetime

from studioos.services.formatting import Formats, for_studio, for_timezone, locale_for_timezone

__all__ = ["Formats", "for_studio", "for_timezone", "local_time", "locale_for_timezone"]


def local_time(value: datetime | None, tz: str = "UTC") -> str:
    """A stored UTC instant as the studio reads it: 20 Dec 2026, 08:24 (date and clock of its country)."""
    return for_timezone(tz).moment(value)
