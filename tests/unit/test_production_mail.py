"""A deployment on https without SMTP would write password-reset and invitation links to its log:
it refuses to start (the app's lifespan and `studioos migrate` both check)."""

from __future__ import annotations

import pytest

from studioos import cli
from studioos.settings import get_settings, reset_settings_cache

SECRET = "a-long-random-production-secret-0123456789"


def _env(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    reset_settings_cache()


def test_https_without_smtp_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, STUDIOOS_BASE_URL="https://studio.example.com", STUDIOOS_SECRET_KEY=SECRET)
    with pytest.raises(RuntimeError, match="STUDIOOS_SMTP_HOST is not set") as err:
        get_settings().check_production_secrets()
    assert "not write the links to the log" in str(err.value)


def test_https_with_smtp_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(
        monkeypatch,
        STUDIOOS_BASE_URL="https://studio.example.com",
        STUDIOOS_SECRET_KEY=SECRET,
        STUDIOOS_SMTP_HOST="smtp.example.com",
    )
    get_settings().check_production_secrets()


def test_local_http_demo_keeps_its_outbox(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, STUDIOOS_BASE_URL="http://localhost:3000")
    get_settings().check_production_secrets()  # no SMTP on a laptop: links in the terminal are fine


def test_migrate_refuses_the_same_combination(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, STUDIOOS_BASE_URL="https://studio.example.com", STUDIOOS_SECRET_KEY=SECRET)
    with pytest.raises(RuntimeError, match="STUDIOOS_SMTP_HOST"):
        cli.main(["migrate"])
