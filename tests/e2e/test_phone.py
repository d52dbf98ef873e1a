"""Every signed-in page works on a 390 px wide phone: nothing wider than the screen, the page's
main action on screen without scrolling sideways, the menu and Sign out reachable; and the same
pages still look like a desktop app at 1440 px (sidebar, seven-column week).

The studio is built straight in the e2e database through the services (faster and steadier
than clicking it together): an owner, a model with a linked account and a shift running now.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlmodel import select

from tests.e2e.conftest import PASSWORD, App, shot, sign_in, unique_email, wait_hydrated
from tests.factories import actor_for

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1440, "height": 900}
TZ = "Europe/Bucharest"

# What sticks out past the right edge of the viewport, ignoring what a scrolling box (a table
# inside its card) holds: that part is reachable by scrolling the box, not the page. A box that
# merely clips (a card's overflow: hidden) does not excuse it: that part is unreachable.
OVERFLOW_JS = """
() => {
  const w = window.innerWidth;
  const bad = [];
  const clippedByScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      const scrolls = s.overflowX === 'auto' || s.overflowX === 'scroll';
      if (scrolls && p.getBoundingClientRect().right <= w + 0.5) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.position === 'fixed') continue;
    if (r.right > w + 0.5 && !clippedByScroller(el)) {
      const cls = typeof el.className === 'string' ? el.className.split(' ').slice(0, 2).join('.') : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (cls ? '.' + cls : '');
      bad.push(name + ' right=' + Math.round(r.right) + ' "' + (el.innerText || '').slice(0, 30) + '"');
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: w, bad: bad.slice(0, 8)};
}
"""


@dataclass(frozen=True)
class Studio:
    owner_email: str
    model_email: str
    performer_id: int


@pytest.fixture
def studio(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Studio]:
    from studioos import db as dbmod
    from studioos import settings as settings_mod
    from studioos.models import Membership, Role, Shift, User
    from studioos.models import Studio as StudioRow
    from studioos.services import performers, rooms, shift_requests, shifts
    from studioos.services.passwords import hash_password

    monkeypatch.setenv("STUDIOOS_DATABASE_URL", app.database_url)
    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", app.env["STUDIOOS_ENCRYPTION_KEYS"])
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()
    owner_email, model_email = unique_email("phone-owner"), unique_email("phone-model")
    with dbmod.session_scope() as db:
        row = StudioRow(name="Pocket Studio", timezone=TZ, currency="EUR")
        db.add(row)
        db.flush()
        sid = row.id or 0
        users = {}
        for email, name, role in (
            (owner_email, "Olga Owner", Role.OWNER),
            (model_email, "Mara Model", Role.PERFORMER),
        ):
            user = User(email=email, name=name, password_hash=hash_password(PASSWORD))
            db.add(user)
            db.flush()
            db.add(Membership(user_id=user.id or 0, studio_id=sid, role=role))
            users[role] = user
        db.flush()
        owner = users[Role.OWNER]
        actor = actor_for(db, owner, row)
        today = performers.studio_today(db, sid)
        legal = performers.LegalInput(
            legal_name="Mara Popescu",
            birth_date="1997-03-14",
            doc_expiry=(today + timedelta(days=400)).isoformat(),
        )
        mara = performers.create_performer(db, actor, performers.ProfileInput(stage_name="Mara"), legal)
        bella = performers.create_performer(
            db, actor, performers.ProfileInput(stage_name="Bella Long-Stage-Name"), legal
        )
        performers.link_membership(
            db, studio_id=sid, user_id=users[Role.PERFORMER].id or 0, performer_id=mara.id
        )
        room = rooms.create_room(db, actor, "Room with a rather long name")
        # A shift running now (she can check in), and future ones: a request to decide, a full week.
        now = datetime.now(shifts.studio_zone(db, sid)).replace(tzinfo=None, second=0, microsecond=0)
        start = now - timedelta(minutes=30)
        current = shifts.create_shift(
            db, actor, performer_id=mara.id, room_id=room.id, starts=start, ends=start + timedelta(hours=4)
        )
        for days in (1, 2, 3, 8):
            later = start + timedelta(days=days)
            shifts.create_shift(
                db,
                actor,
                performer_id=mara.id,
                room_id=room.id,
                starts=later,
                ends=later + timedelta(hours=6),
            )
            shifts.create_shift(
                db,
                actor,
                performer_id=bella.id,
                room_id=room.id,
                starts=later + timedelta(hours=6),
                ends=later + timedelta(hours=12),
            )
        assert current.id
        model_actor = actor_for(db, users[Role.PERFORMER], row)
        future = db.exec(
            select(Shift.id)
            .where(Shift.performer_id == mara.id, Shift.starts_at > current.ends_at)
            .order_by(Shift.starts_at)
        ).first()
        shift_requests.request_time_off(
            db, model_actor, future or 0, "A long reason: my sister's wedding is that weekend, far away"
        )
        performer_id = mara.id
    yield Studio(owner_email, model_email, performer_id)
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()


def _context(browser: Browser, app: App, viewport: dict[str, int]) -> BrowserContext:
    ctx = browser.new_context(base_url=app.base_url, viewport=viewport)
    # A returning visitor: the cookie choice is made (the banner has its own test, phone included).
    ctx.add_cookies([{"name": "studioos_consent", "value": "essential", "url": app.base_url}])
    ctx.set_default_timeout(20_000)
    ctx.set_default_navigation_timeout(30_000)
    return ctx


@contextlib.contextmanager
def _signed_in(browser: Browser, app: App, viewport: dict[str, int], email: str) -> Iterator[Page]:
    ctx = _context(browser, app, viewport)
    try:
        page = ctx.new_page()
        sign_in(page, email)
        yield page
    finally:
        ctx.close()


def _open(page: Page, path: str, ready: str) -> None:
    page.goto(path)
    wait_hydrated(page, ready)
    page.locator(ready).first.wait_for()
    # Fonts and late data can widen a page after the first paint.
    page.evaluate("document.fonts.ready.then(() => true)")


def _fits(page: Page, where: str) -> list[str]:
    """What is wrong with the page's width (nothing: an empty list)."""
    got = page.evaluate(OVERFLOW_JS)
    problems = []
    if got["scrollWidth"] > got["innerWidth"]:
        problems.append(
            f"{where}: the page is {got['scrollWidth']} px wide in a {got['innerWidth']} px window"
        )
    if got["bad"]:
        problems.append(f"{where}: past the right edge: {got['bad']}")
    return problems


# Once scrolled to (up or down: it is already within the width), is the middle of the element
# the thing under a finger there (not covered, not clipped away by a card)?
TAPPABLE_JS = """
(el) => {
  el.scrollIntoView({block: 'center', inline: 'nearest'});
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return !!hit && (el === hit || el.contains(hit));
}
"""


def _on_screen(page: Page, selector: str, where: str) -> list[str]:
    """Is `selector` inside the window without scrolling sideways, usable-sized and tappable?"""
    target = page.locator(selector).first
    try:
        target.wait_for(state="visible", timeout=10_000)
    except Exception:
        return [f"{where}: {selector} is not visible"]
    box = target.bounding_box()
    width = page.evaluate("window.innerWidth")
    if box is None or box["x"] < 0 or box["x"] + box["width"] > width:
        return [f"{where}: {selector} is off screen: {box}"]
    if box["width"] < 24 or box["height"] < 20:
        return [f"{where}: {selector} is too small to use: {box}"]
    if not target.evaluate(TAPPABLE_JS):
        return [f"{where}: {selector} is hidden (covered or clipped): {box}"]
    return []


# Each page a model uses, and the thing she came to do on it.
MODEL_PAGES = [
    ("/dashboard", "#user-menu"),
    ("/my-schedule", "#check-in"),
    ("/requests", "#not-allowed, #request-status"),
    ("/account", "#change-password"),
    ("/my-earnings", "#earnings-period"),
]
OWNER_PAGES = [
    ("/dashboard", "#user-menu"),
    ("/models", "#new-model"),
    ("/schedule", "#week-calendar"),
    ("/rooms", "#new-room-submit"),
    ("/team", "#invite-submit"),
    ("/requests", '[id^="approve-request-"]'),
    ("/audit", "#audit-filter"),
    ("/earnings", "#enter-earnings"),
    ("/imports", "#earnings-upload"),
    ("/payroll", "#payroll-period"),
    ("/members", "#member-search"),
]


def _shot_name(prefix: str, path: str) -> str:
    return prefix + ("-profile" if path.startswith("/models/") else path.replace("/", "-"))


def _check_pages(page: Page, pages: list[tuple[str, str]], prefix: str, *, phone: bool) -> list[str]:
    problems: list[str] = []
    for path, action in pages:
        _open(page, path, "#user-menu")
        page.locator(action).first.wait_for()
        shot(page, _shot_name(prefix, path))
        problems += _fits(page, path)
        problems += _on_screen(page, action, path)
        problems += _on_screen(page, "#user-menu", path)
        if phone:
            problems += _on_screen(page, "#nav-menu", path)
    return problems


def test_model_pages_fit_a_phone(browser: Browser, app: App, studio: Studio) -> None:
    pages = [*MODEL_PAGES, (f"/models/{studio.performer_id}", "#tab-profile")]
    with _signed_in(browser, app, PHONE, studio.model_email) as page:
        problems = _check_pages(page, pages, "phone-model", phone=True)

        # The week is a list of days on a phone: each day as wide as the screen, not a 50 px column.
        _open(page, "/my-schedule", "#check-in")
        days = page.locator(".calendar-day")
        assert days.count() == 7
        widths = [round((days.nth(i).bounding_box() or {"width": 0})["width"]) for i in range(7)]
        if min(widths) < 300:
            problems.append(f"the week's days are {widths} px wide")

        # Her shifts to come, with the buttons to ask for time off, and her requests are on screen.
        problems += _on_screen(page, '#upcoming-table [id^="time-off-"]', "coming up")
        problems += _on_screen(page, "#my-requests [data-status]", "my requests")

        # Asking for time off: the dialog fits the phone, its button on screen.
        page.locator('#upcoming-table [id^="time-off-"]').first.click()
        page.locator("#request-time-off").wait_for()
        shot(page, "phone-model-time-off")
        problems += _fits(page, "time-off dialog")
        problems += _on_screen(page, "#request-time-off", "time-off dialog")
        page.keyboard.press("Escape")
        page.locator("#request-time-off").wait_for(state="detached")

        # Checking in from the phone.
        page.click("#check-in")
        page.locator("#check-out").wait_for()
        problems += _on_screen(page, "#check-out", "after check-in")
        problems += _fits(page, "/my-schedule after check-in")
        assert not problems, "\n".join(problems)

        # The menu opens a drawer with her links; a link in it goes to its page.
        page.click("#nav-menu")
        drawer = page.locator("#nav-drawer")
        drawer.wait_for()
        # It slides in from the left: wait until it is all the way in.
        page.wait_for_function(
            "() => { const d = document.querySelector('#nav-drawer');"
            " return !!d && Math.abs(d.getBoundingClientRect().left) < 0.5; }"
        )
        shot(page, "phone-model-drawer")
        assert drawer.locator('[data-nav="/team"]').count() == 0
        assert not _on_screen(page, '#nav-drawer [data-nav="/account"]', "drawer")
        drawer.locator('[data-nav="/account"]').click()
        page.wait_for_url("**/account")
        drawer.wait_for(state="detached")

        # Sign out is on screen in the user menu, and works.
        page.click("#user-menu")
        assert not _on_screen(page, "#sign-out", "user menu")
        page.click("#sign-out")
        page.wait_for_url("**/signin**")


def test_owner_pages_fit_a_phone(browser: Browser, app: App, studio: Studio) -> None:
    pages = [*OWNER_PAGES, (f"/models/{studio.performer_id}", "#profile-submit")]
    with _signed_in(browser, app, PHONE, studio.owner_email) as page:
        problems = _check_pages(page, pages, "phone-owner", phone=True)

        # All five request filters can be reached (the row scrolls inside itself on a phone).
        _open(page, "/requests", "#request-status")
        page.get_by_role("radio", name="All").click()
        problems += _on_screen(page, '#requests-table [data-status="pending"]', "/requests all")

        # The dialogs fit: a new model's form (one column), a shift's details.
        _open(page, "/models", "#new-model")
        page.click("#new-model")
        page.locator("#new-model-submit").wait_for()
        shot(page, "phone-owner-new-model")
        problems += _fits(page, "new model dialog")
        problems += _on_screen(page, "#new-model-submit", "new model dialog")
        page.keyboard.press("Escape")
        _open(page, "/schedule", ".shift-chip")
        page.locator(".shift-chip").first.click()
        page.locator("#shift-dialog").wait_for()
        shot(page, "phone-owner-shift-dialog")
        problems += _fits(page, "shift dialog")
        problems += _on_screen(page, "#cancel-shift", "shift dialog")
        page.keyboard.press("Escape")

        # The invitation's address field is a usable field, not an 8 px sliver.
        _open(page, "/team", "#invite-email")
        box = page.locator("#invite-email").bounding_box()
        if box is None or box["width"] < 200:
            problems.append(f"the invitation's email field is {box}")

        # The unread badge (the model's time-off request) sits beside the bell's icon, not over it.
        _open(page, "/dashboard", "#notification-bell")
        page.locator("#unread-count").wait_for()
        bell = page.locator("#notification-bell svg").bounding_box()
        badge = page.locator("#unread-count").bounding_box()
        assert bell is not None and badge is not None
        overlap = min(bell["x"] + bell["width"], badge["x"] + badge["width"]) - max(bell["x"], badge["x"])
        if overlap > bell["width"] / 4:
            problems.append(f"the unread badge covers the bell: {bell} {badge}")
        # ... and the notifications it opens fit the screen.
        page.click("#notification-bell")
        page.get_by_role("button", name="Mark all read").wait_for()
        shot(page, "phone-owner-notifications")
        problems += _fits(page, "notifications")
        problems += _on_screen(page, "text=Mark all read", "notifications")
        assert not problems, "\n".join(problems)


def test_desktop_keeps_its_sidebar_and_week(browser: Browser, app: App, studio: Studio) -> None:
    with _signed_in(browser, app, DESKTOP, studio.owner_email) as page:
        pages = [*OWNER_PAGES, (f"/models/{studio.performer_id}", "#profile-submit")]
        problems = _check_pages(page, pages, "desktop-owner", phone=False)
        assert page.locator("#sidebar-nav").is_visible()
        assert not page.locator("#nav-menu").is_visible()
        _open(page, "/schedule", "#week-calendar")
        tops = {
            round((page.locator(".calendar-day").nth(i).bounding_box() or {"y": -1})["y"]) for i in range(7)
        }
        if len(tops) != 1:
            problems.append(f"the seven days are not one row: {tops}")
    with _signed_in(browser, app, DESKTOP, studio.model_email) as page:
        pages = [*MODEL_PAGES, (f"/models/{studio.performer_id}", "#tab-profile")]
        problems += _check_pages(page, pages, "desktop-model", phone=False)
    assert not problems, "\n".join(problems)


def test_tablet_upright_fits(browser: Browser, app: App, studio: Studio) -> None:
    """At 820 px the sidebar is back and leaves ~500 px: tables scroll inside their cards there,
    and the week is still a list of days."""
    with _signed_in(browser, app, TABLET, studio.owner_email) as page:
        pages = [*OWNER_PAGES, (f"/models/{studio.performer_id}", "#profile-submit")]
        problems = _check_pages(page, pages, "tablet-owner", phone=False)
        assert page.locator("#sidebar-nav").is_visible()
    assert not problems, "\n".join(problems)


# The pages before signing in, and the button each is for. Models sign in on their phones.
PUBLIC_PAGES = [
    ("/signin", "#signin-submit"),
    ("/signup", "#signup-submit"),
    ("/forgot", "#forgot-submit"),
    ("/privacy", "h1"),
]


def test_public_pages_fit_a_phone(browser: Browser, app: App) -> None:
    ctx = _context(browser, app, PHONE)
    try:
        page = ctx.new_page()
        problems: list[str] = []
        for path, action in PUBLIC_PAGES:
            page.goto(path)
            page.locator(action).first.wait_for()
            page.evaluate("document.fonts.ready.then(() => true)")
            shot(page, "phone-public" + path.replace("/", "-"))
            problems += _fits(page, path)
            problems += _on_screen(page, action, path)
        assert problems == []
    finally:
        ctx.close()
