"""Reading one cell: whole numbers, money in cents, dates and times, minutes online.

Each reader raises `BadValue` with a reason an owner understands, naming the column and the value
("Token change 'abc' is not a whole number"). The common shapes take a fast path (int(),
datetime.fromisoformat, one compiled regex); dateutil is the last resort for a rare shape, so a
100,000-row file never goes through it row by row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

# No earnings file is about a time before the web cam business or far in the future; a limit also
# keeps a typo's year 20266 from overflowing a conversion.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Beyond what any account earns in a row; keeps a pasted serial number out of the database.
MAX_TOKENS = 1_000_000_000
MAX_CENTS = 100_000_000_000  # a billion dollars
MAX_SHOWN = 40  # a value quoted in a reason is cut to this many characters

_INT = re.compile(r"[+-]?\d{1,18}", re.ASCII)
_NUMBER = re.compile(r"([+-]?)(\d[\d.,]*)", re.ASCII)
# "1.000" in a decimal-point file reads as one, but a count written so almost surely means a
# thousand (and "1,000" in a decimal-comma file): refused rather than landed a thousand times small.
_THOUSAND_OR_ONE = {
    False: re.compile(r"[+-]?[1-9]\d{0,2}\.0{3}", re.ASCII),
    True: re.compile(r"[+-]?[1-9]\d{0,2},0{3}", re.ASCII),
}
# Spaces (also no-break and thin ones) and the Swiss apostrophe group thousands.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'")
_CURRENCY_FIRST = re.compile(r"^([+-]?)\s*(?:US\$|USD|\$)\s*", re.IGNORECASE)
_CURRENCY_LAST = re.compile(r"\s*(?:US\$|USD|\$)$", re.IGNORECASE)

_TIME = (
    r"(?:[\sT,]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
    r"(?:[:.](?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6})\d*)?)?"
    r"\s*(?:(?P<ampm>[AaPp])\.?[Mm]\.?)?)?"
)
# 03.11.2026, 11/03/2026 9:14 PM, 03-11-26 21:14:07: which of the first two is the day is decided
# per file (see day_first_hint).
_DAY_MONTH_YEAR = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})\.?" + _TIME, re.ASCII
)
_YEAR_MONTH_DAY = re.compile(
    r"(?P<year>\d{4})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<a>\d{1,2})" + _TIME, re.ASCII
)
_FIRST_TWO = re.compile(r"(?<!\d)(\d{1,2})([/.\-])(\d{1,2})\2(?:\d{4}|\d{2})(?!\d)", re.ASCII)
_ZONE_NAME = re.compile(r"(.+?)\s*(?:UTC|GMT|Z)", re.IGNORECASE)
_ZONE_OFFSET = re.compile(
    r"(.*\d:\d{2}(?:[:.]\d+)?(?:\s*[AaPp]\.?[Mm]\.?)?)\s*(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?",
    re.IGNORECASE,
)
_PERIOD_SEPARATOR = re.compile(
    r"\s+(?:-|to|till|until)\s+|\s*[\u2013\u2014]\s*|(?<=\d)\s*-\s*(?=\d)", re.IGNORECASE
)
_MONTH_WORD = re.compile(r"[^\W\d_]{3}")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_CLOCK = re.compile(r"(\d{1,5}):(\d{2})(?::(\d{2}))?", re.ASCII)
_HOURS_MINUTES = re.compile(
    r"(?:(\d{1,5})\s*h(?:ours?|rs?)?)?\s*(?:(\d{1,6})\s*m(?:in(?:ute)?s?)?)?\s*(?:(\d{1,2})\s*s(?:ec)?s?)?",
    re.IGNORECASE | re.ASCII,
)


class BadValue(ValueError):
    """One cell cannot be read; the message is the reason shown for its row."""


def shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


# Numbers -------------------------------------------------------------------------------------------


def parse_whole(text: str, label: str, *, decimal_comma: bool = False) -> int:
    """A whole number: "1,234", "1 234", "+15", "-20", "15.0" (and "1.234" in a decimal-comma file)."""
    value = text.strip()
    if _INT.fullmatch(value):
        number = int(value)
    elif _THOUSAND_OR_ONE[decimal_comma].fullmatch(value):
        raise BadValue(f"{label} '{shown(text)}' is unclear: write it without a separator")
    else:
        amount = _decimal(value, decimal_comma=decimal_comma, money=False)
        if amount is None or amount != amount.to_integral_value():
            raise BadValue(f"{label} '{shown(text)}' is not a whole number")
        number = int(amount)
    if abs(number) > MAX_TOKENS:
        raise BadValue(f"{label} '{shown(text)}' is too large")
    return number


def parse_cents(text: str, label: str, *, decimal_comma: bool = False) -> int:
    """US dollars as whole cents, exactly: "$1,234.56", "USD 12.30", "1234,56" (a `;` file).

    A sub-cent amount (some reports give three decimals) rounds half up to the cent.
    """
    amount = _decimal(text, decimal_comma=decimal_comma, money=True)
    if amount is None:
        raise BadValue(f"{label} '{shown(text)}' is not an amount of money")
    cents = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if abs(cents) > MAX_CENTS:
        raise BadValue(f"{label} '{shown(text)}' is too large")
    return cents


def _decimal(text: str, *, decimal_comma: bool, money: bool) -> Decimal | None:
    value = text.strip().replace("\u2212", "-")
    if not value or len(value) > MAX_SHOWN:
        return None
    bracketed = value.startswith("(") and value.endswith(")")  # accounting style negative
    if bracketed:
        value = value[1:-1].strip()
    if money:
        value = _CURRENCY_LAST.sub("", _CURRENCY_FIRST.sub(r"\1", value))
    match = _NUMBER.fullmatch(value.translate(_GROUPING))
    if match is None:
        return None
    sign, body = match.groups()
    if bracketed and sign:
        return None
    whole, fraction = _split_number(body, decimal_comma=decimal_comma)
    if whole is None:
        return None
    number = Decimal(f"{whole}.{fraction or '0'}")
    return -number if bracketed or sign == "-" else number


def _split_number(body: str, *, decimal_comma: bool) -> tuple[str | None, str]:
    """The digits before and after the decimal separator, thousands separators dropped.

    With both "." and "," the later one is the decimal separator. A single separator followed by
    exactly three digits ("1,234", "1.234") is read by the file's convention: thousands in a
    decimal-point file, decimals in a decimal-comma one. Otherwise one separator is the decimal one
    and a repeated one groups thousands.
    """
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_sep = "." if body.rfind(".") > body.rfind(",") else ","
        if body.count(decimal_sep) > 1:
            return None, ""
        whole, fraction = body.split(decimal_sep)
        return _ungrouped(whole, "," if decimal_sep == "." else "."), fraction
    if not dots and not commas:
        return body, ""
    sep = "." if dots else ","
    if dots + commas > 1:
        return _ungrouped(body, sep), ""
    whole, fraction = body.split(sep)
    if not fraction:
        return None, ""
    could_group = len(fraction) == 3 and len(whole) <= 3 and not whole.startswith("0")
    if could_group and (sep == ",") != decimal_comma:
        return whole + fraction, ""
    return whole, fraction


def _ungrouped(digits: str, sep: str) -> str | None:
    groups = digits.split(sep)
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        return None
    return "".join(groups)


def parse_minutes(text: str, label: str, *, decimal_comma: bool = False) -> int:
    """Minutes online: "135", "2:15" (h:mm, seconds dropped) or "2h 15m"."""
    value = text.strip()
    if len(value) > MAX_SHOWN:
        raise BadValue(f"{label} '{shown(text)}' is not a duration")
    clock = _CLOCK.fullmatch(value)
    if clock:
        hours, minutes = int(clock[1]), int(clock[2])
        if minutes > 59 or (clock[3] and int(clock[3]) > 59):
            raise BadValue(f"{label} '{shown(text)}' is not a duration")
        return hours * 60 + minutes
    if value and not value[-1].isdigit():
        words = _HOURS_MINUTES.fullmatch(value)
        if words and (words[1] or words[2]):
            return int(words[1] or 0) * 60 + int(words[2] or 0)
        raise BadValue(f"{label} '{shown(text)}' is not a duration")
    try:
        minutes = parse_whole(value, label, decimal_comma=decimal_comma)
    except BadValue:
        raise BadValue(f"{label} '{shown(text)}' is not a number of minutes") from None
    if minutes < 0:
        raise BadValue(f"{label} '{shown(text)}' is negative")
    return minutes


# Dates and times -----------------------------------------------------------------------------------


def day_first_hint(values: Iterable[str]) -> bool | None:
    """Whether the file writes the day first in dates like 03/11/2026, decided from its values.

    Any first field above 12 means day first; any second field above 12 means month first. None:
    the values do not tell, and each date goes by its separator (`parse_datetime`).
    """
    month_first = False
    for value in values:
        if value[:4].isdigit():  # year first: nothing to decide (and the common case, kept cheap)
            continue
        for match in _FIRST_TWO.finditer(value):
            if int(match[1]) > 12:
                return True
            if int(match[3]) > 12:
                month_first = True
    return False if month_first else None


def parse_datetime(text: str, label: str, zone: ZoneInfo, *, day_first: bool | None = None) -> datetime:
    """An aware UTC instant; a time without a zone is the studio's local time (`zone`).

    A local time that a DST change makes ambiguous or skips resolves as fold=0 (the offset in
    force before the change), so it lands on a real instant rather than failing.
    `day_first`: from `day_first_hint`; None means "/" dates are month first (as US sites write
    them) and "." or "-" dates day first (as Europe writes them).
    """
    moment = _moment(text.strip(), day_first)
    if moment is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise BadValue(f"{label} '{shown(text)}' is not a date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_day(text: str, label: str, *, day_first: bool | None = None) -> date:
    """A calendar day as written (a time of day, if any, is ignored and never shifts the day)."""
    value = text.strip()
    day: date | None = None
    if len(value) == 10 and value[4] == "-":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        moment = _moment(value, day_first)
        day = moment.date() if moment is not None else None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadValue(f"{label} '{shown(text)}' is not a date")
    return day


def parse_period(text: str, label: str, *, day_first: bool | None = None) -> tuple[date | None, date]:
    """(first day, last day) of "2026-11-01 - 2026-11-15" or "01.11.2026-15.11.2026"; a single
    day gives (None, day), and so does a period of one day."""
    try:
        return None, parse_day(text, label, day_first=day_first)
    except BadValue:
        pass
    value = text.strip()
    if len(value) > 2 * MAX_SHOWN:  # two dates and a separator; longer text is no period
        raise BadValue(f"{label} '{shown(text)}' is not a date or a period")
    for separator in _PERIOD_SEPARATOR.finditer(value):
        try:
            start = parse_day(value[: separator.start()], label, day_first=day_first)
            end = parse_day(value[separator.end() :], label, day_first=day_first)
        except BadValue:
            continue
        if end < start:
            raise BadValue(f"{label} '{shown(text)}' ends before it starts")
        return (start if start != end else None), end
    raise BadValue(f"{label} '{shown(text)}' is not a date or a period")


def _moment(value: str, day_first: bool | None) -> datetime | None:
    """A naive or aware datetime, or None when the text is no date."""
    if not value or len(value) > 64:
        return None
    found = _plain_moment(value, day_first)
    if found is not None:
        return found
    named = _ZONE_NAME.fullmatch(value)
    if named:
        local = _plain_moment(named[1], day_first)
        if local is not None:
            return local.replace(tzinfo=UTC) if local.tzinfo is None else None
    offset = _ZONE_OFFSET.fullmatch(value)
    if offset:
        local = _plain_moment(offset[1], day_first)
        hours, minutes = int(offset[3]), int(offset[4] or 0)
        if local is not None:
            if local.tzinfo is not None or hours > 14 or minutes > 59:
                return None
            delta = timedelta(hours=hours, minutes=minutes)
            return local.replace(tzinfo=timezone(delta if offset[2] == "+" else -delta))
    return _dateutil_moment(value, day_first)


def _plain_moment(value: str, day_first: bool | None) -> datetime | None:
    if value[:4].isdigit():
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    match = _DAY_MONTH_YEAR.fullmatch(value)
    if match:
        first_is_day = day_first if day_first is not None else match["sep"] != "/"
        day, month = (match["a"], match["b"]) if first_is_day else (match["b"], match["a"])
        return _built(match, int(day), int(month))
    match = _YEAR_MONTH_DAY.fullmatch(value)
    if match:
        return _built(match, int(match["a"]), int(match["b"]))
    return None


def _built(match: re.Match[str], day: int, month: int) -> datetime | None:
    year = int(match["year"])
    if year < 100:
        year += 2000
    hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
    second = int(match["second"] or 0)
    micro = int((match["fraction"] or "0").ljust(6, "0"))
    ampm = match["ampm"]
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm in "Pp" else 0)
    try:
        return datetime(year, month, day, hour, minute, second, micro)  # noqa: DTZ001 - zone added by the caller
    except ValueError:
        return None


def _dateutil_moment(value: str, day_first: bool | None) -> datetime | None:
    """The last resort, for shapes like "Nov 3, 2026 9:14 PM"; None when a part is missing."""
    # Only for dates with a month name: dateutil reads all-digit text too freely (it swaps a day
    # and month that do not fit, or takes "2026-11-15 - 2026-11-01" as one date).
    if not _MONTH_WORD.search(value) or len(_YEAR.findall(value)) > 1:
        return None
    from dateutil import parser  # type: ignore[import-untyped]

    results: list[datetime] = []
    # Parsed against two different defaults: a part the text does not give (a year, a day)
    # comes out different, and such a text is not a date.
    for default in (datetime(2001, 1, 1), datetime(2002, 2, 2)):  # noqa: DTZ001 - naive on purpose
        try:
            result = parser.parse(value, default=default, dayfirst=bool(day_first), tzinfos=_zone_for_name)
        except Exception:  # dateutil raises several kinds on odd text; all mean "not a date" here
            return None
        if not isinstance(result, datetime):
            return None
        results.append(result)
    first, second = results
    if first.date() != second.date():
        return None
    return first


def _zone_for_name(name: str | None, offset: int | None) -> tzinfo | None:
    if name is None and offset is None:
        return None
    if name is not None and name.upper() in ("UTC", "GMT", "Z") and not offset:
        return UTC
    if offset is not None and abs(offset) <= 14 * 3600:
        return timezone(timedelta(seconds=offset))
    # A zone abbreviation like "EST" is ambiguous around the world: refuse rather than guess.
    raise ValueError(f"unknown time zone {name!r}")
