"""What only a browser shows: a booking that needs a yes (past shift, paused model) asks in a dialog,
the calendar cell says "Paused", and cancelling a shift asks before it happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from sqlalchemy import update
from sqlmodel import Session, col, select

from studioos.models import Membership, Performer, PerformerStatus, Shift, ShiftStatus, Studio, User
from studioos.services import rooms
from tests.e2e.conftest import App, shot, sign_up, unique_email, wait_hydrated
from tests.factories import actor_for

pytestmark = pytest.mark.e2e


def _shifts(app: App) -> list[Shift]:
    with Session(app.engine) as db:
        return list(db.exec(select(Shift).join(Studio).where(Studio.name == "Confirm Studio")).all())


def test_past_booking_of_a_paused_model_asks_and_cancelling_asks(page: Page, app: App) -> None:
    email = unique_email("owner")
    sign_up(page, studio="Confirm Studio", name="Cora Owner", email_addr=email)
    # The model through the form (the app holds the encryption key), then paused in the database.
    page.goto("/models")
    wait_hydrated(page)
    page.click("#new-model")
    page.fill("#stage_name", "Pia")
    page.fill("#legal_name", "Pia Pausata")
    page.fill("#birth_date", "1996-04-23")
    page.fill("#doc_expiry", (datetime.now(UTC).date() + timedelta(days=400)).isoformat())
    page.click("#new-model-submit")
    page.wait_for_url("**/models/*")
    with Session(app.engine) as db:
        user = db.exec(select(User).where(User.email == email)).one()
        studio_id = db.exec(select(Membership.studio_id).where(Membership.user_id == user.id)).one()
        rooms.create_room(db, actor_for(db, user, db.get(Studio, studio_id)), "Room P")
        paused = {"status": PerformerStatus.PAUSED}
        db.execute(update(Performer).where(col(Performer.studio_id) == studio_id).values(**paused))
        db.commit()

    yesterday = (datetime.now(ZoneInfo("Europe/Bucharest")) - timedelta(days=1)).date()
    page.goto("/schedule")
    wait_hydrated(page, "#book-open")
    page.click("#book-open")
    page.locator("#shift-form").wait_for()

    def submit() -> None:
        page.select_option("#shift-model", label="Pia")
        page.select_option("#shift-room", label="Room P")
        page.fill("#shift-day", yesterday.isoformat())
        page.fill("#shift-start", "10:00")
        page.fill("#shift-end", "12:00")
        page.click("#shift-submit")

    # Both warnings, and nothing is booked until the manager says yes.
    submit()
    warnings = page.locator("#booking-warnings")
    warnings.wait_for()
    assert "Pia is paused." in warnings.inner_text()
    assert "This shift is in the past" in warnings.inner_text()
    shot(page, "confirm-booking")
    page.click("#booking-confirm-cancel")
    warnings.wait_for(state="detached")
    assert _shifts(app) == []
    submit()
    page.click("#booking-confirm-confirm")
    page.get_by_text("Booked Pia in Room P").wait_for()
    chip = page.locator(f'.calendar-day[data-day="{yesterday.isoformat()}"] .shift-chip')
    assert chip.locator(".shift-blocked").inner_text() == "Paused"
    assert len(_shifts(app)) == 1

    # Cancelling asks; "Keep it" keeps it.
    chip.click()
    assert page.locator("#shift-blocked").inner_text() == "Paused"
    page.click("#cancel-shift")
    page.locator("#cancel-shift-confirm").get_by_text("cannot be undone").wait_for()
    shot(page, "confirm-cancel-shift")
    page.click("#cancel-shift-confirm-cancel")
    page.locator("#cancel-shift-confirm").wait_for(state="detached")
    assert _shifts(app)[0].status == ShiftStatus.SCHEDULED
    page.click("#cancel-shift")
    page.click("#cancel-shift-confirm-confirm")
    page.get_by_text("Shift cancelled.").wait_for()
    assert [s.status for s in _shifts(app)] == [ShiftStatus.CANCELLED]
