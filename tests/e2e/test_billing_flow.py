"""Billing as an owner sees it: the trial's banner and the Billing page's figures; when the
subscription lapses the banner says the studio is read-only and a change is refused with those
words, while the support desk still takes her request, and support can give the trial more days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.e2e.conftest import App, NewContext, make_owner, make_support, shot, sign_in
from tests.local_servers import StripeFront

pytestmark = pytest.mark.e2e


def _studio_of(app: App, name: str, **changes: object) -> None:
    from studioos.models import Studio

    with Session(app.engine) as db:
        studio = db.exec(select(Studio).where(Studio.name == name)).one()
        for key, value in changes.items():
            setattr(studio, key, value)
        db.add(studio)
        db.commit()


def test_the_trial_banner_the_billing_page_and_a_read_only_studio(new_context: NewContext, app: App) -> None:
    owner = make_owner(app, "Billing Studio")
    _studio_of(app, "Billing Studio", trial_ends_at=datetime.now(UTC) + timedelta(days=3, hours=2))
    page = new_context().new_page()
    sign_in(page, owner)
    banner = page.locator("#billing-banner")
    expect(banner).to_contain_text("Your trial ends in 4 days")
    page.click('a[href="/billing"]')
    expect(page.locator("#billing-plan")).to_contain_text("Trial")
    expect(page.locator("#billing-trial")).to_contain_text("4 days left")
    expect(page.locator("#billing-use")).to_contain_text("0 active models (25 allowed)")
    expect(page.locator("[data-plan]")).to_have_count(3)
    shot(page, "billing-trial")

    # The trial ends without a plan: read-only, said on every page and on every refused change.
    _studio_of(app, "Billing Studio", trial_ends_at=datetime.now(UTC) - timedelta(hours=1))
    page.goto("/rooms")
    expect(banner).to_contain_text("read-only")
    expect(banner).to_have_attribute("data-level", "danger")
    page.fill("#name", "Room after the trial")
    page.click("#new-room-submit")
    expect(page.get_by_text("Your trial has ended: the studio is read-only").last).to_be_visible()
    page.reload()
    expect(page.locator("body")).not_to_contain_text("Room after the trial")

    # Support is never gated: she can still ask for help.
    page.goto("/support")
    page.locator("#support-title").wait_for()
    page.fill("#support-title", "Trial ended")
    page.select_option("#support-category", "billing")
    page.fill("#support-message", "I need a few more days to decide.")
    page.click("#support-submit")
    page.wait_for_url("**/support?request=*")
    expect(page.locator("#support-thread")).to_contain_text("a few more days")

    # Support sees the studio's billing for this billing request, and gives the trial a week more.
    staff = new_context().new_page()
    sign_in(staff, make_support(app, "Bea Billing"))
    staff.goto(page.url.replace(app.base_url, ""))
    staff.click("#billing-look")
    expect(staff.locator("#billing-look-state")).to_contain_text("Billing Studio: Trial")
    staff.fill("#trial-days", "7")
    staff.click("#trial-extend")
    expect(staff.get_by_text("The trial is 7 days longer.")).to_be_visible()
    page.goto("/rooms")
    expect(banner).to_contain_text("Your trial ends in 7 days")
    page.fill("#name", "Room in the longer trial")
    page.click("#new-room-submit")
    expect(page.locator("body")).to_contain_text("Room in the longer trial")


def test_a_model_beyond_the_plans_limit_is_refused_with_the_way_up(
    new_context: NewContext, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studioos.models import Performer, Studio
    from studioos.settings import reset_settings_cache

    # The models are written here with the app's keys (their notes are encrypted at rest).
    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", app.env["STUDIOOS_ENCRYPTION_KEYS"])
    reset_settings_cache()
    owner = make_owner(app, "Starter Studio")
    _studio_of(
        app,
        "Starter Studio",
        plan="starter",
        stripe_subscription_id="sub_e2e_starter",
        subscription_status="active",
        billing_cycle="monthly",
    )
    with Session(app.engine) as db:
        studio = db.exec(select(Studio).where(Studio.name == "Starter Studio")).one()
        for n in range(5):
            db.add(Performer(studio_id=studio.id or 0, stage_name=f"Star {n}", status="active"))
        db.commit()
    page = new_context().new_page()
    sign_in(page, owner)
    page.goto("/models")
    page.click("#new-model")
    page.fill("#stage_name", "Sixth Star")
    page.fill("#legal_name", "Sixth Legal")
    page.fill("#birth_date", "1996-03-02")
    page.click("#doc_type")
    page.get_by_role("option", name="Passport").click()
    page.fill("#doc_number", "P123456")
    page.fill("#doc_country", "RO")
    page.fill("#doc_expiry", (datetime.now(UTC).date() + timedelta(days=400)).isoformat())
    page.click("#status")
    page.get_by_role("option", name="Active").click()
    page.click("#new-model-submit")
    expect(page.get_by_text("The Starter plan allows 5 active models")).to_be_visible()
    expect(page.get_by_text("Upgrade under Billing")).to_be_visible()
    # As an applicant she fits: the limit counts active models only.
    page.click("#status")
    page.get_by_role("option", name="Applicant").click()
    page.click("#new-model-submit")
    page.wait_for_url("**/models/*")
    page.get_by_role("heading", name="Sixth Star").wait_for()


def test_choosing_a_plan_goes_to_stripe_checkout_and_the_portal_button_to_the_portal(
    new_context: NewContext, app: App, stripe_front: StripeFront
) -> None:
    owner = make_owner(app, "Checkout Studio")
    page = new_context().new_page()
    sign_in(page, owner)
    page.goto("/billing")
    page.locator("#billing-cycle input[value=yearly]").click()
    page.click("#plan-studio")
    # The browser leaves StudioOS for the Checkout page Stripe gave (the test server's).
    page.wait_for_url(f"{stripe_front.base_url}/checkout/*")
    expect(page.locator("#stripe-hosted")).to_have_text("Stripe Checkout (test)")
    sent = stripe_front.sessions[-1]
    assert sent["path"] == ["/v1/checkout/sessions"]
    assert sent["line_items[0][price]"] == ["price_e2e_studio_yearly"]
    assert sent["success_url"] == [app.url("/billing?checkout=done")]
    assert sent["mode"] == ["subscription"]

    # Back from Checkout: the thanks, and now a customer at Stripe, so the portal button.
    page.goto(app.url("/billing?checkout=done"))
    expect(page.get_by_text("your subscription starts as soon as Stripe confirms")).to_be_visible()
    page.click("#billing-portal")
    page.wait_for_url(f"{stripe_front.base_url}/portal/*")
    assert stripe_front.sessions[-1]["return_url"] == [app.url("/billing")]
