"""Reading an uploaded spreadsheet (CSV in any common dialect, or XLSX) into a header and numbered rows.

Every format reads its file through `read_table`, so the quirks of what people upload (a BOM, `;`
from a European Excel, CR line ends from an old Mac, a note with a line break in it) are handled
once, and the line numbers in error messages match what a spreadsheet program shows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from studioos.importers.base import FileRefused

_XLSX_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = (",", ";", "\t")
# Control characters a text spreadsheet never holds; many of them mean the bytes are not text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SEP_LINE = re.compile(r"^\s*sep=([,;\t|])\s*$", re.IGNORECASE)
_MAX_FIELD = 1_000_000  # csv's default (128 KiB) refuses long but honest notes


@dataclass
class Table:
    header: list[str]  # normalised: stripped, lower-cased, inner whitespace collapsed
    # (spreadsheet line number, stripped cells); the header is line 1, blank rows are left out.
    # A row has at least as many cells as the header.
    rows: list[tuple[int, list[str]]]
    raw_header: list[str]  # as the file spells it (stripped), for messages
    # The CSV delimiter ("" for XLSX); a `;` file comes from a decimal-comma locale.
    delimiter: str = ","

    @property
    def decimal_comma(self) -> bool:
        return self.delimiter == ";"


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


def read_table(data: bytes, filename: str = "") -> Table:
    """The file's header and non-blank rows; FileRefused when it holds no readable table."""
    if not data or not data.strip():
        raise FileRefused("The file is empty.")
    if data.startswith(_XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        delimiter, records = "", _xlsx_records(data)
    elif data.startswith(_OLD_EXCEL_MAGIC):  # not by name: some sites send text named .xls
        raise FileRefused(
            "Old Excel files (.xls) cannot be read: save it as .xlsx or as CSV and upload that."
        )
    else:
        text = _decode(data)
        delimiter, text = _delimiter(text)
        records = _csv_records(text, delimiter)
    return _table(records, delimiter)


def _table(records: Iterable[list[str]], delimiter: str) -> Table:
    raw_header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    width = 0
    strip = str.strip
    for line, record in enumerate(records, start=1):
        cells = list(map(strip, record))
        if not any(cells):
            continue
        if raw_header is None:
            raw_header = [" ".join(c.replace("\ufeff", "").split()) for c in cells]
            width = len(raw_header)
        else:
            if len(cells) < width:  # so a header column's index is valid in every row
                cells.extend([""] * (width - len(cells)))
            rows.append((line, cells))
    if raw_header is None:
        raise FileRefused("The file is empty.")
    if not rows:
        raise FileRefused("The file has a header row but no rows.")
    return Table([h.lower() for h in raw_header], rows, raw_header, delimiter)


def _decode(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        raise FileRefused("This is not a spreadsheet: upload the CSV or Excel (.xlsx) file the site exports.")
    try:
        if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            text = data.decode("utf-32")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        elif data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                # Excel on Windows saves "CSV" in the machine's code page, Western European mostly.
                text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(
            "The file's text cannot be read: save it as CSV UTF-8 (or as .xlsx) and upload that."
        ) from None
    sample = text[:65536]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > len(sample) // 100:
        raise FileRefused("This is not a spreadsheet: upload the CSV or Excel (.xlsx) file the site exports.")
    return text.lstrip("\ufeff")


def _delimiter(text: str) -> tuple[str, str]:
    """The delimiter, from the header line (csv.Sniffer guesses wrong on short or odd files)."""
    first_end = _line_end(text)
    first = text[:first_end]
    declared = _SEP_LINE.match(first)
    if declared:  # Excel's "sep=;" first line: it names the delimiter and is not shown as a row
        rest = text[first_end:]
        return declared.group(1), rest[2:] if rest.startswith("\r\n") else rest[1:]
    while not first.strip() and first_end < len(text):
        start = first_end + 1
        first_end = _line_end(text, start)
        first = text[start:first_end]
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier, so "," by default
    return (best if counts[best] else ","), text


def _line_end(text: str, start: int = 0) -> int:
    ends = [i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0]
    return min(ends) if ends else len(text)


def _csv_records(text: str, delimiter: str) -> Iterator[list[str]]:
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_FIELD))
    # newline="" lets the csv module see \r, \n and \r\n itself, and keep them inside quoted fields.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise FileRefused(f"The file cannot be read as CSV near line {reader.line_num}: {exc}.") from None


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    # openpyxl has no type information; kept to this function.
    import openpyxl  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile):
        raise FileRefused("The Excel file cannot be opened: it is damaged or not an .xlsx file.") from None
    except Exception:  # openpyxl raises many kinds on a damaged workbook; all mean the same here
        raise FileRefused("The Excel file cannot be opened: it is damaged or not an .xlsx file.") from None
    try:
        if not book.worksheets:
            raise FileRefused("The Excel file has no sheet.")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a wrong stored size would cut rows off in read-only mode
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except FileRefused:
        raise
    except Exception:
        raise FileRefused("The Excel file cannot be read: it is damaged.") from None
    finally:
        book.close()
    yield from rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        # Excel stores a day as midnight; show it as the day it is.
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):  # a duration cell ([h]:mm)
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def header_text(table: Table) -> str:
    """The header as the file spells it, for messages."""
    # Cut short: the "header" of a file that is no spreadsheet can be one enormous line.
    names = [h if len(h) <= 40 else h[:39] + "…" for h in table.raw_header if h]
    if len(names) > 20:
        names = [*names[:20], f"and {len(names) - 20} more"]
    return ", ".join(names) if names else "(no column names)"


def column(table: Table, *aliases: str) -> int | None:
    """The index of the first column named by any alias (the earlier alias wins), or None."""
    for alias in aliases:
        wanted = normalise_header(alias)
        if wanted in table.header:
            return table.header.index(wanted)
    return None


def require_columns(table: Table, *columns: str | tuple[str, ...]) -> list[int]:
    """The index of each column; a column is a name or a tuple of names (the first is the one shown).

    Refuses the file naming every missing column and the columns it does have.
    """
    found: list[int] = []
    missing: list[str] = []
    for spec in columns:
        names = (spec,) if isinstance(spec, str) else spec
        index = column(table, *names)
        if index is None:
            missing.append(f"'{names[0]}'")
        else:
            found.append(index)
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise FileRefused(f"Missing {noun} {', '.join(missing)}; the file has: {header_text(table)}")
    return found


def cell(cells: list[str], index: int | None) -> str:
    """The cell at index, "" when the column is absent or the row is short."""
    if index is None or index >= len(cells):
        return ""
    return cells[index]
