"""In the browser: sign-up answers the same for a taken address, and a real browser is
recognised again (its id cookie) so that the sign-in throttle can trust it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlmodel import Session, select

from studioos.models import LoginEvent, TrustedBrowser, User
from tests.e2e.conftest import (
    App,
    NewContext,
    mail_text,
    shot,
    sign_in,
    sign_out,
    sign_up,
    unique_email,
    wait_hydrated,
)
from tests.local_servers import MailCapture

pytestmark = pytest.mark.e2e


def _ask_for_a_studio(page: Page, email_addr: str) -> str:
    page.goto("/signup")
    wait_hydrated(page)
    page.fill("#studio_name", "Lyra Studio")
    page.fill("#name", "Lena Stranger")
    page.fill("#email", email_addr)
    page.fill("#password", "a stranger's long password")
    page.fill("#password_confirm", "a stranger's long password")
    page.click("#signup-submit")
    sent = page.locator("#signup-sent")
    sent.wait_for()
    return sent.inner_text().strip()


def test_sign_up_answers_the_same_for_a_taken_address(
    new_context: NewContext, app: App, mailbox: MailCapture
) -> None:
    owner = unique_email("owner")
    sign_up(new_context().new_page(), studio="Taken Studio", name="Tia Owner", email_addr=owner)

    stranger = new_context().new_page()
    free = unique_email("free")
    free_answer = _ask_for_a_studio(stranger, free)
    stranger.goto("/signup")  # a fresh form
    taken_answer = _ask_for_a_studio(stranger, owner.upper())
    shot(stranger, "signup-taken-address")

    assert free_answer == f"Check your email: we sent a link to {free}."
    assert taken_answer.replace(owner, free) == free_answer
    # The owner is told instead, with no link that could create anything ...
    notice = mailbox.wait_for(owner, subject="Someone tried to create")
    assert "/forgot" in mail_text(notice) and "/signup/confirm/" not in mail_text(notice)
    # ... and no second account or request exists for her address.
    with Session(app.engine) as db:
        assert len(db.exec(select(User).where(User.email == owner)).all()) == 1


def test_a_browser_that_signed_in_before_is_recognised(new_context: NewContext, app: App) -> None:
    owner = unique_email("owner")
    page = new_context().new_page()
    sign_up(page, studio="Trust Studio", name="Tom Owner", email_addr=owner)
    sign_out(page)
    sign_in(page, owner)
    sign_in(new_context().new_page(), owner)  # another browser

    with Session(app.engine) as db:
        user = db.exec(select(User).where(User.email == owner)).one()
        trusted = set(
            db.exec(select(TrustedBrowser.browser_hash).where(TrustedBrowser.user_id == user.id)).all()
        )
        events = db.exec(
            select(LoginEvent).where(LoginEvent.user_id == user.id).order_by(LoginEvent.id)  # type: ignore[arg-type]
        ).all()
    # Two sign-ins, each recorded with its browser: the one that followed the sign-up link (and
    # was trusted then) signed in again, the other is new, and both are trusted now.
    assert [e.success for e in events] == [True, True]
    assert events[0].browser_hash != events[1].browser_hash
    assert trusted == {events[0].browser_hash, events[1].browser_hash}
