"""Properties of the earnings parsers on generated input: whatever is uploaded, the answer is rows,
row errors, or FileRefused; never a crash, never a record lost."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studioos.importers import FORMATS, parse_file
from studioos.importers.base import FileRefused, ParseResult

ZONE = ZoneInfo("Europe/Bucharest")
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADERS = {
    "chaturbate_tokens": ["User", "Transaction type", "Token change", "Timestamp", "Note"],
    "stripchat_earnings": ["Username", "Date", "Tokens", "USD", "Online time"],
    "stripchat_tokens": ["Date", "User", "Type", "Tokens"],
    "bongacams_earnings": ["Username", "Date", "Tokens", "Income"],
    "studioos_template": ["date", "platform", "handle", "tokens", "usd", "online_minutes"],
}
# Text a spreadsheet cell may hold: anything printable, plus the characters CSV must quote.
cell_text = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cc", "Cs")),
        st.sampled_from(',;\t"\n\r '),
    ),
    max_size=20,
)
# Values near what the columns expect, so generated rows also reach the deeper parsing paths.
plausible = st.one_of(
    cell_text,
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "1,234",
            "12.5",
            "$1,234.56",
            "2026-11-03",
            "2026-11-03 21:14:07",
            "11/03/2026 9:14 PM",
            "31/02/2026",
            "03.11.2026",
            "2026-11-01 - 2026-11-15",
            "2:15",
            "2h 15m",
            "Tip",
            "Private Show",
            "Refund",
            "Chargeback",
            "LunaRose",
            "2026-03-29 03:30",
            "9999-12-31 23:59:59",
            "0001-01-01",
        ]
    ),
)


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def check_shape(result: ParseResult) -> None:
    assert all(row.line >= 2 for row in result.rows)
    assert all(error.line >= 2 for error in result.errors)
    assert all(error.reason for error in result.errors)
    lines = [row.line for row in result.rows] + [error.line for error in result.errors]
    assert len(lines) == len(set(lines))  # one answer per record
    for row in result.rows:
        assert row.natural_key
        if row.occurred_at is not None:
            assert row.occurred_at.utcoffset() == timedelta(0)


def parse_or_refuse(data: bytes, *, filename: str = "", format: str | None = None) -> ParseResult | None:
    try:
        result = parse_file(data, zone=ZONE, filename=filename, format=format)
    except FileRefused:
        return None
    check_shape(result)
    return result


@FAST
@given(st.binary(max_size=400), st.sampled_from(["", "earnings.csv", "earnings.xlsx", "old.xls"]))
def test_arbitrary_bytes_only_ever_refuse(data: bytes, filename: str) -> None:
    parse_or_refuse(data, filename=filename)
    for name in FORMATS:
        parse_or_refuse(data, filename=filename, format=name)


@FAST
@given(
    st.lists(st.lists(cell_text, max_size=6), max_size=8),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_arbitrary_csvish_text_only_ever_refuses(
    rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    text = "\r\n".join(delimiter.join(row) for row in rows)
    data = text.encode(encoding, errors="replace")
    parse_or_refuse(data)
    for name in FORMATS:
        parse_or_refuse(data, format=name)


@FAST
@given(
    st.sampled_from(sorted(HEADERS)),
    st.lists(st.lists(plausible, min_size=0, max_size=7), min_size=1, max_size=12),
    st.sampled_from([",", ";", "\t"]),
)
def test_arbitrary_rows_under_a_valid_header_each_get_an_answer(
    name: str, rows: list[list[str]], delimiter: str
) -> None:
    data = csv_bytes([HEADERS[name], *rows], delimiter)
    result = parse_or_refuse(data, format=name)
    records = sum(1 for row in rows if any(cell.strip() for cell in row))
    if result is None:
        # Only a file with no record at all, or cut short by something csv cannot read, is refused.
        assert records == 0 or any("\x00" in c for row in rows for c in row)
        return
    assert len(result.rows) + len(result.errors) == records


members = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), max_size=12)
ledger_line = st.tuples(
    members,
    st.sampled_from(
        ["Tip", "Private Show", "Spy Show", "Group Show", "Fan Club", "Refund", "Chargeback", ""]
    ),
    st.integers(-5000, 5000).filter(bool),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
    st.sampled_from(["", "UTC", "Z", "+02:00"]),
    cell_text,
)


@FAST
@given(st.lists(ledger_line, min_size=1, max_size=25), st.sampled_from([",", ";", "\t"]))
def test_valid_generated_ledgers_land_every_line(
    lines: list[tuple[str, str, int, datetime, str, str]], delimiter: str
) -> None:
    header = HEADERS["chaturbate_tokens"]
    body = [
        [member, kind, str(tokens), moment.isoformat(sep=" ") + (f" {zone}" if zone == "UTC" else zone), note]
        for member, kind, tokens, moment, zone, note in lines
    ]
    result = parse_file(csv_bytes([header, *body], delimiter), zone=ZONE)
    check_shape(result)
    assert result.errors == []
    assert len(result.rows) == len(lines)
    assert len({row.natural_key for row in result.rows}) == len(lines)
    for row, (_, _, tokens, moment, zone, _) in zip(result.rows, lines, strict=True):
        assert row.tokens == tokens
        if zone in ("UTC", "Z"):
            assert row.occurred_at == moment.replace(tzinfo=UTC)
    again = parse_file(csv_bytes([header, *body], delimiter), zone=ZONE)
    assert [r.natural_key for r in again.rows] == [r.natural_key for r in result.rows]
