"""The money flow in a browser: upload a file with bad rows, read the preview's refusals, map an
unknown handle, confirm, see the earnings; run payroll, lock it; download a PDF statement.

The studio is built straight in the e2e database through the services: an owner and two models
with their Stripchat accounts."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from tests.e2e.conftest import (
    PASSWORD,
    App,
    NewContext,
    make_owner,
    shot,
    sign_in,
    unique_email,
    wait_hydrated,
)
from tests.e2e.event_channel import EventChannel
from tests.factories import actor_for

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class MoneyStudio:
    owner_email: str
    luna: int
    mia: int
    first_day: str  # ISO: a day of the last finished pay period
    period_start: str


@pytest.fixture
def studio(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[MoneyStudio]:
    from studioos import db as dbmod
    from studioos import settings as settings_mod
    from studioos.models import Membership, Role, Studio, User
    from studioos.services import pay_periods, performers, platforms
    from studioos.services.passwords import hash_password

    monkeypatch.setenv("STUDIOOS_DATABASE_URL", app.database_url)
    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", app.env["STUDIOOS_ENCRYPTION_KEYS"])
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()
    owner_email = unique_email("money-owner")
    with dbmod.session_scope() as db:
        row = Studio(name="Money Studio", timezone="America/New_York", currency="USD")
        db.add(row)
        db.flush()
        owner = User(email=owner_email, name="Olga Owner", password_hash=hash_password(PASSWORD))
        db.add(owner)
        db.flush()
        db.add(Membership(user_id=owner.id or 0, studio_id=row.id or 0, role=Role.OWNER))
        db.flush()
        actor = actor_for(db, owner, row)
        ids = {}
        for name, handle in (("Luna", "LunaRose"), ("Mia", "MiaBlaze")):
            ids[name] = performers.create_performer(
                db,
                actor,
                performers.ProfileInput(stage_name=name, payout_split="50"),
                performers.LegalInput(legal_name=f"{name} Legal", birth_date="1997-03-14"),
            ).id
            platforms.add_account(db, actor, ids[name], "Stripchat", handle)
        rule = pay_periods.rule_for(db, row.id or 0)
        period = rule.previous(rule.containing(actor.today()))
    yield MoneyStudio(
        owner_email, ids["Luna"], ids["Mia"], period.starts_on.isoformat(), period.starts_on.isoformat()
    )
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()


def test_import_preview_map_confirm_then_payroll_and_statement(page: Page, studio: MoneyStudio) -> None:
    day = studio.first_day
    csv = (
        "Username;Date;Tokens;USD\r\n"
        f"LunaRose;{day};2000;\r\n"
        f"MiaBlaze;{day};1000;\r\n"
        f"GhostModel99;{day};500;\r\n"
        "MiaBlaze;31/02/2026;10;\r\n"
        f"LunaRose;{day};abc;\r\n"
    ).encode()
    sign_in(page, studio.owner_email)
    page.goto("/imports")
    wait_hydrated(page, "#earnings-upload")
    page.locator("#earnings-upload input[type=file]").set_input_files(
        {"name": "stripchat-earnings.csv", "mimeType": "text/csv", "buffer": csv}
    )
    preview = page.locator("#import-preview")
    preview.wait_for()
    assert page.inner_text("#preview-read") == "5"
    assert page.inner_text("#preview-land") == "2"
    refused = page.locator("#refused-rows")
    refused.locator("[data-line='4']").wait_for()  # GhostModel99: no model has it
    assert "not a date" in refused.locator("[data-line='5']").inner_text()
    assert "whole number" in refused.locator("[data-line='6']").inner_text()
    shot(page, "import-preview")

    # Map the unknown handle to Mia: the preview now lands its row too.
    page.click("#map-GhostModel99")
    page.get_by_role("option", name="Mia").click()
    page.wait_for_function("() => document.querySelector('#preview-land')?.innerText === '3'")
    assert refused.locator("[data-line='4']").count() == 0

    page.click("#import-confirm")
    page.get_by_text("3 rows imported").wait_for()
    page.locator("#batches-table [data-batch]").first.wait_for()
    assert page.locator("#import-preview").count() == 0

    # The import's own rows, whatever period they are in.
    page.locator("#batches-table [data-batch]").first.get_by_role("button", name="Rows").click()
    page.wait_for_url("**/earnings?batch=*")
    page.wait_for_function("() => document.querySelectorAll('#earnings-records [data-record]').length === 3")

    # The earnings of that period: 3,500 tokens at Stripchat's 0.05 USD.
    page.goto(f"/earnings?period={studio.period_start}")
    wait_hydrated(page, "#earnings-period")
    page.wait_for_function("() => document.querySelector('#earnings-gross')?.innerText.includes('175')")
    assert "3,500" in page.inner_text("#earnings-tokens")
    by_model = page.locator("#earnings-by-model")
    assert "$100.00" in by_model.locator("[data-model='Luna']").inner_text()
    assert "$75.00" in by_model.locator("[data-model='Mia']").inner_text()

    # A figure entered by hand from a dashboard, then corrected: the totals follow.
    page.click("#enter-earnings")
    page.click("#entry-account")
    page.get_by_role("option", name="Mia: Stripchat MiaBlaze").click()
    # (the day after the imported one: that day already has Mia's Stripchat figure)
    next_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    page.fill("#entry-day", next_day)
    page.fill("#entry-tokens", "200")
    page.click("#entry-submit")
    page.get_by_text("Saved for Mia on Stripchat.").wait_for()
    page.wait_for_function("() => document.querySelector('#earnings-tokens')?.innerText.includes('3,700')")
    page.locator("[id^=edit-record-]").first.click()
    page.fill("#edit_tokens", "300")
    page.click("#edit-record-submit")
    page.wait_for_function("() => document.querySelector('#earnings-tokens')?.innerText.includes('3,800')")
    assert "$90.00" in by_model.locator("[data-model='Mia']").inner_text()

    # Payroll of that period: Luna's share at her 50 % split, then lock it.
    page.goto(f"/payroll?period={studio.period_start}")
    wait_hydrated(page, "#payroll-period")
    lines = page.locator("#payroll-lines")
    lines.locator("[data-model='Luna']").wait_for()
    assert "$50.00" in lines.locator("[data-model='Luna']").inner_text()
    page.click("#lock-payroll")
    page.click("#confirm-dialog-confirm")
    page.get_by_text("Payroll locked").wait_for()
    page.wait_for_function("() => document.querySelector('#payroll-status')?.innerText === 'Locked'")
    shot(page, "payroll-locked")

    # Her statement, as a PDF with the final numbers.
    with page.expect_download() as download:
        page.click(f"#statement-pdf-{studio.luna}")
    data = download.value.path().read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Money Studio" in text and "Luna" in text and "Locked" in text
    assert "$50.00" in text or "50.00" in text


PAGES = "reflex___state____state.studioos___pages___"


def test_money_events_with_another_studios_ids_change_nothing(
    app: App, studio: MoneyStudio, new_context: NewContext
) -> None:
    """State events are an API: studio B's owner sends the money pages' events with studio A's
    ids (an import, an entered figure, an adjustment) and nothing of A changes."""
    from sqlmodel import Session, select

    from studioos import db as dbmod
    from studioos.models import (
        EarningRecord,
        ImportBatch,
        Membership,
        PayrollAdjustment,
        PlatformAccount,
        Studio,
        User,
    )
    from studioos.services import earnings, imports, payroll
    from studioos.services.permissions import Actor

    with dbmod.session_scope() as db:
        owner = db.exec(select(User).where(User.email == studio.owner_email)).one()
        sid = db.exec(select(Membership.studio_id).where(Membership.user_id == owner.id)).one()
        actor: Actor = actor_for(db, owner, db.get(Studio, sid))
        day = date.fromisoformat(studio.first_day)
        csv = f"Username,Date,Tokens,USD\nLunaRose,{day.isoformat()},100,\n".encode()
        batch = imports.confirm(db, actor, csv, filename="a.csv")
        mia_account = db.exec(
            select(PlatformAccount.id).where(
                PlatformAccount.handle == "MiaBlaze", PlatformAccount.studio_id == sid
            )
        ).one()
        record = earnings.enter_day(db, actor, mia_account, day + timedelta(days=1), "50", "", "")
        adjustment = payroll.add_adjustment(db, actor, day, studio.luna, "bonus", "10", "Thanks")

    def snapshot() -> tuple[object, ...]:
        with Session(app.engine) as db:
            return (
                db.get(ImportBatch, batch.id).status,  # type: ignore[union-attr]
                db.get(EarningRecord, record.id) is not None,
                db.get(PayrollAdjustment, adjustment.id) is not None,
            )

    before = snapshot()
    assert before == ("landed", True, True)

    page = new_context().new_page()
    channel = EventChannel(page)
    sign_in(page, make_owner(app, "Studio B"))
    page.goto("/payroll")
    wait_hydrated(page, "#payroll-period")
    attempts = [
        (f"{PAGES}imports____imports_state.undo", "/imports/", {"batch_id": str(batch.id)}),
        (f"{PAGES}earnings____earnings_state.remove", "/earnings/", {"record_id": str(record.id)}),
        (
            f"{PAGES}payroll____payroll_state.remove_adjustment",
            "/payroll/",
            {"adjustment_id": str(adjustment.id)},
        ),
    ]
    for handler, path, payload in attempts:
        kind, text = channel.send(handler, path, **payload)
        assert (kind, text) == ("error", "Not found."), (handler, kind, text)
    assert snapshot() == before
