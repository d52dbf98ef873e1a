"""Stripe's webhook events, signed here exactly as Stripe signs them (stripe's own helper): what a
bad signature, a replay and a shuffled delivery do, and each handled type's effect."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from studioos.models import AuditLog, BillingEvent, Invoice, Role, Studio
from studioos.services import billing, billing_webhooks
from studioos.services.billing_webhooks import WebhookOutcome
from studioos.settings import reset_settings_cache
from tests.factories import add_member, make_studio
from tests.foundation_helpers import body_of, db_snapshot, mails_to

SECRET = "whsec_test_0123456789abcdef"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PRICES = "starter_monthly=price_starter_m,studio_monthly=price_studio_m,studio_yearly=price_studio_y"
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _stripe_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("STUDIOOS_STRIPE_PRICES", PRICES)
    reset_settings_cache()
    yield
    reset_settings_cache()


# --- building and sending events -----------------------------------------------------------------


def at(minutes: int) -> int:
    """A Stripe timestamp `minutes` after NOW (events are made before they are delivered)."""
    return int((NOW + timedelta(minutes=minutes)).timestamp())


def event(kind: str, obj: dict[str, Any], created: int, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{next(_ids):06d}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created,
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


def subscription(
    studio: Studio,
    status: str = "active",
    price: str = "price_starter_m",
    *,
    sub_id: str | None = None,
    period_end: int | None = None,
    cancel_at_period_end: bool = False,
    trial_end: int | None = None,
) -> dict[str, Any]:
    sid = sub_id or f"sub_{studio.id}"
    return {
        "id": sid,
        "object": "subscription",
        "customer": studio.stripe_customer_id or f"cus_{studio.id}",
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "trial_end": trial_end,
        "metadata": {"studio_id": str(studio.id)},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{sid}",
                    "object": "subscription_item",
                    "price": {"id": price, "object": "price"},
                    "current_period_end": period_end or at(30 * 24 * 60),
                }
            ],
        },
    }


def invoice(
    studio: Studio, inv_id: str, status: str, amount: int, created: int, *, paid_at: int | None = None
) -> dict[str, Any]:
    return {
        "id": inv_id,
        "object": "invoice",
        "customer": studio.stripe_customer_id,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": f"sub_{studio.id}"},
        },
        "number": f"INV-{inv_id[-4:]}",
        "status": status,
        "currency": "usd",
        "amount_due": amount,
        "amount_paid": amount if status == "paid" else 0,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{inv_id}",
        "invoice_pdf": f"https://pay.stripe.com/invoice/{inv_id}/pdf",
        "period_start": created,
        "period_end": created + 30 * 86400,
        "created": created,
        "status_transitions": {"paid_at": paid_at},
    }


def checkout_session(studio: Studio, mode: str = "subscription", ref: str | None = None) -> dict[str, Any]:
    return {
        "id": f"cs_test_{studio.id}",
        "object": "checkout.session",
        "mode": mode,
        "client_reference_id": ref if ref is not None else str(studio.id),
        "customer": studio.stripe_customer_id or f"cus_{studio.id}",
        "subscription": f"sub_{studio.id}",
        "status": "complete",
    }


def sign(payload: str, secret: str = SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp if timestamp is not None else int(NOW.timestamp())
    )


def deliver(db: Session, evt: dict[str, Any], now: datetime = NOW) -> WebhookOutcome:
    payload = json.dumps(evt)
    result = billing_webhooks.handle(db, payload.encode(), sign(payload, timestamp=int(now.timestamp())), now)
    db.expire_all()
    return result


def customer_studio(db: Session, name: str = "Studio A") -> Studio:
    """A studio whose owner has opened Checkout: it has a Stripe customer, no subscription yet."""
    studio, _ = make_studio(db, name)
    studio.stripe_customer_id = f"cus_{studio.id}_{next(_ids)}"
    db.add(studio)
    db.commit()
    return studio


def owner_email(db: Session, studio: Studio) -> str:
    [(email, _)] = billing.owner_addresses(db, studio.id or 0)
    return email


def fresh(db: Session, studio: Studio) -> Studio:
    db.expire_all()
    found = db.get(Studio, studio.id)
    assert found is not None
    return found


# --- refused deliveries change nothing ------------------------------------------------------------


def test_a_delivery_that_is_not_a_genuine_recent_stripe_event_is_refused(db: Session) -> None:
    studio = customer_studio(db)
    payload = json.dumps(event("customer.subscription.created", subscription(studio), at(0)))
    good = sign(payload)
    before = db_snapshot(db)
    not_json = "this is not json"
    not_event = json.dumps({"id": "evt_1", "object": "charge"})
    cases = {
        "tampered body": (payload.replace('"active"', '"canceled"'), good, "Bad signature."),
        "another secret": (payload, sign(payload, secret="whsec_someone_else"), "Bad signature."),
        "stale timestamp": (
            payload,
            sign(payload, timestamp=int(NOW.timestamp()) - 301),
            "Stale signature timestamp.",
        ),
        "from the future": (
            payload,
            sign(payload, timestamp=int(NOW.timestamp()) + 301),
            "Stale signature timestamp.",
        ),
        "missing header": (payload, "", "Missing Stripe-Signature header."),
        "garbage header": (payload, "v1=abc", "Bad signature."),
        "not json": (not_json, sign(not_json), "Not a Stripe event."),
        "not an event": (not_event, sign(not_event), "Not a Stripe event."),
    }
    for name, (body, header, reason) in cases.items():
        result = billing_webhooks.handle(db, body.encode(), header, NOW)
        assert (result.status_code, result.outcome, result.reason) == (400, "refused", reason), name
    assert db_snapshot(db) == before
    # The same delivery, well signed and on time, is taken.
    assert (
        billing_webhooks.handle(db, payload.encode(), good, NOW + timedelta(seconds=299)).status_code == 200
    )
    assert fresh(db, studio).subscription_status == "active"


def test_without_a_signing_secret_every_delivery_is_refused(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = customer_studio(db)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "")
    reset_settings_cache()
    result = deliver(db, event("customer.subscription.created", subscription(studio), at(0)))
    assert (result.status_code, result.outcome) == (503, "refused")
    assert db.exec(select(BillingEvent)).all() == []


# --- once per event ------------------------------------------------------------------------------


def test_a_replayed_event_changes_nothing_and_mails_once(db: Session) -> None:
    studio = customer_studio(db)
    paid = event("invoice.paid", invoice(studio, "in_0001", "paid", 2900, at(0), paid_at=at(1)), at(1))
    first = deliver(db, paid)
    assert (first.status_code, first.outcome) == (200, "applied")
    after_first = db_snapshot(db)
    again = deliver(db, paid, NOW + timedelta(minutes=2))
    assert (again.status_code, again.outcome) == (200, "duplicate")
    assert db_snapshot(db) == after_first
    assert len(db.exec(select(Invoice)).all()) == 1
    assert [m["Subject"] for m in mails_to(owner_email(db, studio))] == ["Payment received: 29,00\xa0US$"]


def test_two_deliveries_at_once_the_second_loses_on_the_unique_id(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = customer_studio(db)
    failed = event("invoice.payment_failed", invoice(studio, "in_0002", "open", 2900, at(0)), at(1))
    assert deliver(db, failed).outcome == "applied"
    after_first = db_snapshot(db)
    # The other delivery committed between this one's look-up and its insert.
    monkeypatch.setattr(billing_webhooks, "_already", lambda _db, _id: False)
    second = deliver(db, failed)
    assert (second.status_code, second.outcome) == (200, "duplicate")
    assert db_snapshot(db) == after_first
    assert len(mails_to(owner_email(db, studio))) == 1


# --- any order, one end state --------------------------------------------------------------------


def lifecycle(studio: Studio) -> list[dict[str, Any]]:
    """A subscription's first months, each event a minute after the one before."""
    sub = {"sub_id": f"sub_{studio.id}"}
    return [
        event("checkout.session.completed", checkout_session(studio), at(1)),
        event("customer.subscription.created", subscription(studio, "active", **sub), at(2)),
        event(
            "invoice.paid", invoice(studio, f"in_{studio.id}_0001", "paid", 2900, at(2), paid_at=at(3)), at(3)
        ),
        event(
            "customer.subscription.updated", subscription(studio, "active", "price_studio_m", **sub), at(4)
        ),
        event("invoice.payment_failed", invoice(studio, f"in_{studio.id}_0002", "open", 7900, at(5)), at(5)),
        event(
            "customer.subscription.updated", subscription(studio, "past_due", "price_studio_m", **sub), at(6)
        ),
        event("invoice.payment_failed", invoice(studio, f"in_{studio.id}_0002", "open", 7900, at(5)), at(7)),
        event(
            "invoice.paid", invoice(studio, f"in_{studio.id}_0002", "paid", 7900, at(5), paid_at=at(8)), at(8)
        ),
        event(
            "customer.subscription.updated",
            subscription(studio, "active", "price_studio_m", cancel_at_period_end=True, **sub),
            at(9),
        ),
        event(
            "invoice.payment_failed", invoice(studio, f"in_{studio.id}_0003", "open", 7900, at(10)), at(10)
        ),
        event(
            "customer.subscription.updated",
            subscription(studio, "past_due", "price_studio_m", cancel_at_period_end=True, **sub),
            at(11),
        ),
    ]


def end_state(db: Session, studio: Studio) -> tuple[object, ...]:
    """What the studio and its invoices say, without the ids that differ between studios."""
    s = fresh(db, studio)
    prefix = f"in_{s.id}_"
    invoices = sorted(
        (
            i.stripe_invoice_id.removeprefix(prefix),
            i.status,
            i.amount_due_cents,
            i.amount_paid_cents,
            i.paid_at,
        )
        for i in db.exec(select(Invoice).where(Invoice.studio_id == s.id)).all()
    )
    return (
        s.plan,
        s.billing_cycle,
        s.subscription_status,
        s.stripe_subscription_id == f"sub_{s.id}",
        s.current_period_end,
        s.cancel_at_period_end,
        s.past_due_since,
        s.subscription_changed_at,
        tuple(invoices),
    )


def test_in_order_the_lifecycle_ends_past_due_on_the_new_plan(db: Session) -> None:
    studio = customer_studio(db)
    outcomes = [deliver(db, e).outcome for e in lifecycle(studio)]
    assert outcomes == ["applied"] * 11
    state = end_state(db, studio)
    assert state[:4] == ("studio", "monthly", "past_due", True)
    assert state[5:8] == (True, datetime.fromtimestamp(at(10), UTC), datetime.fromtimestamp(at(11), UTC))
    assert [i[:2] for i in state[8]] == [("0001", "paid"), ("0002", "paid"), ("0003", "open")]
    banner = billing.billing_state(db, studio.id or 0, NOW + timedelta(days=1)).banner
    assert banner.startswith("A payment failed on 1 Dec: update your card under Billing by 8 Dec")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.permutations(range(11)))
def test_any_delivery_order_ends_in_the_same_state(db: Session, order: list[int]) -> None:
    in_order = customer_studio(db, "In order")
    for e in lifecycle(in_order):
        deliver(db, e)
    shuffled = customer_studio(db, "Shuffled")
    events = lifecycle(shuffled)
    outcomes = [deliver(db, events[i]).outcome for i in order]
    assert set(outcomes) <= {"applied", "stale"}
    assert end_state(db, shuffled) == end_state(db, in_order)
    recorded = db.exec(select(BillingEvent).where(BillingEvent.studio_id == shuffled.id)).all()
    assert len(recorded) == 11


# --- each type's effect ----------------------------------------------------------------------


def test_checkout_completed_links_the_subscription_to_the_studio_it_names(db: Session) -> None:
    studio, _ = make_studio(db)
    other, _ = make_studio(db, "Studio B")
    result = deliver(db, event("checkout.session.completed", checkout_session(studio), at(0)))
    assert result.outcome == "applied"
    s = fresh(db, studio)
    assert (s.stripe_customer_id, s.stripe_subscription_id) == (f"cus_{studio.id}", f"sub_{studio.id}")
    assert db.exec(select(AuditLog.action).where(AuditLog.studio_id == studio.id)).all()[-1] == (
        "billing.checkout_completed"
    )
    # Another studio's customer is never taken over, and a one-off payment is only logged.
    hijack = checkout_session(other, ref=str(studio.id)) | {"customer": "cus_intruder"}
    assert deliver(db, event("checkout.session.completed", hijack, at(1))).outcome == "unknown studio"
    assert fresh(db, studio).stripe_customer_id == f"cus_{studio.id}"
    assert deliver(
        db, event("checkout.session.completed", checkout_session(other, "payment"), at(2))
    ).outcome == ("logged")
    assert fresh(db, other).stripe_subscription_id is None
    unknown = checkout_session(other, ref="999999")
    assert deliver(db, event("checkout.session.completed", unknown, at(3))).outcome == "unknown studio"


def test_subscription_created_updated_deleted(db: Session) -> None:
    studio = customer_studio(db)
    end = at(31 * 24 * 60)
    deliver(db, event("customer.subscription.created", subscription(studio, period_end=end), at(0)))
    s = fresh(db, studio)
    assert (s.subscription_status, s.plan, s.billing_cycle) == ("active", "starter", "monthly")
    assert s.current_period_end == datetime.fromtimestamp(end, UTC)
    state = billing.billing_state(db, studio.id or 0, NOW)
    assert (state.status, state.plan_name, state.model_limit, state.read_only) == (
        "active",
        "Starter",
        5,
        False,
    )
    logged = db.exec(select(AuditLog.detail).where(AuditLog.action == "billing.status_changed")).all()
    assert logged == ["trial -> active"]

    deliver(
        db, event("customer.subscription.updated", subscription(studio, "active", "price_studio_y"), at(1))
    )
    s = fresh(db, studio)
    assert (s.plan, s.billing_cycle) == ("studio", "yearly")
    plans = db.exec(select(AuditLog.detail).where(AuditLog.action == "billing.plan_changed")).all()
    assert plans == ["trial -> starter monthly", "starter monthly -> studio yearly"]

    deliver(
        db, event("customer.subscription.deleted", subscription(studio, "canceled", "price_studio_y"), at(2))
    )
    state = billing.billing_state(db, studio.id or 0, NOW)
    assert (state.status, state.read_only, state.has_subscription) == ("canceled", True, False)


def test_an_older_subscription_event_is_recorded_as_stale_and_changes_nothing(db: Session) -> None:
    studio = customer_studio(db)
    deliver(db, event("customer.subscription.deleted", subscription(studio, "canceled"), at(5)))
    before = end_state(db, studio)
    late = deliver(db, event("customer.subscription.updated", subscription(studio, "active"), at(4)))
    assert (late.status_code, late.outcome) == (200, "stale")
    assert end_state(db, studio) == before
    assert fresh(db, studio).subscription_status == "canceled"
    [row] = db.exec(select(BillingEvent).where(BillingEvent.stripe_event_id == late.event_id)).all()
    assert (row.outcome, row.studio_id) == ("stale", studio.id)


def test_the_end_of_an_old_subscription_does_not_end_its_replacement(db: Session) -> None:
    studio = customer_studio(db)
    deliver(db, event("customer.subscription.created", subscription(studio, sub_id="sub_new"), at(10)))
    # Stripe sends the old one's end later (a retried delivery), newer than anything stored.
    old_end = deliver(
        db, event("customer.subscription.deleted", subscription(studio, "canceled", sub_id="sub_old"), at(20))
    )
    assert old_end.outcome == "stale"
    s = fresh(db, studio)
    assert (s.stripe_subscription_id, s.subscription_status) == ("sub_new", "active")


def test_a_subscription_finds_its_studio_by_metadata_before_the_customer_is_linked(db: Session) -> None:
    studio, _ = make_studio(db)
    other, _ = make_studio(db, "Studio B")
    sub = subscription(studio) | {"customer": "cus_from_checkout"}
    assert deliver(db, event("customer.subscription.created", sub, at(0))).outcome == "applied"
    s = fresh(db, studio)
    assert (s.stripe_customer_id, s.subscription_status) == ("cus_from_checkout", "active")
    # Metadata naming a studio that has another customer is not believed.
    other.stripe_customer_id = "cus_other"
    db.add(other)
    db.commit()
    stray = subscription(other, sub_id="sub_stray") | {"customer": "cus_stranger"}
    assert deliver(db, event("customer.subscription.created", stray, at(1))).outcome == "unknown studio"
    assert fresh(db, other).stripe_subscription_id is None


def test_trial_will_end_mails_the_owners_once(db: Session) -> None:
    studio = customer_studio(db)
    manager = add_member(db, studio, Role.MANAGER)
    trial_end = at(3 * 24 * 60)
    trialing = subscription(studio, "trialing", trial_end=trial_end)
    deliver(db, event("customer.subscription.created", trialing, at(0)))
    warning = event("customer.subscription.trial_will_end", trialing, at(1))
    assert deliver(db, warning).outcome == "applied"
    assert deliver(db, warning).outcome == "duplicate"
    [mail] = mails_to(owner_email(db, studio))
    assert mail["Subject"] == "Your StudioOS trial ends in 3 days"
    assert "The Starter plan then starts" in body_of(mail)
    assert "http://testserver/billing" in body_of(mail)
    assert mails_to(manager.email) == []
    assert fresh(db, studio).trial_ends_at == datetime.fromtimestamp(trial_end, UTC)


def test_invoice_paid_stores_the_invoice_and_thanks_the_owner(db: Session) -> None:
    studio = customer_studio(db)
    deliver(db, event("invoice.paid", invoice(studio, "in_zero", "paid", 0, at(0), paid_at=at(0)), at(0)))
    assert mails_to(owner_email(db, studio)) == []  # the trial's 0 invoice thanks nobody
    deliver(db, event("invoice.paid", invoice(studio, "in_0042", "paid", 7900, at(1), paid_at=at(2)), at(2)))
    row = db.exec(select(Invoice).where(Invoice.stripe_invoice_id == "in_0042")).one()
    assert (row.studio_id, row.status, row.amount_paid_cents, row.number) == (
        studio.id,
        "paid",
        7900,
        "INV-0042",
    )
    assert row.paid_at == datetime.fromtimestamp(at(2), UTC)
    assert row.hosted_invoice_url == "https://invoice.stripe.com/i/in_0042"
    [mail] = mails_to(owner_email(db, studio))
    assert mail["Subject"] == "Payment received: 79,00\xa0US$"
    assert "https://invoice.stripe.com/i/in_0042" in body_of(mail)


def test_a_failed_payment_starts_the_grace_and_a_payment_ends_it(db: Session) -> None:
    studio = customer_studio(db)
    deliver(db, event("customer.subscription.updated", subscription(studio, "past_due"), at(0)))
    failed_at = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    created = int(failed_at.timestamp())
    deliver(
        db,
        event("invoice.payment_failed", invoice(studio, "in_0007", "open", 2900, created), created),
        failed_at,
    )
    assert fresh(db, studio).past_due_since == failed_at
    [mail] = mails_to(owner_email(db, studio))
    assert mail["Subject"] == "A payment for StudioOS failed"
    text = body_of(mail)
    assert "The payment of 29,00\xa0US$ for Studio A (invoice INV-0007) failed." in text
    assert "If it is not paid by 10 Dec 2026" in text and "http://testserver/billing" in text
    assert billing.billing_state(db, studio.id or 0, failed_at + timedelta(days=7)).read_only

    paid_at = created + 3600
    paid = invoice(studio, "in_0007", "paid", 2900, created, paid_at=paid_at)
    deliver(db, event("invoice.paid", paid, paid_at), failed_at + timedelta(hours=1))
    assert fresh(db, studio).past_due_since is None
    # A retry's failure report arriving after the payment changes nothing and mails nobody.
    late = deliver(
        db, event("invoice.payment_failed", invoice(studio, "in_0007", "open", 2900, created), created + 60)
    )
    assert late.outcome == "stale"
    assert fresh(db, studio).past_due_since is None
    assert len(mails_to(owner_email(db, studio))) == 2  # the failure, then the payment


def test_unknown_types_and_customers_are_logged_and_answered_200(db: Session) -> None:
    studio = customer_studio(db)
    other = deliver(
        db, event("customer.updated", {"id": studio.stripe_customer_id, "object": "customer"}, at(0))
    )
    assert (other.status_code, other.outcome) == (200, "logged")
    stranger = invoice(studio, "in_9999", "paid", 100, at(1)) | {"customer": "cus_nobody", "parent": None}
    lost = deliver(db, event("invoice.paid", stranger, at(1)))
    assert (lost.status_code, lost.outcome) == (200, "unknown studio")
    rows = {r.stripe_event_id: (r.type, r.outcome, r.studio_id) for r in db.exec(select(BillingEvent)).all()}
    assert rows == {
        other.event_id: ("customer.updated", "logged", None),
        lost.event_id: ("invoice.paid", "unknown studio", None),
    }
    assert db.exec(select(Invoice)).all() == []
