"""The landing page: figures that exist now."""

from __future__ import annotations

import reflex as rx

from studioos.services import dashboard, studios
from studioos.services.errors import ServiceError
from studioos.services.permissions import Cap
from studioos.ui.backend import acting
from studioos.ui.components import card, empty_state, page_header, stat_card
from studioos.ui.format import local_time
from studioos.ui.layout import shell
from studioos.ui.session import SessionState, service_error_event


class DashboardState(rx.State):
    team_size: int = 0
    role_summary: str = ""
    performers: int = 0
    pending_invitations: int = -1
    sign_ins: list[dict[str, str]] = []
    has_operations: bool = False
    active_models: int = 0
    docs_expired: int = 0
    docs_soon: int = 0
    shifts_today: int = 0
    checked_in_today: int = 0
    no_shows_today: int = 0

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        try:
            with acting(self.router) as (db, actor):
                figs = dashboard.figures(db, actor)
                ops = dashboard.operations(db, actor)
                studio = studios.current_studio(db, actor)
        except ServiceError as exc:
            return service_error_event(exc, "/dashboard")
        tz = studio.timezone if studio else "UTC"
        self.team_size = figs.team_size
        self.role_summary = " · ".join(
            f"{n} {label}{'' if n == 1 else 's'}"
            for role, label in (("owner", "owner"), ("manager", "manager"), ("analyst", "analyst"))
            if (n := figs.by_role.get(role, 0))
        )
        self.performers = figs.by_role.get("performer", 0)
        self.has_operations = ops is not None
        if ops is not None:
            self.active_models, self.shifts_today = ops.active_models, ops.shifts_today
            self.docs_expired, self.docs_soon = ops.docs_expired, ops.docs_expiring_soon
            self.checked_in_today, self.no_shows_today = ops.checked_in_today, ops.no_shows_today
        self.pending_invitations = -1 if figs.pending_invitations is None else figs.pending_invitations
        self.sign_ins = [
            {
                "name": s.name,
                "when": local_time(s.created_at, tz),
                "browser": s.browser,
                "result": "Signed in" if s.success else "Failed",
            }
            for s in figs.recent_sign_ins
        ]
        return None


def _sign_in_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]),
        rx.table.cell(row["when"]),
        rx.table.cell(row["browser"]),
        rx.table.cell(
            rx.badge(row["result"], color_scheme=rx.cond(row["result"] == "Failed", "red", "green"))
        ),
    )


def _operations() -> rx.Component:
    s = DashboardState
    return rx.vstack(
        rx.cond(
            s.docs_expired > 0,
            rx.callout(
                rx.hstack(
                    rx.text(
                        s.docs_expired,
                        " model(s) have an expired ID document. They must not stream until "
                        "a valid document is on file.",
                    ),
                    rx.link("Review models", href="/models"),
                    spacing="2",
                ),
                icon="shield-alert",
                color_scheme="red",
                width="100%",
                id="docs-expired-alert",
            ),
            rx.fragment(),
        ),
        rx.grid(
            rx.link(stat_card("Active models", s.active_models, "star"), href="/models", underline="none"),
            rx.link(
                stat_card(
                    "Shifts today",
                    s.shifts_today,
                    "calendar-clock",
                    f"{s.checked_in_today} checked in · {s.no_shows_today} no-shows",
                ),
                href="/schedule",
                underline="none",
            ),
            rx.link(
                stat_card(
                    "ID documents to renew",
                    s.docs_expired + s.docs_soon,
                    "id-card",
                    f"{s.docs_expired} expired · {s.docs_soon} within 30 days",
                ),
                href="/models",
                underline="none",
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
            id="operations-figures",
        ),
        spacing="4",
        width="100%",
    )


def body() -> rx.Component:
    s = DashboardState
    return rx.vstack(
        page_header("Dashboard", SessionState.studio_name),
        rx.cond(
            SessionState.is_support,
            card(
                rx.hstack(
                    rx.icon("life-buoy", size=22),
                    rx.text(
                        "You are StudioOS support staff. You see no studio's data: a studio's models, "
                        "schedule and earnings stay closed to you unless a ticket's requester grants access.",
                        size="2",
                    ),
                    align="center",
                    spacing="3",
                ),
                id="support-scope",
            ),
            rx.grid(
                stat_card(
                    "Team members",
                    s.team_size,
                    "users",
                    s.role_summary,
                ),
                stat_card("Models with an account", s.performers, "sparkles"),
                rx.cond(
                    s.pending_invitations >= 0,
                    rx.link(
                        stat_card("Pending invitations", s.pending_invitations, "mail"),
                        href="/team",
                        underline="none",
                    ),
                    rx.fragment(),
                ),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="4",
                width="100%",
                id="dashboard-figures",
            ),
        ),
        rx.cond(s.has_operations, _operations(), rx.fragment()),
        card(
            rx.heading("Recent sign-ins", size="4", margin_bottom="0.75rem"),
            rx.cond(
                s.sign_ins.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Who"),
                            rx.table.column_header_cell("When"),
                            rx.table.column_header_cell("Browser"),
                            rx.table.column_header_cell("Result"),
                        )
                    ),
                    rx.table.body(rx.foreach(s.sign_ins, _sign_in_row)),
                    width="100%",
                ),
                empty_state("log-in", "No sign-ins yet", "Sign-ins of your team show here."),
            ),
        ),
        rx.cond(
            SessionState.caps.contains(Cap.TEAM_INVITE.value) & (s.team_size <= 1),
            card(
                rx.hstack(
                    rx.icon("user-plus"),
                    rx.text("Your studio has only you so far. Invite a manager, an analyst or your models."),
                    rx.spacer(),
                    rx.link(rx.button("Invite your team"), href="/team"),
                    align="center",
                    width="100%",
                )
            ),
            rx.fragment(),
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.DASHBOARD)
