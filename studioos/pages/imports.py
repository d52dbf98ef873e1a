"""Importing earnings files: upload, preview (bad rows by line, unknown handles to map), confirm
with a progress bar, and the list of imports with undo."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import reflex as rx

from studioos.api.guard import MAX_UPLOAD_BYTES
from studioos.services import earnings, imports, performers
from studioos.services.errors import ServiceError, ValidationFailed
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.ui import toast
from studioos.ui.components import card, confirm_dialog, download_link, empty_state, page_header, pager
from studioos.ui.layout import shell
from studioos.ui.paging import PAGE_SIZE, PagedTable
from studioos.ui.service_call import Answer, off_loop, service_error_event, service_event

AUTO = "auto"
NOBODY = "none"
REFUSED_SHOWN = 200  # a preview lists this many refused rows; the count says how many there are
SAMPLES = (
    ("Chaturbate token history (Amber Skye)", "/samples/amberskye-chaturbate-token-history.csv"),
    ("Stripchat earnings by model", "/samples/stripchat-earnings.csv"),
    ("BongaCams model earnings", "/samples/bongacams-earnings.csv"),
    ("StudioOS template", "/samples/studioos-template.csv"),
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Refusal:
    line: int
    reason: str


@dataclass(frozen=True)
class Unknown:
    key: str  # imports.mapping_key
    platform: str
    handle: str
    rows: int
    first_line: int


@dataclass(frozen=True)
class Landing:
    stage_name: str
    platform: str
    handle: str
    records: int
    tokens: str
    usd: str
    value: str


@dataclass(frozen=True)
class BatchRow:
    id: int
    when: str
    filename: str
    format: str
    landed: int
    duplicates: int
    refused: int
    status: str
    undone: bool


def _landing(line: imports.ModelLine, fmt: Formats) -> Landing:
    return Landing(
        line.stage_name,
        line.platform,
        line.handle,
        line.records,
        f"{line.tokens:,}",
        fmt.money(line.usd_cents, "USD") if line.usd_cents else "",
        fmt.money(line.value_cents, "USD"),
    )


class ImportsState(PagedTable, rx.State):
    formats: list[Choice] = []
    accounts: list[Choice] = []
    models: list[Choice] = []
    format_choice: str = AUTO
    account_choice: str = ""
    mapping: dict[str, str] = {}
    import_errors: dict[str, str] = {}
    # The preview
    has_preview: bool = False
    file_name: str = ""
    format_label: str = ""
    rows_read: int = 0
    to_land: int = 0
    duplicates: int = 0
    refused_total: int = 0
    refused: list[Refusal] = []
    unknown: list[Unknown] = []
    landing: list[Landing] = []
    span: str = ""
    imported_before: str = ""
    one_account: bool = False
    # Confirming
    busy: bool = False
    progress: int = 0
    # The list of imports
    batches: list[BatchRow] = []
    # The uploaded file waits encrypted on the server under this name (never its bytes in state).
    _stash: str = ""

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            page = imports.list_batches(db, actor, page=self.page + 1, per_page=PAGE_SIZE)
            fmt = for_actor(actor)
        self.total = page.total
        self.batches = [
            BatchRow(
                b.id,
                fmt.moment(b.created_at),
                b.filename,
                b.format,
                b.rows_landed,
                b.rows_duplicate,
                b.rows_refused,
                "Undone" if b.status == "undone" else "Landed",
                b.status == "undone",
            )
            for b in page.rows
        ]

    @service_event
    def load(self) -> None:
        with self._acting() as (db, actor):
            self.formats = [Choice(AUTO, "Detect from the file")] + [
                Choice(f.name, f.label) for f in imports.formats()
            ]
            self.accounts = [
                Choice(str(a.id), f"{a.stage_name}: {a.platform} {a.handle}")
                for a in earnings.entry_accounts(db, actor)
            ]
            self.models = [Choice(str(i), n) for i, n in performers.stage_names(db, actor).items()]
        self.page = 0
        self._clear()
        self._reload()

    def _clear(self) -> None:
        if self._stash:
            imports.drop_stash(self._stash)
        self._stash = ""
        self.has_preview, self.busy, self.progress = False, False, 0
        self.import_errors, self.mapping = {}, {}
        self.format_choice, self.account_choice = AUTO, ""
        self.refused, self.unknown, self.landing = [], [], []

    def _preview(self) -> None:
        self.import_errors = {}
        with self._acting() as (db, actor):
            data, name = imports.unstash(actor, self._stash)
            try:
                seen = imports.preview(
                    db,
                    actor,
                    data,
                    filename=name,
                    format_name=None if self.format_choice == AUTO else self.format_choice,
                    account_id=self.account_choice or None,
                    mapping=self.mapping,
                )
            except ValidationFailed as exc:
                self.has_preview = False
                self.import_errors = dict(exc.errors)
                self.file_name = name
                return
            fmt = for_actor(actor)
        self.has_preview = True
        self.file_name, self.format_label = name, seen.format_label
        self.rows_read, self.to_land, self.duplicates = seen.rows_read, seen.to_land, seen.duplicates
        self.refused_total = len(seen.refused)
        self.refused = [Refusal(e.line, e.reason) for e in seen.refused[:REFUSED_SHOWN]]
        self.unknown = [
            Unknown(imports.mapping_key(u.platform, u.handle), u.platform, u.handle, u.rows, u.first_line)
            for u in seen.unknown_handles
        ]
        self.landing = [_landing(line, fmt) for line in seen.by_model]
        self.span = fmt.date_range(seen.first_day, seen.last_day) if seen.first_day and seen.last_day else ""
        self.imported_before = (
            f"This very file was imported before (import #{seen.imported_before}): its rows are already in."
            if seen.imported_before
            else ""
        )
        self.one_account = seen.one_account
        if seen.account_id is not None:
            self.account_choice = str(seen.account_id)

    @service_event(errors="import_errors")
    def upload(self, files: list[rx.UploadFile]) -> Answer:
        if not files:
            return None
        upload = files[0]
        data = upload.file.read()
        self._clear()
        with self._acting() as (_db, actor):
            self._stash = imports.stash(actor, data, upload.name or "upload.csv")
        self._preview()
        return None

    @service_event(errors="import_errors")
    def set_format(self, value: str) -> None:
        self.format_choice = str(value)
        if self._stash:
            self._preview()

    @service_event(errors="import_errors")
    def set_account(self, value: str) -> None:
        self.account_choice = "" if value == NOBODY else str(value)
        if self._stash:
            self._preview()

    @service_event(errors="import_errors")
    def map_handle(self, key: str, performer_id: str) -> None:
        mapping = dict(self.mapping)
        if performer_id in ("", NOBODY):
            mapping.pop(str(key), None)
        else:
            mapping[str(key)] = str(performer_id)
        self.mapping = mapping
        if self._stash:
            self._preview()

    @service_event
    def cancel(self) -> None:
        self._clear()

    @rx.event(background=True)
    async def confirm(self) -> Any:
        async with self:
            if self.busy or not self._stash or not self.has_preview:
                return None
            self.busy, self.progress = True, 0
            stash, router = self._stash, self.router
            format_name = None if self.format_choice == AUTO else self.format_choice
            account, mapping = self.account_choice or None, dict(self.mapping)
        done = [0, 1]

        def heard(written: int, total: int) -> None:
            done[0], done[1] = written, max(total, 1)

        def land() -> imports.BatchReport:
            from studioos.ui.backend import acting

            with acting(router) as (db, actor):
                data, name = imports.unstash(actor, stash)
                return imports.confirm(
                    db,
                    actor,
                    data,
                    filename=name,
                    format_name=format_name,
                    account_id=account,
                    mapping=mapping,
                    progress=heard,
                )

        task = asyncio.ensure_future(off_loop(land))
        while not task.done():
            await asyncio.wait({task}, timeout=0.3)
            async with self:
                self.progress = int(done[0] * 100 / done[1])
        try:
            report = task.result()
        except ServiceError as exc:
            async with self:
                self.busy = False
            return service_error_event(exc, "/imports")
        async with self:
            imports.drop_stash(stash)
            self._stash = ""
            self.busy, self.progress, self.has_preview = False, 100, False
            self.page = 0
        return [
            ImportsState.after_import,
            toast.success(
                f"{report.rows_landed:,} rows imported"
                + (f", {report.rows_duplicate:,} were already in" if report.rows_duplicate else "")
                + (f", {report.rows_refused:,} refused (listed in the import)" if report.rows_refused else "")
                + "."
            ),
        ]

    @service_event
    def after_import(self) -> None:
        self._clear()
        self._reload()

    @service_event(refresh=True)
    def undo(self, batch_id: int) -> Answer:
        report = self._call(imports.undo, batch_id)
        self._reload()
        return toast.success(f"Import of {report.filename} undone: {report.rows_landed:,} rows removed.")


# ---------------------------------------------------------------- the page


def _upload_card() -> rx.Component:
    s = ImportsState
    return card(
        rx.vstack(
            rx.heading("Import a file", size="4"),
            rx.text(
                "Chaturbate token history, Stripchat earnings or token history, BongaCams earnings, or the "
                "StudioOS template for any other site. CSV or XLSX, at most 10 MB. You see what will land "
                "before anything does.",
                size="2",
                color_scheme="gray",
            ),
            rx.upload(
                rx.vstack(
                    rx.icon("file-up", size=28, color=rx.color("gray", 9)),
                    rx.text("Drop a file here, or click to choose one", size="2", weight="medium"),
                    align="center",
                    spacing="2",
                ),
                id="earnings-upload",
                multiple=False,
                max_files=1,
                max_size=MAX_UPLOAD_BYTES,
                accept={
                    "text/csv": [".csv", ".txt"],
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
                },
                on_drop=ImportsState.upload(rx.upload_files(upload_id="earnings-upload")),
                on_drop_rejected=rx.toast.error("Choose a CSV or XLSX file of at most 10 MB."),
                border=f"2px dashed {rx.color('gray', 6)}",
                border_radius="12px",
                padding="1.5rem",
                width="100%",
                cursor="pointer",
            ),
            rx.cond(
                s.import_errors.contains("file"),
                rx.callout(
                    s.import_errors["file"],
                    icon="triangle-alert",
                    color_scheme="red",
                    id="import-file-error",
                    width="100%",
                ),
                rx.fragment(),
            ),
            rx.hstack(
                rx.text("Templates:", size="2", color_scheme="gray"),
                download_link("CSV", "/api/imports/template.csv", size="2", id="template-csv"),
                download_link("XLSX", "/api/imports/template.xlsx", size="2", id="template-xlsx"),
                rx.text("· Samples to try:", size="2", color_scheme="gray"),
                *[download_link(label, url, size="2") for label, url in SAMPLES],
                wrap="wrap",
                spacing="2",
            ),
            spacing="3",
            width="100%",
        )
    )


def _options(choices: Any) -> rx.Component:
    return rx.foreach(choices, lambda c: rx.select.item(c.label, value=c.value))


def _settings_row() -> rx.Component:
    s = ImportsState
    return rx.hstack(
        rx.vstack(
            rx.el.label("Format", html_for="import-format", class_name="field-label"),
            rx.select.root(
                rx.select.trigger(id="import-format", width="100%"),
                rx.select.content(_options(s.formats)),
                value=s.format_choice,
                on_change=s.set_format,
            ),
            spacing="1",
            flex="1 1 14rem",
        ),
        rx.cond(s.one_account | s.import_errors.contains("account"), _account_picker(), rx.fragment()),
        width="100%",
        wrap="wrap",
        spacing="3",
        class_name="phone-stack",
    )


def _account_picker() -> rx.Component:
    s = ImportsState
    return rx.vstack(
        rx.el.label(
            "Account (the file is one account's history)", html_for="import-account", class_name="field-label"
        ),
        rx.select.root(
            rx.select.trigger(placeholder="Whose account is this file?", id="import-account", width="100%"),
            rx.select.content(rx.select.item("Not chosen", value=NOBODY), _options(s.accounts)),
            value=rx.cond(s.account_choice == "", NOBODY, s.account_choice),
            on_change=s.set_account,
        ),
        rx.cond(
            s.import_errors.contains("account"),
            rx.text(
                s.import_errors["account"], color_scheme="red", size="1", id="error-account", role="alert"
            ),
            rx.fragment(),
        ),
        spacing="1",
        flex="1 1 16rem",
    )


def _figure(label: str, value: Any, ident: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.heading(value, size="5", id=ident),
        spacing="0",
        min_width="7rem",
    )


def _unknown_row(u: Unknown) -> rx.Component:
    s = ImportsState
    return rx.table.row(
        rx.table.cell(u.platform),
        rx.table.cell(rx.text(u.handle, weight="medium")),
        rx.table.cell(
            rx.cond(u.rows == 1, "1 row", u.rows.to_string() + " rows")
            + ", first on line "
            + u.first_line.to_string()
        ),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(placeholder="Map to a model", id="map-" + u.handle),
                rx.select.content(rx.select.item("Leave out", value=NOBODY), _options(s.models)),
                value=rx.cond(s.mapping.contains(u.key), s.mapping[u.key], NOBODY),
                on_change=lambda v: s.map_handle(u.key, v),
            )
        ),
        data_handle=u.handle,
    )


def _preview() -> rx.Component:
    s = ImportsState
    return card(
        rx.vstack(
            rx.hstack(
                rx.heading("Preview: " + s.file_name, size="4"),
                rx.badge(s.format_label, color_scheme="blue"),
                wrap="wrap",
                align="center",
            ),
            rx.cond(s.span != "", rx.text("Days: " + s.span, size="2", color_scheme="gray"), rx.fragment()),
            rx.cond(
                s.imported_before != "",
                rx.callout(s.imported_before, icon="info", color_scheme="blue", width="100%"),
                rx.fragment(),
            ),
            rx.hstack(
                _figure("Rows read", s.rows_read, "preview-read"),
                _figure("Will land", s.to_land, "preview-land"),
                _figure("Already in", s.duplicates, "preview-duplicates"),
                _figure("Refused", s.refused_total, "preview-refused"),
                wrap="wrap",
                spacing="5",
            ),
            rx.cond(
                s.landing.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Model"),
                                rx.table.column_header_cell("Account"),
                                rx.table.column_header_cell("Records"),
                                rx.table.column_header_cell("Tokens"),
                                rx.table.column_header_cell("USD reported"),
                                rx.table.column_header_cell("Worth"),
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                s.landing,
                                lambda r: rx.table.row(
                                    rx.table.cell(r.stage_name),
                                    rx.table.cell(r.platform + " " + r.handle),
                                    rx.table.cell(r.records),
                                    rx.table.cell(r.tokens),
                                    rx.table.cell(r.usd),
                                    rx.table.cell(r.value),
                                ),
                            )
                        ),
                        width="100%",
                        id="preview-landing",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.fragment(),
            ),
            rx.cond(
                s.unknown.length() > 0,
                rx.vstack(
                    rx.heading("Handles no model has", size="3"),
                    rx.text(
                        "Map each to a model to import its rows (the handle is added to her profile), or "
                        "leave it out: its rows are listed as refused.",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.box(
                        rx.table.root(
                            rx.table.body(rx.foreach(s.unknown, _unknown_row)),
                            width="100%",
                            id="unknown-handles",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.fragment(),
            ),
            rx.cond(
                s.refused_total > 0,
                rx.vstack(
                    rx.heading("Refused rows", size="3"),
                    rx.text(
                        "These lines will not land; every other row still does. Line numbers are the "
                        "spreadsheet's (the header is line 1).",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.box(
                        rx.foreach(
                            s.refused,
                            lambda e: rx.text(
                                rx.text.strong("Line " + e.line.to_string() + ": "),
                                e.reason,
                                size="2",
                                data_line=e.line.to_string(),
                            ),
                        ),
                        max_height="16rem",
                        overflow_y="auto",
                        width="100%",
                        id="refused-rows",
                    ),
                    rx.cond(
                        s.refused_total > REFUSED_SHOWN,
                        rx.text(
                            f"The first {REFUSED_SHOWN} are listed; the import keeps them all.", size="1"
                        ),
                        rx.fragment(),
                    ),
                    width="100%",
                ),
                rx.fragment(),
            ),
            rx.cond(
                s.busy,
                rx.vstack(
                    rx.progress(value=s.progress, max=100, width="100%", id="import-progress"),
                    rx.text("Importing… " + s.progress.to_string() + " %", size="2"),
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        "Cancel", variant="soft", color_scheme="gray", on_click=s.cancel, id="import-cancel"
                    ),
                    rx.button(
                        "Import " + s.to_land.to_string() + " rows",
                        on_click=s.confirm,
                        disabled=s.to_land == 0,
                        id="import-confirm",
                    ),
                    justify="end",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        id="import-preview",
    )


def _batch_row(b: BatchRow) -> rx.Component:
    s = ImportsState
    return rx.table.row(
        rx.table.cell(b.when),
        rx.table.cell(rx.text(b.filename, weight="medium")),
        rx.table.cell(b.landed),
        rx.table.cell(b.duplicates),
        rx.table.cell(b.refused),
        rx.table.cell(rx.badge(b.status, color_scheme=rx.cond(b.undone, "gray", "green"))),
        rx.table.cell(
            rx.hstack(
                rx.link(
                    rx.button("Rows", size="1", variant="soft"), href="/earnings?batch=" + b.id.to_string()
                ),
                rx.cond(
                    b.undone,
                    rx.fragment(),
                    confirm_dialog(
                        rx.button(
                            "Undo",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            id="undo-batch-" + b.id.to_string(),
                        ),
                        "Undo this import?",
                        "Every row it brought in is removed, and the members' totals are recounted. "
                        "You can import the file again later.",
                        "Undo import",
                        s.undo(b.id),
                    ),
                ),
                spacing="2",
            )
        ),
        data_batch=b.id.to_string(),
    )


def body() -> rx.Component:
    s = ImportsState
    return rx.vstack(
        page_header("Import earnings", "Bring in what the cam sites report, file by file."),
        _upload_card(),
        rx.cond(
            s.has_preview | s.import_errors.contains("account"),
            rx.vstack(
                _settings_row(), rx.cond(s.has_preview, _preview(), rx.fragment()), width="100%", spacing="3"
            ),
            rx.fragment(),
        ),
        card(
            rx.heading("Imports", size="4", margin_bottom="0.5rem"),
            rx.cond(
                s.batches.length() > 0,
                rx.vstack(
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("When"),
                                    rx.table.column_header_cell("File"),
                                    rx.table.column_header_cell("Landed"),
                                    rx.table.column_header_cell("Already in"),
                                    rx.table.column_header_cell("Refused"),
                                    rx.table.column_header_cell("Status"),
                                    rx.table.column_header_cell(""),
                                )
                            ),
                            rx.table.body(rx.foreach(s.batches, _batch_row)),
                            width="100%",
                            id="batches-table",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    pager(s),
                    width="100%",
                ),
                empty_state(
                    "file-up", "No imports yet", "Upload a platform's export above to bring earnings in."
                ),
            ),
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.STREAMS_MANAGE)
