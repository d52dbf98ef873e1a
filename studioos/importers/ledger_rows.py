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
    keys = LedgerKeys()
    result = ParseResult(format=format_name, one_account=True)

    for line, cells in table.rows:
        problems: list[str] = []
        tokens = 0
        raw_tokens = cells[tokens_at]
        if not raw_tokens:
            problems.append(f"{tokens_label} is empty")
        else:
            try:
                tokens = parse_whole(raw_tokens, tokens_label, decimal_comma=decimal_comma)
                if tokens == 0:
                    problems.append(f"{tokens_label} is 0")
            except BadValue as exc:
                problems.append(str(exc))
        raw_time = cells[time_at]
        occurred_at = None
        if not raw_time:
            problems.append(f"{time_label} is empty")
        else:
            try:
                occurred_at = parse_datetime(raw_time, time_label, zone, day_first=day_first)
            except BadValue as exc:
                problems.append(str(exc))
        if problems or occurred_at is None:
            result.errors.append(RowError(line, "; ".join(problems)))
            continue
        member = cells[member_at] or None
        note = cell(cells, note_at)
        entry_type = classify(tokens, cell(cells, type_at), note)
        result.rows.append(
            ParsedRow(
                line=line,
                kind=RecordKind.LEDGER,
                platform=platform,
                handle=None,
                tokens=tokens,
                occurred_at=occurred_at,
                member=member,
                entry_type=entry_type,
                note=note,
                natural_key=keys.key(occurred_at, member, tokens, entry_type, note),
            )
        )
    return result
