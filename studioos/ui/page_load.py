"""A signed-in page's one load event: the session check, the shell and the page's data together.

Before, every page chained three load events (the session check, the date pickers' echoes, the
page's own load): three trips through the state lock, three deltas and three renders in the
browser before the page was usable. `PageLoad.open(route)` does the three in one event, so the
shell (the signed-in person, the studio, the sidebar) and the page's main content arrive in one
answer; a page's secondary panels (the schedule's hours table) still come after, each with its
loading state.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler

from studioos.ui.backend import sign_in_redirect
from studioos.ui.consent import ConsentState
from studioos.ui.format import DateEchoState
from studioos.ui.service_call import Answer, off_loop
from studioos.ui.session import SessionState

# route -> the page's own load handler (filled by studioos.pages.registry, which knows the pages).
_LOADS: dict[str, EventHandler] = {}
ENROLMENT_ROUTE = "/account"


def register(route: str, load: EventHandler) -> None:
    _LOADS[route] = load


class PageLoad(rx.State):
    """Holds nothing: its one handler fills the session's, the echoes' and the page's states."""

    @rx.event
    async def open(self, route: str) -> Answer:
        load = _LOADS.get(str(route))
        session = await self.get_state(SessionState)
        if not await off_loop(session._refresh):
            return sign_in_redirect(self.router.url.path)
        if session.must_enrol_two_factor and route != ENROLMENT_ROUTE:
            # The studio requires two-factor sign-in; the services refuse everything else anyway.
            return rx.redirect(f"{ENROLMENT_ROUTE}?two_factor=required", replace=True)
        echoes = await self.get_state(DateEchoState)
        if echoes.echoes:  # a day picked on another page must not sit under this page's picker
            echoes.echoes = {}
        if load is None or load.state is None:
            return None
        page = await self.get_state(load.state)
        # The page's load as its decorator made it (service_event): run in the database thread
        # pool, refusals turned into what the user sees.
        answer = await load.fn(page)
        consent = await self.get_state(ConsentState)
        await consent.page_view(str(route))
        return answer
