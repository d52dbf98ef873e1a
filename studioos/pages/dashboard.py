"""The landing page: figures that exist now."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from studioos.models import Role
from studioos.services import attendance, dashboard
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.ui import toast
from studioos.ui.components import card, empty_state, page_header, stat_card
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event
from studioos.ui.session import SessionState


@dataclass(frozen=True)
class SignInRow:
    name: str
    when: str
    browser: str
    failed: bool


@dataclass(frozen=True)
class NextShiftView:
    """A model's next shift on her dashboard."""

    id: int
    when: str
    room: str
    started: bool  # she is on it now (else it is still to come)


NO_SHIFT = NextShiftView(id=0, when="", room="", started=False)


@dataclass(frozen=True)
class PendingRow:
    what: str
    shift: str
    sent: str


@dataclass(frozen=True)
class TopModel:
    name: str
    gross: str


class DashboardState(ServicePage, rx.State):
    team_size: int = 0
    role_summary: str = ""
    performers: int = 0
    pending_invitations: int = -1
    sign_ins: list[SignInRow] = []
    has_operations: bool = False
    # This pay period's earnings (owners, managers, analysts)
    has_money: bool = False
    money_gross: str = ""
    money_period: str = ""
    top_models: list[TopModel] = []
    active_models: int = 0
    docs_expired: int = 0
    docs_soon: int = 0
    shifts_today: int = 0
    checked_in_today: int = 0
    no_shows_today: int = 0
    # A model's own landing page (dashboard.performer_home) instead of the studio's figures.
    model_home: bool = False
    model_linked: bool = True
    has_next: bool = False
    next_shift: NextShiftView = NO_SHIFT
    # What the next shift's button does: the service said whether the check-in window is open.
    can_check_in: bool = False
    can_check_out: bool = False
    hours: str = ""
    hours_period: str = ""
    hours_hint: str = ""
    pending: list[PendingRow] = []

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            figs = dashboard.figures(db, actor)
            ops = dashboard.operations(db, actor)
            home = dashboard.performer_home(db, actor)
            money = dashboard.money(db, actor)
        fmt = for_actor(actor)
        self.has_money = money is not None
        if money is not None:
            self.money_gross = fmt.money(money.gross_cents, "USD")
            self.money_period = fmt.date_range(money.period_first, money.period_last)
            self.top_models = [
                TopModel(m.stage_name, fmt.money(m.gross_cents, "USD")) for m in money.top_models
            ]
        self.team_size = figs.team_size
        self.role_summary = figs.role_summary
        self._show_model_home(home, fmt)
        self.performers = figs.by_role.get(Role.PERFORMER, 0)
        self.has_operations = ops is not None
        if ops is not None:
            self.active_models, self.shifts_today = ops.active_models, ops.shifts_today
            self.docs_expired, self.docs_soon = ops.docs_expired, ops.docs_expiring_soon
            self.checked_in_today, self.no_shows_today = ops.checked_in_today, ops.no_shows_today
        self.pending_invitations = -1 if figs.pending_invitations is None else figs.pending_invitations
        self.sign_ins = [
            SignInRow(name=s.name, when=fmt.moment(s.created_at), browser=s.browser, failed=not s.success)
            for s in figs.recent_sign_ins
        ]

    @service_event
    def load(self) -> None:
        self._reload()

    def _show_model_home(self, home: dashboard.PerformerHome | None, fmt: Formats) -> None:
        self.model_home = home is not None
        if home is None:
            return
        self.model_linked = home.linked
        nxt = home.next_shift
        self.has_next = nxt is not None
        self.next_shift = (
            NextShiftView(
                id=nxt.id,
                when=f"{fmt.weekday_date(nxt.starts_local)}, "
                f"{fmt.wall_time(nxt.starts_local)}–{fmt.wall_time(nxt.ends_local)}",
                room=nxt.room_name,
                started=home.shift_started,
            )
            if nxt is not None
            else NO_SHIFT
        )
        self.can_check_in, self.can_check_out = home.can_check_in, home.can_check_out
        self.hours = f"{home.hours:.2f}"
        self.hours_period = fmt.date_range(home.period_first, home.period_last)
        n = home.shifts_worked
        self.hours_hint = f"{self.hours_period} · {n} shift{'' if n == 1 else 's'}"
        self.pending = [
            PendingRow(what=r.what, shift=r.shift_label, sent=fmt.moment(r.created_at)) for r in home.pending
        ]

    @service_event(refresh=True)
    def check_in(self) -> Answer:
        """Check in to the shift this page shows (its id from the server's own state)."""
        if not self.next_shift.id:
            return None
        self._call(attendance.check_in, self.next_shift.id)
        self._reload()
        return toast.success("Checked in. Have a good show!")

    @service_event(refresh=True)
    def check_out(self) -> Answer:
        if not self.next_shift.id:
            return None
        self._call(attendance.check_out, self.next_shift.id)
        self._reload()
        return toast.success("Checked out.")


def _model_home() -> rx.Component:
    s = DashboardState
    n = s.next_shift
    next_card = card(
        rx.cond(
            s.has_next,
            rx.hstack(
                rx.vstack(
                    rx.text(
                        rx.cond(n.started, "Your shift now", "Your next shift"),
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.heading(n.when, size="5", id="home-next-shift"),
                    rx.text(n.room, size="2", id="home-next-room"),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                rx.cond(
                    s.can_check_in,
                    rx.button(
                        rx.icon("log-in", size=16),
                        "Check in",
                        size="3",
                        color_scheme="green",
                        on_click=s.check_in,
                        id="home-check-in",
                    ),
                    rx.cond(
                        s.can_check_out,
                        rx.button(
                            rx.icon("log-out", size=16),
                            "Check out",
                            size="3",
                            on_click=s.check_out,
                            id="home-check-out",
                        ),
                        rx.link(
                            rx.button("My schedule", variant="soft", size="3", white_space="nowrap"),
                            href="/my-schedule",
                            id="home-my-schedule",
                        ),
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.hstack(
                rx.text("No shift booked in the next four weeks.", size="2", color_scheme="gray"),
                rx.spacer(),
                rx.link("My schedule", href="/my-schedule"),
                width="100%",
            ),
        ),
        id="home-next",
    )
    requests = card(
        rx.heading("Your pending requests", size="4", margin_bottom="0.75rem"),
        rx.cond(
            s.pending.length() > 0,
            rx.vstack(
                rx.foreach(
                    s.pending,
                    lambda r: rx.hstack(
                        rx.badge("Pending", color_scheme="blue"),
                        rx.text(r.what, weight="medium", size="2"),
                        rx.text(r.shift, size="2"),
                        rx.spacer(),
                        rx.text("sent " + r.sent, size="1", color_scheme="gray"),
                        width="100%",
                        align="center",
                    ),
                ),
                width="100%",
                id="home-pending",
            ),
            rx.text("Nothing waiting for a manager.", size="2", color_scheme="gray", id="home-pending"),
        ),
    )
    return rx.cond(
        s.model_linked,
        rx.vstack(
            next_card,
            rx.grid(
                stat_card("Hours worked", s.hours, "clock", s.hours_hint),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="4",
                width="100%",
                id="home-hours",
            ),
            requests,
            spacing="4",
            width="100%",
        ),
        card(
            rx.text(
                "Your account is not linked to a model profile yet. Ask a manager of your studio to link it.",
                size="2",
            ),
            id="home-unlinked",
        ),
    )


def _sign_in_row(row: SignInRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.name),
        rx.table.cell(row.when),
        rx.table.cell(row.browser),
        rx.table.cell(
            rx.cond(
                row.failed,
                rx.badge("Failed", color_scheme="red"),
                rx.badge("Signed in", color_scheme="green"),
            )
        ),
    )


def _operations() -> rx.Component:
    s = DashboardState
    return rx.el.div(
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
        rx.el.div(
            _figure_link(stat_card("Active models", s.active_models, "star"), "/models"),
            _figure_link(
                stat_card(
                    "Shifts today",
                    s.shifts_today,
                    "calendar-clock",
                    f"{s.checked_in_today} checked in · {s.no_shows_today} no-shows",
                ),
                "/schedule",
            ),
            _figure_link(
                stat_card(
                    "ID documents to renew",
                    s.docs_expired + s.docs_soon,
                    "id-card",
                    f"{s.docs_expired} expired · {s.docs_soon} within 30 days",
                ),
                "/models",
            ),
            class_name="stat-grid",
            id="operations-figures",
        ),
        class_name="stack-4",
    )


def _money() -> rx.Component:
    s = DashboardState
    return card(
        rx.el.div(
            rx.el.div(
                rx.el.span("This pay period so far · " + s.money_period, class_name="muted"),
                rx.el.span(s.money_gross, class_name="big-figure", id="dashboard-gross"),
                rx.el.a("See earnings", href="/earnings", class_name="text-link"),
                class_name="money-part",
            ),
            rx.el.div(
                rx.el.span("Top models", class_name="muted"),
                rx.cond(
                    s.top_models.length() > 0,
                    rx.el.ul(
                        rx.foreach(
                            s.top_models,
                            lambda m: rx.el.li(
                                rx.el.span(m.name, class_name="strong"),
                                rx.el.span(m.gross),
                                class_name="line",
                            ),
                        ),
                        class_name="plain-list",
                        id="dashboard-top-models",
                    ),
                    rx.el.span("No earnings yet this period: import a platform's export."),
                ),
                class_name="money-part wide",
            ),
            class_name="money-row",
        ),
    )


def body() -> rx.Component:
    return rx.el.div(
        page_header("Dashboard", SessionState.studio_name),
        rx.cond(DashboardState.model_home, _model_home(), _studio_body()),
        class_name="stack-5",
    )


def _figure_link(figure: rx.Component, href: str) -> rx.Component:
    return rx.el.a(figure, href=href, class_name="figure-link")


def _studio_body() -> rx.Component:
    s = DashboardState
    return rx.el.div(
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
            rx.el.div(
                stat_card(
                    "Team members",
                    s.team_size,
                    "users",
                    s.role_summary,
                ),
                stat_card("Models with an account", s.performers, "sparkles"),
                rx.cond(
                    s.pending_invitations >= 0,
                    _figure_link(stat_card("Pending invitations", s.pending_invitations, "mail"), "/team"),
                    rx.fragment(),
                ),
                class_name="stat-grid",
                id="dashboard-figures",
            ),
        ),
        rx.cond(s.has_operations, _operations(), rx.fragment()),
        rx.cond(s.has_money, _money(), rx.fragment()),
        card(
            rx.el.h2("Recent sign-ins", class_name="card-title card-title-block"),
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
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body(), Cap.DASHBOARD)
