"""The cookie banner: essential cookies always on, analytics off until the person says yes.

The browser keeps a note of its choice in a plain cookie (`studioos_consent`) so the banner is not
shown again; the choice itself is a `ConsentRecord` in the database (`services/consent.py`), and
only that record lets a usage event be written. "Cookie settings" under every page's links opens
the banner again to change the choice.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from studioos.services import auth, consent, usage
from studioos.services.errors import ValidationFailed
from studioos.ui import toast
from studioos.ui.backend import CONSENT_ANALYTICS, CONSENT_COOKIE, anonymous, client_of, token_of
from studioos.ui.service_call import Answer, off_loop

ANALYTICS = CONSENT_ANALYTICS
ESSENTIAL = "essential"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers allow


class ConsentState(rx.State):
    # The browser's choice, not the session's: signing out keeps it (studioos.ui.binding).
    kept_across_sessions: ClassVar[bool] = True
    # Only hides the banner: it says nothing a person could not say for themselves.
    choice: str = rx.Cookie("", name=CONSENT_COOKIE, max_age=COOKIE_MAX_AGE, same_site="lax")
    settings_open: bool = False

    @rx.event
    async def choose(self, analytics: bool) -> Answer:
        allowed = analytics is True
        try:
            await off_loop(self._record, allowed)
        except ValidationFailed as exc:
            return toast.error(next(iter(exc.errors.values()), str(exc)))
        self.choice = ANALYTICS if allowed else ESSENTIAL
        self.settings_open = False
        said = "Analytics cookies are on." if allowed else "Only essential cookies are used."
        return toast.success(f"{said} You can change this under “Cookie settings” at any time.")

    def _record(self, allowed: bool) -> None:
        with anonymous() as db:
            actor = auth.resolve_actor(db, token_of(self.router), touch=False)
            consent.choose(db, client_of(self.router), allowed, actor.user_id if actor is not None else None)

    @rx.event
    def open_settings(self) -> None:
        self.settings_open = True

    @rx.event
    def close_settings(self) -> None:
        self.settings_open = False

    async def page_view(self, route: str) -> None:
        """A signed-in page was opened: a usage event when this browser allows analytics. The
        cookie only saves the query for those who said no; the database record decides."""
        if self.choice != ANALYTICS:
            return
        await off_loop(self._page_view, route)

    def _page_view(self, route: str) -> None:
        with anonymous() as db:
            actor = auth.resolve_actor(db, token_of(self.router), touch=False)
            usage.record(db, client_of(self.router), actor, "page_view", route)


def settings_link(id_: str = "cookie-settings") -> rx.Component:
    return rx.el.button(
        "Cookie settings",
        type="button",
        on_click=ConsentState.open_settings,
        class_name="quiet-link link-button",
        id=id_,
    )


def banner() -> rx.Component:
    s = ConsentState
    shown = rx.State.is_hydrated & ((s.choice == "") | s.settings_open)
    return rx.cond(
        shown,
        rx.el.section(
            rx.el.h2("Cookies", class_name="card-title"),
            rx.el.p(
                "StudioOS uses essential cookies to keep you signed in, your account safe and this choice "
                "remembered; they are always on. With your yes, we also record which pages you open, to "
                "improve the product "
                "(analytics). That stays off until you choose it, and you can change your mind at any time "
                "under “Cookie settings”.",
                class_name="hint",
            ),
            rx.cond(
                s.choice != "",
                rx.el.p(
                    rx.cond(s.choice == ANALYTICS, "Now: analytics on.", "Now: essential cookies only."),
                    class_name="hint",
                    id="consent-now",
                ),
                rx.fragment(),
            ),
            rx.el.div(
                rx.el.a("Privacy policy", href="/privacy", class_name="quiet-link"),
                rx.el.div(class_name="grow"),
                rx.cond(
                    s.choice != "",
                    rx.button(
                        "Close",
                        type="button",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=s.close_settings,
                    ),
                    rx.fragment(),
                ),
                rx.button(
                    "Essential only",
                    type="button",
                    variant="soft",
                    on_click=s.choose(False),
                    id="consent-essential",
                ),
                rx.button("Allow analytics", type="button", on_click=s.choose(True), id="consent-analytics"),
                class_name="consent-actions",
            ),
            class_name="consent-banner",
            id="consent-banner",
            aria_label="Cookie choices",
        ),
        rx.fragment(),
    )
