"""Earnings file parsers: which formats StudioOS reads, and finding the one a file is in.

The parsers never touch the database; see base.py for what they give back.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from studioos.importers.base import (
    EntryType,
    FileRefused,
    Importer,
    ParsedRow,
    ParseResult,
    RecordKind,
    RowError,
)
from studioos.importers.bongacams import BONGACAMS_EARNINGS
from studioos.importers.chaturbate import CHATURBATE_TOKENS
from studioos.importers.stripchat import STRIPCHAT_EARNINGS, STRIPCHAT_TOKENS
from studioos.importers.table import Table, header_text, read_table
from studioos.importers.table_format import TableFormat
from studioos.importers.template import STUDIOOS_TEMPLATE, template_csv, template_xlsx

__all__ = [
    "FORMATS",
    "EntryType",
    "FileRefused",
    "Importer",
    "ParseResult",
    "ParsedRow",
    "RecordKind",
    "RowError",
    "detect",
    "get_format",
    "parse_file",
    "template_csv",
    "template_xlsx",
]

FORMATS: dict[str, Importer] = {
    f.name: f
    for f in (CHATURBATE_TOKENS, STRIPCHAT_EARNINGS, STRIPCHAT_TOKENS, BONGACAMS_EARNINGS, STUDIOOS_TEMPLATE)
}


def get_format(name: str) -> Importer:
    try:
        return FORMATS[name]
    except KeyError:
        raise FileRefused(f"Unknown file format '{name}'; StudioOS knows: {', '.join(FORMATS)}.") from None


def detect(data: bytes, filename: str = "") -> Importer:
    """The format whose header this file has; FileRefused when none, or more than one, fits."""
    return _detect(read_table(data, filename))


def _detect(table: Table) -> Importer:
    matches = [f for f in FORMATS.values() if f.sniff(table.header)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        # Guessing could put one site's figures on another's accounts: the uploader picks.
        labels = "; ".join(f.label for f in matches)
        raise FileRefused(f"This file could be in more than one format ({labels}): choose its format.")
    known = "; ".join(f.label for f in FORMATS.values())
    raise FileRefused(
        f"This file is not in a format StudioOS knows: the header is {header_text(table)}. "
        f"StudioOS reads: {known}. For any other site, fill in the StudioOS template."
    )


def parse_file(data: bytes, *, zone: ZoneInfo, filename: str = "", format: str | None = None) -> ParseResult:
    """Rows and refusals of an uploaded file, in the named format or the one its header shows."""
    if format is not None:
        chosen = get_format(format)
        return chosen.parse(data, zone=zone, filename=filename)
    table = read_table(data, filename)
    detected = _detect(table)
    if isinstance(detected, TableFormat):  # read once, not again
        return detected.parse_table(table, zone=zone)
    return detected.parse(data, zone=zone, filename=filename)
