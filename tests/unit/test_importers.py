"""Earnings file parsers: every format on its sample files, the dialects people upload, and keys."""

from __future__ import annotations

import codecs
import csv
import io
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl  # type: ignore[import-untyped]
import pytest

from studioos.importers import FORMATS, detect, get_format, parse_file, template_csv, template_xlsx
from studioos.importers.base import EntryType, FileRefused, ParsedRow, ParseResult, RecordKind, RowError
from studioos.importers.keys import LedgerKeys
from studioos.importers.table import column, read_table, require_columns
from studioos.importers.values import (
    BadValue,
    day_first_hint,
    parse_cents,
    parse_datetime,
    parse_day,
    parse_minutes,
    parse_period,
    parse_whole,
)

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
BOGOTA = ZoneInfo("America/Bogota")  # UTC-5 all year
BUCHAREST = ZoneInfo("Europe/Bucharest")  # UTC+2 in winter, +3 in summer
UTC_ZONE = ZoneInfo("UTC")


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def parse_sample(name: str, zone: ZoneInfo = UTC_ZONE) -> ParseResult:
    return parse_file(sample(name), zone=zone, filename=name)


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue().encode("utf-8")


def sample_rows(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(sample(name).decode("utf-8-sig"), newline="")))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# Chaturbate ----------------------------------------------------------------------------------------


def test_chaturbate_new_export() -> None:
    result = parse_sample("chaturbate_new.csv")
    assert result.format == "chaturbate_tokens"
    assert result.one_account is True
    assert result.errors == []
    assert len(result.rows) == 30
    assert [r.line for r in result.rows] == list(range(2, 32))
    assert sum(r.tokens or 0 for r in result.rows) == 4330
    assert Counter(r.entry_type for r in result.rows) == {
        EntryType.TIP: 17,
        EntryType.PRIVATE: 3,
        EntryType.SPEND: 3,
        EntryType.SPY: 2,
        EntryType.GROUP: 2,
        EntryType.REFUND: 1,
        EntryType.CHARGEBACK: 1,
        EntryType.OTHER: 1,
    }
    first = result.rows[0]
    assert first == ParsedRow(
        line=2,
        kind=RecordKind.LEDGER,
        platform="Chaturbate",
        handle=None,
        tokens=25,
        occurred_at=utc(2026, 11, 3, 20, 1, 12),
        member="velvet_owl",
        entry_type=EntryType.TIP,
        note="hi Luna!",
        natural_key=first.natural_key,
    )
    by_line = {r.line: r for r in result.rows}
    assert by_line[3].note == "great show, thank you"  # a quoted comma stays in the note
    assert by_line[4].member == "🦊foxy_fan" and by_line[4].note == "for the song 🎵"
    assert by_line[5].entry_type is EntryType.PRIVATE and by_line[5].tokens == 540
    assert by_line[6].entry_type is EntryType.SPY
    assert by_line[12].tokens == 1200  # "1,200"
    assert by_line[16].entry_type is EntryType.TIP  # "see you in private": the type column says Tip
    assert by_line[21].entry_type is EntryType.REFUND and by_line[21].tokens == -540
    assert by_line[24].tokens == 150  # "+150"
    assert by_line[25].entry_type is EntryType.CHARGEBACK and by_line[25].tokens == -180
    assert by_line[26].member is None and by_line[26].entry_type is EntryType.OTHER  # a system row
    assert all(r.occurred_at is not None and r.occurred_at.tzinfo is UTC for r in result.rows)


def test_chaturbate_old_export_tells_types_by_the_note() -> None:
    result = parse_sample("chaturbate_old.csv")
    assert result.errors == []
    assert [(r.line, r.entry_type) for r in result.rows] == [
        (2, EntryType.TIP),
        (3, EntryType.PRIVATE),
        (4, EntryType.SPY),
        (5, EntryType.GROUP),
        (6, EntryType.SPEND),  # Ticket Show
        (7, EntryType.SPEND),  # Fan Club
        (8, EntryType.TIP),  # "Tip from sunny_daze: ..."
        (9, EntryType.OTHER),  # "Multiple goals reached": "multiple" holds no tip
        (10, EntryType.REFUND),
        (11, EntryType.CHARGEBACK),
        (12, EntryType.OTHER),
    ]
    assert result.rows[-1].member is None


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (BOGOTA, utc(2026, 11, 4, 2, 14, 7)),  # 21:14:07 at UTC-5
        (BUCHAREST, utc(2026, 11, 3, 19, 14, 7)),  # 21:14:07 at UTC+2
    ],
)
def test_naive_timestamps_are_in_the_studio_zone(zone: ZoneInfo, expected: datetime) -> None:
    first = parse_sample("chaturbate_old.csv", zone).rows[0]
    assert first.occurred_at == expected
    assert first.occurred_at is not None and first.occurred_at.utcoffset() is not None


def test_zoned_timestamps_ignore_the_studio_zone() -> None:
    assert [r.occurred_at for r in parse_sample("chaturbate_new.csv", BOGOTA).rows] == [
        r.occurred_at for r in parse_sample("chaturbate_new.csv", BUCHAREST).rows
    ]


def test_line_numbers_count_records_across_a_quoted_line_break() -> None:
    result = parse_sample("chaturbate_quoted_linebreak.csv")
    assert [r.line for r in result.rows] == [2, 3, 4, 6]
    assert result.rows[1].note == "first line\nsecond line\r\nthird line"
    assert result.errors == [RowError(5, "Token change 'abc' is not a whole number")]


def test_blank_rows_are_skipped_but_counted() -> None:
    data = (
        b"User,Token change,Timestamp,Note\n"
        b"\n"
        b"velvet_owl,5,2026-11-03 10:00:00,Tip\n"
        b",,,\n"
        b"quietfan,6,2026-11-03 11:00:00,Tip\n"
    )
    result = parse_file(data, zone=UTC_ZONE)
    assert [r.line for r in result.rows] == [3, 5]


def test_zero_tokens_is_refused() -> None:
    data = b"User,Token change,Timestamp,Note\nvelvet_owl,0,2026-11-03 10:00:00,Tip\n"
    assert parse_file(data, zone=UTC_ZONE).errors == [RowError(2, "Token change is 0")]


def test_positive_refund_line_is_other() -> None:
    data = b"User,Transaction type,Token change,Timestamp,Note\nx,Refund,40,2026-11-03 10:00:00,\n"
    assert parse_file(data, zone=UTC_ZONE).rows[0].entry_type is EntryType.OTHER


# Dialects ------------------------------------------------------------------------------------------


def test_semicolon_bom_crlf_sample_gives_the_same_rows() -> None:
    assert parse_sample("chaturbate_semicolon_bom_crlf.csv").rows == parse_sample("chaturbate_new.csv").rows


def _variants() -> dict[str, bytes]:
    rows = sample_rows("chaturbate_new.csv")
    plain = csv_bytes(rows)
    european = [[c.replace("1,200", "1.200") for c in r] for r in rows]
    return {
        "bom": codecs.BOM_UTF8 + plain,
        "crlf": csv_bytes(rows, newline="\r\n"),
        "cr": csv_bytes(rows, newline="\r"),
        "tab": csv_bytes(rows, delimiter="\t"),
        "semicolon": csv_bytes(european, delimiter=";"),
        "utf16": csv_bytes(rows).decode("utf-8").encode("utf-16"),
        "excel_sep_line": b"sep=;\r\n" + csv_bytes(european, delimiter=";", newline="\r\n"),
    }


@pytest.mark.parametrize("variant", sorted(_variants()))
def test_dialects_of_the_same_content_give_the_same_rows(variant: str) -> None:
    expected = parse_sample("chaturbate_new.csv").rows
    assert parse_file(_variants()[variant], zone=UTC_ZONE).rows == expected


def test_cp1252_file_is_read() -> None:
    data = "User,Token change,Timestamp,Note\nJosé_ñ,5,2026-11-03 10:00:00,Gracias señor\n".encode("cp1252")
    row = parse_file(data, zone=UTC_ZONE).rows[0]
    assert (row.member, row.note) == ("José_ñ", "Gracias señor")


def test_header_is_normalised() -> None:
    table = read_table(b"\xef\xbb\xbf  User ; TOKEN   change;Timestamp\nx;1;2026-11-03\n")
    assert table.header == ["user", "token change", "timestamp"]
    assert table.raw_header == ["User", "TOKEN change", "Timestamp"]
    assert table.delimiter == ";"
    assert column(table, "Tokens", "Token Change") == 1
    assert column(table, "Note") is None
    assert require_columns(table, "Timestamp", ("Token change", "Tokens")) == [2, 1]


def test_require_columns_names_what_is_missing() -> None:
    table = read_table(b"User,Tokens,Timestamp\nx,1,2026-11-03\n")
    with pytest.raises(FileRefused) as refused:
        require_columns(table, "User", "Token change", "Timestamp")
    assert str(refused.value) == "Missing column 'Token change'; the file has: User, Tokens, Timestamp"
    with pytest.raises(FileRefused, match=r"Missing columns 'Token change', 'Note'"):
        require_columns(table, "Token change", "Note")


def test_short_rows_are_padded_to_the_header() -> None:
    table = read_table(b"a,b,c\n1\n")
    assert table.rows == [(2, ["1", "", ""])]


# Stripchat, BongaCams, the template ----------------------------------------------------------------


def test_stripchat_earnings() -> None:
    result = parse_sample("stripchat_earnings.csv")
    assert result.format == "stripchat_earnings"
    assert result.one_account is False
    assert result.errors == []
    assert len(result.rows) == 10
    assert result.rows[0] == ParsedRow(
        line=2,
        kind=RecordKind.DAILY,
        platform="Stripchat",
        handle="LunaRose",
        tokens=2460,
        usd_cents=12300,
        day=date(2026, 11, 1),
        online_minutes=320,  # 5:20
        natural_key="day:2026-11-01",
    )
    assert {r.handle for r in result.rows} == {"LunaRose", "MiaBlaze", "SofiaVega", "GhostModel99"}
    by_line = {r.line: r for r in result.rows}
    assert (by_line[7].usd_cents, by_line[7].tokens) == (6665, 1333)
    assert (by_line[9].tokens, by_line[9].usd_cents) == (None, 8745)  # USD only
    assert (by_line[10].tokens, by_line[10].usd_cents, by_line[10].online_minutes) == (2205, None, None)
    period = by_line[11]
    assert (period.period_start, period.day) == (date(2026, 10, 16), date(2026, 10, 31))
    assert period.online_minutes == 62 * 60 + 30
    assert period.natural_key == "day:2026-10-16/2026-10-31"


def test_stripchat_token_history() -> None:
    result = parse_sample("stripchat_tokens.csv", BUCHAREST)
    assert result.format == "stripchat_tokens"
    assert result.one_account is True
    assert result.errors == []
    assert [(r.entry_type, r.tokens) for r in result.rows] == [
        (EntryType.TIP, 25),
        (EntryType.PRIVATE, 480),
        (EntryType.SPY, 64),
        (EntryType.GROUP, 150),
        (EntryType.SPEND, 40),
        (EntryType.SPEND, 199),
        (EntryType.PRIVATE, 900),  # "Exclusive private"
        (EntryType.REFUND, -480),
        (EntryType.CHARGEBACK, -150),
        (EntryType.TIP, 1000),  # "1 000"
        (EntryType.OTHER, 30),  # "Video purchase"
    ]
    assert result.rows[0].occurred_at == utc(2026, 11, 3, 19, 14, 7)
    assert all(r.platform == "Stripchat" and r.handle is None for r in result.rows)


def test_bongacams_earnings() -> None:
    result = parse_sample("bongacams_earnings.csv")
    assert result.format == "bongacams_earnings"
    assert result.errors == []
    # "13.11.2026" makes the whole file day first.
    assert [(r.handle, r.day, r.tokens, r.usd_cents) for r in result.rows] == [
        ("Luna_Rose", date(2026, 11, 1), 1500, 3750),
        ("Mia-Blaze", date(2026, 11, 1), 820, 2050),
        ("Luna_Rose", date(2026, 11, 2), 2040, 5100),
        ("Mia-Blaze", date(2026, 11, 2), None, 1825),
        ("Luna_Rose", date(2026, 11, 13), 990, None),
        ("Mia-Blaze", date(2026, 11, 13), 1200, 3000),
    ]
    assert {r.platform for r in result.rows} == {"BongaCams"}


def test_studioos_template_csv_sample() -> None:
    result = parse_sample("studioos_template.csv")
    assert result.format == "studioos_template"
    assert result.errors == []
    assert [(r.platform, r.handle, r.tokens, r.usd_cents, r.online_minutes) for r in result.rows] == [
        ("LiveJasmin", "LunaRoseLJ", None, 15240, 185),
        ("MyFreeCams", "MiaBlazeMFC", 2480, None, 240),
        ("LiveJasmin", "LunaRoseLJ", None, 9810, 150),
        ("MyFreeCams", "MiaBlazeMFC", 1730, None, None),
        ("LiveJasmin", "GhostModel99", None, 4000, 60),
    ]
    assert result.rows[0].day == date(2026, 11, 3)


def test_studioos_template_xlsx_sample_equals_the_csv() -> None:
    assert parse_sample("studioos_template.xlsx").rows == parse_sample("studioos_template.csv").rows


def test_downloadable_templates_parse_back_alike() -> None:
    from_csv = parse_file(template_csv(), zone=UTC_ZONE)
    from_xlsx = parse_file(template_xlsx(), zone=UTC_ZONE, filename="template.xlsx")
    assert from_csv.format == from_xlsx.format == "studioos_template"
    assert from_csv.errors == from_xlsx.errors == []
    assert from_csv.rows == from_xlsx.rows
    assert [(r.platform, r.handle) for r in from_csv.rows] == [
        ("LiveJasmin", "LunaRoseLJ"),
        ("MyFreeCams", "MiaBlazeMFC"),
    ]
    assert (from_csv.rows[0].usd_cents, from_csv.rows[1].tokens) == (15240, 2480)


def test_template_xlsx_has_a_bold_header() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx())).active
    assert [c.value for c in sheet[1]] == ["date", "platform", "handle", "tokens", "usd", "online_minutes"]
    assert all(c.font.bold for c in sheet[1])


def test_template_row_needs_platform_handle_and_an_amount() -> None:
    data = (
        b"date,platform,handle,tokens,usd,online_minutes\n"
        b"2026-11-03,,LunaRoseLJ,,10.00,\n"
        b"2026-11-03,LiveJasmin,,,10.00,\n"
        b"2026-11-03,LiveJasmin,LunaRoseLJ,,,30\n"
        b"2026-11-03, Streamate ,LunaRoseST,100,,\n"
    )
    result = parse_file(data, zone=UTC_ZONE)
    assert result.errors == [
        RowError(2, "No platform"),
        RowError(3, "No handle"),
        RowError(4, "Neither tokens nor usd is filled in"),
    ]
    assert result.rows[0].platform == "Streamate"


# Detection -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chaturbate_new.csv", "chaturbate_tokens"),
        ("chaturbate_old.csv", "chaturbate_tokens"),
        ("chaturbate_semicolon_bom_crlf.csv", "chaturbate_tokens"),
        ("stripchat_earnings.csv", "stripchat_earnings"),
        ("stripchat_tokens.csv", "stripchat_tokens"),
        ("bongacams_earnings.csv", "bongacams_earnings"),
        ("studioos_template.csv", "studioos_template"),
        ("studioos_template.xlsx", "studioos_template"),
    ],
)
def test_detects_each_format(name: str, expected: str) -> None:
    assert detect(sample(name), name).name == expected


def test_formats_registry() -> None:
    assert set(FORMATS) == {
        "chaturbate_tokens",
        "stripchat_earnings",
        "stripchat_tokens",
        "bongacams_earnings",
        "studioos_template",
    }
    for name, importer in FORMATS.items():
        assert importer.name == name and importer.label
        assert get_format(name) is importer
    assert FORMATS["studioos_template"].platform is None
    assert FORMATS["bongacams_earnings"].platform == "BongaCams"


def test_unknown_format_name() -> None:
    with pytest.raises(FileRefused, match=r"Unknown file format 'onlyfans'.*chaturbate_tokens"):
        get_format("onlyfans")


def test_unknown_format_names_the_header() -> None:
    with pytest.raises(FileRefused) as refused:
        parse_sample("unknown_format.csv")
    message = str(refused.value)
    assert message.startswith(
        "This file is not in a format StudioOS knows: the header is Name, Amount, When."
    )
    assert "StudioOS template" in message


def test_an_ambiguous_header_is_refused_not_guessed() -> None:
    data = b"Username,Date,Tokens,Income,Platform,Handle\nx,2026-11-03,1,1,y,z\n"
    with pytest.raises(FileRefused, match="more than one format"):
        detect(data)


def test_named_format_is_used_over_detection() -> None:
    with pytest.raises(FileRefused, match=r"Missing columns 'Tokens', 'Date', 'Type'"):
        parse_file(sample("chaturbate_new.csv"), zone=UTC_ZONE, format="stripchat_tokens")
    assert parse_file(sample("chaturbate_new.csv"), zone=UTC_ZONE, format="chaturbate_tokens").rows


def test_each_format_parses_its_bytes_directly() -> None:
    result = FORMATS["bongacams_earnings"].parse(sample("bongacams_earnings.csv"), zone=UTC_ZONE)
    assert len(result.rows) == 6


# Broken files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("header_only.csv", "The file has a header row but no rows."),
        ("broken_missing_column.csv", "Missing column 'Timestamp'; the file has: User, Token change, Note"),
        (
            "broken_renamed_column.csv",
            "Missing column 'Token change'; the file has: User, Tokens, Timestamp, Note",
        ),
        ("broken.xlsx", "The Excel file cannot be opened: it is damaged or not an .xlsx file."),
    ],
)
def test_broken_files_are_refused(name: str, message: str) -> None:
    with pytest.raises(FileRefused) as refused:
        parse_sample(name)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n\r\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        b"\xff\xfe\x00",  # UTF-16 cut in the middle of a character
        b"PK\x03\x04 not really a workbook",
    ],
)
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(FileRefused):
        parse_file(data, zone=UTC_ZONE)


def test_bad_dates_and_tokens_name_the_field_and_the_line() -> None:
    result = parse_sample("broken_bad_dates.csv")
    assert result.errors == [
        RowError(2, "Timestamp '31/02/2026' is not a date"),
        RowError(4, "Timestamp 'yesterday' is not a date"),
        RowError(5, "Timestamp is empty"),
        RowError(
            6, "Token change 'abc' is not a whole number; Timestamp '2026-13-01 10:00:00' is not a date"
        ),
        RowError(7, "Token change is 0"),
    ]
    assert [r.line for r in result.rows] == [3, 8]  # the good rows still come back


def test_bad_earnings_rows_name_the_field_and_the_line() -> None:
    result = parse_sample("broken_bad_tokens.csv")
    assert result.errors == [
        RowError(2, "Tokens 'abc' is not a whole number"),
        RowError(3, "Tokens '12.5' is not a whole number"),
        RowError(4, "USD '$60,0x' is not an amount of money"),
        RowError(5, "No handle"),
        RowError(6, "Neither Tokens nor USD is filled in"),
        RowError(7, "Online time '25:00' is more than a day has"),
    ]
    assert [r.line for r in result.rows] == [8]


def test_earnings_file_without_an_amount_column_is_refused() -> None:
    with pytest.raises(
        FileRefused, match=r"Missing column 'Tokens' or 'USD'; the file has: Username, Period"
    ):
        parse_file(b"Username,Period\nLunaRose,2026-11-03\n", zone=UTC_ZONE, format="stripchat_earnings")


# Natural keys --------------------------------------------------------------------------------------


def test_identical_rows_get_distinct_keys_and_a_reparse_the_same() -> None:
    rows = parse_sample("chaturbate_new.csv").rows
    twins = [r.natural_key for r in rows if r.line in (7, 8)]
    assert twins[0].endswith("#0") and twins[1].endswith("#1")
    assert twins[0][:-2] == twins[1][:-2] and len(twins[0].split("#")[0]) == 40
    assert len({r.natural_key for r in rows}) == 30
    assert [r.natural_key for r in parse_sample("chaturbate_new.csv").rows] == [r.natural_key for r in rows]


def test_ledger_keys_are_the_ones_already_stored() -> None:
    # Keys are stored: these are the values earlier releases wrote, so a faster key function that
    # drifted by one character would land every re-imported row a second time.
    keys = LedgerKeys()
    at = datetime(2026, 11, 3, 21, 14, 7, tzinfo=UTC)
    assert (
        keys.key(at, "BigTipper", 25, EntryType.TIP, " thanks! ")
        == "a3024ca472f255eaf08214a2644dcfd8e9479e95#0"
    )
    assert (
        keys.key(at, "BigTipper", 25, EntryType.TIP, " thanks! ")
        == "a3024ca472f255eaf08214a2644dcfd8e9479e95#1"
    )
    assert keys.key(at, None, -10, EntryType.REFUND, "") == "b8f757c48e44fc3153dac75934582b5958284bb3#0"


def test_same_tip_at_another_time_is_another_key() -> None:
    rows = {r.line: r for r in parse_sample("chaturbate_new.csv").rows}
    assert (rows[2].member, rows[2].tokens, rows[2].note) == (rows[23].member, rows[23].tokens, rows[23].note)
    assert rows[2].natural_key != rows[23].natural_key


def test_overlapping_and_reordered_files_keep_keys() -> None:
    rows = sample_rows("chaturbate_new.csv")
    header, body = rows[0], rows[1:]

    def keys_by_content(result: ParseResult) -> dict[tuple[object, ...], list[str]]:
        keys: dict[tuple[object, ...], list[str]] = {}
        for r in result.rows:
            keys.setdefault((r.member, r.occurred_at, r.tokens, r.note), []).append(r.natural_key)
        return {content: sorted(found) for content, found in keys.items()}

    full = keys_by_content(parse_sample("chaturbate_new.csv"))
    # Each part holds both identical tips (lines 7 and 8) or neither, as a re-export would.
    for part in (body[4:20], body[::-1], body[5:7], body[10:]):
        found = keys_by_content(parse_file(csv_bytes([header, *part]), zone=UTC_ZONE))
        assert found == {content: full[content] for content in found}
        assert len(found) == len({tuple(r) for r in part})


def test_keys_do_not_depend_on_the_studio_zone_for_zoned_times_or_member_case() -> None:
    data = b"User,Token change,Timestamp,Note\nVelvet_Owl,5,2026-11-03T10:00:00Z, hi \n"
    lower = b"User,Token change,Timestamp,Note\nvelvet_owl,5,2026-11-03 12:00:00+02:00,hi\n"
    assert (
        parse_file(data, zone=BOGOTA).rows[0].natural_key
        == parse_file(lower, zone=BUCHAREST).rows[0].natural_key
    )


def test_daily_keys() -> None:
    rows = parse_sample("stripchat_earnings.csv").rows
    assert rows[0].natural_key == "day:2026-11-01"
    assert rows[-1].natural_key == "day:2026-10-16/2026-10-31"


# Values --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1,234", False, 1234),
        ("1 234", False, 1234),
        ("1\u00a0234", True, 1234),
        ("+15", False, 15),
        ("-20", False, -20),
        ("15.0", False, 15),
        ("1.234", True, 1234),
        ("1.234.567", False, 1234567),
        ("(20)", False, -20),
        ("\u221220", False, -20),
    ],
)
def test_whole_numbers(text: str, decimal_comma: bool, expected: int) -> None:
    assert parse_whole(text, "Tokens", decimal_comma=decimal_comma) == expected


@pytest.mark.parametrize("text", ["12.5", "abc", "1,5", "1.234", "12 tokens", "1e3", "", "9" * 30, "1,23,4"])
def test_not_whole_numbers(text: str) -> None:
    with pytest.raises(BadValue, match=r"^Token change '.*' is (not a whole number|too large)$"):
        parse_whole(text, "Token change")


@pytest.mark.parametrize(("text", "decimal_comma"), [("1.000", False), ("-2,000", True)])
def test_a_count_that_reads_as_one_or_a_thousand_is_refused(text: str, decimal_comma: bool) -> None:
    with pytest.raises(BadValue, match=r"is unclear: write it without a separator"):
        parse_whole(text, "Tokens", decimal_comma=decimal_comma)
    assert parse_whole(
        text.replace(".", ",") if not decimal_comma else text.replace(",", "."),
        "T",
        decimal_comma=decimal_comma,
    ) == (1000 if not decimal_comma else -2000)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "cents"),
    [
        ("$1,234.56", False, 123456),
        ("1234,56", True, 123456),
        ("1.234,56", True, 123456),
        ("USD 12.30", False, 1230),
        ("12.30 USD", False, 1230),
        ("-$5", False, -500),
        ("0,50", False, 50),  # one comma and two decimals cannot be thousands
        ("12", False, 1200),
        ("12.345", False, 1235),  # sub-cent rounds half up
        ("1,234", False, 123400),
        ("1,234", True, 123),
    ],
)
def test_money_in_cents(text: str, decimal_comma: bool, cents: int) -> None:
    assert parse_cents(text, "USD", decimal_comma=decimal_comma) == cents


@pytest.mark.parametrize("text", ["abc", "$", "EUR 5", "12.3.4,5", "1e5"])
def test_not_money(text: str) -> None:
    with pytest.raises(BadValue, match=r"^Income '.*' is not an amount of money$"):
        parse_cents(text, "Income")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03 21:14:07", utc(2026, 11, 4, 2, 14, 7)),
        ("2026-11-03T21:14:07", utc(2026, 11, 4, 2, 14, 7)),
        ("2026-11-03T21:14:07Z", utc(2026, 11, 3, 21, 14, 7)),
        ("2026-11-03 21:14:07 UTC", utc(2026, 11, 3, 21, 14, 7)),
        ("2026-11-03T21:14:07+02:00", utc(2026, 11, 3, 19, 14, 7)),
        ("2026-11-03 21:14:07 +02:00", utc(2026, 11, 3, 19, 14, 7)),
        ("11/03/2026 9:14 PM", utc(2026, 11, 4, 2, 14)),
        ("11/03/2026 12:05 AM", utc(2026, 11, 3, 5, 5)),
        ("03.11.2026", utc(2026, 11, 3, 5)),
        ("03.11.2026 21:14", utc(2026, 11, 4, 2, 14)),
        ("2026/11/03 21:14", utc(2026, 11, 4, 2, 14)),
        ("Nov 3, 2026 9:14 PM", utc(2026, 11, 4, 2, 14)),
        ("Tue, 03 Nov 2026 21:14:07 GMT", utc(2026, 11, 3, 21, 14, 7)),
    ],
)
def test_datetimes(text: str, expected: datetime) -> None:
    assert parse_datetime(text, "Timestamp", BOGOTA) == expected


@pytest.mark.parametrize(
    "text",
    ["31/02/2026", "yesterday", "12", "2026-13-01", "13/13/2026", "3 Nov 2026 21:14 EST", "1999-01-01"],
)
def test_not_datetimes(text: str) -> None:
    with pytest.raises(BadValue, match=r"^Timestamp '.*' is not a date$"):
        parse_datetime(text, "Timestamp", BOGOTA)


def test_dst_gaps_and_repeats_resolve_without_failing() -> None:
    # Bucharest: 2026-03-29 03:00 jumps to 04:00; 2026-10-25 04:00 falls back to 03:00.
    assert parse_datetime("2026-03-29 03:30", "T", BUCHAREST) == utc(2026, 3, 29, 1, 30)
    assert parse_datetime("2026-10-25 03:30", "T", BUCHAREST) == utc(2026, 10, 25, 0, 30)


def test_day_order_is_decided_per_file() -> None:
    assert day_first_hint(["03/11/2026", "13/11/2026 10:00"]) is True
    assert day_first_hint(["11/13/2026"]) is False
    assert day_first_hint(["03/11/2026", "2026-11-03"]) is None
    # Undecided: "/" is month first, "." day first.
    assert parse_day("03/11/2026", "Date") == date(2026, 3, 11)
    assert parse_day("03.11.2026", "Date") == date(2026, 11, 3)
    assert parse_day("03/11/2026", "Date", day_first=True) == date(2026, 11, 3)


def test_a_file_with_a_day_above_12_is_read_day_first_throughout() -> None:
    data = b"User,Token change,Timestamp,Note\nx,5,03/11/2026 10:00,Tip\ny,6,13/11/2026 10:00,Tip\n"
    assert [r.occurred_at for r in parse_file(data, zone=UTC_ZONE).rows] == [
        utc(2026, 11, 3, 10),
        utc(2026, 11, 13, 10),
    ]
    us = b"User,Token change,Timestamp,Note\nx,5,03/11/2026 10:00 AM,Tip\n"
    assert parse_file(us, zone=UTC_ZONE).rows[0].occurred_at == utc(2026, 3, 11, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", (None, date(2026, 11, 3))),
        ("2026-11-01 - 2026-11-15", (date(2026, 11, 1), date(2026, 11, 15))),
        ("01.11.2026-15.11.2026", (date(2026, 11, 1), date(2026, 11, 15))),
        ("2026-11-01 to 2026-11-15", (date(2026, 11, 1), date(2026, 11, 15))),
        ("2026-11-03 - 2026-11-03", (None, date(2026, 11, 3))),
    ],
)
def test_periods(text: str, expected: tuple[date | None, date]) -> None:
    assert parse_period(text, "Period") == expected


def test_backwards_period_is_refused() -> None:
    with pytest.raises(BadValue, match="ends before it starts"):
        parse_period("2026-11-15 - 2026-11-01", "Period")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("135", 135), ("2:15", 135), ("2:15:40", 135), ("2h 15m", 135), ("2h", 120), ("45 min", 45), ("0", 0)],
)
def test_online_minutes(text: str, minutes: int) -> None:
    assert parse_minutes(text, "Online time") == minutes


@pytest.mark.parametrize("text", ["-5", "1.5", "2:75", "soon", "h"])
def test_not_online_minutes(text: str) -> None:
    with pytest.raises(BadValue, match=r"^Online time '"):
        parse_minutes(text, "Online time")


# Size ----------------------------------------------------------------------------------------------


def test_a_10_mb_chaturbate_file_parses() -> None:
    header = "User,Transaction type,Token change,Timestamp,Note\r\n"
    note = "thank you for the lovely show tonight, see you tomorrow " * 2
    lines = [header]
    count = 0
    size = len(header)
    while size < 10_000_000:
        seconds = count * 7
        line = (
            f"member_{count % 997},Tip,{count % 300 + 1},"
            f"2026-11-{seconds // 86400 % 28 + 1:02d} {seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:"
            f'{seconds % 60:02d},"{note}"\r\n'
        )
        lines.append(line)
        size += len(line)
        count += 1
    started = time.perf_counter()
    result = parse_file("".join(lines).encode(), zone=BUCHAREST)
    elapsed = time.perf_counter() - started
    assert len(result.rows) == count and result.errors == []
    assert elapsed < 30  # a generous ceiling for a slow CI machine; about 1-2 s on a laptop
