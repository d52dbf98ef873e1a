"""Cookie consent and usage events: nothing is recorded without a yes, a withdrawal stops it, and
old events are deleted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import Session, col, select

from studioos.jobs.runner import JOBS
from studioos.models import ConsentRecord, UsageEvent, utcnow
from studioos.services import auth, consent, policy, usage
from studioos.services.errors import ValidationFailed
from studioos.settings import reset_settings_cache
from studioos.ui import backend
from tests.factories import CLIENT, actor_for, make_studio, sign_in

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


def test_a_feature_use_is_counted_only_with_the_browsers_yes(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio, owner = make_studio(db)
    token = sign_in(db, owner)
    browser = auth.Client(ip="203.0.113.9", user_agent="test", browser=auth.browser_hash("raw-browser-id"))
    monkeypatch.setattr(
        backend,
        "socket_cookies",
        lambda _router: {auth.BROWSER_COOKIE: "raw-browser-id", auth.SESSION_COOKIE: token},
    )

    def router(cookie: str) -> SimpleNamespace:
        return SimpleNamespace(
            session=SimpleNamespace(client_ip="203.0.113.9", session_id="s", client_token=""),
            headers=SimpleNamespace(user_agent="test", cookie=cookie),
            url=SimpleNamespace(path="/support"),
        )

    yes = router("studioos_consent=analytics; other=1")
    backend.feature_used(yes, "support_request")  # no record in the database yet: nothing
    consent.choose(db, browser, analytics=True, user_id=owner.id)
    db.commit()
    backend.feature_used(router("studioos_consent=essential"), "support_request")  # the cookie says no
    backend.feature_used(yes, "support_request")
    db.expire_all()
    assert [(e.name, e.path, e.user_id, e.studio_id) for e in _events(db)] == [
        ("feature:support_request", "/support", owner.id, studio.id)
    ]
    consent.choose(db, browser, analytics=False, user_id=owner.id)
    db.commit()
    backend.feature_used(yes, "support_request")  # a stale cookie: the database's no decides
    db.expire_all()
    assert len(_events(db)) == 1
