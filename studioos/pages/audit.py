"""The studio's audit log, newest first, paged; filtered by kind of action, person and days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from studioos.services import audit
from studioos.services.permissions import Cap
from studioos.services.validation import parse_id
from studioos.ui.components import card, download_link, empty_state, field_error, page_header, pager
from studioos.ui.format import Formats, date_echo, date_echo_handler, for_actor
from studioos.ui.layout import shell
from studioos.ui.paging import PAGE_SIZE, PagedTable
from studioos.ui.service_call import Answer, service_event

ALL = "all"  # a Radix select item cannot have an empty value


@dataclass(frozen=True)
class Choice:
    """One option of a filter's select."""

    value: str
    label: str


@dataclass(frozen=True)
class AuditView:
    """One entry of the log as the table shows it."""

    when: str
    actor: str
    action: str  # what people read, e.g. Signed in
    code: str  # the action's code, e.g. signin.succeeded (the label's tooltip)
    target: str
    detail: str
    ip: str
    browser: str

    @classmethod
    def of(cls, e: audit.AuditRow, fmt: Formats) -> AuditView:
        return cls(
            when=fmt.moment(e.created_at),
            actor=e.actor,
            action=e.label,
            code=e.action,
            target=e.target,
            detail=e.detail,
            ip=e.ip,
            browser=e.browser,
        )


def _optional_day(raw: str) -> date | None:
    """A day from a date input; empty or malformed is no bound."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


class AuditState(PagedTable, rx.State):
    rows: list[AuditView] = []
    kinds: list[Choice] = []
    people: list[Choice] = []
    # The filters as the browser sent them; the service checks them again.
    kind: str = ALL
    person: str = ALL
    first_day: str = ""
    last_day: str = ""
    filter_errors: dict[str, str] = {}

    @rx.var
    def export_href(self) -> str:
        """The CSV of every entry the filters match (the server checks them again)."""
        query = {
            "kind": "" if self.kind == ALL else self.kind,
            "person": "" if self.person == ALL else self.person,
            "from": self.first_day,
            "to": self.last_day,
        }
        return "/api/audit/export.csv?" + urlencode({k: v for k, v in query.items() if v})

    def _reload(self) -> None:
        # Refused filters show no rows (the errors say why), not the rows of the filters before.
        self.rows, self.total = [], 0
        with self._acting() as (db, actor):
            options = audit.filter_options(db, actor)
            entries, total = audit.list_entries(
                db,
                actor,
                limit=PAGE_SIZE,
                offset=self.page * PAGE_SIZE,
                kind="" if self.kind == ALL else self.kind,
                person_id=None if self.person == ALL else parse_id(self.person) or 0,
                first_day=_optional_day(self.first_day),
                last_day=_optional_day(self.last_day),
            )
        fmt = for_actor(actor)
        self.kinds = [Choice(ALL, "Every kind of action")] + [Choice(k, label) for k, label in options.kinds]
        self.people = [Choice(ALL, "Everyone")] + [Choice(str(uid), name) for uid, name in options.people]
        self.total = total
        self.rows = [AuditView.of(e, fmt) for e in entries]

    @service_event(errors="filter_errors")
    def load(self) -> None:
        self.page = 0
        self.kind, self.person, self.first_day, self.last_day = ALL, ALL, "", ""
        self._reload()

    @service_event(errors="filter_errors")
    def apply_filters(self, form: dict[str, Any]) -> None:
        self.kind = str(form.get("kind") or ALL)[:32]
        self.person = str(form.get("person") or ALL)[:20]
        self.first_day = str(form.get("first_day") or "")[:10]
        self.last_day = str(form.get("last_day") or "")[:10]
        self.page = 0
        self._reload()

    @rx.event
    def clear_filters(self) -> Answer:
        return AuditState.load


def _row(row: AuditView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.when, white_space="nowrap"),
        rx.table.cell(row.actor),
        rx.table.cell(rx.text(row.action, title=row.code, size="2")),
        rx.table.cell(row.target),
        rx.table.cell(row.detail),
        rx.table.cell(row.ip),
        rx.table.cell(row.browser),
    )


def _choice(label: str, name: str, options: rx.Var, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"audit-{name}", class_name="field-label"),
        rx.select.root(
            rx.select.trigger(id=f"audit-{name}", width="100%"),
            rx.select.content(
                rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value)),
            ),
            name=name,
            default_value=value,
            size="2",
        ),
        spacing="1",
        min_width="12rem",
    )


def _day(label: str, name: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"audit-{name}", class_name="field-label"),
        rx.input(
            name=name,
            id=f"audit-{name}",
            type="date",
            default_value=value,
            size="2",
            on_change=date_echo_handler(f"audit-{name}"),
        ),
        date_echo(f"audit-{name}"),
        spacing="1",
    )


def _filters() -> rx.Component:
    s = AuditState
    return rx.form(
        rx.hstack(
            _choice("Action", "kind", s.kinds, s.kind),
            _choice("Person", "person", s.people, s.person),
            _day("From", "first_day", s.first_day),
            _day("To", "last_day", s.last_day),
            rx.button("Filter", type="submit", size="2", id="audit-filter"),
            rx.button("Clear", type="button", variant="soft", size="2", on_click=s.clear_filters),
            align="end",
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        field_error(s.filter_errors, "last_day"),
        field_error(s.filter_errors, "kind"),
        on_submit=s.apply_filters,
        reset_on_submit=False,
        # The selects keep what was chosen: remount them when the state's filters change (load, clear).
        key=s.kind + "|" + s.person + "|" + s.first_day + "|" + s.last_day,
        width="100%",
        margin_bottom="1rem",
    )


def body() -> rx.Component:
    return rx.vstack(
        page_header(
            "Audit log",
            "Security events in this studio: sign-ins, roles, invitations, sessions.",
            download_link(
                rx.button(rx.icon("download", size=16), "Download CSV", variant="soft"),
                AuditState.export_href,
                id="audit-export",
            ),
        ),
        card(
            _filters(),
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
                empty_state("scroll-text", "Nothing logged", "No security event matches these filters."),
            ),
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.AUDIT_VIEW)
