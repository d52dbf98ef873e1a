"""Payout statements (PDF, CSV, a period's ZIP) and the import template, downloaded over HTTP by
who may read them, and refused to everyone else."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import Session
from starlette.testclient import TestClient

from studioos.api.routes import build_api
from studioos.models import Studio, User
from studioos.services import auth, earnings, pay_periods, payroll, platforms
from studioos.services.formatting import Formats, for_studio
from studioos.services.pay_periods import Period
from studioos.services.statement_files import payout_money, rate_text
from tests.factories import actor_for, add_member, make_studio, new_performer, performer_user, session_cookie

LUNA = "Луна 🌙"  # Cyrillic and an emoji DejaVu Sans has no glyph for


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_api(), follow_redirects=False) as c:
        yield c


@dataclass(frozen=True)
class World:
    studio: Studio
    owner: User
    ids: dict[str, int]
    period: Period
    fmt: Formats


def _world(db: Session) -> World:
    """Anna and Bella earn in the last complete pay period, which is adjusted, paid out in COP and
    locked; Luna earns today, in the period still open."""
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    ids = {name: new_performer(db, actor, name) for name in ("Anna", "Bella", LUNA)}
    for name, platform, handle in (
        ("Anna", "Chaturbate", "anna_cb"),
        ("Anna", "LiveJasmin", "AnnaLJ"),
        ("Bella", "Stripchat", "BellaSC"),
        (LUNA, "Chaturbate", "luna_cb"),
    ):
        ids[handle] = platforms.add_account(db, actor, ids[name], platform, handle).id
    db.commit()
    rule = pay_periods.rule_for(db, studio.id or 0)
    period = rule.previous(rule.containing(actor.today()))
    day = period.starts_on
    earnings.enter_day(db, actor, ids["anna_cb"], day, "1001", "", "300")  # 50.05 USD at 0.05
    earnings.enter_day(db, actor, ids["AnnaLJ"], day, "", "120.10", "")
    earnings.enter_day(db, actor, ids["BellaSC"], day + timedelta(days=1), "333", "", "")  # 16.65 USD
    earnings.enter_day(db, actor, ids["luna_cb"], actor.today(), "200", "", "")
    payroll.add_adjustment(db, actor, day, ids["Anna"], "bonus", "10", "Best month")
    payroll.add_adjustment(db, actor, day, ids["Anna"], "deduction", "2.50", "Late twice")
    payroll.set_exchange(db, actor, day, "COP", "4000.50")
    payroll.lock(db, actor, day)
    db.commit()
    return World(studio, owner, ids, period, for_studio(studio))


def _url(world: World, who: str, ext: str) -> str:
    return f"/api/statements/{world.period.starts_on.isoformat()}/{world.ids[who]}.{ext}"


def _text(pdf: bytes) -> str:
    """The PDF's text with every run of spaces as one (babel puts no-break spaces in amounts)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _flat(text: str) -> str:
    return " ".join(text.split())


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _assert_download(response: httpx.Response, media_type: str, filename: str) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert filename in response.headers["content-disposition"]


def test_the_owner_downloads_a_statement_as_pdf_and_csv(db: Session, client: TestClient) -> None:
    world = _world(db)
    cookie = session_cookie(db, world.owner, world.studio)
    first, last = world.period.starts_on.isoformat(), world.period.ends_on.isoformat()

    pdf = client.get(_url(world, "Anna", "pdf"), cookies=cookie)
    _assert_download(pdf, "application/pdf", f"{first}_{last}_Anna.pdf")
    assert pdf.content.startswith(b"%PDF-")
    text = _text(pdf.content)
    for expected in (
        "Studio A",
        "Payout statement",
        "Anna",
        world.fmt.date_range(world.period.starts_on, world.period.ends_on),
        "Status: Locked",
        "Chaturbate",
        "LiveJasmin",
        "60 % of gross",
        world.fmt.money(17015, "USD"),  # gross
        world.fmt.money(10209, "USD"),  # her share
        world.fmt.money(6806, "USD"),  # the studio's share
        "Best month",
        "Late twice",
        world.fmt.money(10959, "USD"),  # net: 102.09 + 10.00 - 2.50
        f"1 USD = {rate_text(world.fmt, Decimal('4000.50'))} COP",
        payout_money(world.fmt, Decimal("438414.80"), "COP"),  # 109.59 * 4000.50, half-up
        "Generated by StudioOS on",
    ):
        assert _flat(expected) in text, expected
    assert "Draft" not in text

    sheet = client.get(_url(world, "Anna", "csv"), cookies=cookie)
    _assert_download(sheet, "text/csv", f"{first}_{last}_Anna.csv")
    rows = _csv_rows(sheet.content)
    by_label = {row[0]: row for row in rows if row}
    assert by_label["Studio"][1] == "Studio A"
    assert by_label["Model"][1] == "Anna"
    assert by_label["Period start"][1] == first
    assert by_label["Period end"][1] == last
    assert by_label["Status"][1] == "Locked"
    assert by_label["Chaturbate"][1:] == ["1001", "0.05", "50.05"]
    assert by_label["LiveJasmin"][1:] == ["0", "", "120.10"]
    assert by_label["Gross"][2:] == ["170.15", "USD"]
    assert by_label["Her share"][1:] == ["60 % of gross", "102.09", "USD"]
    assert by_label["Studio's share"][2:] == ["68.06", "USD"]
    assert by_label["Bonus"][1:] == ["Best month", "10.00", "USD"]
    assert by_label["Deduction"][1:] == ["Late twice", "-2.50", "USD"]
    assert by_label["Net"][2:] == ["109.59", "USD"]
    assert Decimal(by_label["Exchange rate"][2]) == Decimal("4000.50")
    assert by_label["Net in payout currency"][2:] == ["438414.80", "COP"]
    # Numbers are plain decimals: they add up in a spreadsheet as they do here.
    assert Decimal("102.09") + Decimal("10.00") - Decimal("2.50") == Decimal(by_label["Net"][2])


def test_the_owner_downloads_the_period_as_a_zip(db: Session, client: TestClient) -> None:
    world = _world(db)
    first, last = world.period.starts_on.isoformat(), world.period.ends_on.isoformat()
    response = client.get(
        f"/api/statements/{first}.zip", cookies=session_cookie(db, world.owner, world.studio)
    )
    _assert_download(response, "application/zip", f"statements_{first}_{last}.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        f"{first}_{last}_Anna.pdf",
        f"{first}_{last}_Bella.pdf",
        "summary.csv",
    ]
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
    assert "Bella" in _text(archive.read(f"{first}_{last}_Bella.pdf"))
    assert _flat(world.fmt.money(10959, "USD")) in _text(archive.read(f"{first}_{last}_Anna.pdf"))
    summary = list(csv.DictReader(io.StringIO(archive.read("summary.csv").decode("utf-8-sig"))))
    anna, bella, total = summary
    assert anna["Model"] == "Anna" and anna["File"] == f"{first}_{last}_Anna.pdf"
    assert (anna["Gross (USD)"], anna["Her share (USD)"], anna["Studio's share (USD)"]) == (
        "170.15",
        "102.09",
        "68.06",
    )
    assert (anna["Adjustments (USD)"], anna["Net (USD)"], anna["Net (payout currency)"]) == (
        "7.50",
        "109.59",
        "438414.80",
    )
    assert anna["Payout currency"] == "COP"
    assert (bella["Model"], bella["Gross (USD)"], bella["Her share (USD)"], bella["Net (USD)"]) == (
        "Bella",
        "16.65",
        "9.99",
        "9.99",
    )
    assert total["Model"] == "Total"
    assert total["Net (USD)"] == "119.58"


def test_a_model_reads_her_own_statement_only(db: Session, client: TestClient) -> None:
    world = _world(db)
    anna = performer_user(db, world.studio, world.ids["Anna"], name="Anna Person")
    anna_user = db.get(User, anna.user_id)
    assert anna_user is not None
    cookie = session_cookie(db, anna_user, world.studio)

    own = client.get(_url(world, "Anna", "pdf"), cookies=cookie)
    assert own.status_code == 200
    text = _text(own.content)
    assert _flat(world.fmt.money(10959, "USD")) in text
    assert "Best month" in text  # she reads why her pay changed
    assert client.get(_url(world, "Anna", "csv"), cookies=cookie).status_code == 200
    # A colleague's statement is "not found", not "forbidden": ids cannot be probed.
    for ext in ("pdf", "csv"):
        refused = client.get(_url(world, "Bella", ext), cookies=cookie)
        assert refused.status_code == 404
        assert refused.json()["error"]
    zipped = client.get(f"/api/statements/{world.period.starts_on}.zip", cookies=cookie)
    assert zipped.status_code == 403


def test_an_analyst_reads_statements_without_notes_and_no_zip(db: Session, client: TestClient) -> None:
    world = _world(db)
    cookie = session_cookie(db, add_member(db, world.studio, "analyst"), world.studio)

    pdf = client.get(_url(world, "Anna", "pdf"), cookies=cookie)
    assert pdf.status_code == 200
    text = _text(pdf.content)
    assert "Bonus" in text and _flat(world.fmt.money(10959, "USD")) in text
    assert "Best month" not in text and "Late twice" not in text
    sheet = client.get(_url(world, "Anna", "csv"), cookies=cookie)
    assert sheet.status_code == 200
    assert b"Best month" not in sheet.content and b"Late twice" not in sheet.content
    assert client.get(_url(world, "Bella", "pdf"), cookies=cookie).status_code == 200
    zipped = client.get(f"/api/statements/{world.period.starts_on}.zip", cookies=cookie)
    assert zipped.status_code == 403
    assert zipped.json()["error"]


def test_other_studios_strangers_and_bad_urls_are_refused(db: Session, client: TestClient) -> None:
    world = _world(db)
    other_studio, other_owner = make_studio(db, "Studio B")
    stranger = session_cookie(db, other_owner, other_studio)
    for ext in ("pdf", "csv"):
        assert client.get(_url(world, "Anna", ext), cookies=stranger).status_code == 404
        assert client.get(_url(world, "Anna", ext)).status_code == 401  # no cookie
        assert (
            client.get(_url(world, "Anna", ext), cookies={auth.SESSION_COOKIE: "forged"}).status_code == 401
        )
    # Studio B's ZIP of the same dates holds nothing of Studio A.
    theirs = client.get(f"/api/statements/{world.period.starts_on}.zip", cookies=stranger)
    assert theirs.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(theirs.content)).namelist() == ["summary.csv"]
    assert client.get(f"/api/statements/{world.period.starts_on}.zip").status_code == 401

    owner = session_cookie(db, world.owner, world.studio)
    anna = world.ids["Anna"]
    for url in (
        f"/api/statements/2026-13-45/{anna}.pdf",
        f"/api/statements/not-a-date/{anna}.csv",
        "/api/statements/0001-01-01.zip",
        f"/api/statements/{world.period.starts_on}/abc.pdf",
        f"/api/statements/{world.period.starts_on}/0.pdf",
        f"/api/statements/{world.period.starts_on}/99999999999.csv",  # past the database's integers
        f"/api/statements/{world.period.starts_on}/{max(world.ids.values()) + 1000}.pdf",
    ):
        refused = client.get(url, cookies=owner)
        assert refused.status_code == 404, url
        assert refused.json()["error"], url


def test_a_draft_statement_with_a_cyrillic_and_emoji_name(db: Session, client: TestClient) -> None:
    world = _world(db)
    today = actor_for(db, world.owner, world.studio).today()
    response = client.get(
        f"/api/statements/{today.isoformat()}/{world.ids[LUNA]}.pdf",
        cookies=session_cookie(db, world.owner, world.studio),
    )
    assert response.status_code == 200
    # The header stays Latin-1: the real name travels percent-encoded (RFC 6266 filename*).
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert quote("Луна") in response.headers["content-disposition"]
    text = _text(response.content)
    assert "Луна" in text
    assert "Draft: the period is not locked yet" in text
    assert _flat(world.fmt.money(1000, "USD")) in text  # 200 tokens at 0.05 USD


def test_the_import_template_is_for_those_who_enter_earnings(db: Session, client: TestClient) -> None:
    world = _world(db)
    owner = session_cookie(db, world.owner, world.studio)
    manager = session_cookie(db, add_member(db, world.studio, "manager"), world.studio)

    sheet = client.get("/api/imports/template.csv", cookies=owner)
    _assert_download(sheet, "text/csv", "studioos-earnings-template.csv")
    assert _csv_rows(sheet.content)[0][:2] == ["date", "platform"]
    book = client.get("/api/imports/template.xlsx", cookies=manager)
    _assert_download(
        book,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "studioos-earnings-template.xlsx",
    )
    assert book.content.startswith(b"PK")  # an Office file is a ZIP

    analyst = session_cookie(db, add_member(db, world.studio, "analyst"), world.studio)
    model = performer_user(db, world.studio, world.ids["Bella"], name="Bella Person")
    model_user = db.get(User, model.user_id)
    assert model_user is not None
    for cookie in (analyst, session_cookie(db, model_user, world.studio)):
        for ext in ("csv", "xlsx"):
            assert client.get(f"/api/imports/template.{ext}", cookies=cookie).status_code == 403
    assert client.get("/api/imports/template.csv").status_code == 401
