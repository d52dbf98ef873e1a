"""Turning an earnings report (one line per model and day, or per period) into daily records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from studioos.importers.base import FileRefused, ParsedRow, ParseResult, RecordKind, RowError
from studioos.importers.keys import daily_key
from studioos.importers.table import Table, cell, column, header_text, require_columns
from studioos.importers.values import (
    BadValue,
    day_first_hint,
    parse_cents,
    parse_minutes,
    parse_period,
    parse_whole,
    shown,
)

MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True)
class DailyColumns:
    """Header names of each column; the first name of each is the one a message shows if missing.

    At least one of tokens and usd must be in the file, and filled in on each row.
    """

    handle: tuple[str, ...]
    day: tuple[str, ...]  # a day, or a period ("2026-11-01 - 2026-11-15")
    tokens: tuple[str, ...] = ()
    usd: tuple[str, ...] = ()
    online_minutes: tuple[str, ...] = ()
    platform: tuple[str, ...] = ()  # when each row names its platform (the StudioOS template)


def parse_daily(
    table: Table,
    *,
    zone: ZoneInfo,  # unused: a day is the day the report says, in the platform's own calendar
    format_name: str,
    platform: str | None,
    columns: DailyColumns,
) -> ParseResult:
    required = [columns.handle, columns.day] + ([columns.platform] if columns.platform else [])
    handle_at, day_at, *rest = require_columns(table, *required)
    platform_at = rest[0] if rest else None
    tokens_at = column(table, *columns.tokens) if columns.tokens else None
    usd_at = column(table, *columns.usd) if columns.usd else None
    if tokens_at is None and usd_at is None:
        names = " or ".join(f"'{names[0]}'" for names in (columns.tokens, columns.usd) if names)
        raise FileRefused(f"Missing column {names}; the file has: {header_text(table)}")
    minutes_at = column(table, *columns.online_minutes) if columns.online_minutes else None

    def label(index: int) -> str:  # a column as the file names it, for reasons
        return table.raw_header[index]

    day_first = day_first_hint(cells[day_at] for _, cells in table.rows)
    decimal_comma = table.decimal_comma
    result = ParseResult(format=format_name, one_account=False)

    for line, cells in table.rows:
        problems: list[str] = []
        row_platform = platform
        if platform_at is not None:
            row_platform = cells[platform_at] or None
            if row_platform is None:
                problems.append("No platform")
        handle = cells[handle_at] or None
        if handle is None:
            problems.append("No handle")
        start: date | None = None
        day: date | None = None
        raw_day = cells[day_at]
        if not raw_day:
            problems.append(f"{label(day_at)} is empty")
        else:
            try:
                start, day = parse_period(raw_day, label(day_at), day_first=day_first)
            except BadValue as exc:
                problems.append(str(exc))
        raw_tokens, raw_usd = cell(cells, tokens_at), cell(cells, usd_at)
        tokens = usd_cents = minutes = None
        if not raw_tokens and not raw_usd:
            amounts = [label(at) for at in (tokens_at, usd_at) if at is not None]
            problems.append(
                f"Neither {amounts[0]} nor {amounts[1]} is filled in"
                if len(amounts) == 2
                else f"{amounts[0]} is empty"
            )
        try:
            if raw_tokens and tokens_at is not None:
                tokens = parse_whole(raw_tokens, label(tokens_at), decimal_comma=decimal_comma)
        except BadValue as exc:
            problems.append(str(exc))
        try:
            if raw_usd and usd_at is not None:
                usd_cents = parse_cents(raw_usd, label(usd_at), decimal_comma=decimal_comma)
        except BadValue as exc:
            problems.append(str(exc))
        raw_minutes = cell(cells, minutes_at)
        if raw_minutes and minutes_at is not None:
            try:
                minutes = parse_minutes(raw_minutes, label(minutes_at), decimal_comma=decimal_comma)
                days = (day - start).days + 1 if day is not None and start is not None else 1
                if minutes > days * MINUTES_A_DAY:
                    span = "the period" if days > 1 else "a day"
                    problems.append(f"{label(minutes_at)} '{shown(raw_minutes)}' is more than {span} has")
            except BadValue as exc:
                problems.append(str(exc))
        if problems or day is None or handle is None or row_platform is None:
            result.errors.append(RowError(line, "; ".join(problems)))
            continue
        result.rows.append(
            ParsedRow(
                line=line,
                kind=RecordKind.DAILY,
                platform=row_platform,
                handle=handle,
                tokens=tokens,
                usd_cents=usd_cents,
                day=day,
                period_start=start,
                online_minutes=minutes,
                natural_key=daily_key(day, start),
            )
        )
    return result
