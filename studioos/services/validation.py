"""Input rules shared by every form: emails, names, free text, ids, dates, time zones, currencies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.numbers import list_currencies
from email_validator import EmailNotValidError, validate_email

from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.passwords import password_problem

EMAIL_MAX = 254
NAME_MAX = 120

_P = ParamSpec("_P")
_T = TypeVar("_T")


def normalize_email(raw: str) -> str:
    """Lower-cased, validated address; raises ValueError with a user-facing message."""
    value = (raw or "").strip()
    if not value:
        raise ValueError("Enter an email address.")
    if len(value) > EMAIL_MAX:
        raise ValueError(f"An email address has at most {EMAIL_MAX} characters.")
    try:
        info = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError("Enter a valid email address, like name@example.com.") from exc
    return info.normalized.lower()


def clean_name(raw: str, label: str = "Name", max_len: int = NAME_MAX) -> str:
    value = " ".join((raw or "").split())
    if not value:
        # "Enter your name.", not "Enter a your name."
        article = "" if label.lower().startswith("your ") else "a "
        raise ValueError(f"Enter {article}{label.lower()}.")
    if len(value) > max_len:
        raise ValueError(f"{label} can be at most {max_len:,} characters (you typed {len(value):,}).")
    return value


def clean_timezone(raw: str) -> str:
    value = (raw or "").strip()
    if not value or value not in available_timezones():
        raise ValueError("Choose a time zone from the list.")
    try:
        ZoneInfo(value)
    except ZoneInfoNotFoundError as exc:
        raise ValueError("Choose a time zone from the list.") from exc
    return value


def clean_currency(raw: str) -> str:
    value = (raw or "").strip().upper()
    if value not in list_currencies():
        raise ValueError("Choose a currency from the list.")
    return value


def timezone_choices() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


COMMON_CURRENCIES = ["USD", "EUR", "GBP", "RON", "COP", "RUB", "UAH", "HUF", "CZK", "PLN", "BRL", "MXN"]


class FormErrors:
    """Collects field messages, then raises them together so the user sees every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, field: str, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T | None:
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            self.errors[field] = str(exc)
            return None

    def add(self, field: str, message: str | None) -> None:
        if message and field not in self.errors:
            self.errors[field] = message

    def password_pair(
        self, password: str, confirm: str, field: str = "password", *, about: Sequence[str] = ()
    ) -> None:
        """`about`: the person's own details (email, name, studio), which make a weak password."""
        self.add(field, password_problem(password, user_inputs=about))
        if field not in self.errors and password != confirm:
            self.errors[f"{field}_confirm"] = "The two passwords do not match."

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(dict(self.errors))


# ---------------------------------------------------------------- ids, numbers, text and dates

# PostgreSQL INTEGER, the type of every id column: a larger number is no id we could have issued,
# and sending it to the database fails (SQLite cannot even bind a number past 64 bits).
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
# The earliest date any form accepts: older dates are typing mistakes (0001-01-01 is a date picker's
# floor), and Python's date arithmetic overflows at year 1 and 9999.
EARLIEST_DAY = date(1900, 1, 1)


def parse_int(raw: object, lo: int = DB_INT_MIN, hi: int = DB_INT_MAX) -> int | None:
    """A whole number from the browser within lo..hi, or None for anything else (text, floats, huge)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        # A length cap first: int() of a very long digit string is slow (or refused) before any check.
        if not text or len(text) > 20:
            return None
        try:
            value = int(text)
        except ValueError:
            return None
    return value if lo <= value <= hi else None


def parse_id(raw: object) -> int | None:
    """A row id (1..2**31-1) from the browser or a caller; anything else is None."""
    return parse_int(raw, 1, DB_INT_MAX)


def require_id(raw: object) -> int:
    """The id, or NotFound: an id out of range names nothing, like an id of another studio."""
    value = parse_id(raw)
    if value is None:
        raise NotFound()
    return value


def clean_text(raw: str | None, label: str, max_len: int) -> str:
    """Free text (notes, reasons): trimmed and refused when too long, never cut short silently."""
    value = (raw or "").strip()
    if len(value) > max_len:
        raise ValueError(f"{label} can be at most {max_len:,} characters (you typed {len(value):,}).")
    return value


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 Feb becomes 28 Feb), clamped to what a date can hold."""
    year = min(max(day.year + years, date.min.year), date.max.year)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def check_day(day: date, earliest: date, latest: date, what: str) -> None:
    """Raise ValueError naming the allowed span when `day` is outside earliest..latest."""
    if day < earliest:
        raise ValueError(f"{what} cannot be before {day_text(earliest)}.")
    if day > latest:
        raise ValueError(f"{what} cannot be after {day_text(latest)}.")
