"""Models (table Performer): the list with search, status filter, sorting and paging; a new model."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import reflex as rx

from studioos.models import PerformerStatus
from studioos.services import performers
from studioos.services.formatting import Formats, for_actor
from studioos.services.performers import DOCUMENT_LABELS, STATUS_LABELS
from studioos.services.permissions import Cap
from studioos.ui import toast
from studioos.ui.components import card, empty_state, field_error, form_field, page_header, pager, sort_header
from studioos.ui.layout import shell
from studioos.ui.paging import PAGE_SIZE, PagedTable
from studioos.ui.service_call import Answer, service_event
from studioos.ui.session import SessionState

STATUS_OPTIONS = [{"value": str(k), "label": v} for k, v in STATUS_LABELS.items()]
DOC_OPTIONS = [{"value": str(k), "label": v} for k, v in DOCUMENT_LABELS.items()]
STATUS_COLORS = {
    PerformerStatus.APPLICANT: "blue",
    PerformerStatus.ACTIVE: "green",
    PerformerStatus.PAUSED: "orange",
    PerformerStatus.LEFT: "gray",
}


_STATUSES = frozenset(PerformerStatus)


def status_label(status: str) -> str:
    return STATUS_LABELS[PerformerStatus(status)] if status in _STATUSES else status


def status_color(status: str) -> str:
    return STATUS_COLORS[PerformerStatus(status)] if status in _STATUSES else "gray"


@dataclass(frozen=True)
class PerformerListRow:
    """A model as the list shows her; the staff-only fields stay blank in an analyst's rows."""

    id: int
    stage_name: str
    status_label: str
    color: str
    email: str = ""
    phone: str = ""
    split: str = ""
    has_photo: bool = False
    doc_expired: bool = False
    doc_expires_soon: bool = False
    doc_expiry: str = ""

    @classmethod
    def of(cls, p: performers.PerformerRow | performers.PerformerStageRow, fmt: Formats) -> PerformerListRow:
        row = cls(p.id, p.stage_name, status_label(p.status), status_color(p.status))
        if not isinstance(p, performers.PerformerRow):
            return row  # an analyst's row: its type has no contact or document fields to copy
        return replace(
            row,
            email=p.email,
            phone=p.phone,
            split=f"{p.payout_split:g} %",
            has_photo=p.has_photo,
            doc_expired=p.doc_expired,
            doc_expires_soon=p.doc_expires_soon,
            doc_expiry=fmt.day(p.doc_expiry),
        )


class PerformersState(PagedTable, rx.State):
    rows: list[PerformerListRow] = []
    full: bool = False  # contact and document columns (owners, managers)
    search: str = ""
    status_filter: str = "all"
    expired_count: int = 0
    new_open: bool = False
    new_errors: dict[str, str] = {}

    def _reload(self) -> None:
        status = self.status_filter if self.status_filter in _STATUSES else None
        with self._acting() as (db, actor):
            found = performers.list_performers(
                db,
                actor,
                search=self.search,
                status=status,
                sort=self.sort_key,
                descending=self.sort_desc,
                page=self.page + 1,
                per_page=PAGE_SIZE,
            )
            fmt = for_actor(actor)
        self.total = found.total
        # The service decides which keys this role may sort by; show the order it actually used.
        self.sort_key = found.sort
        self.rows = [PerformerListRow.of(p, fmt) for p in found.rows]
        # The service's row type says what this role may see.
        self.full = any(isinstance(p, performers.PerformerRow) for p in found.rows)
        self.expired_count = sum(r.doc_expired for r in self.rows)

    @service_event
    def load(self) -> None:
        self.page = 0
        self.new_open = False
        self._reload()

    @service_event
    def apply_search(self, form: dict[str, Any]) -> None:
        self.search = str(form.get("search", ""))[:100]
        self.page = 0
        self._reload()

    @service_event
    def set_status_filter(self, value: str) -> None:
        self.status_filter = str(value)
        self.page = 0
        self._reload()

    @rx.event
    def set_new_open(self, value: bool) -> None:
        self.new_open = bool(value)
        if value:
            self.new_errors = {}

    @service_event(errors="new_errors")
    def create(self, form: dict[str, Any]) -> Answer:
        created = self._call(
            performers.create_performer,
            performers.ProfileInput.from_form(form, new=True),
            performers.LegalInput.from_form(form),
        )
        self.new_open = False
        return [toast.success(f"{created.stage_name} added."), rx.redirect(f"/models/{created.id}")]


def status_badge(label: Any, color: Any) -> rx.Component:
    return rx.badge(label, color_scheme=color, variant="soft")


def doc_flag(expired: Any, soon: Any) -> Any:
    """The data-doc attribute's value: expired | soon | "" ."""
    return rx.cond(expired, "expired", rx.cond(soon, "soon", ""))


def doc_badge(expired: Any, soon: Any, expiry: Any, *, labelled: bool = False) -> rx.Component:
    """labelled: outside the list's "ID document" column a bare date says nothing; name it."""
    return rx.cond(
        expired,
        rx.badge(
            rx.icon("triangle-alert", size=12),
            "Expired " + expiry,
            color_scheme="red",
            variant="solid",
            class_name="doc-expired",
        ),
        rx.cond(
            soon,
            rx.badge(
                rx.icon("clock", size=12), "Expires " + expiry, color_scheme="orange", class_name="doc-soon"
            ),
            rx.cond(
                expiry != "",
                rx.text(("ID valid until " if labelled else "") + expiry, size="2", color_scheme="gray"),
                rx.text("No ID document on file" if labelled else "—", size="2", color_scheme="gray"),
            ),
        ),
    )


def _row(r: PerformerListRow) -> rx.Component:
    s = PerformersState
    performer_id = r.id.to_string()
    name = rx.link(
        rx.hstack(
            rx.cond(
                s.full & r.has_photo,
                rx.avatar(
                    src="/api/photos/" + performer_id, fallback=r.stage_name[:1], size="2", radius="full"
                ),
                rx.avatar(fallback=r.stage_name[:1], size="2", radius="full"),
            ),
            rx.text(r.stage_name, weight="medium"),
            align="center",
        ),
        href="/models/" + performer_id,
        underline="none",
    )
    return rx.table.row(
        rx.table.cell(name),
        rx.table.cell(status_badge(r.status_label, r.color)),
        rx.cond(
            s.full,
            rx.fragment(
                rx.table.cell(r.email),
                rx.table.cell(r.phone),
                rx.table.cell(r.split),
                rx.table.cell(
                    doc_badge(r.doc_expired, r.doc_expires_soon, r.doc_expiry), data_label="ID document"
                ),
            ),
            rx.fragment(),
        ),
        data_performer_id=performer_id,
        data_doc=rx.cond(s.full, doc_flag(r.doc_expired, r.doc_expires_soon), ""),
    )


def _choice(name: str, options: list[dict[str, str]], default: str, placeholder: str = "") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=name, placeholder=placeholder, width="100%"),
        rx.select.content(*[rx.select.item(o["label"], value=o["value"]) for o in options]),
        name=name,
        default_value=default,
        size="3",
    )


def _labelled(label: str, name: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="field-label"),
        control,
        field_error(PerformersState.new_errors, name),
        spacing="1",
        width="100%",
        align="start",
    )


def new_model_dialog() -> rx.Component:
    e = PerformersState.new_errors
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("user-plus", size=16), "New model", id="new-model")),
        rx.dialog.content(
            rx.dialog.title("New model"),
            rx.dialog.description(
                "The stage name is her work name. Legal name, birth date and ID document are encrypted and "
                "only owners and managers see them.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.heading("Profile", size="3", margin_top="0.75rem"),
                    rx.grid(
                        form_field("Stage name", "stage_name", e, max_length=80),
                        _labelled("Status", "status", _choice("status", STATUS_OPTIONS, "applicant")),
                        form_field("Email", "email", e, type="email"),
                        form_field("Phone", "phone", e, placeholder="+40 712 345 678"),
                        form_field("Telegram", "telegram", e, placeholder="@handle"),
                        form_field("Payout split (%)", "payout_split", e, default_value="50"),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.heading("Identity (legal)", size="3", margin_top="0.75rem"),
                    rx.grid(
                        form_field("Legal name", "legal_name", e, max_length=160),
                        form_field(
                            "Birth date", "birth_date", e, type="date", hint="She must be 18 or older today."
                        ),
                        _labelled("ID document", "doc_type", _choice("doc_type", DOC_OPTIONS, "", "Type")),
                        form_field("Document number", "doc_number", e, max_length=40),
                        form_field("Issuing country", "doc_country", e, placeholder="RO", max_length=3),
                        form_field("Expires", "doc_expiry", e, type="date"),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Add model", type="submit", id="new-model-submit"),
                        justify="end",
                        width="100%",
                        margin_top="0.75rem",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=PerformersState.create,
                reset_on_submit=False,
            ),
            max_width="44rem",
        ),
        open=PerformersState.new_open,
        on_open_change=PerformersState.set_new_open,
    )


def _toolbar() -> rx.Component:
    s = PerformersState
    return rx.hstack(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="search",
                    id="model-search",
                    placeholder=rx.cond(s.full, "Stage name, email or Telegram", "Stage name"),
                    width="18rem",
                    min_width="0",
                ),
                rx.button("Search", type="submit", variant="soft", id="model-search-submit"),
                spacing="2",
            ),
            on_submit=s.apply_search,
            reset_on_submit=False,
        ),
        rx.select.root(
            rx.select.trigger(id="status-filter"),
            rx.select.content(
                rx.select.item("All statuses", value="all"),
                *[rx.select.item(o["label"], value=o["value"]) for o in STATUS_OPTIONS],
            ),
            value=s.status_filter,
            on_change=s.set_status_filter,
        ),
        spacing="3",
        align="center",
        width="100%",
        margin_bottom="0.75rem",
        class_name="phone-stack",
    )


def body() -> rx.Component:
    s = PerformersState
    can_create = SessionState.caps.contains(Cap.PERFORMERS_MANAGE.value) & SessionState.caps.contains(
        Cap.LEGAL_FIELDS.value
    )
    return rx.vstack(
        page_header(
            "Models",
            "Everyone who streams for the studio.",
            rx.cond(can_create, new_model_dialog(), rx.fragment()),
        ),
        rx.cond(
            s.expired_count > 0,
            rx.callout(
                rx.cond(
                    s.expired_count == 1,
                    "One model on this page has an expired ID document. Renew it before her next shift.",
                    s.expired_count.to_string() + " models on this page have an expired ID document. "
                    "Renew them before their next shifts.",
                ),
                icon="triangle-alert",
                color_scheme="red",
                variant="surface",
                width="100%",
                id="expired-callout",
            ),
            rx.fragment(),
        ),
        card(
            _toolbar(),
            rx.cond(
                s.rows.length() > 0,
                rx.vstack(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                sort_header("Model", "stage_name", s),
                                sort_header("Status", "status", s),
                                rx.cond(
                                    s.full,
                                    rx.fragment(
                                        rx.table.column_header_cell("Email"),
                                        rx.table.column_header_cell("Phone"),
                                        sort_header("Split", "payout_split", s),
                                        rx.table.column_header_cell("ID document"),
                                    ),
                                    rx.fragment(),
                                ),
                            )
                        ),
                        rx.table.body(rx.foreach(s.rows, _row)),
                        width="100%",
                        id="models-table",
                    ),
                    pager(s),
                    width="100%",
                ),
                rx.cond(
                    (s.search != "") | (s.status_filter != "all"),
                    empty_state(
                        "search-x", "No model matches", "Try another name or status, or clear the search."
                    ),
                    empty_state(
                        "users",
                        "No models yet",
                        rx.cond(
                            can_create,
                            "Add your first model with “New model”; "
                            "then give her platform accounts and shifts.",
                            "An owner or manager adds the studio's models here.",
                        ),
                    ),
                ),
            ),
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.PERFORMERS_VIEW)
