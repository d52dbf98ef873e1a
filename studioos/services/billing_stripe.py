"""The calls StudioOS makes to Stripe, and the owner's actions that need them.

A StripeClient is made per call from the settings (STRIPE_API_KEY, and STRIPE_API_BASE to point
the tests at localstripe): nothing talks to the network at import. Every Stripe error becomes a
ServiceError with a sentence a person can act on; the details go to the log, never to the page.

Owners only (Cap.BILLING). Checkout and the Customer Portal are Stripe's own pages: StudioOS hands
the owner a URL to them and learns the outcome from the webhook (studioos.services.billing_webhooks).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import stripe
from sqlmodel import Session, select
from stripe.params.checkout import SessionCreateParamsSubscriptionData

from studioos.models import Studio, row_id, utcnow
from studioos.services import audit, billing, reauth
from studioos.services.errors import NotFound, ServiceError, ValidationFailed
from studioos.services.permissions import Actor, Cap, require
from studioos.settings import get_settings

log = logging.getLogger("studioos.billing")

STRIPE_DOWN = "Stripe could not be reached; try again in a minute."
STRIPE_REFUSED = "Stripe could not do that just now. Please try again, or ask StudioOS support."
NOT_SET_UP = "Payments are not set up on this StudioOS yet. Please ask StudioOS support."
TIMEOUT_SECONDS = 20
# Checkout wants a trial end at least 48 hours away; a shorter rest of the trial is not carried over.
CHECKOUT_MIN_TRIAL_HOURS = 48


def _http_client() -> stripe.HTTPClient:
    return stripe.RequestsClient(timeout=TIMEOUT_SECONDS)


def _client() -> stripe.StripeClient:
    settings = get_settings()
    if not settings.stripe_api_key:
        raise ServiceError(NOT_SET_UP)
    base = settings.stripe_api_base.rstrip("/")
    return stripe.StripeClient(
        settings.stripe_api_key,
        base_addresses={"api": base} if base else None,
        http_client=_http_client(),
        # Stripe's library retries only what is safe to retry (it sends idempotency keys).
        max_network_retries=1,
    )


def _failed(exc: stripe.StripeError, doing: str) -> ServiceError:
    """The sentence for the page; what Stripe said goes to the log."""
    log.warning("Stripe refused or failed to %s: %s", doing, exc, exc_info=True)
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
        return ServiceError(STRIPE_DOWN)
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return ServiceError(NOT_SET_UP)
    return ServiceError(STRIPE_REFUSED)


def _plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain data, to read with the same code as a webhook's payload."""
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict()
    return dict(obj)


def _own_url(raw: str, field: str) -> str:
    """Where Stripe sends the owner back: a path of ours, or an absolute URL on our own origin;
    anything else would make Stripe's pages an open redirect."""
    settings = get_settings()
    raw = (raw or "").strip()
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return settings.url(raw)
    parts = urlsplit(raw)
    if parts.scheme and parts.netloc and f"{parts.scheme}://{parts.netloc}" == settings.origin:
        return raw
    raise ValidationFailed({field: "Give a page of this StudioOS to come back to."})


def _locked_studio(db: Session, studio_id: int) -> Studio:
    # Locked so that two owners clicking at once make one customer, not two.
    studio = db.exec(
        select(Studio)
        .where(Studio.id == studio_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if studio is None or studio.deleted_at is not None:
        raise NotFound()
    return studio


# --- plain Stripe reads and writes -------------------------------------------------------------


def ensure_customer(db: Session, studio: Studio, owner_email: str) -> str:
    """The studio's Stripe customer id, made now if it has none (named after the studio, with the
    owner's address for Stripe's receipts)."""
    if studio.stripe_customer_id:
        return studio.stripe_customer_id
    try:
        customer = _client().v1.customers.create(
            params={
                "email": owner_email,
                "name": studio.name,
                "metadata": {"studio_id": str(row_id(studio))},
            }
        )
    except stripe.StripeError as exc:
        raise _failed(exc, "create a customer") from exc
    studio.stripe_customer_id = customer.id
    db.add(studio)
    db.flush()
    return customer.id


def _card_of(method: dict[str, Any] | None) -> tuple[str, str] | None:
    if not method:
        return None
    card = method.get("card") if method.get("object") in ("payment_method", None) else method
    if isinstance(card, dict) and card.get("brand") and card.get("last4"):
        return str(card["brand"]), str(card["last4"])
    return None


def payment_method(customer_id: str, subscription_id: str | None = None) -> tuple[str, str] | None:
    """(brand, last four digits) of the card Stripe will charge, as Stripe reports it now; None
    without a card. Looked for where Checkout and the Portal put it: the subscription's default,
    then the customer's, then any card of the customer's."""
    client = _client()
    try:
        if subscription_id:
            sub = _plain(client.v1.subscriptions.retrieve(subscription_id))
            pm_id = billing.obj_id(sub.get("default_payment_method"))
            if pm_id:
                found = _card_of(_plain(client.v1.payment_methods.retrieve(pm_id)))
                if found:
                    return found
        customer = _plain(
            client.v1.customers.retrieve(
                customer_id, params={"expand": ["invoice_settings.default_payment_method"]}
            )
        )
        settings = customer.get("invoice_settings") or {}
        default = settings.get("default_payment_method") if isinstance(settings, dict) else None
        found = _card_of(default if isinstance(default, dict) else None)
        if found:
            return found
        cards = client.v1.payment_methods.list(params={"customer": customer_id, "type": "card", "limit": 1})
        return _card_of(_plain(cards.data[0])) if cards.data else None
    except stripe.StripeError as exc:
        raise _failed(exc, "read the payment method") from exc


def upcoming(customer_id: str) -> tuple[datetime, int, str] | None:
    """The next invoice: (when, amount in cents, currency); None when nothing is due (no
    subscription, or one that ends at the period's end)."""
    try:
        preview = _plain(_client().v1.invoices.create_preview(params={"customer": customer_id}))
    except stripe.InvalidRequestError as exc:
        log.info("no upcoming invoice for %s: %s", customer_id, exc)
        return None
    except stripe.StripeError as exc:
        raise _failed(exc, "read the next invoice") from exc
    when = billing.ts(preview.get("next_payment_attempt")) or billing.ts(preview.get("period_end"))
    if when is None:
        return None
    return when, int(preview.get("amount_due") or 0), str(preview.get("currency") or "usd")


def set_trial_end(subscription_id: str, end: datetime) -> None:
    """Move a subscription's trial end at Stripe (support extending a trial); no proration."""
    try:
        _client().v1.subscriptions.update(
            subscription_id, params={"trial_end": int(end.timestamp()), "proration_behavior": "none"}
        )
    except stripe.StripeError as exc:
        raise _failed(exc, "extend the trial") from exc


# --- the owner's actions -----------------------------------------------------------------------


def checkout_url(
    db: Session,
    actor: Actor,
    plan: str,
    cycle: str,
    success_url: str = "/billing?checkout=done",
    cancel_url: str = "/billing",
    now: datetime | None = None,
) -> str:
    """A Stripe Checkout page that starts a subscription to `plan` (monthly or yearly) for a studio
    without one. What is left of the trial (when at least 48 hours) is carried over, so choosing
    a plan early costs nothing. The subscription exists once the webhook says so."""
    studio_id = require(actor, Cap.BILLING)
    reauth.require_recent(db, actor)
    now = now or utcnow()
    price = billing.price_id(plan, cycle)
    back, cancel = _own_url(success_url, "success_url"), _own_url(cancel_url, "cancel_url")
    studio = _locked_studio(db, studio_id)
    if billing.has_live_subscription(studio):
        raise ValidationFailed({"plan": "The studio already has a subscription: change its plan instead."})
    customer = ensure_customer(db, studio, actor.email)
    subscription_data: SessionCreateParamsSubscriptionData = {"metadata": {"studio_id": str(studio_id)}}
    end = billing.trial_end(studio)
    if not studio.stripe_subscription_id and (end - now).total_seconds() >= CHECKOUT_MIN_TRIAL_HOURS * 3600:
        subscription_data["trial_end"] = int(end.timestamp())
    try:
        session = _client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer,
                "client_reference_id": str(studio_id),
                "line_items": [{"price": price, "quantity": 1}],
                "success_url": back,
                "cancel_url": cancel,
                "subscription_data": subscription_data,
                "metadata": {"studio_id": str(studio_id)},
            }
        )
    except stripe.StripeError as exc:
        raise _failed(exc, "open Checkout") from exc
    if not session.url:
        raise ServiceError(STRIPE_REFUSED)
    audit.record_by(
        db, actor, "billing.checkout_started", target=f"studio:{studio_id}", detail=f"{plan} {cycle}"
    )
    db.flush()
    return session.url


def change_plan(
    db: Session, actor: Actor, plan: str, cycle: str, now: datetime | None = None
) -> billing.BillingState:
    """Move the studio's subscription to another plan or cycle, prorated. Going down to a plan with
    fewer models than the studio has active is refused (pause some first). Stripe's answer is the
    subscription as of now, and is stored at once."""
    studio_id = require(actor, Cap.BILLING)
    reauth.require_recent(db, actor)
    now = now or utcnow()
    price = billing.price_id(plan, cycle)
    studio = _locked_studio(db, studio_id)
    if not billing.has_live_subscription(studio) or not studio.stripe_subscription_id:
        raise ValidationFailed({"plan": "The studio has no subscription yet: choose a plan to start one."})
    if studio.plan == plan and studio.billing_cycle == cycle:
        raise ValidationFailed({"plan": "This is already the studio's plan."})
    limit = billing.PLANS[plan].model_limit
    active = billing.active_models(db, studio_id)
    if limit is not None and active > limit:
        raise ValidationFailed(
            {
                "plan": (
                    f"The {billing.PLANS[plan].name} plan allows {limit} active models and the studio has "
                    f"{active}. Pause {active - limit} first, or choose a larger plan."
                )
            }
        )
    client = _client()
    try:
        current = _plain(client.v1.subscriptions.retrieve(studio.stripe_subscription_id))
        item_id = billing.obj_id(billing.first_item(current).get("id"))
        if not item_id:
            raise ServiceError(STRIPE_REFUSED)
        updated = client.v1.subscriptions.update(
            studio.stripe_subscription_id,
            params={
                "items": [{"id": item_id, "price": price}],
                "proration_behavior": "create_prorations",
                "metadata": {"studio_id": str(studio_id)},
            },
        )
    except stripe.StripeError as exc:
        raise _failed(exc, "change the plan") from exc
    # Stripe's clock has whole seconds: its events of this same second still apply after this.
    billing.apply_subscription(
        db, studio, _plain(updated), now.replace(microsecond=0), actor_user_id=actor.user_id
    )
    db.flush()
    return billing.state_of(db, studio, now)


def portal_url(db: Session, actor: Actor, return_url: str = "/billing") -> str:
    """A Stripe Customer Portal session: the payment method, billing details, invoices and
    cancelling, all on Stripe's pages."""
    studio_id = require(actor, Cap.BILLING)
    reauth.require_recent(db, actor)
    back = _own_url(return_url, "return_url")
    studio = _locked_studio(db, studio_id)
    customer = ensure_customer(db, studio, actor.email)
    try:
        session = _client().v1.billing_portal.sessions.create(
            params={"customer": customer, "return_url": back}
        )
    except stripe.StripeError as exc:
        raise _failed(exc, "open the billing portal") from exc
    audit.record_by(db, actor, "billing.portal_opened", target=f"studio:{studio_id}")
    db.flush()
    return session.url
