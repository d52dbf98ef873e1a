"""Billing against a Stripe API: localstripe (a fake Stripe, started here on a free loopback port)
for the customer, subscription and invoice lifecycle, and the webhook route over HTTP.

What localstripe has not got is played by the test, as the real thing would do it:
- Checkout and the Customer Portal (no such objects): the test attaches the card and starts the
  subscription as Checkout would, and cancels it as the Portal would; the parameters StudioOS sends
  to Checkout and the Portal are checked on a recording HTTP client.
- `invoice.paid` (localstripe sends only `invoice.payment_succeeded`): its invoice, read from
  localstripe, is sent as an `invoice.paid` event signed here.
Subscription events are localstripe's own, signed here with the endpoint's secret (localstripe
would post them to a URL; the app under test is a TestClient).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe
from sqlmodel import Session, select
from starlette.testclient import TestClient

from studioos.api.routes import build_api
from studioos.models import AuditLog, BillingEvent, Invoice, Role, Studio
from studioos.models.types import utcnow
from studioos.services import billing, billing_stripe
from studioos.services.errors import ServiceError, ValidationFailed
from studioos.services.permissions import Actor
from studioos.settings import reset_settings_cache
from tests.factories import actor_for, add_member, make_studio, new_performer
from tests.foundation_helpers import mails_to
from tests.local_servers import LocalStripe, free_port, serving_localstripe

SECRET = "whsec_integration_0123456789"
PLAN_PRICES = {"starter_monthly": 2900, "studio_monthly": 7900, "studio_yearly": 79000}


@dataclass
class Stripe:
    server: LocalStripe
    prices: dict[str, str]  # starter_monthly -> the plan's id at localstripe

    @property
    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(self.server.api_key, base_addresses={"api": self.server.base_url})


@pytest.fixture(scope="module")
def localstripe() -> Iterator[Stripe]:
    with serving_localstripe() as server:
        client = stripe.StripeClient(server.api_key, base_addresses={"api": server.base_url})
        product = client.v1.products.create(params={"name": "StudioOS"})
        run = secrets.token_hex(4)
        prices = {}
        for key, amount in PLAN_PRICES.items():
            interval = "year" if key.endswith("yearly") else "month"
            # A plan's id is also a price id at Stripe: localstripe has plans only.
            plan = client.v1.plans.create(
                params={
                    "id": f"price_{key}_{run}",
                    "product": product.id,
                    "amount": amount,
                    "currency": "usd",
                    "interval": interval,
                }
            )
            prices[key] = plan.id
        yield Stripe(server, prices)


@pytest.fixture
def stripe_env(localstripe: Stripe, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stripe]:
    monkeypatch.setenv("STRIPE_API_BASE", localstripe.server.base_url)
    monkeypatch.setenv("STRIPE_API_KEY", localstripe.server.api_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("STUDIOOS_STRIPE_PRICES", ",".join(f"{k}={v}" for k, v in localstripe.prices.items()))
    reset_settings_cache()
    yield localstripe
    reset_settings_cache()


@pytest.fixture
def app() -> Iterator[TestClient]:
    with TestClient(build_api(), follow_redirects=False) as c:
        yield c


def post_event(app: TestClient, evt: Mapping[str, Any], secret: str = SECRET) -> tuple[int, dict[str, Any]]:
    payload = json.dumps(evt)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret)
    response = app.post(
        "/api/billing/webhook",
        content=payload.encode(),
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    return response.status_code, response.json()


def localstripe_events(client: stripe.StripeClient, kind: str, object_id: str) -> list[dict[str, Any]]:
    """localstripe's own events of one kind about one object, oldest first."""
    found = [e.to_dict() for e in client.v1.events.list(params={"limit": 100}).data]
    return [e for e in found if e["type"] == kind and e["data"]["object"].get("id") == object_id]


def studio_of(db: Session, studio_id: int | None) -> Studio:
    db.expire_all()
    found = db.get(Studio, studio_id)
    assert found is not None
    return found


def owner_of(db: Session, name: str = "Studio A") -> tuple[Studio, Actor]:
    studio, owner = make_studio(db, name)
    return studio, actor_for(db, owner, studio)


def add_card(client: stripe.StripeClient, customer: str, number: str = "4242424242424242") -> None:
    """What the owner does on Stripe's Checkout page: a card, kept by Stripe, made the default."""
    card = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}}
    )
    client.v1.payment_methods.attach(card.id, params={"customer": customer})
    client.v1.customers.update(customer, params={"invoice_settings": {"default_payment_method": card.id}})


# --- the lifecycle against localstripe -------------------------------------------------------------


def test_customer_subscription_invoices_plan_change_and_cancel(
    db: Session, stripe_env: Stripe, app: TestClient
) -> None:
    client = stripe_env.client
    studio, owner = owner_of(db)

    # A customer for the studio, once: asked again, the same one.
    customer = billing_stripe.ensure_customer(db, studio, owner.email)
    db.commit()
    assert billing_stripe.ensure_customer(db, studio, owner.email) == customer
    at_stripe = client.v1.customers.retrieve(customer)
    assert (at_stripe.email, at_stripe.metadata["studio_id"]) == (owner.email, str(studio.id))

    # Checkout's part: the card and the subscription on the Starter plan.
    add_card(client, customer)
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer,
            "items": [{"price": stripe_env.prices["starter_monthly"]}],
            "metadata": {"studio_id": str(studio.id)},
        }
    )
    [created] = localstripe_events(client, "customer.subscription.created", sub.id)
    assert post_event(app, created) == (200, {"received": True, "outcome": "applied"})
    s = studio_of(db, studio.id)
    assert (s.stripe_subscription_id, s.subscription_status, s.plan, s.billing_cycle) == (
        sub.id,
        "active",
        "starter",
        "monthly",
    )
    assert s.current_period_end == datetime.fromtimestamp(sub.current_period_end, UTC)

    # The first invoice, paid: stored with Stripe's numbers and links, and the owner thanked.
    first = client.v1.invoices.retrieve(sub.latest_invoice).to_dict()
    paid = {
        "id": f"evt_paid_{first['id']}",
        "object": "event",
        "type": "invoice.paid",
        "created": first["created"],
        "data": {"object": first},
    }
    assert post_event(app, paid)[0] == 200
    db.expire_all()
    [row] = db.exec(select(Invoice).where(Invoice.studio_id == studio.id)).all()
    assert (row.stripe_invoice_id, row.status, row.amount_due_cents, row.amount_paid_cents) == (
        first["id"],
        "paid",
        2900,
        2900,
    )
    assert [m["Subject"] for m in mails_to(owner.email)] == ["Payment received: 29,00\xa0US$"]

    # The Billing page reads the card and the next invoice from Stripe; nothing of them is stored.
    page = billing.overview(db, owner)
    assert page.stripe_error == ""
    assert (page.payment_method_brand, page.payment_method_last4) == ("Visa", "4242")
    assert page.payment_method_text == "Visa ending in 4242"
    assert page.next_invoice_cents == 2900 and page.next_invoice_currency == "USD"
    assert page.next_invoice_at == datetime.fromtimestamp(sub.current_period_end, UTC)
    assert page.state.has_subscription and [p.code for p in page.plans if p.current] == ["starter"]
    assert [i.number for i in page.invoices] == [row.number or ""]

    # Up to the Studio plan, prorated: Stripe credits the unused Starter time.
    state = billing_stripe.change_plan(db, owner, "studio", "monthly")
    db.commit()
    assert (state.plan, state.plan_name, state.model_limit) == ("studio", "Studio", 25)
    assert (
        client.v1.subscriptions.retrieve(sub.id).to_dict()["plan"]["id"]
        == stripe_env.prices["studio_monthly"]
    )
    preview = client.v1.invoices.create_preview(params={"customer": customer}).to_dict()
    prorations = [line for line in preview["lines"]["data"] if line.get("proration")]
    assert [line["amount"] for line in prorations] == [-2900]
    changed = db.exec(select(AuditLog).where(AuditLog.action == "billing.plan_changed")).all()
    assert [(a.actor_user_id, a.detail) for a in changed][-1] == (
        owner.user_id,
        "starter monthly -> studio monthly",
    )
    with pytest.raises(ValidationFailed):  # the same plan again
        billing_stripe.change_plan(db, owner, "studio", "monthly")
    db.rollback()  # as the page's unit of work does after an error: the studio's row lock goes

    # The Portal's part: the owner cancels; Stripe's event makes the studio read-only.
    client.v1.subscriptions.cancel(sub.id)
    [deleted] = localstripe_events(client, "customer.subscription.deleted", sub.id)
    assert post_event(app, deleted) == (200, {"received": True, "outcome": "applied"})
    assert post_event(app, deleted) == (200, {"received": True, "outcome": "duplicate"})
    db.expire_all()
    final = billing.billing_state(db, studio.id or 0)
    assert (final.status, final.read_only, final.has_subscription) == ("canceled", True, False)
    page = billing.overview(db, owner)
    assert page.next_invoice_at is None and page.payment_method_text == "Visa ending in 4242"
    assert len(db.exec(select(BillingEvent).where(BillingEvent.studio_id == studio.id)).all()) == 3


def test_a_downgrade_below_the_active_models_is_refused_before_stripe_is_asked(
    db: Session, stripe_env: Stripe
) -> None:
    client = stripe_env.client
    studio, owner = owner_of(db)
    customer = billing_stripe.ensure_customer(db, studio, owner.email)
    add_card(client, customer)
    sub = client.v1.subscriptions.create(
        params={"customer": customer, "items": [{"price": stripe_env.prices["studio_monthly"]}]}
    )
    billing.apply_subscription(db, studio, sub.to_dict(), utcnow())
    db.commit()
    for i in range(6):
        new_performer(db, owner, f"Model {i}")
    with pytest.raises(ValidationFailed) as refused:
        billing_stripe.change_plan(db, owner, "starter", "monthly")
    assert refused.value.errors["plan"] == (
        "The Starter plan allows 5 active models and the studio has 6. "
        "Pause 1 first, or choose a larger plan."
    )
    assert (
        client.v1.subscriptions.retrieve(sub.id).to_dict()["plan"]["id"]
        == stripe_env.prices["studio_monthly"]
    )


def test_when_stripe_cannot_be_reached_the_owner_reads_a_sentence_not_a_traceback(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_BASE", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_unreachable")
    monkeypatch.setenv("STUDIOOS_STRIPE_PRICES", "starter_monthly=price_s,studio_monthly=price_m")
    reset_settings_cache()
    studio, owner = owner_of(db)
    billing.apply_subscription(
        db,
        studio,
        {"id": "sub_1", "status": "active", "items": {"data": [{"price": {"id": "price_s"}}]}},
        utcnow(),
    )
    studio.stripe_customer_id = "cus_1"
    db.add(studio)
    db.commit()
    page = billing.overview(db, owner)
    assert page.stripe_error == "Stripe could not be reached; try again in a minute."
    assert page.state.status == "active" and page.payment_method_text == ""
    with pytest.raises(ServiceError) as down:
        billing_stripe.change_plan(db, owner, "studio", "monthly")
    assert down.value.message == "Stripe could not be reached; try again in a minute."
    db.rollback()
    assert studio_of(db, studio.id).plan == "starter"


def test_without_an_api_key_billing_says_it_is_not_set_up(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", "")
    monkeypatch.setenv("STUDIOOS_STRIPE_PRICES", "starter_monthly=price_s")
    reset_settings_cache()
    _, owner = owner_of(db)
    with pytest.raises(ServiceError) as off:
        billing_stripe.checkout_url(db, owner, "starter", "monthly")
    assert off.value.message == billing_stripe.NOT_SET_UP


# --- Checkout and the Portal, which localstripe has not got ----------------------------------------


@dataclass
class Recorder(stripe.HTTPClient):
    """Stripe's HTTP layer, answering from a table and keeping what was asked."""

    answers: dict[tuple[str, str], dict[str, Any]]
    calls: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    name = "recorder"

    def __post_init__(self) -> None:
        super().__init__()

    def request(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None, **_: Any
    ) -> tuple[str, int, Mapping[str, str]]:
        path = urlsplit(url).path
        sent = parse_qs(post_data.decode() if isinstance(post_data, bytes) else (post_data or ""))
        self.calls.append((method.upper(), path, sent))
        return json.dumps(self.answers[(method.upper(), path)]), 200, {}

    def close(self) -> None:
        pass


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_recorded")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("STUDIOOS_STRIPE_PRICES", "starter_monthly=price_starter,studio_yearly=price_studio_y")
    reset_settings_cache()
    rec = Recorder(
        {
            ("POST", "/v1/customers"): {"id": "cus_rec", "object": "customer"},
            ("POST", "/v1/checkout/sessions"): {
                "id": "cs_rec",
                "object": "checkout.session",
                "url": "https://checkout.stripe.com/c/pay/cs_rec",
            },
            ("POST", "/v1/billing_portal/sessions"): {
                "id": "bps_rec",
                "object": "billing_portal.session",
                "url": "https://billing.stripe.com/p/session/bps_rec",
            },
        }
    )
    monkeypatch.setattr(billing_stripe, "_http_client", lambda: rec)
    return rec


def test_checkout_starts_a_subscription_for_this_studio_and_the_webhook_links_it(
    db: Session, recorder: Recorder, app: TestClient
) -> None:
    studio, owner = owner_of(db)
    now = datetime.now(UTC)
    trial_end = studio.trial_ends_at
    assert trial_end is not None
    url = billing_stripe.checkout_url(db, owner, "studio", "yearly", now=now)
    db.commit()
    assert url == "https://checkout.stripe.com/c/pay/cs_rec"
    [(_, _, customer), (_, path, sent)] = recorder.calls
    assert customer["email"] == [owner.email] and customer["metadata[studio_id]"] == [str(studio.id)]
    assert path == "/v1/checkout/sessions"
    assert sent["mode"] == ["subscription"] and sent["customer"] == ["cus_rec"]
    assert sent["client_reference_id"] == [str(studio.id)]
    assert sent["line_items[0][price]"] == ["price_studio_y"] and sent["line_items[0][quantity]"] == ["1"]
    assert sent["success_url"] == ["http://testserver/billing?checkout=done"]
    assert sent["cancel_url"] == ["http://testserver/billing"]
    # The rest of the trial is carried over: choosing early costs nothing.
    assert sent["subscription_data[trial_end]"] == [str(int(trial_end.timestamp()))]
    assert "card" not in " ".join(sent)  # no card data passes through StudioOS
    started = db.exec(select(AuditLog).where(AuditLog.action == "billing.checkout_started")).one()
    assert (started.actor_user_id, started.detail) == (owner.user_id, "studio yearly")

    session = {
        "id": "cs_rec",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(studio.id),
        "customer": "cus_rec",
        "subscription": "sub_rec",
    }
    evt = {
        "id": "evt_cs_rec",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(now.timestamp()),
    }
    assert post_event(app, evt | {"data": {"object": session}}) == (
        200,
        {"received": True, "outcome": "applied"},
    )
    s = studio_of(db, studio.id)
    assert (s.stripe_customer_id, s.stripe_subscription_id) == ("cus_rec", "sub_rec")
    # A studio with a subscription changes its plan instead of buying a second one.
    with pytest.raises(ValidationFailed) as twice:
        billing_stripe.checkout_url(db, owner, "starter", "monthly")
    assert twice.value.errors == {"plan": "The studio already has a subscription: change its plan instead."}


def test_checkout_and_portal_only_return_to_this_studioos_and_only_for_the_owner(
    db: Session, recorder: Recorder
) -> None:
    studio, owner = owner_of(db)
    for bad in ("https://evil.example/billing", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(ValidationFailed):
            billing_stripe.checkout_url(db, owner, "starter", "monthly", success_url=bad)
        with pytest.raises(ValidationFailed):
            billing_stripe.portal_url(db, owner, return_url=bad)
    manager = actor_for(db, add_member(db, studio, Role.MANAGER), studio)
    for call in (
        lambda: billing_stripe.checkout_url(db, manager, "starter", "monthly"),
        lambda: billing_stripe.portal_url(db, manager),
        lambda: billing_stripe.change_plan(db, manager, "starter", "monthly"),
    ):
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.status_code == 403
    assert recorder.calls == []

    url = billing_stripe.portal_url(db, owner, "http://testserver/billing?from=portal")
    db.commit()
    assert url == "https://billing.stripe.com/p/session/bps_rec"
    portal = recorder.calls[-1]
    assert portal[1] == "/v1/billing_portal/sessions"
    assert portal[2]["customer"] == ["cus_rec"]
    assert portal[2]["return_url"] == ["http://testserver/billing?from=portal"]
    assert db.exec(select(AuditLog.action).where(AuditLog.action == "billing.portal_opened")).all() == [
        "billing.portal_opened"
    ]


# --- the route itself ------------------------------------------------------------------------------


def test_the_webhook_route_refuses_what_is_not_signed_by_stripe(
    db: Session, recorder: Recorder, app: TestClient
) -> None:
    studio, _ = owner_of(db)
    studio.stripe_customer_id = "cus_route"
    db.add(studio)
    db.commit()
    created = int(datetime.now(UTC).timestamp())
    sub = {
        "id": "sub_route",
        "object": "subscription",
        "customer": "cus_route",
        "status": "active",
        "items": {"data": [{"price": {"id": "price_starter"}, "current_period_end": created + 86400 * 30}]},
    }
    evt = {
        "id": "evt_route",
        "object": "event",
        "type": "customer.subscription.created",
        "created": created,
        "data": {"object": sub},
    }
    payload = json.dumps(evt)
    stale = stripe.WebhookSignature.generate_signature_header(payload, SECRET, timestamp=created - 400)
    for headers, reason in (
        ({}, "Missing Stripe-Signature header."),
        ({"Stripe-Signature": "t=1,v1=00"}, "Bad signature."),
        (
            {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, "whsec_other")},
            "Bad signature.",
        ),
        ({"Stripe-Signature": stale}, "Stale signature timestamp."),
    ):
        response = app.post("/api/billing/webhook", content=payload.encode(), headers=headers)
        assert (response.status_code, response.json()) == (400, {"error": reason})
    assert app.get("/api/billing/webhook").status_code == 405
    huge = app.post("/api/billing/webhook", content=b"x" * (600 * 1024), headers={"Stripe-Signature": stale})
    assert huge.status_code == 413
    assert studio_of(db, studio.id).stripe_subscription_id is None
    assert db.exec(select(BillingEvent)).all() == []

    # No cookie, no Origin: Stripe's signature is the only proof, and it is enough.
    assert post_event(app, evt) == (200, {"received": True, "outcome": "applied"})
    s = studio_of(db, studio.id)
    assert (s.stripe_subscription_id, s.plan) == ("sub_route", "starter")
    assert post_event(app, evt | {"id": "evt_other_type", "type": "charge.refunded"}) == (
        200,
        {"received": True, "outcome": "logged"},
    )
    # Bought-before: a retried old event after the newer state changes nothing.
    older = evt | {"id": "evt_route_old", "created": created - 60}
    older["data"] = {"object": sub | {"status": "incomplete"}}
    assert post_event(app, older) == (200, {"received": True, "outcome": "stale"})
    assert studio_of(db, studio.id).subscription_status == "active"
