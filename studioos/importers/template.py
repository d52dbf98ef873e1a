"""StudioOS's own earnings template, for every site without a format of its own (CSV or Excel)."""

from __future__ import annotations

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

from studioos.importers.base import ParseResult
from studioos.importers.daily_rows import DailyColumns, parse_daily
from studioos.importers.table import Table
from studioos.importers.table_format import TableFormat

HEADER = ("date", "platform", "handle", "tokens", "usd", "online_minutes")
# What the downloaded template shows as examples: a site that pays in dollars, one that counts tokens.
EXAMPLES: tuple[tuple[date, str, str, int | None, str | None, int], ...] = (
    (date(2026, 11, 3), "LiveJasmin", "LunaRoseLJ", None, "152.40", 185),
    (date(2026, 11, 3), "MyFreeCams", "MiaBlazeMFC", 2480, None, 240),
)
COLUMNS = DailyColumns(
    handle=("handle", "username", "model"),
    day=("date", "day", "period"),
    tokens=("tokens",),
    usd=("usd", "usd amount", "amount usd"),
    online_minutes=("online_minutes", "online minutes", "online time"),
    platform=("platform", "site"),
)


class StudioOSTemplate(TableFormat):
    name = "studioos_template"
    label = "StudioOS template (CSV or Excel)"
    platform: str | None = None  # each row names its platform

    def sniff(self, header: list[str]) -> bool:
        return {"platform", "handle"} <= set(header)

    def parse_table(self, table: Table, *, zone: ZoneInfo) -> ParseResult:
        return parse_daily(table, zone=zone, format_name=self.name, platform=None, columns=COLUMNS)


STUDIOOS_TEMPLATE = StudioOSTemplate()


def template_csv() -> bytes:
    """The template to download, as CSV (UTF-8 with a BOM, so Excel shows accents and emoji right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for day, platform, handle, tokens, usd, minutes in EXAMPLES:
        writer.writerow([day.isoformat(), platform, handle, _blank(tokens), _blank(usd), minutes])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The template to download, as an Excel workbook with a bold header row and real date cells."""
    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Earnings"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for day, platform, handle, tokens, usd, minutes in EXAMPLES:
        # Excel keeps numbers as floats; 152.4 reads back as "152.4", so the cents stay exact.
        sheet.append([day, platform, handle, tokens, float(usd) if usd else None, minutes])
    for row in sheet.iter_rows(min_row=2):
        row[0].number_format = "yyyy-mm-dd"
        row[4].number_format = "0.00"
    for letter, width in zip("ABCDEF", (12, 14, 16, 10, 10, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _blank(value: object) -> str:
    return "" if value is None else str(value)
