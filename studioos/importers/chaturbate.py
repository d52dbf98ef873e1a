"""Chaturbate's token history export: one line per token movement on one broadcaster's account."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from studioos.importers.base import ParseResult
from studioos.importers.ledger_rows import LedgerColumns, parse_ledger
from studioos.importers.table import Table
from studioos.importers.table_format import TableFormat

# Older exports have no "Transaction type": tips and shows are told apart by the note alone.
COLUMNS = LedgerColumns(
    tokens=("Token change",),
    occurred_at=("Timestamp",),
    member=("User", "Username"),
    entry_type=("Transaction type", "Type"),
    note=("Note", "Notes"),
)


class ChaturbateTokens(TableFormat):
    name = "chaturbate_tokens"
    label = "Chaturbate token history (CSV)"
    platform: str | None = "Chaturbate"

    def sniff(self, header: list[str]) -> bool:
        columns = set(header)
        # Also a file whose "Token change" was renamed, so the upload hears which column is missing.
        return "token change" in columns or (
            {"user", "timestamp"} <= columns and bool({"note", "transaction type"} & columns)
        )

    def parse_table(self, table: Table, *, zone: ZoneInfo) -> ParseResult:
        return parse_ledger(table, zone=zone, format_name=self.name, platform="Chaturbate", columns=COLUMNS)


CHATURBATE_TOKENS = ChaturbateTokens()
