"""Secrets: a deployment on https refuses the development secret; tokens are keyed with it.
SMTP: a password never goes out without STARTTLS."""

from __future__ import annotations

import pytest

from studioos.services.tokens import hash_token, new_token
from studioos.settings import Settings, get_settings, reset_settings_cache


def _reload(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    reset_settings_cache()
    return get_settings()


def test_https_deployment_without_its_own_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STUDIOOS_SECRET_KEY", raising=False)
    settings = _reload(monkeypatch, STUDIOOS_BASE_URL="https://studio.example.com")
    with pytest.raises(RuntimeError, match="STUDIOOS_SECRET_KEY"):
        settings.check_production_secrets()
    _reload(
        monkeypatch,
        STUDIOOS_SECRET_KEY="a-long-random-production-secret-0123456789",
        STUDIOOS_SMTP_HOST="smtp.example.com",  # https also needs real mail (test_production_mail.py)
    ).check_production_secrets()


def test_local_http_demo_runs_with_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STUDIOOS_SECRET_KEY", raising=False)
    _reload(monkeypatch, STUDIOOS_BASE_URL="http://localhost:8000").check_production_secrets()


def test_token_hashes_depend_on_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    raw, digest = new_token()
    assert len(raw) >= 43 and raw not in digest  # 256 random bits, only the hash is kept
    assert hash_token(raw) == digest
    _reload(monkeypatch, STUDIOOS_SECRET_KEY="another-secret-for-another-deployment-000")
    assert hash_token(raw) != digest


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ("STUDIOOS_SMTP_USER", "STUDIOOS_SMTP_PASSWORD", "STUDIOOS_SMTP_STARTTLS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("STUDIOOS_SMTP_HOST", "smtp.example.com")
    return monkeypatch


def test_smtp_with_a_password_uses_starttls_by_default(smtp_env: pytest.MonkeyPatch) -> None:
    settings = _reload(smtp_env, STUDIOOS_SMTP_USER="studio", STUDIOOS_SMTP_PASSWORD="mail-secret")
    assert settings.smtp_starttls


def test_smtp_with_a_password_and_starttls_turned_off_refuses_to_start(smtp_env: pytest.MonkeyPatch) -> None:
    for off in ("false", "0", "no"):
        with pytest.raises(
            RuntimeError, match="STUDIOOS_SMTP_PASSWORD is set: the password would be sent in clear"
        ):
            _reload(smtp_env, STUDIOOS_SMTP_PASSWORD="mail-secret", STUDIOOS_SMTP_STARTTLS=off)


def test_smtp_without_a_password_is_plain_unless_asked(smtp_env: pytest.MonkeyPatch) -> None:
    assert not _reload(smtp_env).smtp_starttls  # a relay that takes mail without a login
    assert _reload(smtp_env, STUDIOOS_SMTP_STARTTLS="true").smtp_starttls
