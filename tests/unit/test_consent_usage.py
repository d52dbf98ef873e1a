"""Cookie consent and usage events: nothing is recorded without a yes, a withdrawal stops it, and
old events are deleted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from studioos.jobs.runner import JOBS
from studioos.models import ConsentRecord, UsageEvent, utcnow
from studioos.services import consent, policy, usage
from studioos.services.errors import ValidationFailed
from studioos.settings import reset_settings_cache
from tests.factories import CLIENT, actor_for, make_studio

BROWSER = replace(CLIENT, browser="b" * 64)
OTHER_BROWSER = replace(CLIENT, browser="c" * 64)


def _events(db: Session) -> list[UsageEvent]:
    return list(db.exec(select(UsageEvent).order_by(col(UsageEvent.id))).all())


def test_no_usage_event_without_a_choice_or_with_essential_only(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    assert usage.record(db, BROWSER, actor, "page_view", "/dashboard") is False
    consent.choose(db, BROWSER, analytics=False, user_id=owner.id)
    assert usage.record(db, BROWSER, actor, "page_view", "/dashboard") is False
    assert _events(db) == []


def test_consent_given_then_withdrawn(db: Session) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    consent.choose(db, BROWSER, analytics=True, user_id=owner.id)
    assert usage.record(db, BROWSER, actor, "page_view", "/schedule") is True
    # Another browser of the same person has not said yes: consent belongs to the browser.
    assert usage.record(db, OTHER_BROWSER, actor, "page_view", "/schedule") is False
    consent.choose(db, BROWSER, analytics=False, user_id=owner.id)
    assert usage.record(db, BROWSER, actor, "page_view", "/earnings") is False
    events = _events(db)
    assert [(e.name, e.path, e.user_id, e.studio_id) for e in events] == [
        ("page_view", "/schedule", owner.id, studio.id)
    ]


def test_every_choice_is_kept_with_the_policy_version_and_the_newest_is_in_force(db: Session) -> None:
    consent.choose(db, BROWSER, analytics=True)
    consent.choose(db, BROWSER, analytics=False)
    records = db.exec(select(ConsentRecord).where(ConsentRecord.browser == BROWSER.browser)).all()
    assert [r.analytics for r in records] == [True, False]
    assert {r.policy_version for r in records} == {policy.current(db).label}
    assert all(r.created_at is not None and r.ip == BROWSER.ip for r in records)
    found = consent.current(db, BROWSER.browser)
    assert found is not None and found.analytics is False
    assert consent.analytics_allowed(db, BROWSER.browser) is False


def test_a_browser_without_its_cookie_cannot_consent(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        consent.choose(db, replace(CLIENT, browser=""), analytics=True)
    assert consent.analytics_allowed(db, "") is False
    assert db.exec(select(ConsentRecord)).all() == []


def test_usage_events_past_the_retention_period_are_deleted(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    consent.choose(db, BROWSER, analytics=True)
    usage.record(db, BROWSER, None, "page_view", "/old")
    usage.record(db, BROWSER, None, "page_view", "/new")
    old, new = _events(db)
    now = utcnow()
    old.created_at = now - timedelta(days=91)
    new.created_at = now - timedelta(days=89)
    db.add_all([old, new])
    db.commit()
    assert JOBS["usage-retention"](db, now) == 1
    assert [e.path for e in _events(db)] == ["/new"]
    # The period is a setting.
    monkeypatch.setenv("STUDIOOS_USAGE_RETENTION_DAYS", "30")
    reset_settings_cache()
    assert JOBS["usage-retention"](db, now) == 1
    assert _events(db) == []
