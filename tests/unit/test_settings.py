"""Secrets: a deployment on https refuses the development secret; tokens are keyed with it."""

from __future__ import annotations

import pytest

from studioos.services.tokens import hash_token, new_token
from studioos.settings import reset_settings_cache


def _reload(monkeypatch: pytest.MonkeyPatch, **env: str):  # type: ignore[no-untyped-def]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    reset_settings_cache()
    from studioos.settings import get_settings

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
