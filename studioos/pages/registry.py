"""Every page of the app, declared once: route, title, what the role needs, sidebar place, load event.

`studioos.studioos` adds the routes from these lists and `studioos.ui.layout` draws the sidebar (and
the phone's menu drawer) from `SIGNED_IN`, so a route, its sidebar link and its capability cannot
disagree; tests/unit/test_page_registry.py checks each role's sidebar against the routes.

A page's `cap` is what its sidebar link asks of the role. The page's services still check their own
capabilities on every event (a page without a link, or a URL typed by hand, shows no more), and the
page itself passes the same cap to `shell()` to show "Not allowed" instead of an empty page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import reflex as rx
from reflex.event import EventType

from studioos.pages import (
    account,
    analytics,
    analytics_layout,
    audit,
    billing,
    confirm_email,
    confirm_signup,
    dashboard,
    earnings,
    forgot,
    imports,
    invite,
    members,
    my_schedule,
    payroll,
    performer_detail,
    performers,
    policy_update,
    privacy,
    privacy_centre,
    requests,
    reset,
    rooms,
    schedule,
    signin,
    signup,
    sso_link,
    studio_settings,
    support,
    support_activity,
    support_policy,
    support_queue,
    team,
)
from studioos.services.permissions import Cap

APP_NAME = "StudioOS"


class NavGroup(IntEnum):
    """The sidebar's sections, top to bottom; a little space sets them apart."""

    WORK = 1  # the studio's day: models, rooms, shifts, requests
    MONEY = 2  # earnings, imports, payroll
    STUDIO = 3  # who works here and what they did
    YOU = 4  # the signed-in person's own settings


@dataclass(frozen=True)
class NavLink:
    """A page's link in the sidebar."""

    label: str
    icon: str  # a Lucide icon name (rx.icon)
    group: NavGroup


@dataclass(frozen=True)
class SignedInPage:
    route: str
    title: str
    component: Callable[[], rx.Component]
    load: EventType[()]
    # What the role needs for the sidebar link; None: every signed-in person (the services decide).
    cap: Cap | None
    nav: NavLink | None = None  # None: reached from another page (one model's profile), not the sidebar

    @property
    def page_title(self) -> str:
        return f"{self.title} · {APP_NAME}"


@dataclass(frozen=True)
class PublicPage:
    """A page seen before signing in; its load event (if any) acts as nobody."""

    route: str
    title: str
    component: Callable[[], rx.Component]
    load: EventType[()] | None = None

    @property
    def page_title(self) -> str:
        return f"{self.title} · {APP_NAME}"


SIGNED_IN: tuple[SignedInPage, ...] = (
    SignedInPage(
        "/dashboard",
        "Dashboard",
        dashboard.page,
        dashboard.DashboardState.load,
        Cap.DASHBOARD,
        NavLink("Dashboard", "layout-dashboard", NavGroup.WORK),
    ),
    SignedInPage(
        "/models",
        "Models",
        performers.page,
        performers.PerformersState.load,
        Cap.PERFORMERS_VIEW,
        NavLink("Models", "star", NavGroup.WORK),
    ),
    # No cap: staff reach any model, a model her own profile; the services decide.
    SignedInPage(
        "/models/[performer_id]",
        "Model",
        performer_detail.page,
        performer_detail.PerformerDetailState.load,
        None,
    ),
    SignedInPage(
        "/rooms",
        "Rooms",
        rooms.page,
        rooms.RoomsState.load,
        Cap.SCHEDULE_MANAGE,
        NavLink("Rooms", "door-open", NavGroup.WORK),
    ),
    SignedInPage(
        "/schedule",
        "Schedule",
        schedule.page,
        schedule.ScheduleState.load,
        Cap.SCHEDULE_MANAGE,
        NavLink("Schedule", "calendar-days", NavGroup.WORK),
    ),
    SignedInPage(
        "/my-schedule",
        "My schedule",
        my_schedule.page,
        my_schedule.MyScheduleState.load,
        Cap.SCHEDULE_OWN,
        NavLink("My schedule", "calendar-check", NavGroup.WORK),
    ),
    SignedInPage(
        "/requests",
        "Requests",
        requests.page,
        requests.RequestsState.load,
        Cap.SCHEDULE_MANAGE,
        NavLink("Requests", "inbox", NavGroup.WORK),
    ),
    SignedInPage(
        "/earnings",
        "Earnings",
        earnings.page,
        earnings.EarningsState.load,
        Cap.EARNINGS_VIEW,
        NavLink("Earnings", "coins", NavGroup.MONEY),
    ),
    # The same page for a model, her own earnings and statements only (the services decide).
    SignedInPage(
        "/my-earnings",
        "My earnings",
        earnings.own_page,
        earnings.EarningsState.load,
        Cap.EARNINGS_OWN,
        NavLink("My earnings", "coins", NavGroup.MONEY),
    ),
    SignedInPage(
        "/analytics",
        "Analytics",
        analytics_layout.page,
        analytics.AnalyticsState.load,
        Cap.EARNINGS_VIEW,
        NavLink("Analytics", "chart-column", NavGroup.MONEY),
    ),
    # The same page for a model: her own numbers only (the services decide).
    SignedInPage(
        "/my-analytics",
        "My analytics",
        analytics_layout.own_page,
        analytics.AnalyticsState.load,
        Cap.EARNINGS_OWN,
        NavLink("My analytics", "chart-column", NavGroup.MONEY),
    ),
    SignedInPage(
        "/imports",
        "Import earnings",
        imports.page,
        imports.ImportsState.load,
        Cap.STREAMS_MANAGE,
        NavLink("Import", "file-up", NavGroup.MONEY),
    ),
    SignedInPage(
        "/payroll",
        "Payroll",
        payroll.page,
        payroll.PayrollState.load,
        Cap.EARNINGS_VIEW,
        NavLink("Payroll", "wallet", NavGroup.MONEY),
    ),
    SignedInPage(
        "/members",
        "Members",
        members.page,
        members.MembersState.load,
        Cap.EARNINGS_VIEW,
        NavLink("Members", "heart-handshake", NavGroup.MONEY),
    ),
    # The same page for a model: the members who tipped her, her totals and her own notes.
    SignedInPage(
        "/my-members",
        "My members",
        members.own_page,
        members.MembersState.load,
        Cap.EARNINGS_OWN,
        NavLink("My members", "heart-handshake", NavGroup.MONEY),
    ),
    SignedInPage(
        "/team",
        "Team",
        team.page,
        team.TeamState.load,
        Cap.TEAM_VIEW,
        NavLink("Team", "users", NavGroup.STUDIO),
    ),
    SignedInPage(
        "/audit",
        "Audit log",
        audit.page,
        audit.AuditState.load,
        Cap.AUDIT_VIEW,
        NavLink("Audit log", "scroll-text", NavGroup.STUDIO),
    ),
    SignedInPage(
        "/billing",
        "Billing",
        billing.page,
        billing.BillingState.load,
        Cap.BILLING,
        NavLink("Billing", "credit-card", NavGroup.STUDIO),
    ),
    SignedInPage(
        "/studio",
        "Studio settings",
        studio_settings.page,
        studio_settings.StudioSettingsState.load,
        Cap.STUDIO_SETTINGS,
        NavLink("Studio settings", "building-2", NavGroup.STUDIO),
    ),
    SignedInPage(
        "/account",
        "My account",
        account.page,
        account.AccountState.load,
        None,
        NavLink("My account", "user-cog", NavGroup.YOU),
    ),
    SignedInPage(
        "/privacy-centre",
        "Privacy centre",
        privacy_centre.page,
        privacy_centre.PrivacyCentreState.load,
        None,
        NavLink("Privacy centre", "shield-check", NavGroup.YOU),
    ),
    SignedInPage(
        "/policy-update",
        "Privacy policy update",
        policy_update.page,
        policy_update.PolicyUpdateState.load,
        None,
    ),
    SignedInPage(
        "/support/queue",
        "Support queue",
        support_queue.page,
        support_queue.SupportQueueState.load,
        Cap.SUPPORT_TICKETS,
        NavLink("Support queue", "inbox", NavGroup.WORK),
    ),
    SignedInPage(
        "/support",
        "Help and support",
        support.page,
        support.SupportState.load,
        None,
        NavLink("Help and support", "life-buoy", NavGroup.YOU),
    ),
    SignedInPage(
        "/support/activity",
        "Platform activity",
        support_activity.page,
        support_activity.SupportActivityState.load,
        Cap.SUPPORT_TICKETS,
        NavLink("Platform activity", "activity", NavGroup.STUDIO),
    ),
    SignedInPage(
        "/support/policy",
        "Privacy policy versions",
        support_policy.page,
        support_policy.SupportPolicyState.load,
        Cap.POLICY_PUBLISH,
        NavLink("Policy versions", "file-text", NavGroup.STUDIO),
    ),
)

PUBLIC: tuple[PublicPage, ...] = (
    PublicPage("/signin", "Sign in", signin.page, signin.SignInState.on_load),
    PublicPage("/signin/link", "Link your sign-in", sso_link.page, sso_link.SsoLinkState.on_load),
    PublicPage("/signup", "Create your studio", signup.page, signup.SignUpState.on_load),
    PublicPage(
        "/signup/confirm/[token]",
        "Create your studio",
        confirm_signup.page,
        confirm_signup.ConfirmSignUpState.on_load,
    ),
    PublicPage("/forgot", "Reset password", forgot.page, forgot.ForgotState.on_load),
    PublicPage("/reset/[token]", "New password", reset.page, reset.ResetState.on_load),
    PublicPage("/invite/[token]", "Invitation", invite.page, invite.InviteState.on_load),
    PublicPage(
        "/confirm-email/[token]", "Confirm email", confirm_email.page, confirm_email.ConfirmEmailState.on_load
    ),
    PublicPage("/privacy", "Privacy policy", privacy.page, privacy.PrivacyState.on_load),
)


def sidebar() -> list[tuple[SignedInPage, NavLink]]:
    """The pages with a sidebar link and their links, by group and then in the order declared."""
    return sorted(((p, p.nav) for p in SIGNED_IN if p.nav is not None), key=lambda pair: pair[1].group)


def by_route(route: str) -> SignedInPage | None:
    return next((p for p in SIGNED_IN if p.route == route), None)
