"""Invite an analyst by email, accept in another browser, and the analyst's reduced view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from studioos.models.accounts import Invitation, Membership, Role, User
from tests.e2e.conftest import PASSWORD, link_in, shot, sign_up, unique_email, wait_hydrated

pytestmark = pytest.mark.e2e


def test_invite_analyst_accept_and_reduced_access(new_context, app, mailbox) -> None:  # type: ignore[no-untyped-def]
    owner_page = new_context().new_page()
    sign_up(owner_page, studio="Nebula Studio", name="Nora Owner", email_addr=unique_email("owner"))

    # The owner sees every manager link.
    nav = owner_page.locator("#sidebar-nav")
    for href in ("/dashboard", "/team", "/audit", "/account"):
        nav.locator(f'[data-nav="{href}"]').wait_for()

    analyst = unique_email("analyst")
    owner_page.goto("/team")
    wait_hydrated(owner_page, "#invite-submit")
    owner_page.fill("#invite-email", analyst)
    owner_page.click("#invite-role")
    owner_page.get_by_role("option", name="Analyst").click()
    owner_page.click("#invite-submit")
    owner_page.locator("[data-sonner-toast]").filter(has_text=f"Invitation sent to {analyst}").wait_for()
    invitations = owner_page.locator("#invitations-table")
    invitations.get_by_text(analyst).wait_for()
    assert invitations.locator("tbody tr").filter(has_text=analyst).get_by_text("Pending").count() == 1
    shot(owner_page, "team-invitation-sent")

    # The owner is on the team as "you", and cannot remove herself.
    me = owner_page.locator("#members-table tbody tr").filter(has_text="Nora Owner")
    me.get_by_text("you", exact=True).wait_for()
    assert me.get_by_role("button", name="Remove").count() == 0

    # A second invitation, revoked: it leaves the list and the database marks it revoked.
    mistaken = unique_email("mistake")
    owner_page.fill("#invite-email", mistaken)
    owner_page.click("#invite-submit")
    owner_page.locator("[data-sonner-toast]").filter(has_text=f"Invitation sent to {mistaken}").wait_for()
    invitations.locator("tbody tr").filter(has_text=mistaken).get_by_role("button", name="Revoke").click()
    owner_page.click("#revoke-invitation-confirm")
    owner_page.locator("[data-sonner-toast]").filter(has_text="Invitation revoked.").wait_for()
    expect(invitations.get_by_text(mistaken)).to_have_count(0)
    with Session(app.engine) as db:
        revoked = db.exec(select(Invitation).where(Invitation.email == mistaken)).one()
    assert revoked.revoked_at is not None

    # The invitation arrives at the SMTP server; its link opens in a second browser.
    mail = mailbox.wait_for(analyst)
    link = link_in(mail, "/invite/")
    assert link.startswith(app.base_url + "/invite/")

    analyst_page = new_context().new_page()
    analyst_page.goto(link)
    analyst_page.get_by_text("Nebula Studio").first.wait_for()
    wait_hydrated(analyst_page, "#accept-invite")
    analyst_page.fill("#name", "Andi Analyst")
    analyst_page.fill("#password", PASSWORD)
    analyst_page.fill("#password_confirm", PASSWORD)
    analyst_page.click("#accept-invite")
    analyst_page.wait_for_url("**/dashboard**")
    analyst_page.locator("#user-menu").wait_for()
    assert analyst_page.locator("#studio-name").inner_text() == "Nebula Studio"

    # Reduced sidebar: no Team, no Audit log.
    nav = analyst_page.locator("#sidebar-nav")
    nav.locator('[data-nav="/dashboard"]').wait_for()
    nav.locator('[data-nav="/account"]').wait_for()
    assert nav.locator('[data-nav="/team"]').count() == 0
    assert nav.locator('[data-nav="/audit"]').count() == 0
    shot(analyst_page, "analyst-dashboard")

    # Manager pages answer "Not allowed".
    for path in ("/team", "/audit"):
        analyst_page.goto(path)
        analyst_page.locator("#not-allowed").wait_for()
        assert analyst_page.locator("#members-table").count() == 0
        assert analyst_page.locator("#invite-email").count() == 0
    shot(analyst_page, "analyst-not-allowed")

    # The owner sees the analyst on the team, and the invitation is used up.
    owner_page.goto("/team")
    owner_page.locator("#members-table").get_by_text(analyst).wait_for()
    assert owner_page.locator("#invitations-table").count() == 0

    with Session(app.engine) as db:
        user = db.exec(select(User).where(User.email == analyst)).one()
        roles = db.exec(select(Membership.role).where(Membership.user_id == user.id)).all()
    assert roles == [Role.ANALYST]

    # The link works once.
    third = new_context().new_page()
    third.goto(link)
    third.locator("#form-message").wait_for()
    assert third.locator("#accept-invite").count() == 0
