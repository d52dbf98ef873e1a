"""Turning a token history (one line per tip, show or refund, one account per file) into ledger records."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from studioos.importers.base import ParsedRow, ParseResult, RecordKind, RowError
from studioos.importers.entry_types import classify
from studioos.importers.keys import LedgerKeys
from studioos.importers.table import Table, cell, column, require_columns
from studioos.importers.values import BadValue, day_first_hint, parse_datetime, parse_whole


@dataclass(frozen=True)
class LedgerColumns:
    """Header names of each column; the first name of each is the one a message shows if missing."""

    tokens: tuple[str, ...]
    occurred_at: tuple[str, ...]
    member: tuple[str, ...]
    entry_type: tuple[str, ...] = ()
    entry_type_required: bool = False
    note: tuple[str, ...] = ()


def parse_ledger(
    table: Table, *, zone: ZoneInfo, format_name: str, platform: str, columns: LedgerColumns
) -> ParseResult:
    required: list[tuple[str, ...]] = [columns.member, columns.tokens, columns.occurred_at]
    if columns.entry_type_required:
        required.append(columns.entry_type)
    member_at, tokens_at, time_at, *_ = require_columns(table, *required)
    type_at = column(table, *columns.entry_type) if columns.entry_type else None
    note_at = column(table, *columns.note) if columns.note else None
    tokens_label, time_label = table.raw_header[tokens_at], table.raw_header[time_at]
    day_first = day_first_hint(cells[time_at] for _, cells in table.rows)
    decimal_comma = table.decimal_comma
    key = LedgerKeys().key
    result = ParseResult(format=format_name, one_account=True)
    refuse, keep = result.errors.append, result.rows.append
    ledger = RecordKind.LEDGER

    for line, cells in table.rows:
        raw_tokens, raw_time = cells[tokens_at], cells[time_at]
        # The common line, a number and a time that read, takes no detour; any other line goes
        # through _problems for its reasons.
        try:
            tokens = parse_whole(raw_tokens, tokens_label, decimal_comma=decimal_comma) if raw_tokens else 0
            occurred_at = (
                parse_datetime(raw_time, time_label, zone, day_first=day_first) if raw_time else None
            )
        except BadValue:
            tokens, occurred_at = 0, None
        if not tokens or occurred_at is None:
            reasons = _problems(
                raw_tokens, tokens_label, raw_time, time_label, zone, day_first, decimal_comma
            )
            refuse(RowError(line, "; ".join(reasons)))
            continue
        member = cells[member_at] or None
        note = cell(cells, note_at)
        entry_type = classify(tokens, cell(cells, type_at), note)
        keep(
            ParsedRow(
                line=line,
                kind=ledger,
                platform=platform,
                handle=None,
                tokens=tokens,
                occurred_at=occurred_at,
                member=member,
                entry_type=entry_type,
                note=note,
                natural_key=key(occurred_at, member, tokens, entry_type, note),
            )
        )
    return result


def _problems(
    raw_tokens: str,
    tokens_label: str,
    raw_time: str,
    time_label: str,
    zone: ZoneInfo,
    day_first: bool | None,
    decimal_comma: bool,
) -> list[str]:
    """Why a line cannot land: every reason, in column order (tokens, then time)."""
    problems: list[str] = []
    if not raw_tokens:
        problems.append(f"{tokens_label} is empty")
    else:
        try:
            if parse_whole(raw_tokens, tokens_label, decimal_comma=decimal_comma) == 0:
                problems.append(f"{tokens_label} is 0")
        except BadValue as exc:
            problems.append(str(exc))
    if not raw_time:
        problems.append(f"{time_label} is empty")
    else:
        try:
            parse_datetime(raw_time, time_label, zone, day_first=day_first)
        except BadValue as exc:
            problems.append(str(exc))
    return problems
