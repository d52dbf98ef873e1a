"""A model opening her own page never receives the staff's internal notes about her: not on the
page, and not in any state delta the server sends over the websocket. Her dashboard and her
schedule carry her own shifts and requests only: nothing of another model's, nothing of another
studio's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext
from sqlmodel import Session

from tests.e2e.conftest import (
    PASSWORD,
    STAGE,
    App,
    add_member,
    make_owner,
    new_model,
    sign_in,
    unique_email,
    wait_hydrated,
)
from tests.e2e.event_channel import EventChannel

pytestmark = pytest.mark.e2e

NOTE = "Internal: late twice in May, talk about the new room"


def test_model_receives_no_staff_notes_about_her(new_context: Callable[[], BrowserContext], app: App) -> None:
    owner_page = new_context().new_page()
    owner_email = make_owner(app, "Notes Studio")
    sign_in(owner_page, owner_email)
    performer_id = new_model(owner_page)
    owner_page.fill("#notes", NOTE)
    owner_page.click("#profile-submit")
    owner_page.get_by_text("Profile saved.").wait_for()

    # Control: the owner's own websocket carries the notes, so their absence below is real.
    owner_channel = EventChannel(owner_page)
    owner_page.goto(f"/models/{performer_id}")
    owner_page.get_by_role("heading", name=STAGE).wait_for()
    wait_hydrated(owner_page)
    owner_channel._settle()
    assert NOTE in "\n".join(owner_channel.received)

    model_email = add_member(app, owner_email, "performer", performer_id=int(performer_id))

    page = new_context().new_page()
    channel = EventChannel(page)
    sign_in(page, model_email)
    page.goto(f"/models/{performer_id}")
    page.get_by_role("heading", name=STAGE).wait_for()
    channel._settle()

    assert STAGE in "\n".join(channel.received)  # her profile did arrive over the socket
    assert NOTE not in "\n".join(channel.received)
    assert NOTE not in page.content()


TZ = "Europe/Bucharest"
# What belongs to others: none of it may reach her browser.
BELLA_REASON = "Dentist appointment B-7731"
BELLA_ROOM = "Bella's corner room"
OTHER_STUDIO_MODEL = "Zora Elsewhere"
OTHER_STUDIO_ROOM = "Far Away Room"
OTHER_STUDIO_REASON = "Holiday Z-9902"
HER_ROOM = "Mara's room"


@dataclass(frozen=True)
class Scene:
    model_email: str
    current_id: int  # her shift running now (started half an hour ago)
    later_id: int  # hers in two days, with a pending time-off request
    others: frozenset[int]  # shifts of Bella (same studio) and of the other studio's model


@pytest.fixture
def scene(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    """Two studios built straight in the e2e database through the services."""
    from studioos import db as dbmod
    from studioos import settings as settings_mod
    from studioos.models import Membership, Role, Studio, User
    from studioos.services import performers, rooms, shift_requests, shifts
    from studioos.services.passwords import hash_password
    from studioos.services.permissions import Actor

    monkeypatch.setenv("STUDIOOS_DATABASE_URL", app.database_url)
    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", app.env["STUDIOOS_ENCRYPTION_KEYS"])
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()

    def member(db: Session, studio_id: int, role: str) -> Actor:
        user = User(
            email=unique_email(role), name=f"{role.title()} Member", password_hash=hash_password(PASSWORD)
        )
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id or 0, studio_id=studio_id, role=role))
        db.flush()
        return Actor(
            user_id=user.id or 0,
            email=user.email,
            name=user.name,
            studio_id=studio_id,
            role=role,
            timezone=TZ,
        )

    def model(db: Session, owner: Actor, stage_name: str) -> int:
        today = performers.studio_today(db, owner.studio_id or 0)
        legal = performers.LegalInput(
            legal_name=f"{stage_name} Legal", birth_date="1997-03-14", doc_expiry=today + timedelta(days=400)
        )
        return performers.create_performer(
            db, owner, performers.ProfileInput(stage_name=stage_name), legal
        ).id

    with dbmod.session_scope() as db:
        here, there = Studio(name="Own View Studio", timezone=TZ), Studio(name="Other Studio", timezone=TZ)
        db.add_all([here, there])
        db.flush()
        owner, other_owner = member(db, here.id or 0, Role.OWNER), member(db, there.id or 0, Role.OWNER)
        mara, bella = model(db, owner, "Mara"), model(db, owner, "Bella")
        zora = model(db, other_owner, OTHER_STUDIO_MODEL)
        her_room, bella_room = (
            rooms.create_room(db, owner, HER_ROOM),
            rooms.create_room(db, owner, BELLA_ROOM),
        )
        far_room = rooms.create_room(db, other_owner, OTHER_STUDIO_ROOM)
        start = datetime.now(shifts.studio_zone(db, here.id or 0)).replace(
            tzinfo=None, second=0, microsecond=0
        ) - timedelta(minutes=30)

        def shift(who: Actor, performer_id: int, room_id: int, days: int) -> int:
            begins = start + timedelta(days=days)
            row = shifts.create_shift(
                db,
                who,
                performer_id=performer_id,
                room_id=room_id,
                starts=begins,
                ends=begins + timedelta(hours=4),
            )
            return row.id

        current, later = shift(owner, mara, her_room.id, 0), shift(owner, mara, her_room.id, 2)
        bellas_now, bellas_later = (
            shift(owner, bella, bella_room.id, 0),
            shift(owner, bella, bella_room.id, 2),
        )
        zoras_now, zoras_later = (
            shift(other_owner, zora, far_room.id, 0),
            shift(other_owner, zora, far_room.id, 2),
        )

        def linked(owner: Actor, performer_id: int) -> Actor:
            who = member(db, owner.studio_id or 0, Role.PERFORMER)
            performers.link_membership(
                db, studio_id=owner.studio_id or 0, user_id=who.user_id, performer_id=performer_id
            )
            return who

        mara_user, bella_user, zora_user = (
            linked(owner, mara),
            linked(owner, bella),
            linked(other_owner, zora),
        )
        shift_requests.request_time_off(db, mara_user, later, "My own reason")
        shift_requests.request_time_off(db, bella_user, bellas_later, BELLA_REASON)
        shift_requests.request_time_off(db, zora_user, zoras_later, OTHER_STUDIO_REASON)
    yield Scene(
        mara_user.email, current, later, frozenset({bellas_now, bellas_later, zoras_now, zoras_later})
    )
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()


def test_model_checks_in_from_her_dashboard_and_sees_only_her_own(
    new_context: Callable[[], BrowserContext], scene: Scene
) -> None:
    page = new_context().new_page()
    channel = EventChannel(page)
    sign_in(page, scene.model_email)

    # Her dashboard: the shift running now, its check-in button, her pending request.
    wait_hydrated(page, "#home-check-in")
    assert page.locator("#home-next-room").inner_text() == HER_ROOM
    assert page.locator("#home-pending").get_by_text("Time off").count() == 1
    page.click("#home-check-in")
    page.locator("#home-check-out").wait_for()
    page.get_by_text("Checked in. Have a good show!").wait_for()

    # My schedule: checked in (half an hour after the start: late), her two shifts and her request.
    page.goto("/my-schedule")
    wait_hydrated(page, "#check-out")
    assert page.locator("#current-attendance").inner_text() == "Late"
    listed = {
        int(x)
        for x in page.locator("#upcoming-table [data-shift-id]").evaluate_all(
            "rows => rows.map(r => r.dataset.shiftId)"
        )
    }
    assert listed == {scene.current_id, scene.later_id}
    assert page.locator(f"#time-off-{scene.later_id}").count() == 0  # a request waits for it
    assert page.locator("#my-requests [data-status]").count() == 1

    # She withdraws it: the request says so, and the shift may be asked for again.
    page.locator("#my-requests").get_by_role("button", name="Withdraw").click()
    page.click("#withdraw-request-confirm")
    page.locator('#my-requests [data-status="withdrawn"]').wait_for()
    page.locator(f"#time-off-{scene.later_id}").wait_for()

    channel._settle()
    received = "\n".join(channel.received)
    assert HER_ROOM in received  # her data did arrive over the socket
    for secret in (BELLA_REASON, BELLA_ROOM, OTHER_STUDIO_MODEL, OTHER_STUDIO_ROOM, OTHER_STUDIO_REASON):
        assert secret not in received, secret
        assert secret not in page.content(), secret
    on_page = {
        int(x) for x in page.locator("[data-shift-id]").evaluate_all("els => els.map(e => e.dataset.shiftId)")
    }
    assert on_page and not on_page & scene.others
