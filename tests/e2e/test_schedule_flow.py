"""A manager runs the week: a model with a platform account, a recurring shift, a named clash;
the model checks in and asks for a swap; the manager approves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import PASSWORD, link_in, shot, sign_up, unique_email, wait_hydrated

pytestmark = pytest.mark.e2e

TZ = "Europe/Bucharest"  # the sign-up form's default time zone


def _pick(page, trigger: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Choose `option` in the Radix select whose trigger is `trigger`."""
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def _new_model(page, stage_name: str, legal_name: str) -> str:  # type: ignore[no-untyped-def]
    page.goto("/models")
    wait_hydrated(page)
    page.click("#new-model")
    page.fill("#stage_name", stage_name)
    page.fill("#legal_name", legal_name)
    page.fill("#birth_date", "1996-04-23")
    page.fill("#doc_expiry", (datetime.now(UTC).date() + timedelta(days=400)).isoformat())
    page.click("#new-model-submit")
    page.wait_for_url("**/models/*")
    page.get_by_role("heading", name=stage_name).wait_for()
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def test_schedule_flow(new_context, app, mailbox) -> None:  # type: ignore[no-untyped-def]
    manager = new_context().new_page()
    owner_email, model_email = unique_email("owner"), unique_email("model")
    sign_up(manager, studio="Week Studio", name="Wanda Owner", email_addr=owner_email)

    # A model account: invited with the Model role, accepted in her own browser.
    manager.goto("/team")
    wait_hydrated(manager)
    manager.fill("#invite-email", model_email)
    _pick(manager, "#invite-role", "Model")
    manager.click("#invite-submit")
    invite_link = link_in(mailbox.wait_for(model_email), "/invite/")
    model = new_context().new_page()
    model.goto(invite_link)
    wait_hydrated(model)
    model.fill("#name", "Anna Person")
    model.fill("#password", PASSWORD)
    model.fill("#password_confirm", PASSWORD)
    model.click("#accept-invite")
    model.wait_for_url("**/dashboard**")

    # A room and two models.
    manager.goto("/rooms")
    wait_hydrated(manager)
    manager.fill("#name", "Room A")
    manager.click("#new-room-submit")
    manager.locator("#rooms-table").get_by_text("Room A").wait_for()
    anna_id = _new_model(manager, "Anna", "Anna Popescu")

    # Her platform account and her StudioOS account.
    manager.click("#tab-accounts")
    _pick(manager, "#account-platform", "Chaturbate")
    manager.fill("#handle", "anna_cb")
    manager.click("#account-submit")
    manager.locator("#accounts-table").get_by_text("anna_cb").wait_for()
    manager.click("#tab-profile")
    manager.click("#link-account")
    manager.get_by_role("option", name=f"Anna Person ({model_email})").click()
    manager.locator("#linked-account").wait_for()
    shot(manager, "schedule-flow-model")

    _new_model(manager, "Bella", "Bella Ionescu")

    # A weekly series that started a moment ago today (so she can check in), for two weeks.
    now = datetime.now(ZoneInfo(TZ)).replace(second=0, microsecond=0)
    start = now - timedelta(minutes=now.minute % 5)
    end = start + timedelta(hours=4)
    manager.goto("/schedule")
    wait_hydrated(manager)
    # The booking form opens on demand, and stays open from week to week.
    assert manager.locator("#booking-card").count() == 0
    manager.click("#book-open")
    manager.get_by_role("radio", name="Weekly series").click()
    manager.select_option("#series-model", label="Anna")
    manager.select_option("#series-room", label="Room A")
    manager.fill("#series-first-day", start.date().isoformat())
    manager.fill("#series-start", start.strftime("%H:%M"))
    manager.fill("#series-end", end.strftime("%H:%M"))
    manager.fill("#series-weeks", "2")
    manager.click(f"#weekday-{start.weekday()}")
    manager.click("#series-submit")
    manager.get_by_text("Booked 2 shifts").wait_for()
    chip = manager.locator(f'.calendar-day[data-day="{start.date().isoformat()}"] .shift-chip')
    chip.first.wait_for()
    assert manager.locator('.calendar-day[data-today="1"]').count() == 1
    # The hours table (a panel of its own) follows the booking: today's shift counts this month.
    manager.locator(f'#hours-table [data-performer-id="{anna_id}"]').wait_for()
    # Another period: a month ahead holds no shift yet; then back to this month.
    ahead = (start + timedelta(days=40)).date()
    manager.fill("#hours-from", ahead.isoformat())
    manager.fill("#hours-to", (ahead + timedelta(days=3)).isoformat())
    manager.click("#hours-submit")
    manager.get_by_text("No shifts in this period.").wait_for()
    manager.fill("#hours-from", start.date().replace(day=1).isoformat())
    manager.fill("#hours-to", start.date().isoformat())
    manager.click("#hours-submit")
    manager.locator(f'#hours-table [data-performer-id="{anna_id}"]').wait_for()
    # Next week holds the series' second shift; "Today" comes back.
    next_week = (start + timedelta(days=7)).date().isoformat()
    manager.click("#next-week")
    manager.locator(f'.calendar-day[data-day="{next_week}"] .shift-chip').wait_for()
    manager.click("#this-week")
    chip.first.wait_for()

    # Today's shift, this occurrence only: an hour shorter.
    chip.first.click()
    manager.locator("#shift-dialog").wait_for()
    manager.fill("#edit-end", (end - timedelta(hours=1)).strftime("%H:%M"))
    manager.click("#save-shift")
    manager.get_by_text("Shift changed.").wait_for()
    manager.locator("#shift-dialog").wait_for(state="detached")

    # The same room at the same time for Bella: refused, and the message names the booking.
    manager.get_by_role("radio", name="One shift").click()
    manager.select_option("#shift-model", label="Bella")
    manager.select_option("#shift-room", label="Room A")
    manager.fill("#shift-day", start.date().isoformat())
    manager.fill("#shift-start", start.strftime("%H:%M"))
    manager.fill("#shift-end", (start + timedelta(hours=2)).strftime("%H:%M"))
    manager.click("#shift-submit")
    clash = manager.locator("#error-room_id")
    clash.wait_for()
    assert "Room A is already booked" in clash.inner_text()
    assert "(Anna)" in clash.inner_text()
    shot(manager, "schedule-flow-clash")
    manager.click("#booking-close")
    manager.locator("#booking-card").wait_for(state="detached")

    # The model checks in for today's shift.
    model.goto("/my-schedule")
    wait_hydrated(model, "#check-in")
    model.click("#check-in")
    model.locator("#check-out").wait_for()
    assert model.locator("#current-attendance").inner_text() in {"Checked in", "Late"}

    # ... and asks to hand next week's shift to Bella.
    model.locator('[id^="swap-"]').first.click()
    _pick(model, "#swap-with", "Bella")
    model.fill("#reason", "Exam that evening")
    model.click("#request-swap")
    model.locator("#my-requests").get_by_text("Pending").wait_for()
    shot(model, "schedule-flow-my-schedule")

    # The manager approves; the shift is Bella's now.
    manager.goto("/requests")
    wait_hydrated(manager, '[id^="approve-request-"]')
    approve = manager.locator('[id^="approve-request-"]')
    approve.first.wait_for()
    assert "Swap with Bella" in manager.locator("#requests-table").inner_text()
    approve.first.click()
    manager.get_by_text("No pending requests").wait_for()

    model.reload()
    model.locator("#my-requests").get_by_text("Approved").wait_for()
    manager.goto(f"/models/{anna_id}")
    wait_hydrated(manager, "#tab-schedule")
    manager.click("#tab-schedule")
    manager.click("#next-week")
    day = manager.locator(f'.calendar-day[data-day="{next_week}"]')
    day.wait_for()
    assert day.locator(".shift-chip").count() == 0  # handed over to Bella
