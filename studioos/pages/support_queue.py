"""Support staff's queue: every studio's requests, those still waiting for a first answer first
(most overdue on top), with filters by status, category and studio."""

from __future__ import annotations

import reflex as rx

from studioos.pages.support import CATEGORY_CHOICES, STATUS_CHOICES, RequestRow, request_table
from studioos.services import support
from studioos.services.formatting import for_actor
from studioos.services.permissions import Cap
from studioos.services.validation import parse_id
from studioos.ui import controls
from studioos.ui.components import card, empty_state, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import ServicePage, service_event

ALL = ""


class SupportQueueState(ServicePage, rx.State):
    rows: list[RequestRow] = []
    status: str = ALL
    category: str = ALL
    studio: str = ""  # a studio's id, from a request's row

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            found = support.queue(
                db,
                actor,
                status=self.status or None,
                category=self.category or None,
                studio_id=parse_id(self.studio),
            )
            fmt = for_actor(actor)
        self.rows = [RequestRow.of(r, fmt, staff=True) for r in found]

    @service_event
    def load(self) -> None:
        self._reload()

    @service_event
    def set_status(self, value: str) -> None:
        self.status = str(value)
        self._reload()

    @service_event
    def set_category(self, value: str) -> None:
        self.category = str(value)
        self._reload()


def body() -> rx.Component:
    s = SupportQueueState
    return rx.el.div(
        page_header("Support queue", "Every studio's requests; those waiting for a first answer come first."),
        card(
            rx.el.div(
                controls.select(
                    STATUS_CHOICES,
                    id_="queue-status",
                    value=s.status,
                    on_change=s.set_status,
                    placeholder="Every status",
                    aria_label="Status",
                ),
                controls.select(
                    CATEGORY_CHOICES,
                    id_="queue-category",
                    value=s.category,
                    on_change=s.set_category,
                    placeholder="Every subject",
                    aria_label="About",
                ),
                class_name="toolbar",
            ),
            rx.cond(
                s.rows.length() > 0,
                request_table(s.rows, staff=True),
                empty_state("inbox", "Nothing in the queue", "No request matches these filters."),
            ),
            class_name="stack",
        ),
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body(), Cap.SUPPORT_TICKETS)
