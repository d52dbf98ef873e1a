"""The tenant."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from studioos.models.types import utc_field


class Studio(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    timezone: str = Field(max_length=64, default="UTC")
    currency: str = Field(max_length=3, default="USD")
    plan: str = Field(max_length=32, default="trial")
    stripe_customer_id: str | None = Field(default=None, max_length=64)
    stripe_subscription_id: str | None = Field(default=None, max_length=64)
    subscription_status: str = Field(max_length=32, default="trialing")
    # Billing (studioos.services.billing): the trial every studio starts with, without a card; the
    # Stripe subscription's cycle and period; since when a payment is overdue (7 days' grace); and
    # the Stripe time of the subscription state stored, so an older event never overwrites it.
    trial_ends_at: datetime | None = utc_field(nullable=True)
    billing_cycle: str | None = Field(default=None, max_length=8)  # monthly / yearly
    current_period_end: datetime | None = utc_field(nullable=True)
    cancel_at_period_end: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    past_due_since: datetime | None = utc_field(nullable=True)
    subscription_changed_at: datetime | None = utc_field(nullable=True)
    # The owner asks every member to use two-factor sign-in: those without it enrol first.
    require_two_factor: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = utc_field(default_now=True)
    # Goes up in the same transaction as any change to the studio's data (studioos.services.
    # revisions): what a cache computed at one revision is current while the revision is unchanged.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The owner asked to delete the studio: nobody can open it any more, and the `studio-erasure`
    # job erases its data (keeping what is under a legal hold) and sets `erased_at`.
    deleted_at: datetime | None = utc_field(nullable=True)
    deleted_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    erased_at: datetime | None = utc_field(nullable=True)
