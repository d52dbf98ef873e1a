"""Pay periods, token values, payroll: shares to the cent, tiers, adjustments, exchange, locking."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from studioos.models import EarningRecord, Performer, PlatformAccount, RecordKind, RecordSource, Role
from studioos.services import earnings, pay_periods, payroll, platforms, rates
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.pay_periods import Period, PeriodRule
from studioos.services.payroll import Tier, model_share
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, make_studio, new_performer, performer_user

# ---------------------------------------------------------------- pay periods (pure)


@pytest.mark.parametrize(
    ("kind", "day", "first", "last"),
    [
        ("weekly", date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 8)),
        ("semi_monthly", date(2026, 2, 15), date(2026, 2, 1), date(2026, 2, 15)),
        ("semi_monthly", date(2026, 2, 16), date(2026, 2, 16), date(2026, 2, 28)),
        ("semi_monthly", date(2028, 2, 29), date(2028, 2, 16), date(2028, 2, 29)),
        ("monthly", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        ("biweekly", date(2024, 1, 14), date(2024, 1, 1), date(2024, 1, 14)),
        ("biweekly", date(2024, 1, 15), date(2024, 1, 15), date(2024, 1, 28)),
        ("biweekly", date(2023, 12, 31), date(2023, 12, 18), date(2023, 12, 31)),
    ],
)
def test_the_period_a_day_is_in(kind: str, day: date, first: date, last: date) -> None:
    period = PeriodRule(kind, date(2024, 1, 1)).containing(day)
    assert (period.starts_on, period.ends_on) == (first, last)


@given(
    st.sampled_from(["weekly", "biweekly", "semi_monthly", "monthly"]),
    st.dates(date(2001, 1, 1), date(2090, 1, 1)),
)
def test_periods_tile_the_calendar(kind: str, day: date) -> None:
    rule = PeriodRule(kind, date(2024, 1, 1))
    period = rule.containing(day)
    assert day in period
    assert rule.following(period).starts_on == period.ends_on + timedelta(days=1)
    assert rule.previous(period).ends_on == period.starts_on - timedelta(days=1)


# ---------------------------------------------------------------- shares (pure)


def test_a_flat_split() -> None:
    assert model_share(Decimal(100_000), [Tier(0, Decimal(60))]) == Decimal(60_000)


def test_marginal_tiers_at_and_around_the_boundary() -> None:
    tiers = [Tier(0, Decimal(50)), Tier(100_000, Decimal(60))]  # 50 % up to 1,000 USD, 60 % above
    assert model_share(Decimal(100_000), tiers) == Decimal(50_000)
    assert model_share(Decimal(100_001), tiers) == Decimal("50000.6")
    assert model_share(Decimal(150_000), tiers) == Decimal(80_000)
    assert model_share(Decimal(99_999), tiers) == Decimal("49999.5")
    assert payroll.split_text(tiers) == "50 % up to 1,000.00 USD, 60 % above 1,000.00 USD"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.decimals(min_value=-5_000, max_value=5_000_000, places=5, allow_nan=False), min_size=1, max_size=30
    ),
    st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=4),
)
def test_the_two_shares_add_up_to_the_gross_to_the_cent(
    values: list[Decimal], percents: list[Decimal]
) -> None:
    tiers = [Tier(i * 50_000, p) for i, p in enumerate(percents)]
    exact = sum(values, Decimal(0))
    gross = earnings.round_cents(exact)
    model = earnings.round_cents(model_share(exact, tiers))
    studio = gross - model
    assert model + studio == gross
    # Rounding happens once: never more than half a cent away from the exact share.
    assert abs(Decimal(model) - model_share(exact, tiers)) <= Decimal("0.5")


def test_exchange_is_half_up_to_the_hundredth() -> None:
    assert payroll.to_payout(12_345, Decimal("4150.5")) == Decimal(
        "512379.23"
    )  # 123.45 * 4150.5 = 512379.225
    assert payroll.to_payout(100, Decimal("0.925")) == Decimal("0.93")


# ---------------------------------------------------------------- with a studio


NOW = datetime.now(UTC)


def _studio(db: Session) -> tuple[Actor, dict[str, int]]:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    ids = {"Anna": new_performer(db, actor, "Anna"), "Bella": new_performer(db, actor, "Bella")}
    for name, platform, handle in (
        ("Anna", "Chaturbate", "anna_cb"),
        ("Anna", "LiveJasmin", "AnnaLJ"),
        ("Bella", "Stripchat", "BellaSC"),
    ):
        row = platforms.add_account(db, actor, ids[name], platform, handle)
        ids[handle] = row.id
    db.commit()
    return actor, ids


def _past_period(db: Session, actor: Actor) -> Period:
    """A whole period that is over: the one before the current one."""
    rule = pay_periods.rule_for(db, actor.studio_id or 0)
    return rule.previous(rule.containing(actor.today()))


def test_gross_share_and_net_of_a_period(db: Session) -> None:
    actor, ids = _studio(db)
    period = _past_period(db, actor)
    day = period.starts_on
    earnings.enter_day(db, actor, ids["anna_cb"], day, "1001", "", "300")  # 50.05 USD at 0.05
    earnings.enter_day(db, actor, ids["AnnaLJ"], day, "", "120.10", "")
    earnings.enter_day(db, actor, ids["BellaSC"], day + timedelta(days=1), "333", "", "")  # 16.65
    payroll.add_adjustment(db, actor, day, ids["Anna"], "bonus", "10", "Best month")
    payroll.add_adjustment(db, actor, day, ids["Anna"], "deduction", "2.50", "Late twice")
    db.commit()
    view = payroll.payroll(db, actor, day)
    anna = next(line for line in view.lines if line.stage_name == "Anna")
    assert anna.gross_cents == 5005 + 12010
    assert anna.model_share_cents == 10209  # 60 % of 170.15 = 102.09
    assert anna.studio_share_cents == 17015 - 10209
    assert anna.adjustments_cents == 1000 - 250
    assert anna.net_cents == 10209 + 750
    bella = next(line for line in view.lines if line.stage_name == "Bella")
    assert (bella.gross_cents, bella.model_share_cents, bella.studio_share_cents) == (1665, 999, 666)
    assert {p.platform: p.gross_cents for p in anna.platforms} == {"Chaturbate": 5005, "LiveJasmin": 12010}
    assert {p.platform: p.rate for p in anna.platforms} == {"Chaturbate": "0.05", "LiveJasmin": ""}


def test_tiers_replace_the_flat_split(db: Session) -> None:
    actor, ids = _studio(db)
    period = _past_period(db, actor)
    earnings.enter_day(db, actor, ids["AnnaLJ"], period.starts_on, "", "1500", "")
    payroll.set_tiers(db, actor, None, [("0", "50"), ("1000", "60")])
    db.commit()
    anna = payroll.payroll(db, actor, period.starts_on).lines[0]
    assert anna.model_share_cents == 50_000 + 30_000
    with pytest.raises(ValidationFailed) as refused:
        payroll.set_tiers(db, actor, None, [("0", "50"), ("0", "60")])
    assert "tiers" in refused.value.errors


def test_lock_freezes_every_number_and_refuses_changes(db: Session) -> None:
    actor, ids = _studio(db)
    period = _past_period(db, actor)
    day = period.starts_on
    earnings.enter_day(db, actor, ids["anna_cb"], day, "2000", "", "")
    payroll.set_exchange(db, actor, day, "COP", "4000.5")
    db.commit()
    locked = payroll.lock(db, actor, day)
    db.commit()
    anna = locked.lines[0]
    assert locked.status == "locked" and anna.net_cents == 6000
    assert anna.net_payout == Decimal("240030.00") and locked.payout_currency == "COP"
    # A new token value, from after the period, changes nothing frozen, and one inside is refused.
    rates.set_rate(db, actor, "Chaturbate", period.ends_on + timedelta(days=1), "0.08")
    with pytest.raises(ValidationFailed) as refused:
        rates.set_rate(db, actor, "Chaturbate", day, "0.08")
    assert "effective_from" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        earnings.enter_day(db, actor, ids["BellaSC"], day, "10", "", "")
    assert "locked" in refused.value.errors["day"]
    with pytest.raises(ValidationFailed):
        payroll.add_adjustment(db, actor, day, ids["Anna"], "bonus", "5", "x")
    with pytest.raises(ValidationFailed):
        payroll.set_exchange(db, actor, day, "COP", "5000")
    db.rollback()
    again = payroll.payroll(db, actor, day)
    assert again.lines[0].net_payout == Decimal("240030.00") and again.fx_rate == Decimal("4000.5")
    paid = payroll.mark_paid(db, actor, day)
    assert paid.status == "paid"
    with pytest.raises(ValidationFailed):
        payroll.mark_paid(db, actor, day)


def test_the_current_period_cannot_be_locked_before_it_ends(db: Session) -> None:
    actor, _ids = _studio(db)
    with pytest.raises(ValidationFailed) as refused:
        payroll.lock(db, actor, actor.today())
    assert "lock it once it is over" in refused.value.errors["period"]


def test_running_totals_store_the_difference(db: Session) -> None:
    actor, ids = _studio(db)
    period = _past_period(db, actor)
    first, second = period.starts_on, period.starts_on + timedelta(days=1)
    earnings.enter_running_total(db, actor, ids["anna_cb"], first, "500", "", "")
    row = earnings.enter_running_total(db, actor, ids["anna_cb"], second, "800", "", "")
    assert row.tokens == 300
    with pytest.raises(ValidationFailed) as refused:
        earnings.enter_running_total(db, actor, ids["anna_cb"], second, "700", "", "")
    assert "lower than the last one" in refused.value.errors["tokens"]
    with pytest.raises(ValidationFailed) as refused:
        earnings.enter_running_total(db, actor, ids["anna_cb"], second, "700", "", "", correction=True)
    assert "reason" in refused.value.errors
    fixed = earnings.enter_running_total(
        db, actor, ids["anna_cb"], second, "700", "", "", correction=True, reason="Chargeback of 100"
    )
    assert fixed.tokens == -100 and fixed.correction_reason == "Chargeback of 100"
    db.commit()
    total = earnings.summary(db, actor, period.starts_on, period.ends_on)
    assert total.tokens == 700


def test_a_day_figure_once_per_account_and_day(db: Session) -> None:
    actor, ids = _studio(db)
    day = actor.today() - timedelta(days=1)
    earnings.enter_day(db, actor, ids["anna_cb"], day, "10", "", "")
    with pytest.raises(ValidationFailed) as refused:
        earnings.enter_day(db, actor, ids["anna_cb"], day, "20", "", "")
    assert "already has a figure" in refused.value.errors["day"]
    with pytest.raises(ValidationFailed) as refused:
        earnings.enter_day(db, actor, ids["AnnaLJ"], day, "20", "", "")
    assert "pays in USD" in refused.value.errors["tokens"]
    with pytest.raises(ValidationFailed) as refused:
        earnings.enter_day(db, actor, ids["anna_cb"], actor.today() + timedelta(days=1), "20", "", "")
    assert "has not happened yet" in refused.value.errors["day"]
    with pytest.raises(ValidationFailed) as refused:
        earnings.enter_day(db, actor, ids["BellaSC"], day, "12.5", "", "")
    assert "tokens" in refused.value.errors


def test_ledger_entries_replace_that_days_daily_figure(db: Session) -> None:
    actor, ids = _studio(db)
    day = actor.today() - timedelta(days=2)
    earnings.enter_day(db, actor, ids["anna_cb"], day, "900", "", "240")
    account = db.get(PlatformAccount, ids["anna_cb"])
    assert account is not None
    for i, tokens in enumerate((100, 250, -50)):
        db.add(
            EarningRecord(
                studio_id=account.studio_id,
                performer_id=account.performer_id,
                account_id=ids["anna_cb"],
                platform="Chaturbate",
                kind=RecordKind.LEDGER,
                day=day,
                tokens=tokens,
                source=RecordSource.IMPORT,
                natural_key=f"k{i}",
                occurred_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
            )
        )
    db.commit()
    total = earnings.summary(db, actor, day, day)
    assert (total.tokens, total.gross_cents, total.online_minutes) == (300, 1500, 240)
    listed = earnings.list_records(db, actor, first=day, last=day)
    assert sorted(r.counted for r in listed.rows) == [False, True, True, True]


# ---------------------------------------------------------------- who may see what


def test_roles_and_studios(db: Session) -> None:
    actor, ids = _studio(db)
    period = _past_period(db, actor)
    earnings.enter_day(db, actor, ids["anna_cb"], period.starts_on, "1000", "", "")
    earnings.enter_day(db, actor, ids["BellaSC"], period.starts_on, "1000", "", "")
    payroll.add_adjustment(db, actor, period.starts_on, ids["Anna"], "advance", "20", "Rent advance")
    db.commit()
    studio_id = actor.studio_id or 0
    from studioos.models import Studio

    studio = db.get(Studio, studio_id)
    assert studio is not None
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    view = payroll.payroll(db, analyst, period.starts_on)
    assert {line.stage_name for line in view.lines} == {"Anna", "Bella"}
    assert all(a.note == "" for line in view.lines for a in line.adjustments)  # no adjustment notes
    with pytest.raises(PermissionDenied):
        payroll.add_adjustment(db, analyst, period.starts_on, ids["Anna"], "bonus", "5", "x")
    with pytest.raises(PermissionDenied):
        earnings.enter_day(db, analyst, ids["anna_cb"], period.starts_on + timedelta(days=1), "1", "", "")

    anna = performer_user(db, studio, ids["Anna"])
    mine = payroll.payroll(db, anna, period.starts_on)
    assert [line.stage_name for line in mine.lines] == ["Anna"]
    assert (
        payroll.statement(db, anna, period.starts_on, ids["Anna"]).line.adjustments[0].note == "Rent advance"
    )
    with pytest.raises(NotFound):
        payroll.statement(db, anna, period.starts_on, ids["Bella"])
    assert {
        r.stage_name
        for r in earnings.list_records(db, anna, first=period.starts_on, last=period.ends_on).rows
    } == {"Anna"}

    other_studio, other_owner = make_studio(db, "Studio B")
    other = actor_for(db, other_owner, other_studio)
    assert payroll.payroll(db, other, period.starts_on).lines == []
    with pytest.raises(NotFound):
        payroll.statement(db, other, period.starts_on, ids["Anna"])
    with pytest.raises(NotFound):
        earnings.enter_day(db, other, ids["anna_cb"], period.starts_on, "1", "", "")
    with pytest.raises(ValidationFailed):
        payroll.add_adjustment(db, other, period.starts_on, ids["Anna"], "bonus", "5", "x")
    assert earnings.list_records(db, other, first=period.starts_on, last=period.ends_on).total == 0
    # And the other studio's performer row is untouched.
    assert db.exec(select(Performer).where(Performer.studio_id == other_studio.id)).all() == []


def test_the_dashboard_shows_this_periods_gross_to_those_who_read_earnings(db: Session) -> None:
    from studioos.models import Studio
    from studioos.services import dashboard

    actor, ids = _studio(db)
    studio = db.get(Studio, actor.studio_id)
    assert studio is not None
    assert dashboard.money(db, actor) is not None and dashboard.money(db, actor).gross_cents == 0  # type: ignore[union-attr]
    earnings.enter_day(db, actor, ids["anna_cb"], actor.today(), "200", "", "")
    db.commit()
    # The cached figure follows the new record (the studio's revision went up with it).
    seen = dashboard.money(db, actor)
    assert (
        seen is not None and seen.gross_cents == 1000 and [m.stage_name for m in seen.top_models] == ["Anna"]
    )
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    assert dashboard.money(db, analyst).gross_cents == 1000  # type: ignore[union-attr]
    assert dashboard.money(db, performer_user(db, studio, ids["Anna"])) is None
    other_studio, other_owner = make_studio(db, "Studio B")
    other = dashboard.money(db, actor_for(db, other_owner, other_studio))
    assert other is not None and other.gross_cents == 0 and other.top_models == ()


def test_a_figure_with_tokens_and_money_counts_the_money_once(db: Session) -> None:
    actor, ids = _studio(db)
    day = actor.today() - timedelta(days=1)
    # A report that gives both the tokens and the income for them: the income is the worth.
    earnings.enter_day(db, actor, ids["BellaSC"], day, "100", "7.00", "")
    earnings.enter_day(db, actor, ids["anna_cb"], day, "100", "", "")
    db.commit()
    total = earnings.summary(db, actor, day, day)
    assert total.gross_cents == 700 + 500 and total.tokens == 200
    assert {r.value_cents for r in earnings.list_records(db, actor, first=day, last=day).rows} == {700, 500}
