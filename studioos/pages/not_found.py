"""Unknown URLs: a page inside the app with a way back, instead of Reflex's bare "404" line.

Signed in, it sits in the usual shell (sidebar, top bar), so every other page is one click away.
Signed out, it says so and links to the sign-in page. It never redirects: a mistyped link should
say it is mistyped, not bounce to a sign-in page that then lands somewhere else.
"""

from __future__ import annotations

import reflex as rx

from studioos.ui.components import notice_panel
from studioos.ui.layout import public_page, shell
from studioos.ui.session import SessionState

MISSING = "There is no page at this address. The link may be mistyped, or the page has moved."


class NotFoundState(rx.State):
    @rx.event
    async def load(self) -> None:
        """Who is asking decides which shell shows; unlike SessionState.ensure, no redirect."""
        session = await self.get_state(SessionState)
        session._refresh()


def _signed_in_body() -> rx.Component:
    return notice_panel(
        icon="map-pin-off",
        color="gray",
        title="Page not found",
        title_id="not-found",
        text=MISSING,
        action=rx.link(
            rx.button("Back to the dashboard", variant="soft"), href="/dashboard", id="not-found-home"
        ),
    )


def _signed_out_body() -> rx.Component:
    return public_page(
        rx.heading("Page not found", size="5", id="not-found"),
        rx.text(MISSING, color_scheme="gray", size="2"),
        rx.link(rx.button("Sign in", width="100%", size="3"), href="/signin", id="not-found-signin"),
    )


def page() -> rx.Component:
    return rx.cond(
        SessionState.signed_in,
        shell(_signed_in_body()),
        rx.cond(SessionState.checked, _signed_out_body(), rx.center(rx.spinner(size="3"), height="100vh")),
    )
