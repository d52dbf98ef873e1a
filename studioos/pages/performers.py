"""Models (table Performer): the list with search, status filter, sorting and paging; a new model."""

from __future__ import annotations

import reflex as rx

from studioos.models import PerformerStatus
from studioos.services import performers, studios
from studioos.services.errors import ServiceError, ValidationFailed
from studioos.services.performers import DOCUMENT_LABELS, STATUS_LABELS
from studioos.services.permissions import Cap
from studioos.ui.backend import acting
from studioos.ui.components import card, empty_state, field_error, form_field, page_header, pager, sort_header
from studioos.ui.format import for_studio
from studioos.ui.layout import shell
from studioos.ui.paging import PAGE_SIZE, PagedTable
from studioos.ui.session import SessionState, service_error_event

STATUS_OPTIONS = [{"value": str(k), "label": v} for k, v in STATUS_LABELS.items()]
DOC_OPTIONS = [{"value": str(k), "label": v} for k, v in DOCUMENT_LABELS.items()]
STATUS_COLORS = {"applicant": "blue", "active": "green", "paused": "orange", "left": "gray"}


def doc_flag(expired: bool, soon: bool) -> str:
    return "expired" if expired else ("soon" if soon else "")


class ModelsState(PagedTable, rx.State):
    rows: list[dict[str, str]] = []
    full: bool = False  # contact and document columns (owners, managers)
    search: str = ""
    status_filter: str = "all"
    expired_count: int = 0
    new_open: bool = False
    new_errors: dict[str, str] = {}

    def _reload(self) -> None:
        status = self.status_filter if self.status_filter in set(PerformerStatus) else None
        with acting(self.router) as (db, actor):
            fmt = for_studio(studios.current_studio(db, actor))
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
        self.total = found.total
        # The service decides which keys this role may sort by; show the order it actually used.
        self.sort_key = found.sort
        rows: list[dict[str, str]] = []
        self.full = False
        expired = 0
        for p in found.rows:
            row = {
                "id": str(p.id),
                "stage_name": p.stage_name,
                "status": p.status,
                "status_label": STATUS_LABELS.get(p.status, p.status),  # type: ignore[call-overload]
                "color": STATUS_COLORS.get(p.status, "gray"),
                # blanks for analysts: the keys exist, the data never does
                **dict.fromkeys(("email", "phone", "split", "photo", "doc", "doc_expiry"), ""),
            }
            if isinstance(p, performers.PerformerRow):
                # Only the DTO for staff has these fields; analysts' rows never carry them.
                self.full = True
                flag = doc_flag(p.doc_expired, p.doc_expires_soon)
                expired += flag == "expired"
                row.update(
                    email=p.email,
                    phone=p.phone,
                    split=f"{p.payout_split:g} %",
                    photo="1" if p.has_photo else "",
                    doc=flag,
                    doc_expiry=fmt.day(p.doc_expiry),
                )
            rows.append(row)
        self.rows = rows
        self.expired_count = expired

    def _safe(self):  # type: ignore[no-untyped-def]
        try:
            self._reload()
        except ServiceError as exc:
            return service_error_event(exc, "/models")
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.page = 0
        self.new_open = False
        return self._safe()

    @rx.event
    def apply_search(self, form: dict):  # type: ignore[no-untyped-def]
        self.search = str(form.get("search", ""))[:100]
        self.page = 0
        return self._safe()

    @rx.event
    def set_status_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.status_filter = str(value)
        self.page = 0
        return self._safe()

    @rx.event
    def set_new_open(self, value: bool) -> None:
        self.new_open = bool(value)
        if value:
            self.new_errors = {}

    @rx.event
    def create(self, form: dict):  # type: ignore[no-untyped-def]
        self.new_errors = {}

        def f(key: str) -> str:
            return str(form.get(key, "") or "")

        profile = performers.ProfileInput(
            stage_name=f("stage_name"),
            status=f("status") or "applicant",
            email=f("email"),
            phone=f("phone"),
            telegram=f("telegram"),
            payout_split=f("payout_split") or "50",
            notes=f("notes"),
        )
        legal = performers.LegalInput.from_form(form)
        try:
            with acting(self.router) as (db, actor):
                created = performers.create_performer(db, actor, profile, legal)
        except ValidationFailed as exc:
            self.new_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/models")
        self.new_open = False
        return [rx.toast.success(f"{created.stage_name} added."), rx.redirect(f"/models/{created.id}")]


def status_badge(label, color) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.badge(label, color_scheme=color, variant="soft")


def doc_badge(flag, expiry, *, labelled: bool = False) -> rx.Component:  # type: ignore[no-untyped-def]
    """labelled: outside the list's "ID document" column a bare date says nothing; name it."""
    return rx.match(
        flag,
        (
            "expired",
            rx.badge(
                rx.icon("triangle-alert", size=12),
                "Expired " + expiry,
                color_scheme="red",
                variant="solid",
                class_name="doc-expired",
            ),
        ),
        (
            "soon",
            rx.badge(
                rx.icon("clock", size=12), "Expires " + expiry, color_scheme="orange", class_name="doc-soon"
            ),
        ),
        rx.cond(
            expiry != "",
            rx.text(("ID valid until " if labelled else "") + expiry, size="2", color_scheme="gray"),
            rx.text("No ID document on file" if labelled else "—", size="2", color_scheme="gray"),
        ),
    )


def _row(r: dict) -> rx.Component:
    s = ModelsState
    name = rx.link(
        rx.hstack(
            rx.cond(
                s.full & (r["photo"] != ""),
                rx.avatar(
                    src="/api/photos/" + r["id"], fallback=r["stage_name"][:1], size="2", radius="full"
                ),
                rx.avatar(fallback=r["stage_name"][:1], size="2", radius="full"),
            ),
            rx.text(r["stage_name"], weight="medium"),
            align="center",
        ),
        href="/models/" + r["id"],
        underline="none",
    )
    return rx.table.row(
        rx.table.cell(name),
        rx.table.cell(status_badge(r["status_label"], r["color"])),
        rx.cond(
            s.full,
            rx.fragment(
                rx.table.cell(r["email"]),
                rx.table.cell(r["phone"]),
                rx.table.cell(r["split"]),
                rx.table.cell(doc_badge(r["doc"], r["doc_expiry"]), data_label="ID document"),
            ),
            rx.fragment(),
        ),
        data_performer_id=r["id"],
        data_doc=rx.cond(s.full, r["doc"], ""),
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
        field_error(ModelsState.new_errors, name),
        spacing="1",
        width="100%",
        align="start",
    )


def new_model_dialog() -> rx.Component:
    e = ModelsState.new_errors
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
                on_submit=ModelsState.create,
                reset_on_submit=False,
            ),
            max_width="44rem",
        ),
        open=ModelsState.new_open,
        on_open_change=ModelsState.set_new_open,
    )


def _toolbar() -> rx.Component:
    s = ModelsState
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
    s = ModelsState
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
