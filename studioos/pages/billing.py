"""The owner's Billing page: the plan and its state, the use against the plan's limit, the card as
Stripe reports it (never stored here), the next invoice and the invoice history; choosing a plan
goes to Stripe Checkout, changing one updates the subscription (prorated), and the payment method,
billing details and cancelling are on Stripe's Customer Portal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from studioos.services import billing, billing_stripe
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.ui import controls, toast
from studioos.ui.components import card, confirm_dialog, empty_state, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event


@dataclass(frozen=True)
class PlanRow:
    code: str
    name: str
    limit: str
    monthly: str
    yearly: str
    monthly_available: bool
    yearly_available: bool
    current: bool


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    date: str
    period: str
    amount: str
    status: str
    paid: bool
    page: str
    pdf: str

    @classmethod
    def of(cls, i: billing.InvoiceView, fmt: Formats) -> InvoiceRow:
        period = (
            f"{fmt.day(i.period_start.date())} – {fmt.day(i.period_end.date())}"
            if i.period_start and i.period_end
            else ""
        )
        return cls(
            number=i.number or "Draft",
            date=fmt.day(i.created_at.date()),
            period=period,
            amount=i.amount_text,
            status=i.status_label,
            paid=i.status == "paid",
            page=i.hosted_invoice_url,
            pdf=i.invoice_pdf,
        )


class BillingState(ServicePage, rx.State):
    plan_name: str = ""
    status: str = ""
    status_label: str = ""
    trial_text: str = ""
    use_text: str = ""
    period_text: str = ""
    payment_text: str = ""
    next_invoice_text: str = ""
    stripe_error: str = ""
    has_subscription: bool = False
    has_customer: bool = False
    cycle: str = "monthly"
    plans: list[PlanRow] = []
    invoices: list[InvoiceRow] = []
    notice: str = ""

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            seen = billing.overview(db, actor)
        fmt = for_actor(actor)
        state = seen.state
        self.plan_name, self.status, self.status_label = state.plan_name, state.status, state.status_label
        self.trial_text = (
            f"{state.trial_days_left} days left, until {fmt.moment(state.trial_ends_at)}"
            if state.trial_days_left is not None and state.trial_ends_at is not None
            else ""
        )
        limit = "no limit" if state.model_limit is None else f"{state.model_limit} allowed"
        self.use_text = f"{state.active_models} active models ({limit})"
        if state.current_period_end is not None:
            verb = "Ends" if state.cancel_at_period_end else "Renews"
            cycle = billing.CYCLE_LABELS.get(state.billing_cycle or "", "")
            self.period_text = f"{cycle} · {verb} on {fmt.moment(state.current_period_end)}".lstrip(" ·")
        else:
            self.period_text = ""
        self.payment_text = seen.payment_method_text
        self.next_invoice_text = seen.next_invoice_text
        self.stripe_error = seen.stripe_error
        self.has_subscription, self.has_customer = state.has_subscription, seen.has_customer
        if state.billing_cycle in billing.CYCLES:
            self.cycle = state.billing_cycle or "monthly"
        self.plans = [
            PlanRow(
                p.code,
                p.name,
                p.limit_text,
                f"{p.monthly_text} a month",
                f"{p.yearly_text} a year",
                p.monthly_available,
                p.yearly_available,
                p.current,
            )
            for p in seen.plans
        ]
        self.invoices = [InvoiceRow.of(i, fmt) for i in seen.invoices]

    @service_event
    def load(self) -> None:
        back = self.router.url.query_parameters.get("checkout")
        self.notice = (
            "Thank you: your subscription starts as soon as Stripe confirms the payment (a few seconds)."
            if back == "done"
            else ""
        )
        self._reload()

    @rx.event
    def set_cycle(self, cycle: str) -> None:
        if cycle in billing.CYCLES:
            self.cycle = cycle

    @service_event(refresh=True)
    def choose(self, plan: str) -> Answer:
        """A new subscription goes through Stripe Checkout; a live one is changed in place."""
        if self.has_subscription:
            self._call(billing_stripe.change_plan, str(plan), self.cycle)
            self._reload()
            return toast.success("The plan is changed. The difference is on your next invoice.")
        url = self._call(billing_stripe.checkout_url, str(plan), self.cycle)
        return rx.redirect(url)  # another host: the same tab goes to Stripe

    @service_event
    def portal(self) -> Answer:
        return rx.redirect(self._call(billing_stripe.portal_url))


def _fact(label: str, value: Any, id_: str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.el.div(rx.el.dt(label), rx.el.dd(value, id=id_), class_name="fact"),
        rx.fragment(),
    )


def _summary_card() -> rx.Component:
    s = BillingState
    return card(
        rx.el.div(
            rx.el.h2("Plan: " + s.plan_name, class_name="card-title", id="billing-plan"),
            rx.badge(s.status_label, id="billing-status"),
            class_name="toolbar",
        ),
        rx.el.dl(
            _fact("Trial", s.trial_text, "billing-trial"),
            _fact("Models", s.use_text, "billing-use"),
            _fact("Subscription", s.period_text, "billing-period"),
            _fact("Payment method", s.payment_text, "billing-card"),
            _fact("Next invoice", s.next_invoice_text, "billing-next"),
            class_name="facts",
        ),
        rx.cond(
            s.stripe_error != "",
            rx.callout(s.stripe_error, icon="triangle-alert", color_scheme="amber", size="1"),
            rx.fragment(),
        ),
        rx.cond(
            s.has_customer,
            rx.el.div(
                rx.button(
                    "Manage payment method, billing details or cancel",
                    variant="soft",
                    on_click=s.portal,
                    id="billing-portal",
                )
            ),
            rx.fragment(),
        ),
        rx.el.p(
            "Payments are handled by Stripe: StudioOS never sees or stores your card number.",
            class_name="hint",
        ),
        class_name="stack",
    )


def _plan(p: Any) -> rx.Component:
    s = BillingState
    price = rx.cond(s.cycle == "yearly", p.yearly, p.monthly)
    available = rx.cond(s.cycle == "yearly", p.yearly_available, p.monthly_available)
    action = rx.cond(
        p.current,
        rx.badge("Your plan", color_scheme="green"),
        rx.cond(
            available,
            rx.cond(
                s.has_subscription,
                confirm_dialog(
                    rx.button("Switch to " + p.name + "…", variant="soft", id="plan-" + p.code),
                    "Switch to " + p.name + "?",
                    "Stripe works out the difference for the rest of this period and puts it on your next "
                    "invoice.",
                    "Switch",
                    s.choose(p.code),
                    color_scheme="indigo",
                    id_="plan-switch-" + p.code,
                ),
                rx.button("Choose " + p.name, on_click=s.choose(p.code), id="plan-" + p.code),
            ),
            rx.el.span("Not on sale yet", class_name="hint"),
        ),
    )
    return rx.el.div(
        rx.el.h3(p.name, class_name="plan-name"),
        rx.el.div(price, class_name="plan-price"),
        rx.el.div(p.limit, class_name="hint"),
        action,
        class_name=rx.cond(p.current, "plan-card plan-current", "plan-card"),
        data_plan=p.code,
    )


def _plans_card() -> rx.Component:
    s = BillingState
    return card(
        rx.el.div(
            rx.el.h2("Plans", class_name="card-title"),
            controls.segmented(
                [("Monthly", "monthly"), ("Yearly", "yearly")],
                value=s.cycle,
                on_change=s.set_cycle,
                id_="billing-cycle",
                name="cycle",
            ),
            class_name="toolbar",
        ),
        rx.el.div(rx.foreach(s.plans, _plan), class_name="plan-grid"),
        class_name="stack",
    )


def _invoice(i: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(i.number),
        rx.table.cell(i.date, white_space="nowrap"),
        rx.table.cell(i.period),
        rx.table.cell(i.amount, text_align="right"),
        rx.table.cell(rx.badge(i.status, color_scheme=rx.cond(i.paid, "green", "gray"))),
        rx.table.cell(
            rx.el.div(
                rx.cond(i.page != "", rx.link("View", href=i.page, is_external=True), rx.fragment()),
                rx.cond(i.pdf != "", rx.link("PDF", href=i.pdf, is_external=True), rx.fragment()),
                class_name="toolbar",
            )
        ),
    )


def _invoices_card() -> rx.Component:
    s = BillingState
    return card(
        rx.el.h2("Invoices", class_name="card-title"),
        rx.cond(
            s.invoices.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Number", "Date", "Period", "Amount", "Status", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(s.invoices, _invoice)),
                width="100%",
                size="1",
                class_name="phone-scroll",
                id="billing-invoices",
            ),
            empty_state(
                "receipt", "No invoices yet", "Choose a plan: the first invoice comes when the trial ends."
            ),
        ),
        class_name="stack",
    )


def body() -> rx.Component:
    s = BillingState
    return rx.el.div(
        page_header("Billing", "Your plan, your card as Stripe reports it, and your invoices."),
        rx.cond(
            s.notice != "",
            rx.callout(s.notice, icon="circle-check", color_scheme="green", id="billing-notice"),
            rx.fragment(),
        ),
        _summary_card(),
        _plans_card(),
        _invoices_card(),
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body(), Cap.BILLING)
