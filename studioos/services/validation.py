"""Input rules shared by every form: emails, names, time zones, currencies."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.numbers import list_currencies
from email_validator import EmailNotValidError, validate_email

from studioos.services.errors import ValidationFailed
from studioos.services.passwords import password_problem

EMAIL_MAX = 254
NAME_MAX = 120


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
        raise ValueError(f"{label} has at most {max_len} characters.")
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

    def check(self, field: str, fn, *args):  # type: ignore[no-untyped-def]
        try:
            return fn(*args)
        except ValueError as exc:
            self.errors[field] = str(exc)
            return None

    def add(self, field: str, message: str | None) -> None:
        if message and field not in self.errors:
            self.errors[field] = message

    def password_pair(self, password: str, confirm: str, field: str = "password") -> None:
        self.add(field, password_problem(password))
        if field not in self.errors and password != confirm:
            self.errors[f"{field}_confirm"] = "The two passwords do not match."

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(dict(self.errors))
