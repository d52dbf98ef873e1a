"""The demo's money side: months of earnings, members, a paid payroll, and sample files that import."""

from __future__ import annotations

import time as clock
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from studioos.models import (
    EarningRecord,
    ImportBatch,
    Member,
    MemberNote,
    MemberTotal,
    Payout,
    PayrollAdjustment,
    PayrollPeriod,
    PeriodStatus,
    PlatformAccount,
    Studio,
    row_id,
)
from studioos.services import demo, demo_earnings, demo_schedule, imports, payroll
from studioos.services.pay_periods import rule_for
from studioos.services.performers import studio_today
from studioos.services.permissions import Actor
from tests.factories import actor_for, make_studio

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"
# Per sample file: the lines the preview refuses, and the handles no model has.
EXPECTED = {
    "amberskye-chaturbate-token-history.csv": ({9, 16}, []),
    "bongacams-earnings.csv": ({7, 12}, []),
    "stripchat-earnings.csv": ({5, 8, 9, 13}, [("Stripchat", "NovaLane")]),
    "studioos-template.csv": ({7, 10}, []),
}


def _demo(db: Session) -> tuple[int, Actor]:
    started = clock.perf_counter()
    assert demo.seed(db)
    assert clock.perf_counter() - started < 10
    studio_id = row_id(db.exec(select(Studio).where(Studio.name == demo.DEMO_STUDIO)).one())
    return studio_id, imports.command_line_actor(db, studio_id)


def _previews_cleanly(db: Session, actor: Actor) -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.csv")) == sorted(EXPECTED)
    for name, (refused, unknown) in EXPECTED.items():
        seen = imports.preview(db, actor, (SAMPLES / name).read_bytes(), filename=name)
        assert seen.to_land > 0 and seen.duplicates == 0, name
        assert {e.line for e in seen.refused} == refused, (name, seen.refused)
        assert [(u.platform, u.handle) for u in seen.unknown_handles] == unknown, name
        assert seen.rows_read == seen.to_land + len(seen.refused), name


def test_the_demo_has_months_of_earnings_members_and_a_paid_payroll(db: Session) -> None:
    studio_id, actor = _demo(db)
    today = studio_today(db, studio_id)
    first, last = db.exec(
        select(func.min(EarningRecord.day), func.max(EarningRecord.day)).where(
            EarningRecord.studio_id == studio_id
        )
    ).one()
    assert first <= today - timedelta(days=140) and today - timedelta(days=2) <= last <= today
    platforms = set(db.exec(select(EarningRecord.platform).where(EarningRecord.studio_id == studio_id)))
    assert {"Chaturbate", "Stripchat", "BongaCams", "LiveJasmin"} <= platforms
    kinds = set(db.exec(select(EarningRecord.entry_type).where(EarningRecord.studio_id == studio_id)))
    assert {"tip", "private", "spy", "refund", "chargeback"} <= kinds
    sources = set(db.exec(select(EarningRecord.source).where(EarningRecord.studio_id == studio_id)))
    assert sources == {"import", "manual"} or (sources == {"import"} and today.day in (1, 16))
    assert db.exec(select(func.sum(ImportBatch.rows_refused))).one() == 0

    # Members, with totals recounted from their ledger rows.
    assert db.exec(select(func.count()).select_from(Member).where(Member.studio_id == studio_id)).one() > 20
    top = db.exec(
        select(MemberTotal).where(MemberTotal.studio_id == studio_id).order_by(col(MemberTotal.tokens).desc())
    ).first()
    assert top is not None and top.tokens > 1000 and top.tips > 10
    given = select(func.sum(EarningRecord.tokens)).where(
        EarningRecord.member_id == top.member_id, EarningRecord.performer_id == top.performer_id
    )
    assert db.exec(given).one() == top.tokens
    tagged = db.exec(select(Member.tags).where(Member.studio_id == studio_id, Member.tags != "")).all()
    assert sorted(tagged) == ["VIP", "VIP,regular", "regular"]
    assert db.get(Member, top.member_id).tags == "VIP,regular"  # type: ignore[union-attr]
    note = db.exec(select(MemberNote).where(MemberNote.studio_id == studio_id)).one()
    assert note.member_id == top.member_id and note.body == demo_earnings.TOP_MEMBER_NOTE

    # The period before the current one is paid, in COP, with its payouts frozen and adding up.
    rule = rule_for(db, studio_id)
    current = rule.containing(today)
    paid = rule.previous(current)
    periods = {
        p.starts_on: p for p in db.exec(select(PayrollPeriod).where(PayrollPeriod.studio_id == studio_id))
    }
    assert set(periods) == {paid.starts_on, current.starts_on}
    row = periods[paid.starts_on]
    fx = Decimal("4000.5")
    assert (row.status, row.payout_currency, Decimal(row.fx_rate)) == (PeriodStatus.PAID, "COP", fx)
    assert periods[current.starts_on].status == PeriodStatus.OPEN
    payouts = db.exec(select(Payout).where(Payout.period_id == row.id)).all()
    assert len(payouts) >= 8
    for p in payouts:
        assert p.model_share_cents + p.studio_share_cents == p.gross_cents > 0
        assert p.net_cents == p.model_share_cents + p.adjustments_cents
        assert Decimal(p.net_payout) == payroll.to_payout(p.net_cents, fx)
    adjustments = db.exec(select(PayrollAdjustment).where(PayrollAdjustment.period_id == row.id)).all()
    assert sorted(a.kind for a in adjustments) == ["bonus", "repayment"]
    assert sum(p.adjustments_cents for p in payouts) == sum(
        payroll.signed(a.kind, a.amount_cents) for a in adjustments
    )
    view = payroll.payroll(db, actor, paid.starts_on)
    assert view.locked and view.gross_cents == sum(p.gross_cents for p in payouts)
    assert not payroll.payroll(db, actor, today).locked

    assert demo_earnings.seed(db, studio_id, actor.user_id, today).records == 0  # only once
    _previews_cleanly(db, actor)
    mapped = imports.preview(
        db,
        actor,
        (SAMPLES / "stripchat-earnings.csv").read_bytes(),
        filename="stripchat-earnings.csv",
        mapping={imports.mapping_key("Stripchat", "NovaLane"): str(payouts[0].performer_id)},
    )
    assert mapped.unknown_handles == [] and mapped.to_land == 10


# The seed's SQL is the same on both databases, and the test above runs it on PostgreSQL.
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_any_studio_gets_the_accounts_the_samples_name_and_keeps_to_itself(db: Session) -> None:
    """demo_schedule draws each model's platforms from the studio id: a studio other than the first
    draws differently, and still gets the accounts the samples and the token histories need."""
    other, _owner = make_studio(db, "First Studio")
    studio, owner = make_studio(db, "Second Studio")
    today = studio_today(db, row_id(studio))
    demo_schedule.seed(db, row_id(studio), row_id(owner), today)
    summary = demo_earnings.seed(db, row_id(studio), row_id(owner), today)
    assert summary.records > 1000 and summary.members > 20 and summary.paid_period is not None
    accounts = {
        (a.handle_key, a.platform)
        for a in db.exec(select(PlatformAccount).where(PlatformAccount.studio_id == studio.id))
    }
    for name, platform in demo_earnings.NEEDED_ACCOUNTS:
        assert (name.lower().replace(" ", ""), platform) in accounts
    for table in (EarningRecord, Member, ImportBatch, PayrollPeriod):
        assert db.exec(select(func.count()).select_from(table).where(table.studio_id == other.id)).one() == 0  # type: ignore[attr-defined]
    _previews_cleanly(db, actor_for(db, owner, studio))
