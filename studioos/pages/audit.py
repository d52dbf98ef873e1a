"""The studio's audit log, newest first, paged."""

from __future__ import annotations

import reflex as rx

from studioos.services import audit, studios
from studioos.services.errors import ServiceError
from studioos.services.permissions import Cap
from studioos.ui.backend import acting
from studioos.ui.components import card, empty_state, page_header, pager
from studioos.ui.format import local_time
from studioos.ui.layout import shell
from studioos.ui.paging import PAGE_SIZE, PagedTable
from studioos.ui.session import service_error_event


class AuditState(PagedTable, rx.State):
    rows: list[dict[str, str]] = []

    def _reload(self) -> None:
        with acting(self.router) as (db, actor):
            studio = studios.current_studio(db, actor)
            entries, total = audit.list_entries(db, actor, limit=PAGE_SIZE, offset=self.page * PAGE_SIZE)
        tz = studio.timezone if studio else "UTC"
        self.total = total
        self.rows = [
            {
                "when": local_time(e.created_at, tz),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "detail": e.detail,
                "ip": e.ip,
                "browser": e.browser,
            }
            for e in entries
        ]

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.page = 0
        try:
            self._reload()
        except ServiceError as exc:
            return service_error_event(exc, "/audit")
        return None


def _row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["when"], white_space="nowrap"),
        rx.table.cell(row["actor"]),
        rx.table.cell(rx.code(row["action"])),
        rx.table.cell(row["target"]),
        rx.table.cell(row["detail"]),
        rx.table.cell(row["ip"]),
        rx.table.cell(row["browser"]),
    )


def body() -> rx.Component:
    return rx.vstack(
        page_header("Audit log", "Security events in this studio: sign-ins, roles, invitations, sessions."),
        card(
            rx.cond(
                AuditState.rows.length() > 0,
                rx.vstack(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("When"),
                                rx.table.column_header_cell("Who"),
                                rx.table.column_header_cell("Action"),
                                rx.table.column_header_cell("Target"),
                                rx.table.column_header_cell("Detail"),
                                rx.table.column_header_cell("IP"),
                                rx.table.column_header_cell("Browser"),
                            )
                        ),
                        rx.table.body(rx.foreach(AuditState.rows, _row)),
                        width="100%",
                        size="1",
                        id="audit-table",
                    ),
                    pager(AuditState),
                    width="100%",
                ),
                empty_state(
                    "scroll-text", "Nothing logged yet", "Security events of your studio appear here."
                ),
            )
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.AUDIT_VIEW)
