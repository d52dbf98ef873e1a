"""Billing rules: the trial, what each subscription status lets a studio do (with the clock moved),
the plans' model limits, support's view and trial extension, the daily trial reminder, and the
promise that no table can hold card data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlmodel import Session, SQLModel, select

import studioos.models  # noqa: F401  (every table in the metadata)
from studioos.models import AuditLog, Invoice, Performer, Role, Studio
from studioos.services import billing, performers, support
from studioos.services.billing import BillingState
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.performers import ProfileInput
from studioos.services.permissions import Actor
from studioos.settings import get_settings, reset_settings_cache
from tests.factories import actor_for, add_member, add_support_user, make_studio, new_performer
from tests.foundation_helpers import body_of, mails_to

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
PRICES = (
    "starter_monthly=price_starter_m,starter_yearly=price_starter_y,"
    "studio_monthly=price_studio_m,studio_yearly=price_studio_y,agency_monthly=price_agency_m"
)


@pytest.fixture(autouse=True)
def _prices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOOS_STRIPE_PRICES", PRICES)
    reset_settings_cache()


def _studio(db: Session, name: str = "Studio A") -> tuple[Studio, Actor]:
    studio, owner = make_studio(db, name)
    return studio, actor_for(db, owner, studio)


def _trial_ending(db: Session, studio: Studio, end: datetime) -> None:
    studio.trial_ends_at = end
    db.add(studio)
    db.commit()


def _subscribed(
    db: Session,
    studio: Studio,
    status: str = "active",
    plan: str = "starter",
    *,
    past_due_since: datetime | None = None,
    changed_at: datetime = T0,
) -> None:
    """The studio as the webhooks leave it once Stripe has told us about its subscription."""
    studio.stripe_customer_id = f"cus_{studio.id}"
    studio.stripe_subscription_id = f"sub_{studio.id}"
    studio.subscription_status = status
    studio.plan, studio.billing_cycle = plan, "monthly"
    studio.current_period_end = T0 + 30 * DAY
    studio.past_due_since = past_due_since
    studio.subscription_changed_at = changed_at
    db.add(studio)
    db.commit()


def _state(db: Session, studio: Studio, now: datetime, *, owner: bool = True) -> BillingState:
    db.expire_all()
    return billing.billing_state(db, studio.id or 0, now, owner=owner)


# --- the trial ---------------------------------------------------------------------------------


def test_sign_up_starts_a_14_day_trial_without_a_card(db: Session) -> None:
    before = datetime.now(UTC)
    studio, owner = _studio(db)
    assert studio.plan == "trial" and studio.subscription_status == "trialing"
    assert studio.stripe_customer_id is None and studio.stripe_subscription_id is None
    assert studio.trial_ends_at is not None
    assert before + 14 * DAY <= studio.trial_ends_at <= datetime.now(UTC) + 14 * DAY

    state = billing.state_for(db, owner, before)
    assert (state.status, state.plan, state.plan_name) == ("trialing", "trial", "Trial")
    assert state.trial_days_left == 14 and not state.read_only
    assert state.banner == "Your trial ends in 14 days." and state.banner_level == "info"
    # The trial tries the Studio plan, and nothing has been bought.
    assert state.model_limit == billing.PLANS["studio"].model_limit
    assert not state.has_subscription
    manager = actor_for(db, add_member(db, studio, Role.MANAGER), studio)
    assert billing.state_for(db, manager, before).banner == "The studio's trial ends in 14 days."


def test_the_trial_counts_down_then_the_studio_becomes_read_only(db: Session) -> None:
    studio, _ = _studio(db)
    end = T0 + 14 * DAY
    _trial_ending(db, studio, end)

    three = _state(db, studio, end - 3 * DAY + timedelta(hours=1))
    assert three.trial_days_left == 3 and three.banner_level == "warning" and not three.read_only
    assert three.banner == "Your trial ends in 3 days: choose a plan under Billing to keep working."
    last = _state(db, studio, end - timedelta(hours=2))
    assert last.trial_days_left == 1
    assert last.banner == "Your trial ends within a day: choose a plan under Billing to keep working."
    assert not billing.is_read_only(db, studio.id or 0, end - timedelta(seconds=1))

    over = _state(db, studio, end)
    assert (over.status, over.status_label, over.read_only) == ("trial_expired", "Trial ended", True)
    assert over.trial_days_left is None and over.banner_level == "danger"
    assert over.banner == (
        "Your trial has ended: the studio is read-only. Choose a plan under Billing to continue."
    )
    assert _state(db, studio, end, owner=False).banner == (
        "The studio's trial has ended: it is read-only until its owner chooses a plan."
    )
    assert billing.is_read_only(db, studio.id or 0, end + 40 * DAY)


def test_a_studio_made_before_billing_counts_its_trial_from_its_creation(db: Session) -> None:
    studio, _ = _studio(db)
    studio.trial_ends_at = None
    studio.created_at = T0
    db.add(studio)
    db.commit()
    assert _state(db, studio, T0 + 13 * DAY).status == "trialing"
    assert _state(db, studio, T0 + 14 * DAY).status == "trial_expired"


# --- the statuses a subscription can be in -------------------------------------------------------


def test_an_active_subscription_works_and_warns_when_it_is_set_to_end(db: Session) -> None:
    studio, _ = _studio(db)
    _subscribed(db, studio, "active", "studio")
    # The trial date no longer matters once the studio pays.
    _trial_ending(db, studio, T0 - 60 * DAY)
    state = _state(db, studio, T0 + DAY)
    assert (state.status, state.plan_name, state.read_only, state.banner) == ("active", "Studio", False, "")
    assert state.has_subscription and state.billing_cycle == "monthly" and state.model_limit == 25

    studio.cancel_at_period_end = True
    db.add(studio)
    db.commit()
    ending = _state(db, studio, T0 + DAY)
    assert not ending.read_only and ending.cancel_at_period_end
    assert ending.banner == "The subscription ends on 31 Dec: renew it under Billing to keep working."


def test_past_due_gives_seven_days_of_grace_then_read_only(db: Session) -> None:
    studio, owner = _studio(db)
    failed = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    _subscribed(db, studio, "past_due", past_due_since=failed, changed_at=failed)

    inside = _state(db, studio, failed + 7 * DAY - timedelta(minutes=1))
    assert inside.status == "past_due" and inside.status_label == "Payment overdue"
    assert not inside.read_only and inside.banner_level == "warning"
    assert inside.grace_ends_at == failed + 7 * DAY
    assert inside.banner == (
        "A payment failed on 3 Dec: update your card under Billing by 10 Dec, "
        "or the studio becomes read-only."
    )
    assert _state(db, studio, failed + DAY, owner=False).banner == (
        "A payment failed on 3 Dec: the studio becomes read-only on 10 Dec unless its owner updates the card."
    )

    after = _state(db, studio, failed + 7 * DAY)
    assert after.read_only and after.banner_level == "danger"
    assert after.banner == (
        "A payment failed on 3 Dec and was not made up: the studio is read-only. "
        "Update your card under Billing."
    )
    with pytest.raises(billing.StudioReadOnly) as refused:
        billing.require_writable(db, owner, failed + 8 * DAY)
    assert refused.value.message == after.banner
    billing.require_writable(db, owner, failed + DAY)  # within the grace nothing is refused


def test_past_due_before_the_invoice_event_counts_from_the_status_change(db: Session) -> None:
    studio, _ = _studio(db)
    _subscribed(db, studio, "past_due", past_due_since=None, changed_at=T0)
    assert not _state(db, studio, T0 + 6 * DAY).read_only
    assert _state(db, studio, T0 + 7 * DAY).read_only


@pytest.mark.parametrize(
    ("stripe_status", "status", "owner_banner", "team_banner"),
    [
        (
            "canceled",
            "canceled",
            "The subscription is canceled: the studio is read-only. Choose a plan under Billing to continue.",
            "The subscription is canceled: the studio is read-only until its owner chooses a plan.",
        ),
        (
            "incomplete_expired",
            "canceled",
            "The subscription is canceled: the studio is read-only. Choose a plan under Billing to continue.",
            "The subscription is canceled: the studio is read-only until its owner chooses a plan.",
        ),
        (
            "unpaid",
            "unpaid",
            "Payments failed and the subscription is unpaid: the studio is read-only. "
            "Update your card under Billing.",
            "Payments failed: the studio is read-only until its owner updates the card.",
        ),
        (
            "paused",
            "unpaid",
            "Payments failed and the subscription is unpaid: the studio is read-only. "
            "Update your card under Billing.",
            "Payments failed: the studio is read-only until its owner updates the card.",
        ),
    ],
)
def test_canceled_and_unpaid_studios_are_read_only_with_a_clear_banner(
    db: Session, stripe_status: str, status: str, owner_banner: str, team_banner: str
) -> None:
    studio, _ = _studio(db)
    _subscribed(db, studio, stripe_status)
    state = _state(db, studio, T0 + DAY)
    assert (state.status, state.read_only, state.banner, state.banner_level) == (
        status,
        True,
        owner_banner,
        "danger",
    )
    assert not state.has_subscription or stripe_status in ("unpaid", "paused")
    assert _state(db, studio, T0 + DAY, owner=False).banner == team_banner


def test_an_incomplete_first_payment_keeps_the_trial_until_it_ends(db: Session) -> None:
    studio, _ = _studio(db)
    _subscribed(db, studio, "incomplete")
    _trial_ending(db, studio, T0 + 5 * DAY)
    during = _state(db, studio, T0 + DAY)
    assert during.status == "incomplete" and not during.read_only
    assert during.banner == "The first payment is not complete: finish it under Billing."
    assert _state(db, studio, T0 + 5 * DAY).read_only


# --- plan limits -------------------------------------------------------------------------------


def test_the_sixth_active_model_on_starter_is_refused_with_an_upgrade_link(db: Session) -> None:
    studio, owner = _studio(db)
    _subscribed(db, studio, "active", "starter")
    for name in ("Anna", "Bella", "Carla", "Dora", "Emma"):
        new_performer(db, owner, name)
    with pytest.raises(ValidationFailed) as refused:
        new_performer(db, owner, "Fiona")
    assert refused.value.errors == {
        "status": "The Starter plan allows 5 active models and the studio has 5. Upgrade under Billing "
        "(/billing) to add more, or save her as an applicant or paused."
    }
    db.rollback()
    # Applicants and paused models do not count: they may be added, and one leaving makes room.
    waiting = new_performer(db, owner, "Fiona", status="applicant")
    paused = new_performer(db, owner, "Gina", status="paused")
    with pytest.raises(ValidationFailed):
        performers.update_profile(db, owner, waiting, ProfileInput(stage_name="Fiona", status="active"))
    db.rollback()
    anna = db.exec(select(Performer).where(Performer.stage_name == "Anna")).one()
    performers.update_profile(db, owner, anna.id or 0, ProfileInput(stage_name="Anna", status="left"))
    performers.update_profile(db, owner, paused, ProfileInput(stage_name="Gina", status="active"))
    db.commit()
    # Editing an active model who already counts is never refused.
    performers.update_profile(db, owner, paused, ProfileInput(stage_name="Gina B", status="active"))
    assert billing.billing_state(db, studio.id or 0, T0).active_models == 5


def test_agency_has_no_model_limit_and_other_studios_do_not_count(db: Session) -> None:
    studio, owner = _studio(db)
    _subscribed(db, studio, "active", "agency")
    other, other_owner = _studio(db, "Studio B")
    _subscribed(db, other, "active", "starter")
    for i in range(6):
        new_performer(db, owner, f"Model {i}")
    state = billing.billing_state(db, studio.id or 0, T0)
    assert state.model_limit is None and state.active_models == 6
    # Studio B's five slots are its own: A's six models are not in its count.
    for i in range(5):
        new_performer(db, other_owner, f"B Model {i}")
    assert billing.billing_state(db, other.id or 0, T0).active_models == 5


# --- prices from the environment ---------------------------------------------------------------


def test_prices_come_from_the_environment_and_a_typo_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert billing.price_id("studio", "yearly") == "price_studio_y"
    assert billing.plan_for_price("price_starter_m") == ("starter", "monthly")
    assert billing.plan_for_price("price_unknown") is None
    with pytest.raises(ValidationFailed) as unpriced:
        billing.price_id("agency", "yearly")
    assert "cannot be bought yearly" in unpriced.value.errors["plan"]
    options = {p.code: p for p in billing.plan_options()}
    assert options["agency"].monthly_available and not options["agency"].yearly_available
    assert options["starter"].limit_text == "Up to 5 active models"
    assert options["agency"].limit_text == "No limit on models"

    for bad in (
        "starter_monthly",
        "starter_weekly=price_1",
        "starter_monthly=price 1",
        "a_monthly=x,a_monthly=y",
    ):
        monkeypatch.setenv("STUDIOOS_STRIPE_PRICES", bad)
        reset_settings_cache()
        with pytest.raises(RuntimeError, match="STUDIOOS_STRIPE_PRICES"):
            get_settings()
    monkeypatch.setenv("STUDIOOS_STRIPE_PRICES", "gold_monthly=price_1")
    reset_settings_cache()
    with pytest.raises(RuntimeError, match="gold_monthly"):
        billing.price_ids()


# --- the owner's page (what needs no Stripe) ---------------------------------------------------


def test_only_the_owner_sees_the_billing_page(db: Session) -> None:
    studio, owner = _studio(db)
    db.add(
        Invoice(
            studio_id=studio.id or 0,
            stripe_invoice_id="in_1",
            number="A-0001",
            status="paid",
            currency="usd",
            amount_due_cents=2900,
            amount_paid_cents=2900,
            hosted_invoice_url="https://invoice.stripe.com/i/1",
            invoice_pdf="https://pay.stripe.com/invoice/1/pdf",
            created_at=T0,
        )
    )
    db.commit()
    page = billing.overview(db, owner, T0)
    assert page.state.status == "trialing" and not page.has_customer
    assert page.payment_method_text == "" and page.stripe_error == "" and page.next_invoice_at is None
    [inv] = page.invoices
    assert (inv.number, inv.status_label, inv.amount_text) == ("A-0001", "Paid", "29,00\xa0US$")
    assert inv.hosted_invoice_url.startswith("https://invoice.stripe.com/")
    for role in (Role.MANAGER, Role.ANALYST, Role.PERFORMER):
        with pytest.raises(PermissionDenied):
            billing.overview(db, actor_for(db, add_member(db, studio, role), studio), T0)


# --- support -------------------------------------------------------------------------------------


def _billing_request(db: Session, owner: Actor, category: str = "billing") -> int:
    row = support.open_request(db, owner, "My card", category, "Please help with billing.", now=T0)
    db.commit()
    return row.id


def test_support_sees_plan_status_and_invoices_only_while_handling_a_billing_request(db: Session) -> None:
    studio, owner = _studio(db)
    _subscribed(db, studio, "past_due", past_due_since=T0)
    agent = actor_for(db, add_support_user(db))
    with pytest.raises(NotFound):  # no billing request from this studio
        billing.support_view(db, agent, studio.id or 0, T0)
    _billing_request(db, owner, "account")
    with pytest.raises(NotFound):  # a request of another kind does not open its billing
        billing.support_view(db, agent, studio.id or 0, T0)
    request_id = _billing_request(db, owner)
    with pytest.raises(PermissionDenied):
        billing.support_view(db, owner, studio.id or 0, T0)

    view = billing.support_view(db, agent, studio.id or 0, T0 + DAY)
    db.commit()
    assert (view.studio_name, view.state.status, view.state.plan_name) == ("Studio A", "past_due", "Starter")
    assert view.invoices == []
    # Never the payment method: the view has no field for it.
    assert not [f for f in vars(view) if "payment" in f or "card" in f]
    looked = db.exec(select(AuditLog).where(AuditLog.action == "billing.support_viewed")).all()
    assert [(a.studio_id, a.actor_user_id) for a in looked] == [(studio.id, agent.user_id)]

    support.set_status(db, agent, request_id, "closed")
    db.commit()
    with pytest.raises(NotFound):
        billing.support_view(db, agent, studio.id or 0, T0)


def test_support_extends_a_trial_and_it_is_audited(db: Session) -> None:
    studio, owner = _studio(db)
    end = T0 + 14 * DAY
    _trial_ending(db, studio, end)
    agent = actor_for(db, add_support_user(db))
    _billing_request(db, owner)
    for days in (0, 31, -3):
        with pytest.raises(ValidationFailed) as bad:
            billing.extend_trial(db, agent, studio.id or 0, days, T0)
        assert bad.value.errors == {"days": "Give a number of days from 1 to 30."}
    for not_support in (owner, actor_for(db, add_member(db, studio, Role.MANAGER), studio)):
        with pytest.raises(PermissionDenied):
            billing.extend_trial(db, not_support, studio.id or 0, 7, T0)
    other, _ = _studio(db, "Studio B")
    with pytest.raises(NotFound):  # no billing request from Studio B
        billing.extend_trial(db, agent, other.id or 0, 7, T0)

    state = billing.extend_trial(db, agent, studio.id or 0, 10, T0)
    db.commit()
    assert state.trial_ends_at == end + 10 * DAY and state.trial_days_left == 24
    [row] = db.exec(select(AuditLog).where(AuditLog.action == "billing.trial_extended")).all()
    assert (row.studio_id, row.actor_user_id) == (studio.id, agent.user_id)
    assert row.detail == "10 days, until 2026-12-25 09:00 UTC"

    # An ended trial is extended from now: the studio works again.
    assert _state(db, studio, end + 20 * DAY).read_only
    billing.extend_trial(db, agent, studio.id or 0, 5, end + 20 * DAY)
    db.commit()
    assert not _state(db, studio, end + 24 * DAY).read_only

    # A studio that pays has no trial to extend.
    _subscribed(db, studio, "active")
    with pytest.raises(ValidationFailed) as paying:
        billing.extend_trial(db, agent, studio.id or 0, 5, T0)
    assert paying.value.errors == {
        "days": "This studio's subscription is active: there is no trial to extend."
    }


# --- the trial-reminders job -------------------------------------------------------------------


def test_trial_reminders_go_once_per_trial_end(db: Session) -> None:
    soon, soon_owner = _studio(db, "Soon")
    later, later_owner = _studio(db, "Later")
    paying, paying_owner = _studio(db, "Paying")
    _trial_ending(db, soon, T0 + 2 * DAY)
    _trial_ending(db, later, T0 + 5 * DAY)
    _trial_ending(db, paying, T0 + 2 * DAY)
    _subscribed(db, paying, "trialing")

    assert billing.send_trial_reminders(db, T0) == 1
    db.commit()
    assert billing.send_trial_reminders(db, T0 + timedelta(hours=20)) == 0  # the next day's run
    db.commit()
    [mail] = mails_to(soon_owner.email)
    assert mail["Subject"] == "Your StudioOS trial ends in 2 days"
    assert "Choose a plan under Billing" in body_of(mail) and "http://testserver/billing" in body_of(mail)
    assert mails_to(later_owner.email) == [] and mails_to(paying_owner.email) == []
    marker = db.exec(select(AuditLog).where(AuditLog.action == billing.REMINDER_AUDIT)).one()
    assert marker.studio_id == soon.id
    assert billing.send_trial_reminders(db, T0 + 3 * DAY) == 1  # Later's turn
    db.commit()
    assert [m["Subject"] for m in mails_to(later_owner.email)] == ["Your StudioOS trial ends in 2 days"]

    # Support extended Soon's trial: the new end is reminded again when it comes near.
    _trial_ending(db, soon, T0 + 9 * DAY)
    assert billing.send_trial_reminders(db, T0 + 7 * DAY) == 1
    assert billing.send_trial_reminders(db, T0 + 8 * DAY) == 0
    db.commit()
    assert len(mails_to(soon_owner.email)) == 2
    assert len(mails_to(paying_owner.email)) == 0  # Stripe reminds a subscription's trial itself


# --- no card data, anywhere --------------------------------------------------------------------

_CARD_WORDS = {"card", "pan", "cvc", "cvv", "cvc2", "cvv2", "ccv", "last4", "cardholder"}
_CARD_PARTS = (
    "card_number",
    "cardnumber",
    "exp_month",
    "exp_year",
    "expiry_month",
    "expiry_year",
    "last_four",
)


def _card_like(metadata: MetaData) -> list[str]:
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            name = column.name.lower()
            if set(name.split("_")) & _CARD_WORDS or any(part in name for part in _CARD_PARTS):
                found.append(f"{table.name}.{column.name}")
    return found


def test_no_table_has_a_column_for_card_data() -> None:
    assert _card_like(SQLModel.metadata) == []
    # The check would see one.
    probe = MetaData()
    Table(
        "studio",
        probe,
        Column("id", Integer, primary_key=True),
        Column("card_number", String),
        Column("exp_month", Integer),
        Column("pm_last4", String),
        Column("cvc", String),
        Column("doc_expiry", String),
    )
    assert _card_like(probe) == ["studio.card_number", "studio.exp_month", "studio.pm_last4", "studio.cvc"]
