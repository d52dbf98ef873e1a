"""Analytics in a browser: the figures follow a filter change (and the URL keeps it), a chart's CSV
holds the numbers behind it, a bar of the time series lists its day's records, and a model's bar
opens her numbers with the same filters.

The studio is built straight in the e2e database through the services: an owner and two models,
one paid on Stripchat and one on LiveJasmin, with a day's figure each in the last 30 days."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, App, add_member, shot, sign_in, unique_email
from tests.factories import actor_for

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Studio:
    owner_email: str
    luna: int
    mia: int
    luna_day: str
    mia_day: str


@pytest.fixture
def studio(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Studio]:
    from studioos import db as dbmod
    from studioos import settings as settings_mod
    from studioos.models import Membership, Role, User
    from studioos.models import Studio as StudioRow
    from studioos.services import earnings, performers, platforms
    from studioos.services.passwords import hash_password

    monkeypatch.setenv("STUDIOOS_DATABASE_URL", app.database_url)
    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", app.env["STUDIOOS_ENCRYPTION_KEYS"])
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()
    owner_email = unique_email("charts-owner")
    with dbmod.session_scope() as db:
        row = StudioRow(name="Charts Studio", timezone="America/New_York", currency="USD")
        db.add(row)
        db.flush()
        owner = User(email=owner_email, name="Ana Owner", password_hash=hash_password(PASSWORD))
        db.add(owner)
        db.flush()
        db.add(Membership(user_id=owner.id or 0, studio_id=row.id or 0, role=Role.OWNER))
        db.flush()
        actor = actor_for(db, owner, row)
        today = actor.today()
        days = {"Luna": today - timedelta(days=3), "Mia": today - timedelta(days=5)}
        ids = {}
        for name, platform, handle, usd in (
            ("Luna", "Stripchat", "LunaRose", "100.00"),
            ("Mia", "LiveJasmin", "MiaBlaze", "50.00"),
        ):
            ids[name] = performers.create_performer(
                db,
                actor,
                performers.ProfileInput(stage_name=name, payout_split="50"),
                performers.LegalInput(legal_name=f"{name} Legal", birth_date="1997-03-14"),
            ).id
            account = platforms.add_account(db, actor, ids[name], platform, handle)
            earnings.enter_day(db, actor, account.id, days[name], "", usd, "120")
    yield Studio(owner_email, ids["Luna"], ids["Mia"], days["Luna"].isoformat(), days["Mia"].isoformat())
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()


def _gross(page: Page) -> object:
    return expect(page.locator("#kpis [data-kpi=gross] .kpi-value"))


def _click_tallest_bar(page: Page, plot: str) -> None:
    """Click the middle of the tallest (or widest) bar of a plotly chart."""
    page.locator(plot).scroll_into_view_if_needed()
    box = page.evaluate(
        """(sel) => {
            let best = null, size = 0;
            for (const p of document.querySelectorAll(sel + ' g.point path')) {
                const r = p.getBoundingClientRect();
                if (r.width * r.height > size) { size = r.width * r.height; best = r; }
            }
            return best && {x: best.x + best.width / 2, y: best.y + best.height / 2};
        }""",
        plot,
    )
    assert box, f"no bar in {plot}"
    page.mouse.click(box["x"], box["y"])


def test_filters_csv_and_drill_down(page: Page, studio: Studio) -> None:
    sign_in(page, studio.owner_email)
    page.goto("/analytics")
    _gross(page).to_contain_text("150.00")
    shot(page, "analytics")

    # A filter change: the figures follow, and the URL carries the filter (a view to bookmark).
    page.select_option("#filter-platform", "Stripchat")
    page.wait_for_url("**/analytics?*platform=Stripchat*")
    _gross(page).to_contain_text("100.00")
    assert page.input_value("#filter-platform") == "Stripchat"

    # The numbers behind the chart: one row per day of the range, Luna's day holds her 100.00.
    with page.expect_download() as caught:
        page.click("#csv-series")
    with open(caught.value.path(), encoding="utf-8") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    header, body = rows[0], rows[1:]
    assert "Stripchat (USD)" in header and "LiveJasmin (USD)" not in header
    by_day = {r[0]: r for r in body}
    assert by_day[studio.luna_day][header.index("Stripchat (USD)")] == "100.00"
    total = sum(Decimal(r[header.index("Stripchat (USD)")] or "0") for r in body)
    assert total == Decimal("100.00")

    # Drill down: the day's bar lists that day's records.
    _click_tallest_bar(page, "#plot-series")
    dialog = page.locator("#day-dialog")
    dialog.wait_for()
    records = page.locator("#day-records tbody tr")
    records.first.wait_for()
    assert records.count() == 1
    assert "Luna" in records.first.inner_text()
    dialog.get_by_role("button", name="Close").click()
    dialog.wait_for(state="detached")

    # Back to every platform; a model's bar opens her numbers with the same filters.
    page.click("#filter-clear")
    page.wait_for_url(lambda url: "platform=" not in url)
    _gross(page).to_contain_text("150.00")
    _click_tallest_bar(page, "#plot-top-models")
    page.wait_for_url(f"**/analytics?*model={studio.luna}*")
    _gross(page).to_contain_text("100.00")
    expect(page.locator("#filter-model")).to_have_value(str(studio.luna))
    assert parse_qs(urlsplit(page.url).query)["model"] == [str(studio.luna)]

    # The owner opts in to the Monday email; the choice is kept.
    from sqlmodel import select

    from studioos import db as dbmod
    from studioos.models import User
    from studioos.models.reports import WeeklyReportSubscription

    page.click("#weekly-report")
    page.get_by_text("every Monday").wait_for()
    with dbmod.session_scope() as db:
        owner = db.exec(select(User).where(User.email == studio.owner_email)).one()
        assert db.exec(
            select(WeeklyReportSubscription).where(WeeklyReportSubscription.user_id == owner.id)
        ).first()
    page.reload()
    expect(page.locator("#weekly-report")).to_be_checked()


def test_a_model_sees_her_own_numbers_and_no_one_elses(page: Page, app: App, studio: Studio) -> None:
    """Mia's own view holds her 50.00; a URL with Luna's id (typed by hand or shared) shows no
    figures at all, and the CSV route answers the same way."""
    mia_email = add_member(app, studio.owner_email, "performer", performer_id=studio.mia)
    sign_in(page, mia_email)
    page.goto("/my-analytics")
    _gross(page).to_contain_text("50.00")
    expect(page.locator("#filter-model")).to_have_count(0)  # no model filter in her own view
    page.goto(f"/my-analytics?model={studio.luna}")
    page.get_by_text("Not found.").first.wait_for()
    expect(page.locator("#kpis")).to_have_count(0)
    answer = page.request.get(f"/api/analytics/series.csv?model={studio.luna}")
    assert answer.status == 404
    assert "100.00" not in answer.text()
