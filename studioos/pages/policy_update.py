"""After signing in, a person who has not read a material change of the privacy policy reads it
here and acknowledges it (recorded with the time) before going on."""

from __future__ import annotations

import reflex as rx

from studioos.api.routes import safe_next
from studioos.services import policy
from studioos.ui.backend import client_of
from studioos.ui.components import card, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event


class PolicyUpdateState(ServicePage, rx.State):
    version_id: int = 0
    label: str = ""
    summary: str = ""
    body: str = ""

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            pending = policy.pending_acknowledgement(db, actor.user_id)
        if pending is None:
            self.version_id, self.label, self.summary, self.body = 0, "", "", ""
        else:
            self.version_id, self.label = pending.id, pending.label
            self.summary, self.body = pending.summary, pending.body

    def _next(self) -> str:
        return safe_next(self.router.url.query_parameters.get("next"))

    @service_event
    def load(self) -> Answer:
        self._reload()
        return rx.redirect(self._next()) if self.version_id == 0 else None

    @service_event
    def acknowledge(self) -> Answer:
        with self._acting() as (db, actor):
            policy.acknowledge(db, actor, self.version_id, client_of(self.router))
        return rx.redirect(self._next())


def body() -> rx.Component:
    s = PolicyUpdateState
    return rx.el.div(
        page_header("Our privacy policy has changed", "Please read what changed before you go on."),
        card(
            rx.el.h2("In force from " + s.label, class_name="card-title"),
            rx.el.p(s.summary, class_name="policy-summary", id="policy-summary"),
            rx.el.details(
                rx.el.summary("Read the whole policy"),
                rx.box(rx.markdown(s.body), class_name="policy-text"),
            ),
            rx.el.div(
                rx.link("Open it on its own page", href="/privacy", class_name="quiet-link"),
                rx.el.div(class_name="grow"),
                rx.button("I have read it", on_click=s.acknowledge, id="policy-acknowledge"),
                class_name="consent-actions",
            ),
            class_name="stack",
        ),
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body())
