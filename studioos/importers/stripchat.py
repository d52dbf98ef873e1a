"""Stripchat's two exports: earnings by model (a studio's daily figures) and one model's token history."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from studioos.importers.base import ParseResult
from studioos.importers.daily_rows import DailyColumns, parse_daily
from studioos.importers.ledger_rows import LedgerColumns, parse_ledger
from studioos.importers.table import Table
from studioos.importers.table_format import TableFormat

PLATFORM = "Stripchat"
_HANDLES = ("Username", "Model", "Model username", "Model name")
EARNINGS_COLUMNS = DailyColumns(
    handle=_HANDLES,
    day=("Date", "Period", "Day"),
    tokens=("Tokens", "Earned tokens"),
    usd=("USD", "Earnings", "Earnings (USD)", "Earnings, USD", "Amount (USD)"),
    online_minutes=("Online time", "Online minutes", "Online"),
)
TOKENS_COLUMNS = LedgerColumns(
    tokens=("Tokens",),
    occurred_at=("Date",),
    member=("User",),
    entry_type=("Type",),
    entry_type_required=True,
    note=("Note", "Description", "Comment"),
)


class StripchatEarnings(TableFormat):
    name = "stripchat_earnings"
    label = "Stripchat earnings by model (CSV)"
    platform: str | None = PLATFORM

    def sniff(self, header: list[str]) -> bool:
        columns = set(header)
        names_model = bool({h.lower() for h in _HANDLES} & columns)
        names_day = bool({"date", "period", "day"} & columns)
        names_amount = bool({"tokens", "usd", "earnings", "earnings (usd)", "earnings, usd"} & columns)
        # BongaCams reports "Income"; the StudioOS template names a platform on each row.
        return names_model and names_day and names_amount and not {"income", "platform"} & columns

    def parse_table(self, table: Table, *, zone: ZoneInfo) -> ParseResult:
        return parse_daily(
            table, zone=zone, format_name=self.name, platform=PLATFORM, columns=EARNINGS_COLUMNS
        )


class StripchatTokens(TableFormat):
    name = "stripchat_tokens"
    label = "Stripchat token history (CSV)"
    platform: str | None = PLATFORM

    def sniff(self, header: list[str]) -> bool:
        return {"date", "user", "type", "tokens"} <= set(header)

    def parse_table(self, table: Table, *, zone: ZoneInfo) -> ParseResult:
        return parse_ledger(
            table, zone=zone, format_name=self.name, platform=PLATFORM, columns=TOKENS_COLUMNS
        )


STRIPCHAT_EARNINGS = StripchatEarnings()
STRIPCHAT_TOKENS = StripchatTokens()
