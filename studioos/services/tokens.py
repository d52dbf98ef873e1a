"""Random tokens: the raw value goes to the user once; only its hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from studioos.settings import get_settings


def new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)  # 256 bits
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    """Keyed with the server secret: a copy of the database alone cannot even test a guessed token.
    Changing STUDIOOS_SECRET_KEY therefore ends every session and voids every emailed link."""
    return hmac.new(get_settings().secret_key.encode(), raw.encode("utf-8"), hashlib.sha256).hexdigest()
