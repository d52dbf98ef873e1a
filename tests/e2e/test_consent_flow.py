"""The cookie banner at a first visit: essential only keeps analytics off (no usage event is
written); changing the choice under "Cookie settings" turns page views on, then off again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from tests.e2e.conftest import App, NewContext, make_owner, shot, sign_in, wait_until

pytestmark = pytest.mark.e2e


def _page_views(app: App, email: str) -> list[str]:
    from studioos.models import UsageEvent, User

    with Session(app.engine) as db:
        user = db.exec(select(User).where(User.email == email)).one()
        rows = db.exec(select(UsageEvent).where(UsageEvent.user_id == user.id).order_by(col(UsageEvent.id)))
        return [e.path for e in rows]


def _choices(app: App, email: str) -> list[bool]:
    from studioos.models import ConsentRecord, User

    with Session(app.engine) as db:
        user = db.exec(select(User).where(User.email == email)).one()
        rows = db.exec(
            select(ConsentRecord).where(ConsentRecord.user_id == user.id).order_by(col(ConsentRecord.id))
        )
        return [r.analytics for r in rows]


def test_first_visit_essential_only_then_analytics_from_cookie_settings(
    new_context: NewContext, app: App
) -> None:
    email = make_owner(app, "Cookie Studio")
    ctx = new_context(cookie_choice=None)  # a first visit: no choice made yet
    page = ctx.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/signin")
    banner = page.locator("#consent-banner")
    expect(banner).to_be_visible()
    shot(page, "consent-banner-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    sign_in(page, email)
    # The banner stays until a choice: still there after signing in.
    expect(banner).to_be_visible()
    page.click("#consent-essential")
    expect(banner).to_be_hidden()
    page.get_by_text("Only essential cookies are used.").wait_for()
    wait_until(lambda: _choices(app, email) == [False], 10, "the choice was not recorded")
    assert {c["name"]: c["value"] for c in ctx.cookies()}["studioos_consent"] == "essential"

    # A returning visit: no banner, and no usage event while analytics is off.
    page.goto("/schedule")
    page.get_by_role("heading", name="Schedule", exact=True).wait_for()
    expect(banner).to_be_hidden()
    page.goto("/rooms")
    page.get_by_role("heading", name="Rooms", exact=True).wait_for()
    assert _page_views(app, email) == []

    # Changed under "Cookie settings": page views are recorded from then on.
    page.click("#cookie-settings")
    expect(banner).to_be_visible()
    expect(page.locator("#consent-now")).to_have_text("Now: essential cookies only.")
    page.click("#consent-analytics")
    expect(banner).to_be_hidden()
    wait_until(lambda: _choices(app, email) == [False, True], 10, "the new choice was not recorded")
    page.goto("/schedule")
    page.get_by_role("heading", name="Schedule", exact=True).wait_for()
    wait_until(lambda: _page_views(app, email) == ["/schedule"], 10, "the page view was not recorded")

    # Withdrawn: nothing more is written.
    page.click("#cookie-settings")
    expect(page.locator("#consent-now")).to_have_text("Now: analytics on.")
    page.click("#consent-essential")
    wait_until(lambda: _choices(app, email) == [False, True, False], 10, "the withdrawal was not recorded")
    page.goto("/rooms")
    page.get_by_role("heading", name="Rooms", exact=True).wait_for()
    page.goto("/dashboard")
    page.locator("#user-menu").wait_for()
    assert _page_views(app, email) == ["/schedule"]
