"""The Reflex app: pages, API routes and lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import reflex as rx

from studioos import crypto
from studioos.api.guard import CookieGuard, install_upload_check
from studioos.api.routes import build_api
from studioos.api.security_headers import SecurityHeaders
from studioos.db import session_scope
from studioos.jobs.scheduler import SchedulerRunner
from studioos.pages import not_found, registry
from studioos.settings import get_settings
from studioos.ui import backend, binding, toast
from studioos.ui.page_load import PageLoad, register
from studioos.ui.session import SessionState


def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")


app = rx.App(
    # The routes are mounted in front of Reflex, CookieGuard wraps both (see its module), and
    # SecurityHeaders wraps everything, so that no response leaves without them.
    api_transformer=[build_api(), CookieGuard, SecurityHeaders],
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    stylesheets=["/styles.css"],
    # An explicit direction spares the toast container a computed-style read (a forced style
    # recalculation) on every page load; the language is for screen readers and spell checkers.
    html_lang="en",
    html_custom_attrs={"dir": "ltr"},
    backend_exception_handler=toast.backend_exception,
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
async def in_app_scheduler() -> AsyncIterator[None]:
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
for public in registry.PUBLIC:
    app.add_page(public.component, route=public.route, title=public.page_title, on_load=public.load)
for signed_in in registry.SIGNED_IN:
    register(signed_in.route, signed_in.load)
    app.add_page(
        signed_in.component,
        route=signed_in.route,
        title=signed_in.page_title,
        on_load=PageLoad.open(signed_in.route),
    )
# Reflex serves the page registered under its 404 slug for every URL no route matches.
app.add_page(
    not_found.page, route="404", title="Page not found · StudioOS", on_load=not_found.NotFoundState.load
)
