"""One Settings object, read from the environment. Nothing else reads os.environ."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from studioos.services.privacy_registry import AUDIT_HOLD_YEARS

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"

# A fixed development key keeps `make run` working offline; production refuses it.
DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0123456789"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = _env(name).lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


_PRICE_KEY = re.compile(r"[a-z]+_(monthly|yearly)")
_PRICE_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")


def _stripe_prices(raw: str) -> tuple[tuple[str, str], ...]:
    """STUDIOOS_STRIPE_PRICES: `key=price_id` pairs separated by commas; a typo refuses to start
    rather than leaving a plan that cannot be bought. Plan names are checked by the billing service."""
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        key, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not _PRICE_KEY.fullmatch(key) or not _PRICE_ID.fullmatch(value):
            raise RuntimeError(
                f"STUDIOOS_STRIPE_PRICES: {part!r} is not `<plan>_<monthly|yearly>=<Stripe price id>` "
                "(for example starter_monthly=price_1Abc...)"
            )
        if key in pairs:
            raise RuntimeError(f"STUDIOOS_STRIPE_PRICES names {key} twice")
        pairs[key] = value
    return tuple(sorted(pairs.items()))


def _smtp_starttls(password: str) -> bool:
    """With a password STARTTLS is on by default and cannot be turned off: SMTP's AUTH sends the
    password as it is (base64), so without TLS anyone on the path could read it."""
    starttls = _bool("STUDIOOS_SMTP_STARTTLS", bool(password))
    if password and not starttls:
        raise RuntimeError(
            "STUDIOOS_SMTP_STARTTLS is off but STUDIOOS_SMTP_PASSWORD is set: the password would be "
            "sent in clear. Leave STUDIOOS_SMTP_STARTTLS unset (on when a password is set) and use "
            "the server's submission port with STARTTLS (usually 587)."
        )
    return starttls


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    base_url: str
    secret_key: str
    encryption_keys: tuple[str, ...]
    session_idle_minutes: int
    session_absolute_hours: int
    login_max_failures: int
    login_window_minutes: int
    signup_max_per_hour: int
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    mail_from: str
    outbox_dir: Path
    stripe_api_key: str
    stripe_webhook_secret: str
    stripe_api_base: str
    oidc_issuer: str
    oidc_client_id: str
    oidc_client_secret: str
    data_dir: Path
    scheduler_in_app: bool
    # Usage events (page views of people who allowed analytics) are deleted after this many days.
    usage_retention_days: int = 90
    # Retention (docs/privacy.md, "Retention"): how long a record is kept after it stopped being of
    # use. The jobs in studioos.jobs.retention delete what is older.
    # A signed-out or timed-out session: kept a month so "where am I signed in" and a security
    # question about a recent sign-in can still be answered.
    session_retention_days: int = 30
    # A used, expired or withdrawn emailed link (reset, email change, invitation): a week, so a
    # "my link did not work" can still be looked into.
    link_retention_days: int = 7
    # The sign-in history (successes and failures): a year, for the account's own security page
    # and for tracing an account takeover.
    signin_retention_days: int = 365
    # The audit log: the registry's legal hold for security logs, in days (one constant for both).
    audit_retention_days: int = AUDIT_HOLD_YEARS * 365
    # A resolved or closed support request (its thread, files and privacy-request record), counted
    # from its last activity: two years, so a returning question or a regulator's "show us how you
    # answered" can still be answered.
    support_retention_days: int = 730
    # Billing (studioos.services.billing): the Stripe price of each plan and cycle, from
    # STUDIOOS_STRIPE_PRICES="starter_monthly=price_...,starter_yearly=price_...,...": pairs of
    # `<plan>_<monthly|yearly>` and a Stripe price id. A plan without a price cannot be bought.
    stripe_prices: tuple[tuple[str, str], ...] = ()
    # Sign-in with an OpenID Connect provider (studioos.services.oidc): the name people know it by,
    # on the sign-in button and in its messages ("Sign in with Acme ID"), from STUDIOOS_OIDC_NAME.
    # Empty: the issuer's host name stands in.
    oidc_name: str = ""

    @property
    def is_https(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)

    def check_production_secrets(self) -> None:
        """Behind TLS (a real deployment) the development secret, and mail without SMTP, are refused."""
        if self.is_https and self.secret_key == DEV_SECRET_KEY:
            raise RuntimeError(
                "STUDIOOS_SECRET_KEY is not set: a deployment on https needs its own long random secret "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        if self.is_https and not self.smtp_enabled:
            # Without SMTP, mail goes to the outbox folder and its links to the log: on a real
            # deployment that would put password-reset and invitation links in the server's logs.
            raise RuntimeError(
                "STUDIOOS_SMTP_HOST is not set: a deployment on https must send its mail (password "
                "resets, invitations) through an SMTP server, not write the links to the log. Set "
                "STUDIOOS_SMTP_HOST (and STUDIOOS_SMTP_PORT, STUDIOOS_SMTP_USER, STUDIOOS_SMTP_PASSWORD)."
            )

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


def load_settings() -> Settings:
    data_dir = Path(_env("STUDIOOS_DATA_DIR") or VAR_DIR)
    database_url = _env("STUDIOOS_DATABASE_URL") or f"sqlite:///{data_dir / 'studioos.db'}"
    keys = tuple(k.strip() for k in _env("STUDIOOS_ENCRYPTION_KEYS").split(",") if k.strip())
    return Settings(
        database_url=database_url,
        redis_url=_env("REDIS_URL"),
        base_url=(_env("STUDIOOS_BASE_URL") or "http://localhost:3000").rstrip("/"),
        secret_key=_env("STUDIOOS_SECRET_KEY") or DEV_SECRET_KEY,
        encryption_keys=keys,
        session_idle_minutes=_int("STUDIOOS_SESSION_IDLE_MINUTES", 30),
        session_absolute_hours=_int("STUDIOOS_SESSION_ABSOLUTE_HOURS", 12),
        login_max_failures=_int("STUDIOOS_LOGIN_MAX_FAILURES", 10),
        login_window_minutes=_int("STUDIOOS_LOGIN_WINDOW_MINUTES", 15),
        signup_max_per_hour=_int("STUDIOOS_SIGNUP_MAX_PER_HOUR", 5),
        smtp_host=_env("STUDIOOS_SMTP_HOST"),
        smtp_port=_int("STUDIOOS_SMTP_PORT", 587),
        smtp_user=_env("STUDIOOS_SMTP_USER"),
        smtp_password=_env("STUDIOOS_SMTP_PASSWORD"),
        smtp_starttls=_smtp_starttls(_env("STUDIOOS_SMTP_PASSWORD")),
        mail_from=_env("STUDIOOS_MAIL_FROM") or "StudioOS <no-reply@studioos.local>",
        outbox_dir=Path(_env("STUDIOOS_OUTBOX_DIR") or data_dir / "outbox"),
        stripe_api_key=_env("STRIPE_API_KEY"),
        stripe_webhook_secret=_env("STRIPE_WEBHOOK_SECRET"),
        stripe_api_base=_env("STRIPE_API_BASE"),
        oidc_issuer=_env("STUDIOOS_OIDC_ISSUER"),
        oidc_client_id=_env("STUDIOOS_OIDC_CLIENT_ID"),
        oidc_client_secret=_env("STUDIOOS_OIDC_CLIENT_SECRET"),
        data_dir=data_dir,
        # With Redis there are several app workers: the scheduler then runs in `studioos worker`.
        scheduler_in_app=_bool("STUDIOOS_SCHEDULER_IN_APP", not _env("REDIS_URL")),
        usage_retention_days=_int("STUDIOOS_USAGE_RETENTION_DAYS", 90),
        session_retention_days=_int("STUDIOOS_SESSION_RETENTION_DAYS", 30),
        link_retention_days=_int("STUDIOOS_LINK_RETENTION_DAYS", 7),
        signin_retention_days=_int("STUDIOOS_SIGNIN_RETENTION_DAYS", 365),
        audit_retention_days=_int("STUDIOOS_AUDIT_RETENTION_DAYS", AUDIT_HOLD_YEARS * 365),
        support_retention_days=_int("STUDIOOS_SUPPORT_RETENTION_DAYS", 730),
        stripe_prices=_stripe_prices(_env("STUDIOOS_STRIPE_PRICES")),
        oidc_name=_env("STUDIOOS_OIDC_NAME"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings_cache() -> None:
    """Tests change the environment; this makes the next get_settings() re-read it."""
    get_settings.cache_clear()
