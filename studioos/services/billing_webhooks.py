"""What Stripe tells StudioOS: the webhook events, checked, recorded once and applied in order.

- The signature is checked on the raw body with the signing secret (STRIPE_WEBHOOK_SECRET), and its
  timestamp must be within TOLERANCE_SECONDS of `now` (Stripe's scheme; `now` is passed in so the
  tests move the clock). Anything else is refused with 400 and changes nothing.
- Each event is a BillingEvent row written in the same transaction as its effect. Its id is
  unique: a replay finds the row and changes nothing (200), and of two deliveries at once the
  second fails on the constraint, is rolled back, and is answered 200 too.
- Events arrive in any order. A subscription event carries the whole subscription: it is applied
  only if it is not older than the state stored (`Studio.subscription_changed_at`); an older one is
  recorded as "stale" and changes nothing (we do not re-read the subscription from Stripe: the newer
  event is already applied or on its way). Invoices only move forward (open -> paid, never back),
  and `past_due_since` follows the invoices still open, so the same events in any order end in the
  same state. Events of the same second are applied in the order they come (Stripe's clock has
  seconds): the last one delivered wins between those.
- Mail to the owners (trial ends, payment failed, payment received) is sent after the commit, so
  once per event at most, whatever Stripe retries.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from studioos.models import BillingEvent, Studio, row_id, utcnow
from studioos.services import audit, billing
from studioos.services.billing import Mail
from studioos.services.formatting import for_studio
from studioos.settings import get_settings

log = logging.getLogger("studioos.billing")

TOLERANCE_SECONDS = 300
SIGNATURE_HEADER = "stripe-signature"
MAX_BODY_BYTES = 512 * 1024  # Stripe's events are a few kB; anything this large is not one of them

APPLIED = "applied"
STALE = "stale"
UNKNOWN_STUDIO = "unknown studio"
LOGGED = "logged"
DUPLICATE = "duplicate"
REFUSED = "refused"

SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
    }
)
INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_failed"})
HANDLED = SUBSCRIPTION_EVENTS | INVOICE_EVENTS | {"checkout.session.completed"}


@dataclass(frozen=True)
class WebhookOutcome:
    """The answer to one delivery: 200 unless the request was not a genuine, recent Stripe event."""

    status_code: int  # 200, 400 (refused), 503 (no signing secret configured)
    outcome: str  # applied / stale / unknown studio / logged / duplicate / refused
    reason: str = ""  # why it was refused, for the response and the log
    event_id: str = ""
    event_type: str = ""


@dataclass
class _Effect:
    outcome: str
    studio_id: int | None = None
    mails: list[Mail] = field(default_factory=list)


def _refused(reason: str, status_code: int = 400) -> WebhookOutcome:
    log.warning("billing webhook refused: %s", reason)
    return WebhookOutcome(status_code, REFUSED, reason)


def _header_time(header: str) -> int | None:
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    return None


def _verify(payload: bytes, header: str | None, secret: str, now: datetime) -> str:
    """ "" when the signature holds and is recent, else the reason to refuse."""
    if not header:
        return "Missing Stripe-Signature header."
    try:
        # No tolerance here: the library would compare with the machine's clock, we use `now`.
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=None)
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        return "Bad signature."
    signed_at = _header_time(header)
    if signed_at is None or abs(now.timestamp() - signed_at) > TOLERANCE_SECONDS:
        return "Stale signature timestamp."
    return ""


def _event(payload: bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(event, dict) or event.get("object") != "event":
        return None
    data = event.get("data")
    ok = (
        isinstance(event.get("id"), str)
        and bool(event["id"])
        and isinstance(event.get("type"), str)
        and billing.ts(event.get("created")) is not None
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )
    return event if ok else None


def _already(db: Session, event_id: str) -> bool:
    return (
        db.exec(select(BillingEvent.id).where(BillingEvent.stripe_event_id == event_id)).first() is not None
    )


def handle(
    db: Session, payload: bytes, signature_header: str | None, now: datetime | None = None
) -> WebhookOutcome:
    """Check, record and apply one delivery; commits. The route answers with `status_code`."""
    now = now or utcnow()
    secret = get_settings().stripe_webhook_secret
    if not secret:
        log.error("a Stripe webhook came in but STRIPE_WEBHOOK_SECRET is not set: refused")
        return _refused("Webhooks are not configured.", 503)
    if len(payload) > MAX_BODY_BYTES:
        return _refused("Not a Stripe event.")
    reason = _verify(payload, signature_header, secret, now)
    if reason:
        return _refused(reason)
    event = _event(payload)
    if event is None:
        return _refused("Not a Stripe event.")
    event_id, event_type = str(event["id"])[:255], str(event["type"])
    at = billing.ts(event["created"]) or now
    if _already(db, event_id):
        log.info("billing event %s (%s) again: already handled", event_id, event_type)
        return WebhookOutcome(200, DUPLICATE, event_id=event_id, event_type=event_type)
    row = BillingEvent(stripe_event_id=event_id, type=event_type[:64], stripe_created=at, received_at=now)
    db.add(row)
    try:
        db.flush()
    except IntegrityError:
        # The same event delivered twice at once: the other delivery recorded it first.
        db.rollback()
        log.info("billing event %s (%s) handled by a concurrent delivery", event_id, event_type)
        return WebhookOutcome(200, DUPLICATE, event_id=event_id, event_type=event_type)
    effect = _apply(db, event_type, event["data"]["object"], at, now)
    row.outcome, row.studio_id = effect.outcome, effect.studio_id
    db.add(row)
    db.commit()
    log.info("billing event %s (%s): %s", event_id, event_type, effect.outcome)
    billing.send_mails(effect.mails)
    return WebhookOutcome(200, effect.outcome, event_id=event_id, event_type=event_type)


def _apply(db: Session, event_type: str, obj: dict[str, Any], at: datetime, now: datetime) -> _Effect:
    if event_type == "checkout.session.completed":
        return _checkout_completed(db, obj)
    if event_type in SUBSCRIPTION_EVENTS:
        return _subscription(db, event_type, obj, at, now)
    if event_type in INVOICE_EVENTS:
        return _invoice(db, event_type, obj, now)
    log.info("billing event of type %s: not one StudioOS acts on", event_type)
    return _Effect(LOGGED)


# --- finding the studio ------------------------------------------------------------------------


def _locked(db: Session, *where: Any) -> Studio | None:
    """The studio, locked for this transaction: two events for one studio are applied one after
    the other, each seeing what the other stored."""
    return db.exec(
        select(Studio).where(*where).with_for_update().execution_options(populate_existing=True)
    ).first()


def _studio_for(
    db: Session, customer: str | None, subscription: str | None, metadata: object
) -> Studio | None:
    """By the customer id StudioOS stored, else the subscription id, else the studio id StudioOS
    put in the subscription's metadata (a customer not yet linked)."""
    if customer:
        found = _locked(db, Studio.stripe_customer_id == customer)
        if found is not None:
            return found
    if subscription:
        found = _locked(db, Studio.stripe_subscription_id == subscription)
        if found is not None:
            return found
    raw = metadata.get("studio_id") if isinstance(metadata, dict) else None
    if isinstance(raw, str) and raw.isdigit():
        found = _locked(db, Studio.id == int(raw))
        if found is not None and found.stripe_customer_id in (None, customer):
            if customer and found.stripe_customer_id is None:
                found.stripe_customer_id = customer
            return found
    return None


# --- the events ----------------------------------------------------------------------------------


def _checkout_completed(db: Session, session: dict[str, Any]) -> _Effect:
    """Checkout done: link the customer and the new subscription to the studio named in
    client_reference_id. The subscription's state comes with its own events."""
    if session.get("mode") != "subscription":
        return _Effect(LOGGED)
    customer = billing.obj_id(session.get("customer"))
    subscription = billing.obj_id(session.get("subscription"))
    ref = session.get("client_reference_id")
    studio = _locked(db, Studio.id == int(ref)) if isinstance(ref, str) and ref.isdigit() else None
    if studio is None or studio.deleted_at is not None:
        log.warning("checkout session %s names no studio StudioOS knows", session.get("id"))
        return _Effect(UNKNOWN_STUDIO)
    if customer and studio.stripe_customer_id not in (None, customer):
        log.warning(
            "checkout session %s: studio %s has another Stripe customer", session.get("id"), studio.id
        )
        return _Effect(UNKNOWN_STUDIO, row_id(studio))
    studio.stripe_customer_id = studio.stripe_customer_id or customer
    linked = False
    if (
        subscription
        and studio.stripe_subscription_id != subscription
        and not billing.has_live_subscription(studio)
    ):
        studio.stripe_subscription_id = subscription
        linked = True
    db.add(studio)
    if linked:
        audit.record(
            db,
            "billing.checkout_completed",
            studio_id=studio.id,
            actor_user_id=None,
            target=f"subscription:{subscription}",
        )
    return _Effect(APPLIED, row_id(studio))


def _subscription(db: Session, event_type: str, sub: dict[str, Any], at: datetime, now: datetime) -> _Effect:
    sub_id = billing.obj_id(sub.get("id"))
    studio = _studio_for(db, billing.obj_id(sub.get("customer")), sub_id, sub.get("metadata"))
    if studio is None:
        log.warning("subscription %s belongs to no studio StudioOS knows", sub_id)
        return _Effect(UNKNOWN_STUDIO)
    effect = _Effect(APPLIED, row_id(studio))
    newer_stored = studio.subscription_changed_at is not None and at < studio.subscription_changed_at
    # The end of an old subscription never ends the one that replaced it.
    replaced = (
        bool(studio.stripe_subscription_id)
        and studio.stripe_subscription_id != sub_id
        and billing.has_live_subscription(studio)
    )
    if newer_stored or replaced:
        effect.outcome = STALE
    else:
        if event_type == "customer.subscription.deleted":
            sub = {**sub, "status": "canceled"}
        changes = billing.apply_subscription(db, studio, sub, at)
        log.info("studio %s subscription %s: %s", studio.id, sub_id, ", ".join(changes) or "no change")
    # The reminder is told whatever came after it, as long as the trial at Stripe still runs.
    if (
        event_type == "customer.subscription.trial_will_end"
        and studio.stripe_subscription_id == sub_id
        and studio.subscription_status == "trialing"
    ):
        end = billing.ts(sub.get("trial_end")) or billing.trial_end(studio)
        effect.mails = billing.trial_ending_mails(db, studio, end, now)
    return effect


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    # Newer API versions name the subscription under `parent`.
    found = billing.obj_id(invoice.get("subscription"))
    parent = invoice.get("parent")
    if found is None and isinstance(parent, dict):
        details = parent.get("subscription_details")
        if isinstance(details, dict):
            found = billing.obj_id(details.get("subscription"))
    return found


def _invoice(db: Session, event_type: str, invoice: dict[str, Any], now: datetime) -> _Effect:
    studio = _studio_for(db, billing.obj_id(invoice.get("customer")), _invoice_subscription(invoice), None)
    if studio is None:
        log.warning("invoice %s belongs to no studio StudioOS knows", invoice.get("id"))
        return _Effect(UNKNOWN_STUDIO)
    if not invoice.get("id"):
        return _Effect(LOGGED, row_id(studio))
    if event_type == "invoice.paid":
        invoice = {**invoice, "status": "paid"}
    row, before, stored = billing.upsert_invoice(db, row_id(studio), invoice, now)
    billing.refresh_past_due_since(db, studio)
    effect = _Effect(APPLIED if stored else STALE, row_id(studio))
    fmt = for_studio(studio)
    amount = fmt.money(row.amount_due_cents, row.currency.upper())
    number = f" (invoice {row.number})" if row.number else ""
    if event_type == "invoice.paid" and before != "paid" and row.amount_paid_cents > 0:
        paid = fmt.money(row.amount_paid_cents, row.currency.upper())
        link = f"\n\nThe invoice: {row.hosted_invoice_url}" if row.hosted_invoice_url else ""
        effect.mails = billing.owner_mails(
            db,
            studio,
            f"Payment received: {paid}",
            f"We received {paid} for {studio.name}{number}. Thank you!{link}",
        )
    elif event_type == "invoice.payment_failed" and row.status == "open":
        since = studio.past_due_since or now
        until = fmt.day(since + timedelta(days=billing.GRACE_DAYS))
        effect.mails = billing.owner_mails(
            db,
            studio,
            "A payment for StudioOS failed",
            f"The payment of {amount} for {studio.name}{number} failed. Please update your card: open "
            f"Billing and choose \u201cManage payment method\u201d. If it is not paid by {until}, the "
            "studio becomes read-only until it is (nothing is deleted).",
        )
    return effect
