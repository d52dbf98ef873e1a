"""Billing with Stripe: the webhook events received and the invoices they told us about.

Card data never reaches StudioOS: no table holds a card number, an expiry or a CVC (a test checks
the schema); the payment method is read from Stripe when the billing page shows it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from studioos.models.types import utc_field


class BillingEvent(SQLModel, table=True):
    """A Stripe webhook event, written in the same transaction as its effect: the unique event id
    makes a replay a no-op, and `stripe_created` orders events that arrive out of order."""

    id: int | None = Field(default=None, primary_key=True)
    stripe_event_id: str = Field(max_length=255, unique=True)
    type: str = Field(max_length=64, index=True)
    stripe_created: datetime = utc_field()
    studio_id: int | None = Field(default=None, foreign_key="studio.id", index=True, ondelete="SET NULL")
    received_at: datetime = utc_field(default_now=True)
    # applied / stale (older than the state already stored) / unknown studio / logged (a type we
    # do not act on)
    outcome: str = Field(default="applied", max_length=16)


class Invoice(SQLModel, table=True):
    """An invoice as Stripe last reported it; its hosted page and PDF stay at Stripe."""

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    stripe_invoice_id: str = Field(max_length=255, unique=True)
    number: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=16)  # draft, open, paid, uncollectible, void
    currency: str = Field(max_length=3)
    amount_due_cents: int = 0
    amount_paid_cents: int = 0
    hosted_invoice_url: str | None = Field(default=None, max_length=1000)
    invoice_pdf: str | None = Field(default=None, max_length=1000)
    period_start: datetime | None = utc_field(nullable=True)
    period_end: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field()  # Stripe's
    paid_at: datetime | None = utc_field(nullable=True)
    updated_at: datetime = utc_field(default_now=True)
