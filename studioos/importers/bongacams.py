"""BongaCams' earnings report: a studio's daily tokens and income (USD) per model."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from studioos.importers.base import ParseResult
from studioos.importers.daily_rows import DailyColumns, parse_daily
from studioos.importers.table import Table
from studioos.importers.table_format import TableFormat

PLATFORM = "BongaCams"
COLUMNS = DailyColumns(
    handle=("Username", "Model"),
    day=("Date", "Period"),
    tokens=("Tokens",),
    usd=("Income", "Income (USD)", "Income, USD"),
    online_minutes=("Online time", "Online minutes"),
)


class BongaCamsEarnings(TableFormat):
    name = "bongacams_earnings"
    label = "BongaCams earnings (CSV)"
    platform: str | None = PLATFORM

    def sniff(self, header: list[str]) -> bool:
        columns = set(header)
        # "Income" is BongaCams' word; with any other of its columns the file is theirs.
        has_income = bool({"income", "income (usd)", "income, usd"} & columns)
        return has_income and bool({"username", "model", "date", "tokens"} & columns)

    def parse_table(self, table: Table, *, zone: ZoneInfo) -> ParseResult:
        return parse_daily(table, zone=zone, format_name=self.name, platform=PLATFORM, columns=COLUMNS)


BONGACAMS_EARNINGS = BongaCamsEarnings()
