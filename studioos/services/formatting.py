"""How StudioOS writes dates, times and money: one place, the same in pages, messages and mails.

The rule (one for the whole product, so a screen and a mail never disagree):

- **Time zone**: the studio's (`Studio.timezone`). Times are stored in UTC and shown in the studio's
  zone; a studio's staff and models work on the studio's clock, wherever their browser is.
- **Locale**: the UI is written in English, so the language is English; the *conventions* (day or
  month first, 24-hour clock, digit grouping) are the studio's country's. The country comes from
  the studio's time zone (CLDR's zone -> territory table: Europe/Bucharest -> RO), and the locale
  is Babel's `en_<country>` when CLDR has one (en_RO, en_US, en_GB, en_DE, ...), else `en_001`
  ("world English": day first, like most of the world). A studio has no country field, and the
  browser's Accept-Language would make two people of one studio read different dates on the same
  schedule, so neither is used.
- **Money**: integer cents, converted through Decimal (never float), in the studio's currency.

Pure functions over values: no Reflex, no database. Services import this for their messages;
`studioos.ui.format` re-exports it for pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.core import UnknownLocaleError, get_global
from babel.dates import format_date, format_skeleton, format_time, get_date_format
from babel.numbers import format_currency

FALLBACK_LOCALE = "en_001"


@lru_cache(maxsize=256)
def locale_for_timezone(tz: str | None) -> str:
    """The studio's locale under the rule above: English with the conventions of the zone's country."""
    territory = get_global("zone_territories").get(tz or "")
    if not territory or territory in ("ZZ", "001"):
        return FALLBACK_LOCALE
    candidate = f"en_{territory}"
    try:
        Locale.parse(candidate)
    except (UnknownLocaleError, ValueError):
        return FALLBACK_LOCALE
    return candidate


@lru_cache(maxsize=256)
def _locale(tz: str | None) -> Locale:
    # Parsed once: babel would otherwise parse the identifier again for every date on a page.
    return Locale.parse(locale_for_timezone(tz))


# A page formats the same few days and times over and over (a week of shifts that start at 10:00
# and 18:00): each text is worked out by babel once per studio locale.
@lru_cache(maxsize=8192)
def _day_text(tz: str, how: str, day: date) -> str:
    """`how`: a babel date format ("medium", "EEE") or "skeleton:" and a CLDR skeleton."""
    if how.startswith("skeleton:"):
        return format_skeleton(how.removeprefix("skeleton:"), day, locale=_locale(tz))
    return format_date(day, how, locale=_locale(tz))


@lru_cache(maxsize=16384)
def _money_text(tz: str, cents: int, currency: str) -> str:
    # Pages show the same amounts to everyone looking (a period's totals, a page of records).
    return format_currency(Decimal(cents) / 100, currency, locale=_locale(tz))


@lru_cache(maxsize=4096)
def _time_text(tz: str, value: time) -> str:
    return format_time(value, "short", locale=_locale(tz))


@lru_cache(maxsize=256)
def _zone(tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class _StudioLike(Protocol):
    # Read-only members: a Studio row, a StudioInfo and the frozen Actor all qualify.
    @property
    def timezone(self) -> str: ...

    @property
    def currency(self) -> str: ...


@dataclass(frozen=True)
class Formats:
    """Formatting for one studio. Datetimes are UTC instants (aware, or naive meaning UTC); dates are
    calendar days already in the studio's zone and are written as they are."""

    timezone: str = "UTC"
    currency: str = "USD"

    @property
    def locale(self) -> Locale:
        return _locale(self.timezone)

    def local(self, value: datetime) -> datetime:
        """The studio's wall-clock time of a stored UTC instant."""
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(_zone(self.timezone))

    def _as_day(self, value: date | datetime) -> date:
        """A calendar day: an aware instant is first put on the studio's clock; a naive datetime is
        already studio wall time (a shift's starts_local)."""
        if isinstance(value, datetime):
            return self.local(value).date() if value.tzinfo is not None else value.date()
        return value

    # --- dates (calendar days) --------------------------------------------------------------------

    def day(self, value: date | None) -> str:
        """20 Dec 2026 (en_RO) / Dec 20, 2026 (en_US)."""
        return "" if value is None else _day_text(self.timezone, "medium", self._as_day(value))

    def day_month(self, value: date | None) -> str:
        """20 Dec / Dec 20."""
        return "" if value is None else _day_text(self.timezone, "skeleton:MMMd", self._as_day(value))

    def weekday_date(self, value: date | None) -> str:
        """Sun 20 Dec / Sun Dec 20: the schedule's short day, weekday first."""
        if value is None:
            return ""
        day = self._as_day(value)
        return f"{_day_text(self.timezone, 'EEE', day)} {self.day_month(day)}"

    def weekday_day(self, value: date | None) -> str:
        """Mon 1 Jun 2026 / Mon Jun 1, 2026: a day with its weekday and year."""
        if value is None:
            return ""
        day = self._as_day(value)
        return f"{_day_text(self.timezone, 'EEE', day)} {self.day(day)}"

    def month(self, value: date | None) -> str:
        """December 2026."""
        return "" if value is None else _day_text(self.timezone, "skeleton:yMMMM", self._as_day(value))

    def numeric_date(self, value: date | None) -> str:
        """20/12/2026 / 12/20/26: how a date is typed in this studio's country."""
        return "" if value is None else format_date(self._as_day(value), "short", locale=self.locale)

    def date_pattern_hint(self) -> str:
        """dd/mm/yyyy: the numeric date's shape, to tell people which way round a date goes."""
        pattern = get_date_format("short", locale=self.locale).pattern
        out, i = [], 0
        while i < len(pattern):
            ch = pattern[i]
            run = 1
            while i + run < len(pattern) and pattern[i + run] == ch:
                run += 1
            if ch == "d":
                out.append("dd")
            elif ch == "M":
                out.append("mm")
            elif ch == "y":
                out.append("yyyy")
            else:
                out.append(ch * run)
            i += run
        return "".join(out)

    def date_range(self, first: date, last: date) -> str:
        """20 Dec to 3 Jan 2027, with an en dash: the year once, at the end."""
        if first == last:
            return self.day(first)
        if first.year == last.year:
            return f"{self.day_month(first)} – {self.day(last)}"
        return f"{self.day(first)} – {self.day(last)}"

    # --- instants (stored UTC) --------------------------------------------------------------------

    def clock(self, value: datetime | None) -> str:
        """08:24 (en_RO) / 8:24 AM (en_US), on the studio's clock."""
        return "" if value is None else format_time(self.local(value), "short", locale=self.locale)

    def wall_time(self, value: datetime | None) -> str:
        """A wall-clock time that is already local (a shift's start in the studio's zone)."""
        if value is None:
            return ""
        return _time_text(self.timezone, value.time().replace(second=0, microsecond=0))

    def moment(self, value: datetime | None) -> str:
        """20 Dec 2026, 08:24 on the studio's clock."""
        if value is None:
            return ""
        local = self.local(value)
        return f"{self.day(local.date())}, {self.wall_time(local)}"

    def when(self, value: datetime | None, now: datetime | None = None) -> str:
        """A recent moment, shortest unambiguous: 08:24 today, else 20 Dec, 08:24 (year when not this one)."""
        if value is None:
            return ""
        local = self.local(value)
        today = self.local(now or datetime.now(UTC)).date()
        if local.date() == today:
            return self.wall_time(local)
        if local.year == today.year:
            return f"{self.day_month(local.date())}, {self.wall_time(local)}"
        return f"{self.day(local.date())}, {self.wall_time(local)}"

    # --- money ------------------------------------------------------------------------------------

    def money(self, cents: int | None, currency: str | None = None) -> str:
        """€1,234.50 / 1.234,50 €: integer cents through Decimal, never a float."""
        if cents is None:
            return ""
        return _money_text(self.timezone, int(cents), currency or self.currency)


def for_studio(studio: _StudioLike | None) -> Formats:
    """Formats of a Studio row or a StudioInfo; no studio (support staff) means UTC and USD."""
    if studio is None:
        return Formats()
    return Formats(timezone=studio.timezone or "UTC", currency=studio.currency or "USD")


def for_actor(actor: _StudioLike) -> Formats:
    """Formats on the acting user's studio clock and currency (the Actor carries both)."""
    return Formats(timezone=actor.timezone or "UTC", currency=actor.currency or "USD")


def for_timezone(tz: str | None) -> Formats:
    return Formats(timezone=tz or "UTC")


def day_text(value: date | None) -> str:
    """A calendar day where no studio is at hand (a field check deep in a service): 20 Dec 2026.
    Prefer the studio's Formats where the studio is known."""
    return Formats().day(value)


def room_label(name: str) -> str:
    """Room 5, for a room named "5" or "Room 5": never "Room Room 5"."""
    clean = (name or "").strip()
    return clean if clean.lower().startswith("room") else f"Room {clean}"
