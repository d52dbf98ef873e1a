"""Download the data: each chart's CSV holds the numbers behind it, the XLSX has a sheet per chart
with the same numbers, and a name that looks like a formula stays text."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
from sqlmodel import Session

from studioos.models import Performer
from studioos.services import analytics
from studioos.services.analytics import Filters
from studioos.services.analytics_export import CHARTS, chart_csv, chart_tables, workbook_xlsx
from studioos.services.errors import ValidationFailed
from tests.analytics_data import FEB, TODAY, build
from tests.factories import actor_for, make_studio


def _february(db: Session) -> analytics.Analytics:
    hand = build(db)
    bella = db.get(Performer, hand.ids["Bella"])
    assert bella is not None
    bella.stage_name = "=Bella"  # as if someone typed a formula as her stage name
    db.add(bella)
    db.commit()
    return analytics.dashboard(db, hand.owner, Filters(*FEB, grain="week"), today=TODAY)


def test_each_charts_csv(db: Session) -> None:
    a = _february(db)
    assert chart_csv(a, "platform_mix") == (
        "Platform,Gross (USD),Share (%)\r\n"
        "LiveJasmin,120.10,49.60\r\n"
        "Stripchat,60.39,24.94\r\n"
        "Chaturbate,53.32,22.02\r\n"
        "BongaCams,8.33,3.44\r\n"
    )
    assert chart_csv(a, "series").splitlines() == [
        "From,To,LiveJasmin (USD),Stripchat (USD),Chaturbate (USD),BongaCams (USD),Total (USD)",
        "2026-02-01,2026-02-01,0.00,0.00,0.00,0.00,0.00",
        "2026-02-02,2026-02-08,120.10,50.05,17.00,0.00,187.15",
        "2026-02-09,2026-02-15,0.00,0.35,25.00,0.00,25.35",
        "2026-02-16,2026-02-22,0.00,0.00,11.32,0.00,11.32",
        "2026-02-23,2026-02-28,0.00,9.99,0.00,8.33,18.32",
    ]
    assert chart_csv(a, "kpis").splitlines() == [
        "KPI,Unit,This period,Previous period,Change,Change in",
        "Gross,USD,242.14,37.50,545.71,%",
        "Studio share,USD,103.73,19.50,431.95,%",
        "Model payouts,USD,138.41,18.00,668.94,%",
        "Hours online,hours,15.00,3.00,400.00,%",
        "Earnings per online hour,USD per hour,16.14,12.50,29.12,%",
        "Active models,models,2,3,-33.33,%",
        "Attendance rate,%,50.00,66.67,-16.67,points",
        "Share of the top 10 members,%,11.84,6.67,5.17,points",
    ]
    assert chart_csv(a, "top_models").splitlines() == [
        "Model,Gross (USD),Previous period (USD),Change (%),Hours online,Per online hour (USD),Payout (USD)",
        "Anna,173.42,12.50,1287.36,12.00,14.45,104.05",
        "'=Bella,68.72,5.00,1274.40,3.00,22.91,34.36",  # text, not a formula
    ]
    heat = chart_csv(a, "heatmap").splitlines()
    assert heat[0].split(",")[:3] == ["Weekday", "00:00", "01:00"] and len(heat) == 8
    monday = heat[1].split(",")
    assert (monday[0], monday[1 + 10], monday[1 + 23], monday[1 + 9]) == ("Monday", "12.00", "5.00", "0.00")
    assert chart_csv(a, "rooms").splitlines()[1:] == [
        "Room 1,672.00,14.00,2.08,2,1,6.00,86.71",
        "Room 2,672.00,9.00,1.34,2,1,3.00,68.72",
    ]
    assert chart_csv(a, "top_members").splitlines()[1] == "1,BigTipper,Chaturbate,18.32,2,7.57"
    assert chart_csv(a, "cohorts").splitlines() == ["First tipped in,Members", "2026-02-01,2"]
    with pytest.raises(ValidationFailed):
        chart_csv(a, "nonsense")


def test_the_workbook_has_a_sheet_per_chart_with_the_same_numbers(db: Session) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    a = _february(db)
    book = load_workbook(io.BytesIO(workbook_xlsx(a)))
    tables = chart_tables(a)
    assert list(tables) == list(CHARTS)
    assert book.sheetnames == ["Filters", *(t.title for t in tables.values())]
    kpis = book["KPIs"]
    assert [c.value for c in kpis[1]] == [
        "KPI",
        "Unit",
        "This period",
        "Previous period",
        "Change",
        "Change in",
    ]
    assert kpis["A2"].value == "Gross" and Decimal(str(kpis["C2"].value)) == Decimal("242.14")
    assert kpis["C2"].number_format == "#,##0.00"
    models = book["Top models"]
    assert models["A3"].value == "=Bella" and models["A3"].data_type == "s"
    for table in tables.values():
        sheet = book[table.title]
        assert sheet.max_row == len(table.rows) + 1
        for row, expected in zip(sheet.iter_rows(min_row=2, values_only=True), table.rows, strict=True):
            assert [_plain(v) for v in row] == [_plain(v) for v in expected]
    about = {row[0]: row[1] for row in book["Filters"].iter_rows(min_row=2, values_only=True)}
    assert about["Amounts in"] == "USD" and about["Time zone"] == "America/Bogota"


def _plain(value: object) -> object:
    """A cell as the workbook gives it back: numbers as Decimal, days as dates."""
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    if isinstance(value, datetime):
        return value.date()
    return value


def test_an_empty_page_exports_too(db: Session) -> None:
    studio, owner = make_studio(db, "Nothing Yet")
    a = analytics.dashboard(db, actor_for(db, owner, studio), Filters(*FEB), today=TODAY)
    assert chart_csv(a, "platform_mix") == "Platform,Gross (USD),Share (%)\r\n"
    assert chart_csv(a, "series").splitlines()[0] == "From,To,Total (USD)"
    assert workbook_xlsx(a)[:2] == b"PK"
