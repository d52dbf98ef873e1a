"""Payroll: a pay period's pay per model (gross, her share by her split, adjustments, net, the net
in the payout currency), statements, locking and marking paid; the studio's pay settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import reflex as rx

from studioos.services import pay_periods, payroll, platforms, rates
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.ui import toast
from studioos.ui.calendar import parse_day
from studioos.ui.components import card, confirm_dialog, download_link, empty_state, field_error, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event

STATUS_LABELS = {"open": "Open", "locked": "Locked", "paid": "Paid"}
STATUS_COLORS = {"open": "blue", "locked": "orange", "paid": "green"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class AdjustmentLine:
    id: int
    label: str
    amount: str
    note: str


@dataclass(frozen=True)
class RateLine:
    id: int  # 0: the built-in value
    platform: str
    since: str
    value: str
    builtin: bool


@dataclass(frozen=True)
class PayRow:
    performer_id: int
    stage_name: str
    platforms: str  # "Chaturbate 50.05 · LiveJasmin 120.10"
    gross: str
    split: str
    share: str
    studio_share: str
    adjustments: str
    net: str
    net_payout: str
    adjustment_lines: list[AdjustmentLine]


def _payout_text(amount: Any, currency: str, fmt: Formats) -> str:
    return fmt.money(int(amount * 100), currency)


def _row(line: payroll.PayLine, view: payroll.PayrollView, fmt: Formats) -> PayRow:
    usd = lambda cents: fmt.money(cents, "USD")  # noqa: E731
    return PayRow(
        performer_id=line.performer_id,
        stage_name=line.stage_name,
        platforms=" · ".join(f"{p.platform} {usd(p.gross_cents)}" for p in line.platforms),
        gross=usd(line.gross_cents),
        split=line.split,
        share=usd(line.model_share_cents),
        studio_share=usd(line.studio_share_cents),
        adjustments=usd(line.adjustments_cents) if line.adjustments else "",
        net=usd(line.net_cents),
        net_payout=_payout_text(line.net_payout, view.payout_currency, fmt),
        adjustment_lines=[
            AdjustmentLine(a.id, a.label, usd(a.amount_cents), a.note) for a in line.adjustments
        ],
    )


class PayrollState(ServicePage, rx.State):
    periods: list[Choice] = []
    period: str = ""
    period_text: str = ""
    status: str = "open"
    rows: list[PayRow] = []
    gross: str = ""
    share: str = ""
    studio_share: str = ""
    net: str = ""
    net_payout: str = ""
    payout_currency: str = "USD"
    fx_rate: str = "1"
    manages: bool = False  # payroll managers: adjust, exchange, lock, settings
    period_over: bool = False
    # Adjustments dialog
    adjust_open: bool = False
    adjust_for: int = 0
    adjust_name: str = ""
    adjust_errors: dict[str, str] = {}
    fx_errors: dict[str, str] = {}
    # Settings
    settings_errors: dict[str, str] = {}
    pay_period: str = ""
    kinds: list[Choice] = [Choice(k, v) for k, v in pay_periods.KIND_LABELS.items()]
    tiers: list[Choice] = []  # (from USD, percent) as value/label
    rates: list[RateLine] = []
    token_platforms: list[Choice] = []
    rate_errors: dict[str, str] = {}

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            day = parse_day(self.period, actor.today())
            view = payroll.payroll(db, actor, day)
            fmt = for_actor(actor)
            today = actor.today()
        self.period, self.period_text = (
            view.starts_on.isoformat(),
            fmt.date_range(view.starts_on, view.ends_on),
        )
        self.status = view.status
        self.period_over = view.ends_on < today
        self.rows = [_row(line, view, fmt) for line in view.lines]
        self.gross, self.share = fmt.money(view.gross_cents, "USD"), fmt.money(view.model_share_cents, "USD")
        self.studio_share, self.net = (
            fmt.money(view.studio_share_cents, "USD"),
            fmt.money(view.net_cents, "USD"),
        )
        self.net_payout = _payout_text(view.net_payout, view.payout_currency, fmt)
        self.payout_currency, self.fx_rate = view.payout_currency, f"{view.fx_rate.normalize():f}"
        if self.adjust_open:
            found = next((r for r in self.rows if r.performer_id == self.adjust_for), None)
            self.adjust_name = found.stage_name if found else self.adjust_name

    def _periods(self) -> None:
        with self._acting() as (db, actor):
            recent = payroll.recent_periods(db, actor)
            fmt = for_actor(actor)
            self.manages = actor.can(Cap.PAYROLL)
            if self.manages:
                settings = pay_periods.get_settings(db, actor)
                self.pay_period = settings.pay_period
                self.rates = [
                    RateLine(
                        r.id,
                        r.platform,
                        fmt.day(r.effective_from) if r.effective_from else "Built in",
                        f"{r.usd_per_token.normalize():f}",
                        r.builtin,
                    )
                    for r in rates.list_rates(db, actor)
                ]
                self.token_platforms = [
                    Choice(p, p)
                    for p in platforms.list_platforms(db, actor)
                    if p not in rates.MONEY_PLATFORMS
                ]
        self.periods = [
            Choice(
                p.starts_on.isoformat(),
                f"{fmt.date_range(p.starts_on, p.ends_on)} · {STATUS_LABELS[p.status]}",
            )
            for p in recent
        ]

    @service_event
    def load(self) -> None:
        self._periods()
        wanted = self.router.url.query_parameters.get("period", "")
        self.period = (
            wanted
            if any(c.value == wanted for c in self.periods)
            else (self.periods[1].value if len(self.periods) > 1 else "")
        )
        self.adjust_open, self.adjust_errors, self.fx_errors, self.settings_errors = False, {}, {}, {}
        self._reload()

    @service_event
    def set_period(self, value: str) -> None:
        self.period = str(value)
        self._reload()

    @service_event(errors="fx_errors")
    def save_exchange(self, form: dict[str, Any]) -> Answer:
        self._call(
            payroll.set_exchange,
            date.fromisoformat(self.period),
            str(form.get("currency", "")),
            str(form.get("fx_rate", "")),
        )
        self._reload()
        return toast.success("Exchange rate saved for this period.")

    @service_event(refresh=True)
    def lock(self) -> Answer:
        self._call(payroll.lock, date.fromisoformat(self.period))
        self._periods()
        self._reload()
        return toast.success("Payroll locked: its numbers are frozen.")

    @service_event(refresh=True)
    def mark_paid(self) -> Answer:
        self._call(payroll.mark_paid, date.fromisoformat(self.period))
        self._periods()
        self._reload()
        return toast.success("Payroll marked paid.")

    @rx.event
    def open_adjustments(self, performer_id: int) -> None:
        found = next((r for r in self.rows if r.performer_id == performer_id), None)
        if found is not None:
            self.adjust_for, self.adjust_name = found.performer_id, found.stage_name
            self.adjust_errors, self.adjust_open = {}, True

    @rx.event
    def set_adjust_open(self, value: bool) -> None:
        self.adjust_open = bool(value)

    @service_event(errors="adjust_errors")
    def add_adjustment(self, form: dict[str, Any]) -> Answer:
        self._call(
            payroll.add_adjustment,
            date.fromisoformat(self.period),
            self.adjust_for,
            str(form.get("kind", "")),
            str(form.get("amount", "")),
            str(form.get("note", "")),
        )
        self._reload()
        return [
            toast.success("Adjustment added."),
            rx.set_value("adjust-amount", ""),
            rx.set_value("adjust-note", ""),
        ]

    @service_event(refresh=True)
    def remove_adjustment(self, adjustment_id: int) -> Answer:
        self._call(payroll.remove_adjustment, adjustment_id)
        self._reload()
        return toast.success("Adjustment removed.")

    @service_event(errors="rate_errors")
    def save_rate(self, form: dict[str, Any]) -> Answer:
        try:
            since = date.fromisoformat(str(form.get("rate_from", "")))
        except ValueError:
            self.rate_errors = {"effective_from": "Choose the first day the value applies."}
            return None
        row = self._call(
            rates.set_rate, str(form.get("rate_platform", "")), since, str(form.get("rate_value", ""))
        )
        self._periods()
        return toast.success(f"{row.platform}: {row.usd_per_token.normalize():f} USD per token from then on.")

    @service_event(refresh=True)
    def remove_rate(self, rate_id: int) -> Answer:
        self._call(rates.delete_rate, rate_id)
        self._periods()
        return toast.success("Token value removed.")

    @service_event(errors="settings_errors")
    def save_settings(self, form: dict[str, Any]) -> Answer:
        self._call(
            pay_periods.update_settings, str(form.get("pay_period", "")), str(form.get("payout_currency", ""))
        )
        tiers = [
            (str(form.get(f"tier_from_{i}", "")), str(form.get(f"tier_percent_{i}", "")))
            for i in range(3)
            if str(form.get(f"tier_percent_{i}", "")).strip()
        ]
        self._call(payroll.set_tiers, None, tiers)
        self._periods()
        self._reload()
        return toast.success("Pay settings saved.")


# ---------------------------------------------------------------- the page


def _totals() -> rx.Component:
    s = PayrollState

    def stat(label: str, value: Any, ident: str) -> rx.Component:
        return card(rx.text(label, size="2", color_scheme="gray"), rx.heading(value, size="5", id=ident))

    return rx.grid(
        stat("Gross", s.gross, "payroll-gross"),
        stat("Models' share", s.share, "payroll-share"),
        stat("Studio's share", s.studio_share, "payroll-studio-share"),
        stat("Net to pay", s.net, "payroll-net"),
        stat("Net in " + s.payout_currency, s.net_payout, "payroll-net-payout"),
        columns=rx.breakpoints(initial="1", sm="2", md="5"),
        spacing="3",
        width="100%",
    )


def _statement_links(r: PayRow) -> rx.Component:
    s = PayrollState
    base = "/api/statements/" + s.period + "/" + r.performer_id.to_string()
    return rx.hstack(
        download_link("PDF", base + ".pdf", size="2", id="statement-pdf-" + r.performer_id.to_string()),
        download_link("CSV", base + ".csv", size="2"),
        spacing="2",
    )


def _line(r: PayRow) -> rx.Component:
    s = PayrollState
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(r.stage_name, weight="medium"),
                rx.text(r.platforms, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(r.gross),
        rx.table.cell(
            rx.vstack(rx.text(r.share), rx.text(r.split, size="1", color_scheme="gray"), spacing="0")
        ),
        rx.table.cell(r.studio_share),
        rx.table.cell(
            rx.cond(
                s.manages & (s.status == "open"),
                rx.button(
                    rx.cond(r.adjustments != "", r.adjustments, "Add"),
                    size="1",
                    variant="soft",
                    on_click=s.open_adjustments(r.performer_id),
                    id="adjust-" + r.performer_id.to_string(),
                ),
                rx.text(r.adjustments),
            )
        ),
        rx.table.cell(rx.text(r.net, weight="bold")),
        rx.table.cell(r.net_payout),
        rx.table.cell(_statement_links(r)),
        data_model=r.stage_name,
    )


def _lines() -> rx.Component:
    s = PayrollState
    return card(
        rx.cond(
            s.rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Model"),
                            rx.table.column_header_cell("Gross"),
                            rx.table.column_header_cell("Her share"),
                            rx.table.column_header_cell("Studio's share"),
                            rx.table.column_header_cell("Adjustments"),
                            rx.table.column_header_cell("Net (USD)"),
                            rx.table.column_header_cell("Net paid"),
                            rx.table.column_header_cell("Statement"),
                        )
                    ),
                    rx.table.body(rx.foreach(s.rows, _line)),
                    width="100%",
                    id="payroll-lines",
                ),
                overflow_x="auto",
                width="100%",
            ),
            empty_state(
                "wallet",
                "Nothing earned in this period",
                "Earnings imported or entered for its days show up here with each model's pay.",
                rx.link(rx.button("Go to earnings", variant="soft"), href="/earnings"),
            ),
        )
    )


def _actions() -> rx.Component:
    s = PayrollState
    return rx.hstack(
        rx.badge(
            rx.match(s.status, ("open", "Open"), ("locked", "Locked"), ("paid", "Paid"), s.status),
            color_scheme=rx.match(
                s.status, ("open", "blue"), ("locked", "orange"), ("paid", "green"), "gray"
            ),
            size="2",
            id="payroll-status",
        ),
        rx.cond(
            s.manages,
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("download", size=16), "All statements (ZIP)", variant="soft"),
                    href="/api/statements/" + s.period + ".zip",
                ),
                rx.cond(
                    (s.status == "open") & s.period_over,
                    confirm_dialog(
                        rx.button(rx.icon("lock", size=16), "Lock payroll", id="lock-payroll"),
                        "Lock this payroll?",
                        "Every number is frozen: its earnings, adjustments, exchange rate and token values "
                        "can no longer change. Statements then show the final figures.",
                        "Lock",
                        s.lock,
                        color_scheme="orange",
                    ),
                    rx.fragment(),
                ),
                rx.cond(
                    s.status == "locked",
                    confirm_dialog(
                        rx.button(rx.icon("check", size=16), "Mark paid", id="mark-paid"),
                        "Mark this payroll paid?",
                        "Say so once every model has been paid.",
                        "Mark paid",
                        s.mark_paid,
                        color_scheme="green",
                    ),
                    rx.fragment(),
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.fragment(),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def _exchange() -> rx.Component:
    s, e = PayrollState, PayrollState.fx_errors
    return rx.cond(
        s.manages & (s.status == "open"),
        card(
            rx.form(
                rx.hstack(
                    rx.vstack(
                        rx.el.label("Payout currency", html_for="fx-currency", class_name="field-label"),
                        rx.input(
                            name="currency",
                            id="fx-currency",
                            default_value=s.payout_currency,
                            max_length=3,
                            key=s.period + s.payout_currency,
                        ),
                        field_error(e, "currency"),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.el.label("Units for 1 USD", html_for="fx-rate", class_name="field-label"),
                        rx.input(
                            name="fx_rate", id="fx-rate", default_value=s.fx_rate, key=s.period + s.fx_rate
                        ),
                        field_error(e, "fx_rate"),
                        spacing="1",
                    ),
                    rx.button("Save rate", type="submit", id="save-fx", margin_top="1.4rem"),
                    align="start",
                    wrap="wrap",
                    spacing="3",
                ),
                on_submit=s.save_exchange,
                reset_on_submit=False,
            ),
        ),
        rx.fragment(),
    )


def _adjust_dialog() -> rx.Component:
    s, e = PayrollState, PayrollState.adjust_errors
    current = rx.foreach(
        s.rows,
        lambda r: rx.cond(
            r.performer_id == s.adjust_for,
            rx.vstack(
                rx.foreach(
                    r.adjustment_lines,
                    lambda a: rx.hstack(
                        rx.text(a.label + ": " + a.amount, size="2", weight="medium"),
                        rx.text(a.note, size="2", color_scheme="gray"),
                        rx.spacer(),
                        rx.icon_button(
                            rx.icon("trash-2", size=14),
                            size="1",
                            variant="ghost",
                            color_scheme="red",
                            on_click=s.remove_adjustment(a.id),
                            aria_label="Remove",
                        ),
                        width="100%",
                        align="center",
                    ),
                ),
                width="100%",
            ),
            rx.fragment(),
        ),
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Adjustments: " + s.adjust_name),
            current,
            rx.form(
                rx.vstack(
                    rx.el.label("Kind", html_for="adjust-kind", class_name="field-label"),
                    rx.select.root(
                        rx.select.trigger(id="adjust-kind", width="100%"),
                        rx.select.content(
                            *[
                                rx.select.item(label, value=kind)
                                for kind, label in payroll.ADJUSTMENT_LABELS.items()
                            ]
                        ),
                        name="kind",
                        default_value="bonus",
                    ),
                    field_error(e, "kind"),
                    rx.el.label("Amount (USD)", html_for="adjust-amount", class_name="field-label"),
                    rx.input(name="amount", id="adjust-amount", placeholder="50.00", width="100%"),
                    field_error(e, "amount"),
                    rx.el.label(
                        "Note (the model reads it on her statement)",
                        html_for="adjust-note",
                        class_name="field-label",
                    ),
                    rx.input(
                        name="note",
                        id="adjust-note",
                        placeholder="Best month bonus",
                        width="100%",
                        max_length=payroll.NOTE_MAX,
                    ),
                    field_error(e, "note"),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Close", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Add", type="submit", id="adjust-submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=s.add_adjustment,
                reset_on_submit=False,
            ),
        ),
        open=s.adjust_open,
        on_open_change=s.set_adjust_open,
    )


def _settings() -> rx.Component:
    s, e = PayrollState, PayrollState.settings_errors

    def tier(i: int) -> rx.Component:
        return rx.hstack(
            rx.input(
                name=f"tier_from_{i}",
                placeholder="From USD" if i else "0",
                default_value="0" if i == 0 else "",
                width="8rem",
                disabled=i == 0,
            ),
            rx.input(name=f"tier_percent_{i}", placeholder="% for the model", width="8rem"),
            field_error(e, f"from_{i}"),
            field_error(e, f"percent_{i}"),
            spacing="2",
            align="center",
        )

    return rx.cond(
        s.manages,
        card(
            rx.heading("Pay settings", size="4", margin_bottom="0.5rem"),
            rx.form(
                rx.vstack(
                    rx.el.label("Pay period", html_for="pay-period", class_name="field-label"),
                    rx.select.root(
                        rx.select.trigger(id="pay-period", width="100%"),
                        rx.select.content(
                            rx.foreach(s.kinds, lambda c: rx.select.item(c.label, value=c.value))
                        ),
                        name="pay_period",
                        default_value=s.pay_period,
                        key=s.pay_period,
                    ),
                    field_error(e, "pay_period"),
                    rx.el.label("Payout currency", html_for="settings-currency", class_name="field-label"),
                    rx.input(
                        name="payout_currency",
                        id="settings-currency",
                        default_value=s.payout_currency,
                        max_length=3,
                        width="8rem",
                        key=s.payout_currency,
                    ),
                    field_error(e, "payout_currency"),
                    rx.text(
                        "Tiered split for every model (optional; leave empty for each model's own split): "
                        "her share of the gross from each amount up, for example 50 % from 0 and 60 % "
                        "from 1000.",
                        size="2",
                        color_scheme="gray",
                    ),
                    tier(0),
                    tier(1),
                    tier(2),
                    field_error(e, "tiers"),
                    rx.button("Save settings", type="submit", id="save-pay-settings"),
                    spacing="2",
                    width="100%",
                    align="start",
                ),
                on_submit=s.save_settings,
                reset_on_submit=False,
            ),
        ),
        rx.fragment(),
    )


def _rates() -> rx.Component:
    s, e = PayrollState, PayrollState.rate_errors
    return rx.cond(
        s.manages,
        card(
            rx.heading("Token values", size="4", margin_bottom="0.25rem"),
            rx.text(
                "What one token is worth in USD, from a day on. The built-in values are what each platform "
                "publishes; set your own when your contract says otherwise. LiveJasmin, Streamate and "
                "Flirt4Free report money, not tokens. A value can't change under a locked payroll.",
                size="2",
                color_scheme="gray",
            ),
            rx.box(
                rx.table.root(
                    rx.table.body(
                        rx.foreach(
                            s.rates,
                            lambda r: rx.table.row(
                                rx.table.cell(rx.text(r.platform, weight="medium")),
                                rx.table.cell(r.since),
                                rx.table.cell(r.value + " USD"),
                                rx.table.cell(
                                    rx.cond(
                                        r.builtin,
                                        rx.fragment(),
                                        rx.icon_button(
                                            rx.icon("trash-2", size=14),
                                            size="1",
                                            variant="ghost",
                                            color_scheme="red",
                                            on_click=s.remove_rate(r.id),
                                            aria_label="Remove",
                                        ),
                                    )
                                ),
                            ),
                        )
                    ),
                    width="100%",
                    id="token-values",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.form(
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(placeholder="Platform", id="rate-platform"),
                        rx.select.content(
                            rx.foreach(s.token_platforms, lambda c: rx.select.item(c.label, value=c.value))
                        ),
                        name="rate_platform",
                    ),
                    rx.input(type="date", name="rate_from", id="rate-from", width="11rem"),
                    rx.input(name="rate_value", id="rate-value", placeholder="0.05", width="7rem"),
                    rx.button("Set value", type="submit", id="rate-submit"),
                    spacing="2",
                    wrap="wrap",
                    align="center",
                    margin_top="0.75rem",
                ),
                field_error(e, "platform"),
                field_error(e, "effective_from"),
                field_error(e, "usd_per_token"),
                on_submit=s.save_rate,
                reset_on_submit=False,
            ),
        ),
        rx.fragment(),
    )


def body() -> rx.Component:
    s = PayrollState
    return rx.vstack(
        page_header("Payroll", s.period_text, _actions()),
        rx.vstack(
            rx.el.label("Pay period", html_for="payroll-period", class_name="field-label"),
            rx.select.root(
                rx.select.trigger(id="payroll-period", width="100%"),
                rx.select.content(rx.foreach(s.periods, lambda c: rx.select.item(c.label, value=c.value))),
                value=s.period,
                on_change=s.set_period,
            ),
            spacing="1",
            width="100%",
            max_width="28rem",
        ),
        _totals(),
        _exchange(),
        _lines(),
        _settings(),
        _rates(),
        _adjust_dialog(),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.EARNINGS_VIEW)
