"""Showing stored UTC times in the viewer's studio time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime


def local_time(value: datetime | None, tz: str = "UTC") -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(ZoneInfo(tz or "UTC")), "d MMM yyyy, HH:mm", locale="en")
