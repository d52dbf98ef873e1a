"""What people see on the studio's pages that had no browser test: the public privacy policy,
the notification bell, a model's photo upload, and the audit log's contents and filters.

The studio is built straight in the e2e database with the shared builders of tests/factories.py
(set-up, not the subject): an owner, a model with a linked account, and an upcoming shift of hers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from studioos.privacy_text import LAST_UPDATED, SECTIONS
from tests import factories
from tests.e2e.conftest import (
    App,
    NewContext,
    shot,
    sign_in,
    wait_hydrated,
    wait_until,
)

pytestmark = pytest.mark.e2e

TZ = "Europe/Bucharest"  # the studio's zone, as factories.make_studio sets it
MODEL = "Mara Model"
STAGE = "Mara Lumen"


@dataclass(frozen=True)
class Cast:
    owner_email: str
    model_email: str
    performer_id: int


@pytest.fixture
def studio(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cast]:
    from studioos import db as dbmod
    from studioos import settings as settings_mod
    from studioos.services import rooms

    # The shared builders write to the app's database with the app's key (legal fields are sealed).
    monkeypatch.setenv("STUDIOOS_DATABASE_URL", app.database_url)
    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", app.env["STUDIOOS_ENCRYPTION_KEYS"])
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()
    with dbmod.session_scope() as db:
        studio_row, owner = factories.make_studio(db, "Lumen Studio")
        actor = factories.actor_for(db, owner, studio_row)
        ids = {
            STAGE: factories.new_performer(db, actor, STAGE),
            "Blue room": rooms.create_room(db, actor, "Blue room").id,
        }
        model = factories.performer_user(db, studio_row, ids[STAGE], name=MODEL)
        # An upcoming shift of hers, the day after tomorrow in the studio.
        factories.book(
            db, actor, ids, STAGE, "Blue room", actor.today() + timedelta(days=2), "12:00", "18:00"
        )
        cast = Cast(owner.email, model.email, ids[STAGE])
    yield cast
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()


# --- /privacy -----------------------------------------------------------------------------


def test_privacy_policy_is_public(page: Page) -> None:
    page.goto("/signin")
    wait_hydrated(page)
    page.get_by_role("link", name="Privacy policy").first.click()
    page.wait_for_url("**/privacy")
    expect(page.get_by_role("heading", name="Privacy policy", level=1)).to_be_visible()
    expect(page.locator("#policy-updated")).to_contain_text("Last updated: ")
    assert "/privacy" in page.url  # a signed-out visitor is not sent to sign in
    # The first version, the text the app was built with, stays readable whatever was published
    # since (another test publishes versions in this app).
    page.goto("/privacy?version=0")
    expect(page.locator("#policy-updated")).to_have_text(f"Last updated: {LAST_UPDATED}")
    for title, paragraphs in SECTIONS:
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        expect(page.get_by_text(paragraphs[0], exact=True)).to_be_visible()
    shot(page, "privacy")


# --- the notification bell ----------------------------------------------------------------


def test_bell_shows_a_models_request_until_marked_read(new_context: NewContext, studio: Cast) -> None:
    owner = new_context().new_page()
    sign_in(owner, studio.owner_email, factories.PASSWORD)
    wait_hydrated(owner, "#notification-bell")
    expect(owner.locator("#unread-count")).to_have_count(0)
    owner.click("#notification-bell")
    expect(owner.get_by_text("Nothing new.")).to_be_visible()
    owner.keyboard.press("Escape")

    # The model asks for time off on her own page.
    model = new_context().new_page()
    sign_in(model, studio.model_email, factories.PASSWORD)
    model.goto("/my-schedule")
    model.get_by_role("button", name="Time off").first.click()
    model.get_by_label("Reason (optional)").fill("My sister's wedding")
    model.get_by_role("button", name="Send time-off request").click()
    expect(model.get_by_text("Request pending").first).to_be_visible()

    # The owner's next page shows one unread notification, and the bell lists it.
    owner.goto("/dashboard")
    expect(owner.locator("#unread-count")).to_have_text("1")
    owner.click("#notification-bell")
    panel = owner.get_by_role("dialog")
    expect(panel.get_by_text(f"{STAGE} asks for time off")).to_be_visible()
    expect(panel.get_by_text("My sister's wedding")).to_be_visible()
    shot(owner, "bell-unread")

    panel.get_by_role("button", name="Mark all read").click()
    expect(owner.locator("#unread-count")).to_have_count(0)
    # Read, not gone: still listed, and still read after a reload.
    expect(panel.get_by_text(f"{STAGE} asks for time off")).to_be_visible()
    owner.reload()
    wait_hydrated(owner, "#notification-bell")
    owner.click("#notification-bell")
    expect(owner.get_by_role("dialog").get_by_text(f"{STAGE} asks for time off")).to_be_visible()
    expect(owner.locator("#unread-count")).to_have_count(0)


# --- photo upload -------------------------------------------------------------------------


def _open_model(page: Page, performer_id: int) -> None:
    page.goto(f"/models/{performer_id}")
    page.get_by_role("heading", name=STAGE).wait_for()
    wait_hydrated(page, "#photo-upload input[type=file]")


def _photo_shown(page: Page) -> int:
    """The natural width of the model's photo once the browser has loaded it (0 before)."""
    return int(
        page.evaluate(
            """() => {
                const img = document.querySelector('img[alt^="Photo of"]');
                return img && img.complete ? img.naturalWidth : 0;
            }"""
        )
    )


def test_photo_upload_shows_the_photo_and_refuses_a_non_image(
    new_context: NewContext, app: App, studio: Cast
) -> None:
    page = new_context().new_page()
    sign_in(page, studio.owner_email, factories.PASSWORD)
    _open_model(page, studio.performer_id)
    expect(page.get_by_role("img", name=f"Photo of {STAGE}")).to_have_count(0)

    upload = page.locator("#photo-upload input[type=file]")
    upload.set_input_files(
        {"name": "mara.png", "mimeType": "image/png", "buffer": factories.image_bytes("PNG", (64, 48))}
    )
    expect(page.get_by_text("Photo saved.")).to_be_visible()
    expect(page.get_by_role("img", name=f"Photo of {STAGE}")).to_be_visible()
    wait_until(lambda: _photo_shown(page) == 64, 15, "the uploaded photo is not shown")
    saved = page.request.get(app.url(f"/api/photos/{studio.performer_id}"))
    assert saved.status == 200 and saved.headers["content-type"].startswith("image/png")
    shot(page, "photo-uploaded")

    # A file that only calls itself a PNG is refused with a message, and the photo stays.
    upload.set_input_files(
        {"name": "notes.png", "mimeType": "image/png", "buffer": b"just some notes\n" * 20}
    )
    expect(
        page.get_by_role("alert").filter(has_text="This file is not a JPEG, PNG or WebP image.")
    ).to_be_visible()
    shot(page, "photo-refused")
    # So is a photo over the limit (the guard in front lets up to 10 MB through to the service).
    upload.set_input_files({"name": "big.png", "mimeType": "image/png", "buffer": bytes(6 * 1024 * 1024)})
    expect(
        page.get_by_role("alert").filter(has_text="The photo is 6.0 MB; the limit is 5 MB.")
    ).to_be_visible()
    # A file not even named as an image is refused by the browser, in the page's own words.
    upload.set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"just some notes\n"})
    expect(
        page.locator("[data-sonner-toast]").filter(has_text="This file is not a JPEG, PNG or WebP image.")
    ).to_be_visible()
    assert page.request.get(app.url(f"/api/photos/{studio.performer_id}")).body() == saved.body()
    page.reload()
    wait_hydrated(page, "#photo-upload input[type=file]")
    expect(page.get_by_role("img", name=f"Photo of {STAGE}")).to_be_visible()
    wait_until(lambda: _photo_shown(page) == 64, 15, "the saved photo is not shown after a reload")


def test_a_photo_over_the_upload_limit_is_refused_with_a_message(
    new_context: NewContext, studio: Cast
) -> None:
    """Over what the upload guard lets through, the browser refuses the file and the page says why."""
    page = new_context().new_page()
    sign_in(page, studio.owner_email, factories.PASSWORD)
    _open_model(page, studio.performer_id)
    page.locator("#photo-upload input[type=file]").set_input_files(
        {"name": "huge.png", "mimeType": "image/png", "buffer": bytes(11 * 1024 * 1024)}
    )
    expect(
        page.locator("[data-sonner-toast]").filter(has_text="The photo is over 10 MB; the limit is 5 MB.")
    ).to_be_visible()


# --- the audit log ------------------------------------------------------------------------

ROWS_JS = """() => [...document.querySelectorAll('table tbody tr')].map(
    (tr) => [...tr.querySelectorAll('td')].slice(1, 3).map((td) => td.innerText.trim()))"""


def _rows(page: Page) -> list[tuple[str, str]]:
    """(who, action) of each row of the log as shown, newest first."""
    return [(who, action) for who, action in page.evaluate(ROWS_JS)]


def _rows_become(page: Page, expected: list[tuple[str, str]], what: str) -> None:
    last: list[list[tuple[str, str]]] = []

    def shown() -> bool:
        last[:] = [_rows(page)]
        return last[0] == expected

    try:
        wait_until(shown, 20, what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: the log shows {last[0] if last else None}, not {expected}") from None


def _choose(page: Page, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("listbox")).to_have_count(0)


def test_audit_log_shows_what_was_done_and_the_filters_narrow_it(
    new_context: NewContext, studio: Cast
) -> None:
    # What happens in the studio, done in the browser: the model mistypes her password once and
    # signs in; the owner signs in and renames herself.
    model = new_context().new_page()
    model.goto("/signin")
    wait_hydrated(model)
    model.fill("#email", studio.model_email)
    model.fill("#password", "not her password")
    model.click("#signin-submit")
    expect(model.locator("#form-message")).to_have_text("Wrong email or password.")
    sign_in(model, studio.model_email, factories.PASSWORD)

    page = new_context().new_page()
    sign_in(page, studio.owner_email, factories.PASSWORD)
    page.goto("/account")
    wait_hydrated(page)
    page.fill("#name", "Olga Renamed")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your name is now Olga Renamed.")).to_be_visible()

    page.goto("/audit")
    page.get_by_role("heading", name="Audit log").wait_for()
    wait_hydrated(page, "#audit-filter")
    owner = "Olga Renamed"  # the log names people as they are called now
    everything = [
        (owner, "Name changed"),
        (owner, "Signed in"),
        (MODEL, "Signed in"),
        (MODEL, "Sign-in failed"),
        (owner, "Model added"),
        (owner, "Studio created"),
    ]
    _rows_become(page, everything, "the log does not show the studio's actions")
    shot(page, "audit-log")

    # One kind of action.
    _choose(page, "#audit-kind", "Sign-ins")
    page.click("#audit-filter")
    _rows_become(page, [r for r in everything if r[1] in ("Signed in", "Sign-in failed")], "Sign-ins filter")
    _choose(page, "#audit-kind", "Account and sessions")
    page.click("#audit-filter")
    _rows_become(page, [(owner, "Name changed")], "Account and sessions filter")

    # One person, with every kind of action.
    _choose(page, "#audit-kind", "Every kind of action")
    _choose(page, "#audit-person", MODEL)
    page.click("#audit-filter")
    _rows_become(page, [(MODEL, "Signed in"), (MODEL, "Sign-in failed")], "person filter")

    # Days: nothing happened tomorrow; a period that ends before it starts is refused inline.
    page.get_by_role("button", name="Clear", exact=True).click()
    _rows_become(page, everything, "Clear did not bring every row back")
    today = datetime.now(ZoneInfo(TZ)).date()
    page.fill("#audit-first_day", (today + timedelta(days=1)).isoformat())
    page.click("#audit-filter")
    expect(page.get_by_text("Nothing logged")).to_be_visible()
    assert _rows(page) == []
    page.fill("#audit-first_day", today.isoformat())
    page.fill("#audit-last_day", (today - timedelta(days=1)).isoformat())
    page.click("#audit-filter")
    expect(page.locator("#error-last_day")).to_have_text("The end of the period is before its start.")
    page.fill("#audit-last_day", today.isoformat())
    page.click("#audit-filter")
    _rows_become(page, everything, "today's actions")
