"""Payout statements as files: a CSV and a PDF per model, and a ZIP of a whole period.

The numbers come from `payroll.statement` (which already decided who may read what: an analyst's
statement has no adjustment notes); this module only lays them out. Money is integer cents turned
into Decimal, never a float. Names can be in any script, so the PDF embeds DejaVu Sans (a TTF with
Latin, Greek and Cyrillic) from assets/fonts; characters it has no glyph for (most emoji) are left
out of the PDF rather than drawn as empty boxes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from babel.numbers import format_currency, format_decimal, get_currency_precision
from fpdf import FPDF
from fpdf.fonts import FontFace, TTFFont

from studioos.models import PeriodStatus
from studioos.services.errors import PermissionDenied
from studioos.services.formatting import Formats
from studioos.services.payroll import Statement
from studioos.services.permissions import Actor, Cap
from studioos.settings import ROOT

FONT_DIR = ROOT / "assets" / "fonts"
FONT_FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
CENT = Decimal("0.01")
STATUS_TEXT: dict[str, str] = {
    PeriodStatus.OPEN: "Draft: the period is not locked yet",
    PeriodStatus.LOCKED: "Locked",
    PeriodStatus.PAID: "Paid",
}
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"):
# stage names and notes are typed by people, so such text is written with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NAME_MAX = 60


# ---------------------------------------------------------------- permissions


def require_import_rights(actor: Actor) -> None:
    """Who may download the earnings import template: those who may enter earnings."""
    if not actor.can(Cap.STREAMS_MANAGE) or actor.studio_id is None:
        raise PermissionDenied()


# ---------------------------------------------------------------- values


def decimal_usd(cents: int) -> str:
    """170.15: a plain number a spreadsheet reads as a number, whatever its locale."""
    return str((Decimal(int(cents)) / 100).quantize(CENT))


def status_text(status: str) -> str:
    return STATUS_TEXT.get(status, status.title())


def rate_text(fmt: Formats, rate: Decimal) -> str:
    """4,000.50 (en_US) / 4.000,50 (en_RO): every decimal the rate was entered with, at least two."""
    return format_decimal(rate.normalize(), format="#,##0.00####", locale=fmt.locale)


def payout_money(fmt: Formats, amount: Decimal, currency: str) -> str:
    """The net in the payout currency. Babel writes a currency with its usual decimals (none for
    COP or JPY); when that would round the stored amount, the two decimals are shown, so the PDF
    never states a figure other than the one computed and frozen."""
    digits = get_currency_precision(currency)
    if amount == amount.quantize(Decimal(1).scaleb(-digits)):
        return fmt.money(int((amount * 100).to_integral_value()), currency)
    return format_currency(amount, currency, locale=fmt.locale, currency_digits=False)


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_START) else text


def safe_name(name: str, fallback: str) -> str:
    """A file-name part in any script, without separators, controls or characters Windows refuses."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LN" or ch in "-." else "_"
        for ch in unicodedata.normalize("NFC", name)
    )
    kept = re.sub(r"_+", "_", kept).strip("._-")[:NAME_MAX].strip("._-")
    return kept or fallback


def statement_filename(stmt: Statement, extension: str) -> str:
    """2026-11-01_2026-11-15_Anna.pdf"""
    name = safe_name(stmt.stage_name, f"model-{stmt.line.performer_id}")
    return f"{stmt.starts_on.isoformat()}_{stmt.ends_on.isoformat()}_{name}.{extension}"


def period_filename(stmts: Sequence[Statement], day: date) -> str:
    """statements_2026-11-01_2026-11-15.zip (a period without statements is named by the day asked)."""
    if not stmts:
        return f"statements_{day.isoformat()}.zip"
    return f"statements_{stmts[0].starts_on.isoformat()}_{stmts[0].ends_on.isoformat()}.zip"


# ---------------------------------------------------------------- CSV


def _csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    # The BOM tells Excel the file is UTF-8: without it, accents and Cyrillic come out garbled.
    return out.getvalue().encode("utf-8-sig")


def statement_csv(stmt: Statement, fmt: Formats) -> bytes:
    """One model's statement: a header block, her platforms, then the way from gross to net."""
    line = stmt.line
    rows: list[list[object]] = [
        ["Payout statement"],
        ["Studio", _cell(stmt.studio_name)],
        ["Model", _cell(stmt.stage_name)],
        ["Period", fmt.date_range(stmt.starts_on, stmt.ends_on)],
        ["Period start", stmt.starts_on.isoformat()],
        ["Period end", stmt.ends_on.isoformat()],
        ["Status", status_text(stmt.status)],
        [],
        ["Platform", "Tokens", "Token value (USD)", "Amount (USD)"],
    ]
    for platform in line.platforms:
        rows.append(
            [_cell(platform.platform), platform.tokens, platform.rate, decimal_usd(platform.gross_cents)]
        )
    rows += [
        [],
        ["Item", "Detail", "Amount", "Currency"],
        ["Gross", "", decimal_usd(line.gross_cents), "USD"],
        ["Her share", _cell(line.split), decimal_usd(line.model_share_cents), "USD"],
        ["Studio's share", "", decimal_usd(line.studio_share_cents), "USD"],
    ]
    for adj in line.adjustments:
        rows.append([_cell(adj.label), _cell(adj.note), decimal_usd(adj.amount_cents), "USD"])
    rows += [
        ["Net", "", decimal_usd(line.net_cents), "USD"],
        [
            "Exchange rate",
            f"1 USD = {stmt.fx_rate.normalize():f} {stmt.payout_currency}",
            f"{stmt.fx_rate.normalize():f}",
            stmt.payout_currency,
        ],
        ["Net in payout currency", "", f"{line.net_payout.quantize(CENT)}", stmt.payout_currency],
    ]
    return _csv_bytes(rows)


SUMMARY_HEADER = (
    "Model",
    "Period start",
    "Period end",
    "Status",
    "Gross (USD)",
    "Her share (USD)",
    "Split",
    "Studio's share (USD)",
    "Adjustments (USD)",
    "Net (USD)",
    "Payout currency",
    "Exchange rate",
    "Net (payout currency)",
    "File",
)


def summary_csv(items: Sequence[tuple[Statement, str]]) -> bytes:
    """Every model of a period on one line each, and the totals: (statement, its file in the ZIP)."""
    rows: list[Sequence[object]] = [SUMMARY_HEADER]
    for stmt, filename in items:
        line = stmt.line
        rows.append(
            [
                _cell(stmt.stage_name),
                stmt.starts_on.isoformat(),
                stmt.ends_on.isoformat(),
                status_text(stmt.status),
                decimal_usd(line.gross_cents),
                decimal_usd(line.model_share_cents),
                _cell(line.split),
                decimal_usd(line.studio_share_cents),
                decimal_usd(line.adjustments_cents),
                decimal_usd(line.net_cents),
                stmt.payout_currency,
                f"{stmt.fx_rate.normalize():f}",
                f"{line.net_payout.quantize(CENT)}",
                _cell(filename),
            ]
        )
    if items:
        lines = [stmt.line for stmt, _ in items]
        first = items[0][0]
        rows.append(
            [
                "Total",
                first.starts_on.isoformat(),
                first.ends_on.isoformat(),
                "",
                decimal_usd(sum(line.gross_cents for line in lines)),
                decimal_usd(sum(line.model_share_cents for line in lines)),
                "",
                decimal_usd(sum(line.studio_share_cents for line in lines)),
                decimal_usd(sum(line.adjustments_cents for line in lines)),
                decimal_usd(sum(line.net_cents for line in lines)),
                first.payout_currency,
                f"{first.fx_rate.normalize():f}",
                f"{sum((line.net_payout for line in lines), Decimal(0)).quantize(CENT)}",
                "",
            ]
        )
    return _csv_bytes(rows)


# ---------------------------------------------------------------- PDF


@lru_cache(maxsize=1)
def _font_paths() -> dict[str, Path]:
    paths = {style: FONT_DIR / name for style, name in FONT_FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise RuntimeError(f"The statement font is missing: {', '.join(missing)}")
    return paths


class _StatementPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        for style, path in _font_paths().items():
            self.add_font(FONT_FAMILY, style, path)
        covered: set[int] | None = None
        for font in self.fonts.values():
            if isinstance(font, TTFFont):
                codes = set(font.cmap)
                covered = codes if covered is None else covered & codes
        self.glyphs: frozenset[int] = frozenset(covered or ())
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(18, 18, 18)

    def fit(self, text: str) -> str:
        """The text without the characters the font cannot draw (emoji): fpdf2 would drop them
        too, but with a warning in the log for every statement."""
        kept = "".join(ch for ch in text if ch.isspace() or ord(ch) in self.glyphs)
        return " ".join(kept.split())

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT_FAMILY, "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.fit(self.footer_text), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def line_text(self, text: str, size: float, style: str = "", height: float = 7) -> None:
        self.set_font(FONT_FAMILY, style, size)
        self.multi_cell(0, height, self.fit(text), new_x="LMARGIN", new_y="NEXT")


BOLD = FontFace(emphasis="BOLD")
HEADING = FontFace(emphasis="BOLD", fill_color=(236, 238, 242))


def statement_pdf(stmt: Statement, fmt: Formats, generated_at: datetime | None = None) -> bytes:
    """One model's statement on A4: who, which period, her platforms, and gross to net."""
    line = stmt.line
    moment = fmt.moment(generated_at or datetime.now(UTC))
    pdf = _StatementPDF(f"Generated by StudioOS on {moment}")
    pdf.set_title(pdf.fit(f"Payout statement: {stmt.stage_name}"))
    pdf.set_author(pdf.fit(stmt.studio_name))
    pdf.set_creator("StudioOS")
    pdf.add_page()

    pdf.set_text_color(90, 90, 90)
    pdf.line_text(stmt.studio_name, 11, "B", 6)
    pdf.set_text_color(0, 0, 0)
    pdf.line_text("Payout statement", 20, "B", 10)
    pdf.line_text(stmt.stage_name, 15, "B", 8)
    pdf.line_text(f"Period: {fmt.date_range(stmt.starts_on, stmt.ends_on)}", 11, "", 6)
    if stmt.status == PeriodStatus.OPEN:
        # A draft must not pass for the final figures: a red band the width of the page.
        pdf.ln(2)
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.set_fill_color(253, 226, 226)
        pdf.set_text_color(170, 20, 20)
        pdf.cell(0, 10, status_text(stmt.status), fill=True, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    else:
        pdf.line_text(f"Status: {status_text(stmt.status)}", 11, "", 6)
    pdf.ln(5)

    pdf.line_text("Earnings by platform", 12, "B", 8)
    pdf.set_font(FONT_FAMILY, "", 10)
    with pdf.table(
        col_widths=(70, 30, 40, 34),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=HEADING,
        borders_layout="HORIZONTAL_LINES",
        line_height=7,
    ) as table:
        table.row(["Platform", "Tokens", "Token value", "Amount"])
        for platform in line.platforms:
            tokens = format_decimal(platform.tokens, locale=fmt.locale) if platform.tokens else "–"
            value = platform.rate or "–"
            with contextlib.suppress(InvalidOperation):
                value = f"{rate_text(fmt, Decimal(platform.rate))} USD"
            table.row([pdf.fit(platform.platform), tokens, value, fmt.money(platform.gross_cents, "USD")])
        if not line.platforms:
            table.row().cell("No earnings in this period.", colspan=4)
        gross = table.row(style=BOLD)
        gross.cell("Gross", colspan=3)
        gross.cell(fmt.money(line.gross_cents, "USD"))
    pdf.ln(6)

    pdf.line_text("From gross to net", 12, "B", 8)
    pdf.set_font(FONT_FAMILY, "", 10)
    with pdf.table(
        col_widths=(54, 86, 34),
        text_align=("LEFT", "LEFT", "RIGHT"),
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        line_height=7,
    ) as table:
        table.row(["Gross", "", fmt.money(line.gross_cents, "USD")])
        table.row(["Her share", pdf.fit(line.split), fmt.money(line.model_share_cents, "USD")])
        table.row(["Studio's share", "", fmt.money(line.studio_share_cents, "USD")])
        for adj in line.adjustments:
            table.row([pdf.fit(adj.label), pdf.fit(adj.note), fmt.money(adj.amount_cents, "USD")])
        net = table.row(style=BOLD)
        net.cell("Net (USD)", colspan=2)
        net.cell(fmt.money(line.net_cents, "USD"))
        if stmt.payout_currency != "USD":
            table.row(
                [
                    "Exchange rate",
                    f"1 USD = {rate_text(fmt, stmt.fx_rate)} {stmt.payout_currency}",
                    "",
                ]
            )
            paid = table.row(style=BOLD)
            paid.cell(f"Net ({stmt.payout_currency})", colspan=2)
            paid.cell(payout_money(fmt, line.net_payout, stmt.payout_currency))
    return bytes(pdf.output())


# ---------------------------------------------------------------- ZIP


def _unique(name: str, taken: set[str]) -> str:
    """Two models whose names clean up alike (or differ only in case, which Windows and macOS file
    systems do not tell apart) get _2, _3 ... rather than overwriting each other."""
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}_{n}{dot}{ext}"
    taken.add(candidate.casefold())
    return candidate


def statements_zip(items: Sequence[tuple[Statement, bytes]]) -> bytes:
    """The period's PDFs, one per model, and summary.csv with every model's figures."""
    taken: set[str] = {"summary.csv"}
    named: list[tuple[Statement, str, bytes]] = [
        (stmt, _unique(statement_filename(stmt, "pdf"), taken), pdf) for stmt, pdf in items
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for _stmt, filename, pdf in named:
            archive.writestr(filename, pdf)
        archive.writestr("summary.csv", summary_csv([(stmt, filename) for stmt, filename, _ in named]))
    return out.getvalue()
