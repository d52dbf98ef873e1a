"""The Reflex app: pages, API routes and lifespan."""

from __future__ import annotations

import contextlib

import reflex as rx

from studioos import crypto
from studioos.api.guard import CookieGuard, install_upload_check
from studioos.api.routes import build_api
from studioos.db import session_scope
from studioos.jobs.scheduler import SchedulerRunner
from studioos.pages import (
    account,
    audit,
    confirm_email,
    confirm_signup,
    dashboard,
    forgot,
    invite,
    my_schedule,
    not_found,
    performer_detail,
    performers,
    privacy,
    requests,
    reset,
    rooms,
    schedule,
    signin,
    signup,
    team,
)
from studioos.settings import get_settings
from studioos.ui import backend, binding
from studioos.ui.format import DateEchoState
from studioos.ui.session import SessionState


def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")


app = rx.App(
    # The routes are mounted in front of Reflex, and CookieGuard wraps both (see its module).
    api_transformer=[build_api(), CookieGuard],
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    stylesheets=["/styles.css"],
)
backend.use_app(app)
# First, ahead of Reflex's hydrate: a state from another session is blanked before anything reads it.
app.add_middleware(binding.SessionBindingMiddleware(), index=0)
install_upload_check(binding.upload_check(app))


def check_encryption_keys() -> None:
    """Refuse to serve with missing or wrong keys rather than show garbage later."""
    get_settings().check_production_secrets()
    with session_scope() as db:
        crypto.check_keys(db)


app.register_lifespan_task(check_encryption_keys)


@contextlib.asynccontextmanager
async def in_app_scheduler():  # type: ignore[no-untyped-def]
    """The job scheduler inside the app, when it is the only worker (see studioos.jobs.scheduler)."""
    if not get_settings().scheduler_in_app:
        yield
        return
    runner = SchedulerRunner()
    runner.start()
    try:
        yield
    finally:
        runner.stop()


app.register_lifespan_task(in_app_scheduler)

app.add_page(index, route="/", title="StudioOS", on_load=SessionState.redirect_home)
app.add_page(signin.page, route="/signin", title="Sign in · StudioOS", on_load=signin.SignInState.on_load)
app.add_page(
    signup.page, route="/signup", title="Create your studio · StudioOS", on_load=signup.SignUpState.on_load
)
app.add_page(
    confirm_signup.page,
    route="/signup/confirm/[token]",
    title="Create your studio · StudioOS",
    on_load=confirm_signup.ConfirmSignUpState.on_load,
)
app.add_page(
    forgot.page, route="/forgot", title="Reset password · StudioOS", on_load=forgot.ForgotState.on_load
)
app.add_page(
    reset.page, route="/reset/[token]", title="New password · StudioOS", on_load=reset.ResetState.on_load
)
app.add_page(
    invite.page, route="/invite/[token]", title="Invitation · StudioOS", on_load=invite.InviteState.on_load
)
app.add_page(
    confirm_email.page,
    route="/confirm-email/[token]",
    title="Confirm email · StudioOS",
    on_load=confirm_email.ConfirmEmailState.on_load,
)
app.add_page(privacy.page, route="/privacy", title="Privacy policy · StudioOS")

_signed_in = [
    (dashboard.page, "/dashboard", "Dashboard", dashboard.DashboardState.load),
    (team.page, "/team", "Team", team.TeamState.load),
    (account.page, "/account", "My account", account.AccountState.load),
    (audit.page, "/audit", "Audit log", audit.AuditState.load),
    (performers.page, "/models", "Models", performers.ModelsState.load),
    (performer_detail.page, "/models/[performer_id]", "Model", performer_detail.ModelDetailState.load),
    (rooms.page, "/rooms", "Rooms", rooms.RoomsState.load),
    (schedule.page, "/schedule", "Schedule", schedule.ScheduleState.load),
    (my_schedule.page, "/my-schedule", "My schedule", my_schedule.MyScheduleState.load),
    (requests.page, "/requests", "Requests", requests.RequestsState.load),
]
for component, route, title, load in _signed_in:
    app.add_page(
        component,
        route=route,
        title=f"{title} · StudioOS",
        on_load=[SessionState.ensure, DateEchoState.clear, load],
    )
# Reflex serves the page registered under its 404 slug for every URL no route matches.
app.add_page(
    not_found.page, route="404", title="Page not found · StudioOS", on_load=not_found.NotFoundState.load
)
