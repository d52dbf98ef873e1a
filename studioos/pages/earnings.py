"""Earnings: a pay period's totals by model and platform, every record behind them, and manual
entry (a day's figure, or the period's running total) for owners and managers. Analysts read
everything; a model reads her own (the same page at /my-earnings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import reflex as rx

from studioos.services import earnings, payroll, performers, platforms
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.services.validation import parse_id
from studioos.ui import toast
from studioos.ui.calendar import parse_day
from studioos.ui.components import (
    card,
    confirm_dialog,
    download_link,
    empty_state,
    field_error,
    page_header,
    pager,
    sort_header,
)
from studioos.ui.layout import shell
from studioos.ui.paging import PAGE_SIZE, PagedTable
from studioos.ui.service_call import Answer, service_event

ALL = "all"
ALL_DAYS = (date(2000, 1, 1), date(2100, 12, 31))  # the importers' own range of years
DAY, TOTAL = "day", "total"  # the manual entry's two modes
KIND_LABELS = {"ledger": "Ledger", "daily": "Daily figure"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ModelFigure:
    performer_id: int
    stage_name: str
    tokens: str
    gross: str
    hours: str


@dataclass(frozen=True)
class PlatformFigure:
    platform: str
    gross: str


@dataclass(frozen=True)
class RecordLine:
    id: int
    day: str
    stage_name: str
    account: str
    what: str  # "Tip from bigtipper", "Daily figure", "Running total (correction: ...)"
    tokens: str
    usd: str
    worth: str
    minutes: str
    source: str
    manual: bool
    counted: bool
    editable: bool  # a one-day figure entered by hand (a running total is removed and entered again)
    raw_tokens: str  # the figures as the edit form starts with them
    raw_usd: str
    raw_minutes: str


def _hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}" if minutes else ""


def _what(r: earnings.RecordRow) -> str:
    if r.kind == "ledger":
        label = (r.entry_type or "entry").replace("_", " ").capitalize()
        return f"{label} from {r.member}" if r.member else label
    if r.correction_reason:
        return f"Daily figure, corrected: {r.correction_reason}"
    return "Daily figure"


def _line(r: earnings.RecordRow, fmt: Formats) -> RecordLine:
    source = "Entered" if r.source == "manual" else f"Import #{r.batch_id}, line {r.source_line}"
    return RecordLine(
        id=r.id,
        day=fmt.day(r.day) if r.period_start is None else fmt.date_range(r.period_start, r.day),
        stage_name=r.stage_name,
        account=f"{r.platform} {r.handle}",
        what=_what(r),
        tokens=f"{r.tokens:,}" if r.tokens else "",
        usd=fmt.money(r.usd_cents, "USD") if r.usd_cents else "",
        worth=fmt.money(r.value_cents, "USD"),
        minutes=_hours(r.online_minutes),
        source=source,
        manual=r.source == "manual",
        counted=r.counted,
        editable=r.source == "manual" and not r.running,
        raw_tokens=str(r.tokens) if r.tokens else "",
        raw_usd=f"{Decimal(r.usd_cents) / 100:.2f}" if r.usd_cents else "",
        raw_minutes=str(r.online_minutes) if r.online_minutes else "",
    )


class EarningsState(PagedTable, rx.State):
    periods: list[Choice] = []
    period: str = ""  # the first day of the period shown (ISO)
    period_text: str = ""
    models: list[Choice] = []
    model_filter: str = ALL
    platform_filter: str = ALL
    platforms: list[Choice] = []
    batch: int = 0  # only one import's rows (from the imports page)
    # Figures
    gross: str = ""
    tokens: str = ""
    hours: str = ""
    by_model: list[ModelFigure] = []
    by_platform: list[PlatformFigure] = []
    records: list[RecordLine] = []
    can_enter: bool = False
    own_id: int = 0  # a model's own profile: her statement links
    # Manual entry
    entry_open: bool = False
    entry_mode: str = DAY
    accounts: list[Choice] = []
    entry_errors: dict[str, str] = {}
    today: str = ""
    # Changing a one-day figure
    edit_open: bool = False
    editing: RecordLine | None = None
    edit_errors: dict[str, str] = {}

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            day = parse_day(self.period, actor.today())
            chosen = payroll.period_of(db, actor, day)
            first, last = chosen.starts_on, chosen.ends_on
            model = parse_id(self.model_filter) if self.model_filter != ALL else None
            platform = None if self.platform_filter == ALL else self.platform_filter
            total = earnings.summary(db, actor, first, last, performer_id=model)
            # One import's rows (the imports page's link): all of them, whatever days they are on.
            days = ALL_DAYS if self.batch else (first, last)
            page = earnings.list_records(
                db,
                actor,
                first=days[0],
                last=days[1],
                performer_id=model,
                platform=platform,
                batch_id=self.batch or None,
                sort=self.sort_key or "day",
                desc=self.sort_desc,
                page=self.page + 1,
                per_page=PAGE_SIZE,
            )
            fmt = for_actor(actor)
        self.period, self.period_text = first.isoformat(), fmt.date_range(first, last)
        self.gross, self.tokens = fmt.money(total.gross_cents, "USD"), f"{total.tokens:,}"
        self.hours = _hours(total.online_minutes) or "0:00"
        self.by_model = [
            ModelFigure(
                m.performer_id,
                m.stage_name,
                f"{m.tokens:,}",
                fmt.money(m.gross_cents, "USD"),
                _hours(m.online_minutes),
            )
            for m in total.by_model
        ]
        self.by_platform = [PlatformFigure(p, fmt.money(c, "USD")) for p, c in total.by_platform]
        self.total, self.sort_key = page.total, page.sort
        self.records = [_line(r, fmt) for r in page.rows]

    @service_event
    def load(self) -> None:
        query = self.router.url.query_parameters
        self.batch = parse_id(query.get("batch")) or 0
        with self._acting() as (db, actor):
            recent = payroll.recent_periods(db, actor)
            fmt = for_actor(actor)
            self.can_enter = actor.can(Cap.STREAMS_MANAGE)
            self.own_id = 0 if actor.can(Cap.EARNINGS_VIEW) else (performers.own_performer_id(db, actor) or 0)
            self.accounts = (
                [
                    Choice(str(a.id), f"{a.stage_name}: {a.platform} {a.handle}")
                    for a in earnings.entry_accounts(db, actor)
                ]
                if self.can_enter
                else []
            )
            names = performers.stage_names(db, actor)
            platform_names = platforms.list_platforms(db, actor)
            self.today = actor.today().isoformat()
        self.periods = [
            Choice(p.starts_on.isoformat(), fmt.date_range(p.starts_on, p.ends_on)) for p in recent
        ]
        self.models = [Choice(ALL, "All models")] + [Choice(str(i), n) for i, n in names.items()]
        self.platforms = [Choice(ALL, "All platforms")] + [Choice(p, p) for p in platform_names]
        wanted = query.get("period", "")
        self.period = (
            wanted
            if any(c.value == wanted for c in self.periods)
            else (recent[0].starts_on.isoformat() if recent else "")
        )
        if self.batch:
            # An import's rows: show the period of its first day (set by the imports page's link).
            self.period = wanted or self.period
        self.model_filter, self.platform_filter, self.page, self.entry_open = ALL, ALL, 0, False
        self.sort_key, self.sort_desc = "day", True  # the newest first
        self._reload()

    @service_event
    def set_period(self, value: str) -> None:
        self.period, self.page = str(value), 0
        self._reload()

    @service_event
    def set_model(self, value: str) -> None:
        self.model_filter, self.page = str(value), 0
        self._reload()

    @service_event
    def set_platform(self, value: str) -> None:
        self.platform_filter, self.page = str(value), 0
        self._reload()

    @service_event
    def clear_batch(self) -> None:
        self.batch, self.page = 0, 0
        self._reload()

    @rx.event
    def open_entry(self, mode: str) -> None:
        self.entry_mode = TOTAL if mode == TOTAL else DAY
        self.entry_errors, self.entry_open = {}, True

    @rx.event
    def set_entry_open(self, value: bool) -> None:
        self.entry_open = bool(value)

    @rx.event
    def set_entry_mode(self, value: str | list[str]) -> None:
        self.entry_mode = TOTAL if value == TOTAL else DAY
        self.entry_errors = {}

    @service_event(errors="entry_errors", feature="earnings_entry")
    def enter(self, form: dict[str, Any]) -> Answer:
        day_text = str(form.get("day", ""))
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            self.entry_errors = {"day": "Choose the day."}
            return None
        args = (
            form.get("account_id", ""),
            day,
            str(form.get("tokens", "")),
            str(form.get("usd", "")),
            str(form.get("minutes", "")),
        )
        if self.entry_mode == TOTAL:
            row = self._call(
                earnings.enter_running_total,
                *args,
                correction=bool(form.get("correction")),
                reason=str(form.get("reason", "")),
            )
        else:
            row = self._call(earnings.enter_day, *args)
        self.entry_open = False
        self._reload()
        return toast.success(f"Saved for {row.stage_name} on {row.platform}.")

    @rx.event
    def start_edit(self, record_id: int) -> None:
        found = next((r for r in self.records if r.id == record_id and r.editable), None)
        if found is not None:
            self.editing, self.edit_errors, self.edit_open = found, {}, True

    @rx.event
    def set_edit_open(self, value: bool) -> None:
        self.edit_open = bool(value)

    @service_event(errors="edit_errors", refresh=True)
    def save_edit(self, form: dict[str, Any]) -> Answer:
        if self.editing is None:
            return None
        row = self._call(
            earnings.update_day,
            self.editing.id,
            str(form.get("edit_tokens", "")),
            str(form.get("edit_usd", "")),
            str(form.get("edit_minutes", "")),
        )
        self.edit_open = False
        self._reload()
        return toast.success(f"Saved for {row.stage_name} on {row.platform}.")

    @service_event(refresh=True)
    def remove(self, record_id: int) -> Answer:
        self._call(earnings.delete_manual, record_id)
        self._reload()
        return toast.success("Entry removed.")


# ---------------------------------------------------------------- the page


def _picker(value: Any, choices: Any, on_change: Any, ident: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=ident, class_name="field-label"),
        rx.select.root(
            rx.select.trigger(id=ident, width="100%"),
            rx.select.content(rx.foreach(choices, lambda c: rx.select.item(c.label, value=c.value))),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
        flex="1 1 12rem",
    )


def _filters() -> rx.Component:
    s = EarningsState
    return rx.hstack(
        _picker(s.period, s.periods, s.set_period, "earnings-period", "Pay period"),
        _picker(s.model_filter, s.models, s.set_model, "earnings-model", "Model"),
        _picker(s.platform_filter, s.platforms, s.set_platform, "earnings-platform", "Platform"),
        width="100%",
        wrap="wrap",
        spacing="3",
    )


def _figures() -> rx.Component:
    s = EarningsState

    def stat(label: str, value: Any, ident: str) -> rx.Component:
        return card(rx.text(label, size="2", color_scheme="gray"), rx.heading(value, size="6", id=ident))

    return rx.grid(
        stat("Gross", s.gross, "earnings-gross"),
        stat("Tokens", s.tokens, "earnings-tokens"),
        stat("Hours online", s.hours, "earnings-hours"),
        columns=rx.breakpoints(initial="1", sm="3"),
        spacing="3",
        width="100%",
    )


def _statement() -> rx.Component:
    s = EarningsState
    base = "/api/statements/" + s.period + "/" + s.own_id.to_string()
    return rx.cond(
        s.own_id > 0,
        card(
            rx.hstack(
                rx.icon("file-text", size=18),
                rx.text("Your payout statement for this period:", size="2"),
                download_link("PDF", base + ".pdf", size="2", id="own-statement-pdf"),
                download_link("CSV", base + ".csv", size="2"),
                align="center",
                wrap="wrap",
                spacing="2",
            )
        ),
        rx.fragment(),
    )


def _by_model() -> rx.Component:
    s = EarningsState
    return rx.cond(s.by_model.length() > 0, _by_model_card(), rx.fragment())


def _by_model_card() -> rx.Component:
    s = EarningsState
    return card(
        rx.heading("By model", size="4", margin_bottom="0.5rem"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Model"),
                        rx.table.column_header_cell("Tokens"),
                        rx.table.column_header_cell("Gross"),
                        rx.table.column_header_cell("Hours"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        s.by_model,
                        lambda m: rx.table.row(
                            rx.table.cell(rx.text(m.stage_name, weight="medium")),
                            rx.table.cell(m.tokens),
                            rx.table.cell(m.gross),
                            rx.table.cell(m.hours),
                            data_model=m.stage_name,
                        ),
                    )
                ),
                width="100%",
                id="earnings-by-model",
            ),
            overflow_x="auto",
        ),
        rx.hstack(
            rx.foreach(s.by_platform, lambda p: rx.badge(p.platform + ": " + p.gross, variant="soft")),
            wrap="wrap",
            spacing="2",
            margin_top="0.75rem",
        ),
    )


def _record_row(r: RecordLine) -> rx.Component:
    s = EarningsState
    return rx.table.row(
        rx.table.cell(r.day),
        rx.table.cell(rx.text(r.stage_name, weight="medium")),
        rx.table.cell(r.account),
        rx.table.cell(
            rx.vstack(
                rx.text(r.what, size="2"),
                rx.cond(
                    r.counted,
                    rx.fragment(),
                    rx.text(
                        "Not counted: this day has the token history's entries",
                        size="1",
                        color_scheme="orange",
                    ),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(r.tokens),
        rx.table.cell(r.usd),
        rx.table.cell(r.worth),
        rx.table.cell(r.minutes),
        rx.table.cell(rx.text(r.source, size="1", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                r.manual & s.can_enter,
                rx.hstack(
                    rx.cond(
                        r.editable,
                        rx.icon_button(
                            rx.icon("pencil", size=14),
                            size="1",
                            variant="ghost",
                            on_click=s.start_edit(r.id),
                            aria_label="Change this figure",
                            id="edit-record-" + r.id.to_string(),
                        ),
                        rx.fragment(),
                    ),
                    confirm_dialog(
                        rx.icon_button(
                            rx.icon("trash-2", size=14),
                            size="1",
                            variant="ghost",
                            color_scheme="red",
                            aria_label="Remove this entry",
                        ),
                        "Remove this entry?",
                        "The figure is taken out of the period's earnings.",
                        "Remove",
                        s.remove(r.id),
                    ),
                    spacing="1",
                ),
                rx.fragment(),
            )
        ),
        data_record=r.id.to_string(),
    )


def _records() -> rx.Component:
    s = EarningsState
    return card(
        rx.hstack(
            rx.heading("Records", size="4"),
            rx.cond(
                s.batch > 0,
                rx.badge(
                    "Import #" + s.batch.to_string(),
                    rx.icon("x", size=12, cursor="pointer", on_click=s.clear_batch),
                    color_scheme="blue",
                ),
                rx.fragment(),
            ),
            align="center",
            margin_bottom="0.5rem",
        ),
        rx.cond(
            s.records.length() > 0,
            rx.vstack(
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                sort_header("Day", "day", s),
                                sort_header("Model", "model", s),
                                sort_header("Account", "platform", s),
                                rx.table.column_header_cell("What"),
                                sort_header("Tokens", "tokens", s),
                                sort_header("USD", "usd", s),
                                rx.table.column_header_cell("Worth"),
                                rx.table.column_header_cell("Online"),
                                rx.table.column_header_cell("Source"),
                                rx.table.column_header_cell(""),
                            )
                        ),
                        rx.table.body(rx.foreach(s.records, _record_row)),
                        width="100%",
                        id="earnings-records",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                pager(s),
                width="100%",
            ),
            empty_state(
                "coins",
                "No earnings in this period",
                "Import a platform's export, or enter what a platform's dashboard shows.",
                rx.cond(
                    s.can_enter,
                    rx.link(rx.button("Import a file", variant="soft"), href="/imports"),
                    rx.fragment(),
                ),
            ),
        ),
    )


def _entry_dialog() -> rx.Component:
    s, e = EarningsState, EarningsState.entry_errors

    def field(label: str, name: str, placeholder: str, hint: str = "") -> rx.Component:
        return rx.vstack(
            rx.el.label(label, html_for="entry-" + name, class_name="field-label"),
            rx.input(name=name, id="entry-" + name, placeholder=placeholder, width="100%"),
            rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
            field_error(e, name),
            spacing="1",
            width="100%",
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Enter earnings"),
            rx.segmented_control.root(
                rx.segmented_control.item("One day", value=DAY),
                rx.segmented_control.item("Period total so far", value=TOTAL),
                value=s.entry_mode,
                on_change=s.set_entry_mode,
                margin_bottom="0.75rem",
            ),
            rx.text(
                rx.cond(
                    s.entry_mode == TOTAL,
                    "The pay period's total so far, as the platform's dashboard shows it: StudioOS stores "
                    "what was added since the last total you entered.",
                    "What the platform shows for one day.",
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.el.label("Account", html_for="entry-account", class_name="field-label"),
                    rx.select.root(
                        rx.select.trigger(
                            placeholder="Model and platform account", id="entry-account", width="100%"
                        ),
                        rx.select.content(
                            rx.foreach(s.accounts, lambda c: rx.select.item(c.label, value=c.value))
                        ),
                        name="account_id",
                    ),
                    field_error(e, "account_id"),
                    rx.el.label("Day", html_for="entry-day", class_name="field-label"),
                    rx.input(
                        type="date",
                        name="day",
                        id="entry-day",
                        max=s.today,
                        default_value=s.today,
                        width="100%",
                    ),
                    field_error(e, "day"),
                    field("Tokens", "tokens", "1200"),
                    field("USD (sites that pay in money)", "usd", "85.50"),
                    field("Online time", "minutes", "4:30", "Minutes, or hours:minutes."),
                    rx.cond(
                        s.entry_mode == TOTAL,
                        rx.vstack(
                            rx.checkbox(
                                "This total is lower than the last one on purpose (a correction)",
                                name="correction",
                                id="entry-correction",
                            ),
                            field("Why", "reason", "Chargeback on the 3rd"),
                            width="100%",
                        ),
                        rx.fragment(),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Save", type="submit", id="entry-submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=s.enter,
                reset_on_submit=False,
            ),
        ),
        open=s.entry_open,
        on_open_change=s.set_entry_open,
    )


def _edit_dialog() -> rx.Component:
    s, e = EarningsState, EarningsState.edit_errors

    def field(label: str, name: str, value: Any, hint: str = "") -> rx.Component:
        return rx.vstack(
            rx.el.label(label, html_for=name, class_name="field-label"),
            rx.input(name=name, id=name, default_value=value, width="100%"),
            rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
            field_error(e, name.removeprefix("edit_")),
            spacing="1",
            width="100%",
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change the figure"),
            rx.cond(
                s.editing,
                rx.fragment(
                    rx.text(
                        s.editing.stage_name + " · " + s.editing.account + " · " + s.editing.day, size="2"
                    ),
                    rx.form(
                        rx.vstack(
                            field("Tokens", "edit_tokens", s.editing.raw_tokens),
                            field("USD", "edit_usd", s.editing.raw_usd),
                            field(
                                "Online time",
                                "edit_minutes",
                                s.editing.raw_minutes,
                                "Minutes, or hours:minutes.",
                            ),
                            rx.hstack(
                                rx.dialog.close(
                                    rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                                ),
                                rx.button("Save", type="submit", id="edit-record-submit"),
                                justify="end",
                                width="100%",
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        on_submit=s.save_edit,
                        reset_on_submit=False,
                        key=s.editing.id.to_string(),
                    ),
                ),
                rx.fragment(),
            ),
        ),
        open=s.edit_open,
        on_open_change=s.set_edit_open,
    )


def body() -> rx.Component:
    s = EarningsState
    return rx.vstack(
        page_header(
            "Earnings",
            s.period_text,
            rx.cond(
                s.can_enter,
                rx.hstack(
                    rx.link(
                        rx.button(rx.icon("file-up", size=16), "Import", variant="soft"), href="/imports"
                    ),
                    rx.button(
                        rx.icon("plus", size=16),
                        "Enter earnings",
                        on_click=s.open_entry(DAY),
                        id="enter-earnings",
                    ),
                    spacing="2",
                ),
                rx.fragment(),
            ),
        ),
        _filters(),
        _figures(),
        _statement(),
        _by_model(),
        _records(),
        _entry_dialog(),
        _edit_dialog(),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.EARNINGS_VIEW)


def own_page() -> rx.Component:
    """A model's own earnings: the same page; the services show her nothing but hers."""
    return shell(body(), Cap.EARNINGS_OWN)
