"""Subscriptions: the plans, the trial, what a studio's billing status lets it do, and what the
owner's Billing page and support staff see.

Payments go through Stripe (studioos.services.billing_stripe for the calls StudioOS makes,
studioos.services.billing_webhooks for what Stripe tells us). StudioOS never sees card data: the
payment method is read from Stripe when the Billing page is shown, and no table has a card column.

The rules, in one place (`billing_state`):
- Every studio starts with a TRIAL_DAYS trial at sign-up, without a card (`start_trial`). Studios
  made before billing existed have no `trial_ends_at`: their trial ran from `created_at`.
- Trialing or active: everything works. Past due: a banner, and GRACE_DAYS from the first failed
  payment, then read-only. Canceled, unpaid, an expired trial, or a first payment never completed:
  read-only, with a banner that says what to do under Billing.
- Read-only gates writes only; privacy rights (export, deletion, support requests) never are.
- A plan limits the studio's *active* models (paused, left and applicants do not count).
"""

from __future__ import annotations

import logging
import math
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from studioos.models import (
    AuditLog,
    Invoice,
    Membership,
    Performer,
    PerformerStatus,
    RequestCategory,
    RequestState,
    Role,
    Studio,
    SupportRequest,
    User,
    row_id,
    utcnow,
)
from studioos.services import audit, billing_stripe, mail
from studioos.services.errors import NotFound, PermissionDenied, ServiceError, ValidationFailed
from studioos.services.formatting import Formats, for_studio
from studioos.services.permissions import Actor, Cap, require
from studioos.settings import get_settings

log = logging.getLogger("studioos.billing")

TRIAL_DAYS = 14
GRACE_DAYS = 7
TRIAL_REMINDER_DAYS = 3  # the trial-reminders job writes this many days before a trial ends
EXTEND_MAX_DAYS = 30  # what support may add to a trial at once
BILLING_PATH = "/billing"
PLAN_CURRENCY = "USD"  # the display prices below; Stripe's prices are the ones charged
CYCLES: tuple[str, ...] = ("monthly", "yearly")
CYCLE_LABELS: dict[str, str] = {"monthly": "Monthly", "yearly": "Yearly"}
TRIAL_PLAN = "trial"


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    model_limit: int | None  # active models; None: no limit
    monthly_cents: int
    yearly_cents: int

    def price_cents(self, cycle: str) -> int:
        return self.yearly_cents if cycle == "yearly" else self.monthly_cents


# Names, limits and display prices live here; what Stripe charges is the price each plan's id in
# STUDIOOS_STRIPE_PRICES points to (keep the two in step when prices change). A year costs ten months.
PLANS: dict[str, Plan] = {
    "starter": Plan("starter", "Starter", 5, 2900, 29000),
    "studio": Plan("studio", "Studio", 25, 7900, 79000),
    "agency": Plan("agency", "Agency", None, 19900, 199000),
}
# The trial shows what the Studio plan does, so a studio can try it with its whole team of models.
TRIAL = Plan(TRIAL_PLAN, "Trial", PLANS["studio"].model_limit, 0, 0)

# Our statuses. Stripe's `incomplete_expired` and `paused` are told as canceled and unpaid: for the
# studio they mean the same (no working subscription), and the banner says what to do.
TRIALING = "trialing"
ACTIVE = "active"
PAST_DUE = "past_due"
CANCELED = "canceled"
UNPAID = "unpaid"
INCOMPLETE = "incomplete"
TRIAL_EXPIRED = "trial_expired"
STATUS_LABELS: dict[str, str] = {
    TRIALING: "Trial",
    ACTIVE: "Active",
    PAST_DUE: "Payment overdue",
    CANCELED: "Canceled",
    UNPAID: "Unpaid",
    INCOMPLETE: "Payment incomplete",
    TRIAL_EXPIRED: "Trial ended",
}
_FROM_STRIPE: dict[str, str] = {
    "trialing": TRIALING,
    "active": ACTIVE,
    "past_due": PAST_DUE,
    "canceled": CANCELED,
    "incomplete_expired": CANCELED,
    "unpaid": UNPAID,
    "paused": UNPAID,
    "incomplete": INCOMPLETE,
}
# A Stripe subscription in one of these is over: the studio may start a new one with Checkout.
ENDED_STRIPE_STATUSES = frozenset({"canceled", "incomplete_expired"})
INVOICE_STATUS_LABELS: dict[str, str] = {
    "draft": "Draft",
    "open": "Unpaid",
    "paid": "Paid",
    "uncollectible": "Uncollectible",
    "void": "Void",
}
CARD_BRANDS: dict[str, str] = {
    "amex": "American Express",
    "cartes_bancaires": "Cartes Bancaires",
    "diners": "Diners Club",
    "discover": "Discover",
    "eftpos_au": "eftpos",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
    "visa": "Visa",
}
REMINDER_AUDIT = "billing.trial_reminder_sent"


# --- plans and prices ------------------------------------------------------------------------


def plan_of(code: str) -> Plan:
    """The plan a studio is on; the trial (or a code no longer sold) reads as the trial."""
    return PLANS.get(code, TRIAL)


def price_ids() -> dict[tuple[str, str], str]:
    """(plan, cycle) -> Stripe price id, from STUDIOOS_STRIPE_PRICES (settings checks the format)."""
    found: dict[tuple[str, str], str] = {}
    for key, price in get_settings().stripe_prices:
        code, _, cycle = key.rpartition("_")
        if code not in PLANS:
            raise RuntimeError(
                f"STUDIOOS_STRIPE_PRICES names a plan StudioOS does not have: {key} "
                f"(the plans are {', '.join(PLANS)})"
            )
        found[(code, cycle)] = price
    return found


def price_id(plan: str, cycle: str) -> str:
    """The Stripe price of a plan and cycle; ValidationFailed for an unknown or unpriced one."""
    if plan not in PLANS:
        raise ValidationFailed({"plan": "Choose a plan from the list."})
    if cycle not in CYCLES:
        raise ValidationFailed({"cycle": "Choose monthly or yearly."})
    found = price_ids().get((plan, cycle))
    if not found:
        raise ValidationFailed(
            {
                "plan": f"The {PLANS[plan].name} plan cannot be bought {cycle} yet. "
                "Please ask StudioOS support."
            }
        )
    return found


def plan_for_price(price: str) -> tuple[str, str] | None:
    """(plan, cycle) of a Stripe price id, or None for a price StudioOS does not sell."""
    for key, value in price_ids().items():
        if value == price:
            return key
    return None


# --- the trial -------------------------------------------------------------------------------


def start_trial(studio: Studio, now: datetime) -> None:
    """A new studio's trial: TRIAL_DAYS from now, no card, no Stripe customer yet."""
    studio.plan = TRIAL_PLAN
    studio.subscription_status = TRIALING
    studio.trial_ends_at = now + timedelta(days=TRIAL_DAYS)


def trial_end(studio: Studio) -> datetime:
    """When the studio's trial ends (or ended); studios made before billing count from creation."""
    if studio.trial_ends_at is not None:
        return studio.trial_ends_at
    return studio.created_at + timedelta(days=TRIAL_DAYS)


def has_live_subscription(studio: Studio) -> bool:
    """A Stripe subscription that has not ended: the plan is changed on it, not bought again."""
    return bool(studio.stripe_subscription_id) and studio.subscription_status not in ENDED_STRIPE_STATUSES


def _days_left(end: datetime, now: datetime) -> int:
    """Whole days left, rounded up past an hour's slack (14 days less a minute is 14, 2 days and
    3 hours is 3); at least 1 while it runs, 0 once it has ended."""
    seconds = (end - now).total_seconds()
    return max(1, math.ceil((seconds - 3600) / 86400)) if seconds > 0 else 0


def _in_days(days: int) -> str:
    return "within a day" if days <= 1 else f"in {days} days"


# --- the state and its rules -----------------------------------------------------------------


@dataclass(frozen=True)
class BillingState:
    """What a studio's subscription lets it do now, and the banner every page shows for it."""

    plan: str  # trial / starter / studio / agency
    plan_name: str  # Trial / Starter / Studio / Agency
    status: str  # trialing / active / past_due / canceled / unpaid / incomplete / trial_expired
    status_label: str  # Trial, Active, Payment overdue, ...
    trial_ends_at: datetime | None  # while trialing (ours or Stripe's), else None
    trial_days_left: int | None  # while trialing: whole days, rounded up; 0 on the last day
    read_only: bool  # writes refused (privacy rights never are)
    banner: str  # "" or one sentence for the top of every page
    banner_level: str  # "" / "info" / "warning" / "danger"
    active_models: int
    model_limit: int | None  # None: no limit
    billing_cycle: str | None  # monthly / yearly, with a subscription
    current_period_end: datetime | None
    cancel_at_period_end: bool
    past_due_since: datetime | None
    grace_ends_at: datetime | None  # past due: when the studio becomes read-only
    has_subscription: bool  # a live Stripe subscription: change_plan; otherwise checkout_url


def active_models(db: Session, studio_id: int) -> int:
    return int(
        db.exec(
            select(func.count())
            .select_from(Performer)
            .where(Performer.studio_id == studio_id, Performer.status == PerformerStatus.ACTIVE)
        ).one()
    )


def _studio(db: Session, studio_id: int) -> Studio:
    studio = db.get(Studio, studio_id)
    if studio is None or studio.deleted_at is not None:
        raise NotFound()
    return studio


def _status(studio: Studio, now: datetime) -> str:
    if not studio.stripe_subscription_id:
        return TRIALING if now < trial_end(studio) else TRIAL_EXPIRED
    return _FROM_STRIPE.get(studio.subscription_status, UNPAID)


def _grace_end(studio: Studio, now: datetime) -> datetime:
    # Without the failed invoice's time yet (its event may come after the subscription's), the
    # grace counts from when the subscription turned past due.
    since = studio.past_due_since or studio.subscription_changed_at or now
    return since + timedelta(days=GRACE_DAYS)


def _read_only(studio: Studio, status: str, now: datetime) -> bool:
    if status in (TRIALING, ACTIVE):
        return False
    if status == PAST_DUE:
        return now >= _grace_end(studio, now)
    if status == INCOMPLETE:
        # The first payment of a subscription bought during the trial: the trial still counts.
        return now >= trial_end(studio)
    return True


# The read-only states' banners: (the owner's, the team's). The owner is told what to do under
# Billing; the rest of the team, who cannot open it, who can act.
_READ_ONLY_BANNERS: dict[str, tuple[str, str]] = {
    TRIAL_EXPIRED: (
        "Your trial has ended: the studio is read-only. Choose a plan under Billing to continue.",
        "The studio's trial has ended: it is read-only until its owner chooses a plan.",
    ),
    UNPAID: (
        "Payments failed and the subscription is unpaid: the studio is read-only. "
        "Update your card under Billing.",
        "Payments failed: the studio is read-only until its owner updates the card.",
    ),
    CANCELED: (
        "The subscription is canceled: the studio is read-only. Choose a plan under Billing to continue.",
        "The subscription is canceled: the studio is read-only until its owner chooses a plan.",
    ),
    INCOMPLETE: (
        "The first payment is not complete: the studio is read-only. Finish it under Billing.",
        "The first payment is not complete: the studio is read-only until its owner finishes it.",
    ),
    PAST_DUE: (
        "A payment failed on {failed} and was not made up: the studio is read-only. "
        "Update your card under Billing.",
        "A payment failed: the studio is read-only until its owner updates the card.",
    ),
}


def _trial_banner(studio: Studio, days: int, owner: bool) -> tuple[str, str]:
    when = _in_days(days)
    if studio.stripe_subscription_id:  # a card is on file: the plan starts by itself
        return (f"The trial ends {when}; then the {plan_of(studio.plan).name} plan starts.", "info")
    level = "warning" if days <= TRIAL_REMINDER_DAYS else "info"
    if not owner:
        return (f"The studio's trial ends {when}.", level)
    if level == "warning":
        return (f"Your trial ends {when}: choose a plan under Billing to keep working.", level)
    return (f"Your trial ends {when}.", level)


def _banner(
    studio: Studio, state: dict[str, Any], fmt: Formats, now: datetime, owner: bool
) -> tuple[str, str]:
    """(sentence, level) for the top of every page; level is info, warning or danger."""
    status = state["status"]
    failed = fmt.day_month(studio.past_due_since or studio.subscription_changed_at or now)
    if state["read_only"]:
        texts = _READ_ONLY_BANNERS.get(status, _READ_ONLY_BANNERS[CANCELED])
        return (texts[0 if owner else 1].format(failed=failed), "danger")
    if status == TRIALING:
        return _trial_banner(studio, state["trial_days_left"], owner)
    if status == PAST_DUE:
        until = fmt.day_month(state["grace_ends_at"])
        if owner:
            text = f"A payment failed on {failed}: update your card under Billing by {until}, or the studio "
            return (text + "becomes read-only.", "warning")
        text = f"A payment failed on {failed}: the studio becomes read-only on {until} unless its owner "
        return (text + "updates the card.", "warning")
    if status == INCOMPLETE and owner:  # bought during the trial, which still runs
        return ("The first payment is not complete: finish it under Billing.", "warning")
    if status == ACTIVE and studio.cancel_at_period_end and studio.current_period_end is not None:
        end = fmt.day_month(studio.current_period_end)
        if owner:
            return (f"The subscription ends on {end}: renew it under Billing to keep working.", "warning")
        return (f"The subscription ends on {end}.", "warning")
    return ("", "")


def state_of(db: Session, studio: Studio, now: datetime, *, owner: bool = True) -> BillingState:
    """The rules above for a studio row already at hand."""
    status = _status(studio, now)
    plan = (
        TRIAL
        if (status in (TRIALING, TRIAL_EXPIRED) and not studio.stripe_subscription_id)
        else plan_of(studio.plan)
    )
    trialing_until = trial_end(studio) if status == TRIALING else None
    read_only = _read_only(studio, status, now)
    facts: dict[str, Any] = {
        "status": status,
        "read_only": read_only,
        "trial_days_left": _days_left(trialing_until, now) if trialing_until else None,
        "grace_ends_at": _grace_end(studio, now) if status == PAST_DUE else None,
    }
    banner, level = _banner(studio, facts, for_studio(studio), now, owner)
    return BillingState(
        plan=plan.code,
        plan_name=plan.name,
        status=status,
        status_label=STATUS_LABELS[status],
        trial_ends_at=trialing_until,
        trial_days_left=facts["trial_days_left"],
        read_only=read_only,
        banner=banner,
        banner_level=level,
        active_models=active_models(db, row_id(studio)),
        model_limit=plan.model_limit,
        billing_cycle=studio.billing_cycle if studio.stripe_subscription_id else None,
        current_period_end=studio.current_period_end if studio.stripe_subscription_id else None,
        cancel_at_period_end=bool(studio.cancel_at_period_end and studio.stripe_subscription_id),
        past_due_since=studio.past_due_since,
        grace_ends_at=facts["grace_ends_at"],
        has_subscription=has_live_subscription(studio),
    )


def billing_state(
    db: Session, studio_id: int, now: datetime | None = None, *, owner: bool = True
) -> BillingState:
    """The studio's billing state now. `owner`: the banner says what to do under Billing; for the
    rest of the team it says who can act (`state_for` picks by the actor)."""
    return state_of(db, _studio(db, studio_id), now or utcnow(), owner=owner)


def state_for(db: Session, actor: Actor, now: datetime | None = None) -> BillingState:
    """The state for the signed-in person's studio, with the banner worded for their role."""
    if actor.studio_id is None:
        raise PermissionDenied()
    return billing_state(db, actor.studio_id, now, owner=actor.can(Cap.BILLING))


def is_read_only(db: Session, studio_id: int, now: datetime | None = None) -> bool:
    return billing_state(db, studio_id, now).read_only


class StudioReadOnly(ServiceError):
    """A write refused because of the subscription; the message says why and what to do."""

    status_code = 403


def require_writable(db: Session, actor: Actor, now: datetime | None = None) -> None:
    """For services that change a studio's data: refuse while the studio is read-only. Never call
    it from privacy rights (export, deletion, support requests): those are never gated."""
    if actor.studio_id is None:
        return
    state = state_for(db, actor, now)
    if state.read_only:
        raise StudioReadOnly(state.banner)


def check_model_limit(db: Session, studio_id: int, now: datetime | None = None) -> None:
    """Before one more model becomes active: refuse it beyond the plan's limit, saying how to grow."""
    state = billing_state(db, studio_id, now)
    limit = state.model_limit
    if limit is None or state.active_models < limit:
        return
    plan = "The trial" if state.plan == TRIAL_PLAN else f"The {state.plan_name} plan"
    raise ValidationFailed(
        {
            "status": (
                f"{plan} allows {limit} active models and the studio has {state.active_models}. "
                f"Upgrade under Billing ({BILLING_PATH}) to add more, or save her as an applicant or paused."
            )
        },
        message="The studio's plan has no room for another active model.",
    )


# --- what Stripe tells us: the subscription and invoice snapshots ---------------------------


def ts(value: object) -> datetime | None:
    """A Stripe timestamp (seconds) as an aware UTC datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def first_item(sub: dict[str, Any]) -> dict[str, Any]:
    items = sub.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    return {}


def obj_id(value: object) -> str | None:
    """An id whether Stripe sent the id or the expanded object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def subscription_price(sub: dict[str, Any]) -> str | None:
    """The price of the subscription's one item (`price`, or the older `plan` with the same id)."""
    item = first_item(sub)
    return obj_id(item.get("price")) or obj_id(item.get("plan")) or obj_id(sub.get("plan"))


def subscription_period_end(sub: dict[str, Any]) -> datetime | None:
    # Newer API versions keep the period on the item, older ones on the subscription.
    return ts(sub.get("current_period_end")) or ts(first_item(sub).get("current_period_end"))


def apply_subscription(
    db: Session, studio: Studio, sub: dict[str, Any], at: datetime, *, actor_user_id: int | None = None
) -> list[str]:
    """Store a subscription as Stripe reported it at `at` (the caller has checked that nothing newer
    is stored); returns what changed, for the log. Status and plan changes are audited."""
    changes: list[str] = []
    sub_id = obj_id(sub.get("id"))
    status = str(sub.get("status") or studio.subscription_status)
    old_status = studio.subscription_status if studio.stripe_subscription_id else "trial"
    old_plan = f"{studio.plan} {studio.billing_cycle or ''}".strip()
    if sub_id and studio.stripe_subscription_id != sub_id:
        studio.stripe_subscription_id = sub_id
        changes.append("subscription")
    studio.subscription_status = status[:32]
    price = subscription_price(sub)
    found = plan_for_price(price) if price else None
    if found is not None:
        studio.plan, studio.billing_cycle = found
    elif price:
        log.warning("studio %s: subscription %s is on price %s, which no plan has", studio.id, sub_id, price)
    studio.current_period_end = subscription_period_end(sub)
    studio.cancel_at_period_end = bool(sub.get("cancel_at_period_end"))
    trial = ts(sub.get("trial_end"))
    if trial is not None and status == "trialing":
        studio.trial_ends_at = trial
    # past_due_since is not touched here: it follows the invoices (refresh_past_due_since).
    studio.subscription_changed_at = at
    db.add(studio)
    new_plan = f"{studio.plan} {studio.billing_cycle or ''}".strip()
    target = f"subscription:{sub_id or ''}"
    if status != old_status:
        changes.append(f"status {old_status} -> {status}")
        audit.record(
            db,
            "billing.status_changed",
            studio_id=studio.id,
            actor_user_id=actor_user_id,
            target=target,
            detail=f"{old_status} -> {status}",
        )
    if new_plan != old_plan:
        changes.append(f"plan {old_plan} -> {new_plan}")
        audit.record(
            db,
            "billing.plan_changed",
            studio_id=studio.id,
            actor_user_id=actor_user_id,
            target=target,
            detail=f"{old_plan} -> {new_plan}",
        )
    return changes


# An invoice never goes back: paid, void and uncollectible are later than open, whatever the order
# the events arrive in (uncollectible may still be paid).
_INVOICE_RANK: dict[str, int] = {"draft": 0, "open": 1, "uncollectible": 2, "void": 3, "paid": 3}


def upsert_invoice(
    db: Session, studio_id: int, data: dict[str, Any], now: datetime
) -> tuple[Invoice, str, bool]:
    """Store an invoice as Stripe reported it; returns the row, its status before ("" if new) and
    whether this report was stored. An older report (an `open` after the `paid`) changes nothing."""
    stripe_id = str(data.get("id") or "")
    row = db.exec(select(Invoice).where(Invoice.stripe_invoice_id == stripe_id)).first()
    before = row.status if row is not None else ""
    status = str(data.get("status") or "open")
    if row is not None and _INVOICE_RANK.get(status, 1) < _INVOICE_RANK.get(row.status, 1):
        return row, before, False
    transitions = data.get("status_transitions")
    paid_at = ts(transitions.get("paid_at")) if isinstance(transitions, dict) else None
    values: dict[str, Any] = {
        "number": (str(data["number"])[:64] if data.get("number") else None),
        "status": status[:16],
        "currency": str(data.get("currency") or "usd")[:3].lower(),
        "amount_due_cents": int(data.get("amount_due") or 0),
        "amount_paid_cents": int(data.get("amount_paid") or 0),
        "hosted_invoice_url": (
            str(data["hosted_invoice_url"])[:1000] if data.get("hosted_invoice_url") else None
        ),
        "invoice_pdf": (str(data["invoice_pdf"])[:1000] if data.get("invoice_pdf") else None),
        "period_start": ts(data.get("period_start")),
        "period_end": ts(data.get("period_end")),
        "created_at": ts(data.get("created")) or now,
        "paid_at": paid_at if status == "paid" else None,
    }
    if row is None:
        row = Invoice(studio_id=studio_id, stripe_invoice_id=stripe_id[:255], **values)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
    db.add(row)
    db.flush()
    return row, before, True


def refresh_past_due_since(db: Session, studio: Studio) -> None:
    """Since when a payment is overdue: the date of the oldest invoice still open. Only a failed
    payment stores an invoice as open (invoice.paid stores it paid), and the stored invoices do not
    depend on the order events came in, so neither does this. For a renewal the invoice is made
    about an hour before its first payment attempt: the grace counts from that day."""
    oldest = db.exec(
        select(func.min(Invoice.created_at)).where(Invoice.studio_id == studio.id, Invoice.status == "open")
    ).one()
    studio.past_due_since = oldest
    db.add(studio)


# --- what the owner's Billing page and support see -------------------------------------------


@dataclass(frozen=True)
class PlanOption:
    code: str  # starter / studio / agency
    name: str
    model_limit: int | None  # None: no limit
    monthly_cents: int
    yearly_cents: int
    monthly_text: str  # $29.00
    yearly_text: str  # $290.00
    limit_text: str  # "Up to 5 active models" / "No limit on models"
    monthly_available: bool  # a Stripe price is configured: it can be bought
    yearly_available: bool
    current: bool  # the studio's plan (with a live subscription)


@dataclass(frozen=True)
class InvoiceView:
    id: int
    number: str  # Stripe's invoice number, or "" for a draft
    status: str  # draft / open / paid / uncollectible / void
    status_label: str  # Draft / Unpaid / Paid / ...
    currency: str  # USD
    amount_due_cents: int
    amount_paid_cents: int
    amount_text: str  # what it asked: $29.00
    created_at: datetime
    paid_at: datetime | None
    period_start: datetime | None
    period_end: datetime | None
    hosted_invoice_url: str  # "" when Stripe gave none
    invoice_pdf: str


@dataclass(frozen=True)
class BillingOverview:
    """The owner's Billing page."""

    state: BillingState
    plans: list[PlanOption]
    has_customer: bool  # a Stripe customer exists (the portal has something to show)
    payment_method_brand: str  # "Visa" (from Stripe now, never stored); "" when none or unknown
    payment_method_last4: str  # "4242"
    payment_method_text: str  # "Visa ending in 4242" / ""
    next_invoice_at: datetime | None
    next_invoice_cents: int | None
    next_invoice_currency: str  # USD, "" without a next invoice
    next_invoice_text: str  # "$79.00 on 3 Jan" / ""
    stripe_error: str  # "" or why the Stripe figures are missing (the rest of the page still shows)
    invoices: list[InvoiceView]  # newest first


@dataclass(frozen=True)
class SupportBillingView:
    """What support staff see of a studio's billing while handling its billing request: never the
    payment method."""

    studio_id: int
    studio_name: str
    state: BillingState
    invoices: list[InvoiceView]  # newest first


def brand_label(brand: str) -> str:
    return CARD_BRANDS.get(brand, brand.replace("_", " ").title())


def _invoices(db: Session, studio: Studio) -> list[InvoiceView]:
    fmt = for_studio(studio)
    rows = db.exec(
        select(Invoice)
        .where(Invoice.studio_id == studio.id)
        .order_by(col(Invoice.created_at).desc(), col(Invoice.id).desc())
    ).all()
    return [
        InvoiceView(
            id=row_id(r),
            number=r.number or "",
            status=r.status,
            status_label=INVOICE_STATUS_LABELS.get(r.status, r.status.title()),
            currency=r.currency.upper(),
            amount_due_cents=r.amount_due_cents,
            amount_paid_cents=r.amount_paid_cents,
            amount_text=fmt.money(r.amount_due_cents, r.currency.upper()),
            created_at=r.created_at,
            paid_at=r.paid_at,
            period_start=r.period_start,
            period_end=r.period_end,
            hosted_invoice_url=r.hosted_invoice_url or "",
            invoice_pdf=r.invoice_pdf or "",
        )
        for r in rows
    ]


def plan_options(studio: Studio | None = None) -> list[PlanOption]:
    fmt = for_studio(studio)
    prices = price_ids()
    live = studio is not None and has_live_subscription(studio)
    return [
        PlanOption(
            code=p.code,
            name=p.name,
            model_limit=p.model_limit,
            monthly_cents=p.monthly_cents,
            yearly_cents=p.yearly_cents,
            monthly_text=fmt.money(p.monthly_cents, PLAN_CURRENCY),
            yearly_text=fmt.money(p.yearly_cents, PLAN_CURRENCY),
            limit_text=f"Up to {p.model_limit} active models" if p.model_limit else "No limit on models",
            monthly_available=(p.code, "monthly") in prices,
            yearly_available=(p.code, "yearly") in prices,
            current=live and studio is not None and studio.plan == p.code,
        )
        for p in PLANS.values()
    ]


def overview(db: Session, actor: Actor, now: datetime | None = None) -> BillingOverview:
    """The owner's Billing page: the state, the plans, the invoices, and from Stripe (when the studio
    is a Stripe customer) the payment method and the next invoice. If Stripe cannot be reached the
    page still shows everything stored, with `stripe_error` saying what is missing."""
    studio_id = require(actor, Cap.BILLING)
    now = now or utcnow()
    studio = _studio(db, studio_id)
    fmt = for_studio(studio)
    brand = last4 = error = ""
    next_at: datetime | None = None
    next_cents: int | None = None
    next_currency = ""
    customer = studio.stripe_customer_id
    if customer:
        try:
            card = billing_stripe.payment_method(customer, studio.stripe_subscription_id)
            if card is not None:
                brand, last4 = brand_label(card[0]), card[1]
            coming = billing_stripe.upcoming(customer) if has_live_subscription(studio) else None
            if coming is not None:
                next_at, next_cents, next_currency = coming[0], coming[1], coming[2].upper()
        except ServiceError as exc:
            error = exc.message
    return BillingOverview(
        state=state_of(db, studio, now),
        plans=plan_options(studio),
        has_customer=bool(customer),
        payment_method_brand=brand,
        payment_method_last4=last4,
        payment_method_text=f"{brand} ending in {last4}" if brand and last4 else "",
        next_invoice_at=next_at,
        next_invoice_cents=next_cents,
        next_invoice_currency=next_currency,
        next_invoice_text=(
            f"{fmt.money(next_cents, next_currency)} on {fmt.day_month(next_at)}"
            if next_at is not None and next_cents is not None
            else ""
        ),
        stripe_error=error,
        invoices=_invoices(db, studio),
    )


def _require_support(actor: Actor) -> None:
    if not (actor.is_support and actor.can(Cap.SUPPORT_TICKETS)):
        raise PermissionDenied()


def _billing_request_studio(db: Session, actor: Actor, studio_id: object) -> Studio:
    """A studio support may look into: one with a billing request that is not closed. Any other
    id is NotFound, as for a studio that does not exist."""
    _require_support(actor)
    if not isinstance(studio_id, int) or isinstance(studio_id, bool):
        raise NotFound()
    where: list[ColumnElement[bool]] = [
        col(SupportRequest.studio_id) == studio_id,
        col(SupportRequest.category) == RequestCategory.BILLING,
        col(SupportRequest.status) != RequestState.CLOSED,
        col(SupportRequest.merged_into_id).is_(None),
    ]
    if db.exec(select(SupportRequest.id).where(*where)).first() is None:
        raise NotFound()
    return _studio(db, studio_id)


def support_view(
    db: Session, actor: Actor, studio_id: int, now: datetime | None = None
) -> SupportBillingView:
    """For support staff handling a studio's billing request: plan, status, trial and invoices.
    Each look is a row of the studio's own audit log."""
    studio = _billing_request_studio(db, actor, studio_id)
    audit.record(
        db,
        "billing.support_viewed",
        studio_id=studio.id,
        actor_user_id=actor.user_id,
        target=f"studio:{studio.id}",
        ip=actor.ip,
        user_agent=actor.user_agent,
    )
    db.flush()
    return SupportBillingView(
        studio_id=row_id(studio),
        studio_name=studio.name,
        state=state_of(db, studio, now or utcnow()),
        invoices=_invoices(db, studio),
    )


def extend_trial(
    db: Session, actor: Actor, studio_id: int, days: int, now: datetime | None = None
) -> BillingState:
    """Support adds 1..EXTEND_MAX_DAYS days to a studio's trial (from its end, or from now if it has
    ended). A trial that runs at Stripe is moved there too. Audited in the studio's log."""
    studio = _billing_request_studio(db, actor, studio_id)
    now = now or utcnow()
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= EXTEND_MAX_DAYS:
        raise ValidationFailed({"days": f"Give a number of days from 1 to {EXTEND_MAX_DAYS}."})
    status = _status(studio, now)
    if studio.stripe_subscription_id and status != TRIALING:
        raise ValidationFailed(
            {
                "days": f"This studio's subscription is {STATUS_LABELS[status].lower()}: "
                "there is no trial to extend."
            }
        )
    new_end = max(trial_end(studio), now) + timedelta(days=days)
    if studio.stripe_subscription_id:
        billing_stripe.set_trial_end(studio.stripe_subscription_id, new_end)
    studio.trial_ends_at = new_end
    db.add(studio)
    audit.record(
        db,
        "billing.trial_extended",
        studio_id=studio.id,
        actor_user_id=actor.user_id,
        target=f"studio:{studio.id}",
        detail=f"{days} day{'s' if days != 1 else ''}, until {new_end:%Y-%m-%d %H:%M} UTC",
        ip=actor.ip,
        user_agent=actor.user_agent,
    )
    db.flush()
    return state_of(db, studio, now)


# --- mail to the owners ----------------------------------------------------------------------


def owner_addresses(db: Session, studio_id: int) -> list[tuple[str, str]]:
    """(email, name) of the studio's owners whose accounts still work."""
    rows = db.exec(
        select(User.email, User.name)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(
            Membership.studio_id == studio_id,
            Membership.role == Role.OWNER,
            col(User.is_active).is_(True),
            col(User.deleted_at).is_(None),
        )
        .order_by(col(User.id))
    ).all()
    return [(email, name) for email, name in rows]


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def owner_mails(db: Session, studio: Studio, subject: str, text: str) -> list[Mail]:
    link = get_settings().url(BILLING_PATH)
    return [
        Mail(email, subject, f"Hello {name},\n\n{text}\n\nBilling: {link}\n\nStudioOS\n")
        for email, name in owner_addresses(db, row_id(studio))
    ]


def send_mails(mails: list[Mail]) -> int:
    """Send each; a failure is logged, not raised (the event that caused it is already recorded,
    so a retry would not send it again: billing mail goes at most once)."""
    sent = 0
    for m in mails:
        try:
            mail.send(m.to, m.subject, m.body)
            sent += 1
        except (OSError, smtplib.SMTPException):
            log.exception("billing mail %r to an owner could not be sent", m.subject)
    return sent


def trial_ending_mails(db: Session, studio: Studio, end: datetime, now: datetime) -> list[Mail]:
    fmt = for_studio(studio)
    when = _in_days(_days_left(end, now))
    if studio.stripe_subscription_id:
        text = (
            f"The trial of {studio.name} ends {when}, on {fmt.day(end)}. The {plan_of(studio.plan).name} "
            "plan then starts and the card on file is charged. To change or cancel it, open Billing."
        )
    else:
        text = (
            f"The trial of {studio.name} ends {when}, on {fmt.day(end)}. Choose a plan under Billing to "
            "keep working; without one the studio becomes read-only (nothing is deleted)."
        )
    return owner_mails(db, studio, f"Your StudioOS trial ends {when}", text)


def send_trial_reminders(db: Session, now: datetime) -> int:
    """The daily `trial-reminders` job: the owners of a studio whose own trial (no Stripe
    subscription) ends within TRIAL_REMINDER_DAYS get one email, once per trial end (an extended
    trial is reminded again). The audit row is the marker; returns how many studios were told."""
    horizon = now + timedelta(days=TRIAL_REMINDER_DAYS)
    legacy_from = now - timedelta(days=TRIAL_DAYS)
    candidates = db.exec(
        select(Studio).where(
            col(Studio.stripe_subscription_id).is_(None),
            col(Studio.deleted_at).is_(None),
            or_(
                (col(Studio.trial_ends_at) > now) & (col(Studio.trial_ends_at) <= horizon),
                col(Studio.trial_ends_at).is_(None) & (col(Studio.created_at) > legacy_from),
            ),
        )
    ).all()
    told = 0
    for studio in candidates:
        end = trial_end(studio)
        if not now < end <= horizon:
            continue
        marker = f"trial ends {end:%Y-%m-%d %H:%M} UTC"
        done = db.exec(
            select(AuditLog.id).where(
                AuditLog.studio_id == studio.id, AuditLog.action == REMINDER_AUDIT, AuditLog.detail == marker
            )
        ).first()
        if done is not None:
            continue
        mails = trial_ending_mails(db, studio, end, now)
        if mails and send_mails(mails) == 0:
            continue  # the mail server is down: tomorrow's run tries again
        audit.record(
            db,
            REMINDER_AUDIT,
            studio_id=studio.id,
            actor_user_id=None,
            target=f"studio:{studio.id}",
            detail=marker,
        )
        db.flush()
        told += 1
    return told
