"""The numbers behind each Analytics chart as CSV, and the whole page as one XLSX workbook.

Every table is built once (`chart_tables`) and written either way, so a chart's CSV and its sheet
hold the same numbers. Amounts are in USD with two decimals (Decimal, never float), hours and
percentages with two decimals. A text cell that a spreadsheet would run as a formula (a model's
or member's name starting with =, +, - or @) is written as text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from studioos.services.analytics_views import Analytics, Kpi, ModelRow
from studioos.services.errors import ValidationFailed

Cell = str | int | Decimal | date | None
TWO = Decimal("0.01")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNIT_WORDS = {
    "cents": "USD",
    "minutes": "hours",
    "count": "models",
    "bp": "%",
    "cents_per_hour": "USD per hour",
}


@dataclass(frozen=True)
class Table:
    key: str
    title: str  # the sheet's name (at most 31 characters)
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def usd(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(TWO)


def hours(minutes: int | None) -> Decimal | None:
    return None if minutes is None else (Decimal(minutes) / 60).quantize(TWO)


def percent(bp: int | None) -> Decimal | None:
    return None if bp is None else (Decimal(bp) / 100).quantize(TWO)


def _kpi_value(kpi: Kpi, value: int | None) -> Cell:
    if kpi.unit in ("cents", "cents_per_hour"):
        return usd(value)
    if kpi.unit == "minutes":
        return hours(value)
    if kpi.unit == "bp":
        return percent(value)
    return value


def _kpis(a: Analytics) -> Table:
    rows = tuple(
        (
            k.label,
            UNIT_WORDS[k.unit],
            _kpi_value(k, k.value),
            _kpi_value(k, k.previous),
            percent(k.change_bp),
            "points" if k.change_kind == "points" else "%",
        )
        for k in a.kpis
    )
    headers = ("KPI", "Unit", "This period", "Previous period", "Change", "Change in")
    return Table("kpis", "KPIs", headers, rows)


def _series(a: Analytics) -> Table:
    headers = ("From", "To", *(f"{p} (USD)" for p in a.platforms), "Total (USD)")
    rows = tuple(
        (r.first_day, r.last_day, *(usd(v) for v in r.values_cents), usd(r.total_cents)) for r in a.series
    )
    return Table("series", "Earnings over time", headers, rows)


def _model(r: ModelRow) -> tuple[Cell, ...]:
    return (
        r.stage_name,
        usd(r.gross_cents),
        usd(r.previous_cents),
        percent(r.change_bp),
        hours(r.online_minutes),
        usd(r.per_hour_cents),
        usd(r.payout_cents),
    )


MODEL_HEADERS = (
    "Model",
    "Gross (USD)",
    "Previous period (USD)",
    "Change (%)",
    "Hours online",
    "Per online hour (USD)",
    "Payout (USD)",
)


def _heatmap(a: Analytics) -> Table:
    by_cell = {(c.weekday, c.hour): c.value_cents for c in a.heatmap}
    rows = tuple(
        (name, *(usd(by_cell.get((weekday, hour), 0)) for hour in range(24)))
        for weekday, name in enumerate(WEEKDAYS)
    )
    return Table("heatmap", "Weekday by hour", ("Weekday", *(f"{h:02d}:00" for h in range(24))), rows)


def _rooms(a: Analytics) -> Table:
    headers = (
        "Room",
        "Available hours",
        "Scheduled hours",
        "Use (%)",
        "Shifts",
        "No-shows",
        "Hours missed",
        "No-show cost (USD)",
    )
    rows = tuple(
        (
            r.name,
            hours(r.available_minutes),
            hours(r.scheduled_minutes),
            percent(r.use_bp),
            r.shifts,
            r.no_shows,
            hours(r.no_show_minutes),
            usd(r.no_show_cost_cents),
        )
        for r in a.rooms
    )
    return Table("rooms", "Room use and no-shows", headers, rows)


def _mix(a: Analytics) -> Table:
    rows = tuple((p.platform, usd(p.value_cents), percent(p.share_bp)) for p in a.platform_mix)
    return Table("platform_mix", "Platform mix", ("Platform", "Gross (USD)", "Share (%)"), rows)


def _members(a: Analytics) -> Table:
    headers = ("Rank", "Member", "Platform", "Gross (USD)", "Entries", "Share of gross (%)")
    rows = tuple(
        (m.rank, m.label, m.platform, usd(m.value_cents), m.entries, percent(m.share_bp))
        for m in a.top_members
    )
    return Table("top_members", "Top members", headers, rows)


def _cohorts(a: Analytics) -> Table:
    longest = max((len(c.retained) for c in a.cohorts), default=0)
    headers = (
        "First tipped in",
        "Members",
        *(f"+{k} month{'s' if k > 1 else ''}" for k in range(1, longest + 1)),
    )
    rows = tuple(
        (c.month, c.members, *c.retained, *([None] * (longest - len(c.retained)))) for c in a.cohorts
    )
    return Table("cohorts", "Member retention", headers, rows)


def chart_tables(a: Analytics) -> dict[str, Table]:
    """Every chart's numbers, by chart key, in the page's order."""
    tables = [
        _kpis(a),
        _series(a),
        Table("top_models", "Top models", MODEL_HEADERS, tuple(_model(r) for r in a.top_models)),
        Table("per_hour", "Earnings per online hour", MODEL_HEADERS, tuple(_model(r) for r in a.per_hour)),
        _heatmap(a),
        _rooms(a),
        _mix(a),
        _members(a),
        _cohorts(a),
    ]
    return {t.key: t for t in tables}


CHARTS: tuple[str, ...] = (
    "kpis",
    "series",
    "top_models",
    "per_hour",
    "heatmap",
    "rooms",
    "platform_mix",
    "top_members",
    "cohorts",
)


def _safe_text(value: str) -> str:
    # A leading apostrophe is how spreadsheets are told "this is text, not a formula".
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def chart_csv(analytics: Analytics, chart_key: str) -> str:
    """The numbers behind one chart (a key of CHARTS), as CSV text with a header row."""
    table = chart_tables(analytics).get(chart_key)
    if table is None:
        raise ValidationFailed({"chart": "There is no such chart on this page."})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def _about(a: Analytics) -> Table:
    f = a.filters
    rows: tuple[tuple[Cell, ...], ...] = (
        ("From", f.first_day),
        ("To", f.last_day),
        ("Compared with", f"{a.previous_first.isoformat()} to {a.previous_last.isoformat()}"),
        ("Platform", f.platform or "All"),
        ("Model", f.performer_id if f.performer_id is not None else "All"),
        ("Room", f.room_id if f.room_id is not None else "All"),
        ("By", f.grain),
        ("Amounts in", a.currency),
        ("Time zone", a.timezone),
    )
    return Table("about", "Filters", ("Filter", "Value"), rows)


def workbook_xlsx(analytics: Analytics) -> bytes:
    """The whole page as one workbook: the filters, then one sheet per chart."""
    # openpyxl has no type information; kept to this function.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in (_about(analytics), *chart_tables(analytics).values()):
        sheet = book.create_sheet(title=table.title[:31])
        header = []
        for text in table.headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # a name starting with = stays a name, never a formula
                elif isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
