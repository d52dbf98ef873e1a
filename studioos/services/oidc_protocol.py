"""Talking to the OpenID Connect provider: its discovery document and keys (cached per process),
the code exchange, and the checks of the ID token. What a trip means for StudioOS (sign-in,
linking, re-authentication) is in studioos.services.oidc; every refusal here is a `Refused`, which
that module records and turns into what the person reads."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from authlib.oidc.core import CodeIDToken  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet

from studioos.models import OidcLogin
from studioos.services.validation import normalize_email
from studioos.settings import get_settings

log = logging.getLogger("studioos.oidc")

CALLBACK_PATH = "/api/auth/oidc/callback"


def redirect_uri() -> str:
    """The callback URL registered at the provider."""
    return get_settings().url(CALLBACK_PATH)


# Seconds of clock difference tolerated between the provider and us (exp, iat, auth_time).
LEEWAY = 60
HTTP_TIMEOUT = 5.0
# The discovery document is read again after an hour: a provider moving an endpoint or rotating its
# keys is picked up without a restart (an unknown key id also re-reads the keys at once).
METADATA_TTL = 3600.0
# ID tokens must be signed with the provider's key pair: never "none", and never HMAC (that would
# make the client secret a signing key).
ID_TOKEN_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)


class Refused(Exception):
    """A refusal of the provider's answer; studioos.services.oidc turns it into an audited SsoFailed."""

    def __init__(self, code: str, reason: str = "", *, user_id: int | None = None, email: str = "") -> None:
        super().__init__(reason or code)
        self.code = code
        self.reason = reason or code
        self.user_id = user_id
        self.email = email


# --- the provider's metadata (discovery), cached per process -------------------------------------------


@dataclass
class Provider:
    issuer: str  # as the provider writes it in its tokens
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    token_auth: str  # client_secret_basic or client_secret_post
    algorithms: list[str]
    fetched_at: float
    jwks: dict[str, Any] | None = field(default=None)


_providers: dict[str, Provider] = {}
_lock = threading.Lock()


def forget_provider() -> None:
    """Read the discovery document and keys again at the next trip (tests, a changed provider)."""
    with _lock:
        _providers.clear()


def get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT) as http:
            response = http.get(url, headers={"Accept": "application/json", **(headers or {})})
    except httpx.HTTPError as exc:
        raise Refused("provider_down", f"provider_down: {url}: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise Refused("provider_down", f"provider_down: {url} answered {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise Refused("provider_error", f"provider_error: {url} did not answer JSON") from exc


def current_provider() -> Provider:
    issuer = get_settings().oidc_issuer.rstrip("/")
    with _lock:
        cached = _providers.get(issuer)
    if cached is not None and time.monotonic() - cached.fetched_at < METADATA_TTL:
        return cached
    doc = get_json(f"{issuer}/.well-known/openid-configuration")
    if not isinstance(doc, dict):
        raise Refused("provider_error", "provider_error: the discovery document is not an object")
    # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was asked for.
    if str(doc.get("issuer", "")).rstrip("/") != issuer:
        raise Refused("provider_error", f"provider_error: the discovery document names {doc.get('issuer')!r}")
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = doc.get(name)
        if not isinstance(value, str) or not value:
            raise Refused("provider_error", f"provider_error: the discovery document has no {name}")
        endpoints[name] = value
    offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in ID_TOKEN_ALGORITHMS if a in offered]
    if not algorithms:
        raise Refused("provider_error", f"provider_error: no usable ID token algorithm in {offered!r}")
    methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    token_auth = (
        "client_secret_post"
        if "client_secret_basic" not in methods and "client_secret_post" in methods
        else "client_secret_basic"
    )
    userinfo = doc.get("userinfo_endpoint")
    found = Provider(
        issuer=str(doc["issuer"]),
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        userinfo_endpoint=userinfo if isinstance(userinfo, str) else "",
        token_auth=token_auth,
        algorithms=algorithms,
        fetched_at=time.monotonic(),
    )
    with _lock:
        _providers[issuer] = found
    return found


def keys(provider: Provider, *, force: bool = False) -> KeySet:
    if provider.jwks is None or force:
        jwks = get_json(provider.jwks_uri)
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise Refused("provider_error", "provider_error: the provider's key set is not a JWKS")
        provider.jwks = jwks
    try:
        return KeySet.import_key_set(provider.jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError) as exc:
        raise Refused("provider_error", f"provider_error: the provider's key set: {exc}") from exc


def exchange(provider: Provider, code: str, verifier: str) -> dict[str, Any]:
    """The code, the verifier and the client's credentials for the provider's tokens."""
    s = get_settings()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(),
        "code_verifier": verifier,
    }
    headers = {"Accept": "application/json"}
    if provider.token_auth == "client_secret_post":
        form |= {"client_id": s.oidc_client_id, "client_secret": s.oidc_client_secret}
    else:
        # RFC 6749, 2.3.1: both parts are form-encoded before they are joined.
        pair = f"{quote(s.oidc_client_id, safe='')}:{quote(s.oidc_client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT) as http:
            response = http.post(provider.token_endpoint, data=form, headers=headers)
    except httpx.HTTPError as exc:
        raise Refused("provider_down", f"provider_down: token endpoint: {type(exc).__name__}") from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500:
        raise Refused("provider_down", f"provider_down: token endpoint answered {response.status_code}")
    if response.status_code != 200 or not isinstance(body, dict) or "error" in body:
        said = body.get("error") if isinstance(body, dict) else None
        raise Refused("rejected", f"code_refused: {said or response.status_code}")
    if not isinstance(body.get("id_token"), str):
        raise Refused("rejected", "code_refused: no ID token in the answer")
    return body


def validate_id_token(provider: Provider, tokens: dict[str, Any], trip: OidcLogin) -> dict[str, Any]:
    raw = tokens["id_token"]
    try:
        try:
            token = jwt.decode(raw, keys(provider), algorithms=provider.algorithms)
        except InvalidKeyIdError:
            # The provider rotated its keys since we read them.
            token = jwt.decode(raw, keys(provider, force=True), algorithms=provider.algorithms)
        s = get_settings()
        claims = CodeIDToken(
            token.claims,
            token.header,
            {
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "values": [s.oidc_client_id]},
                "sub": {"essential": True},
            },
            {
                "nonce": trip.nonce,
                "client_id": s.oidc_client_id,
                "access_token": tokens.get("access_token"),
            },
        )
        claims.validate(leeway=LEEWAY)
    except BadSignatureError as exc:
        raise Refused("rejected", "bad_signature") from exc
    except ExpiredTokenError as exc:
        raise Refused("rejected", "expired_id_token") from exc
    except ClaimError as exc:
        reason = {
            "iss": "wrong_issuer",
            "aud": "wrong_audience",
            "azp": "wrong_audience",
            "nonce": "nonce_mismatch",
        }
        raise Refused("rejected", reason.get(exc.claim, f"invalid_claim: {exc.claim}")) from exc
    except UnsupportedAlgorithmError as exc:
        raise Refused("rejected", "unaccepted_algorithm") from exc
    except (JoseError, ValueError) as exc:
        raise Refused("rejected", f"bad_id_token: {type(exc).__name__}") from exc
    return dict(claims)


def email_of(claims: Mapping[str, Any]) -> str:
    try:
        return normalize_email(str(claims.get("email") or ""))
    except ValueError:
        return ""


def profile(provider: Provider, tokens: dict[str, Any], claims: dict[str, Any]) -> tuple[str, bool, str]:
    """(email, whether the provider verified it, name): from the ID token, else from the provider's
    userinfo endpoint (some providers keep the address out of the ID token)."""
    source: Mapping[str, Any] = claims
    access_token = tokens.get("access_token")
    if "email" not in claims and provider.userinfo_endpoint and isinstance(access_token, str):
        try:
            info = get_json(provider.userinfo_endpoint, {"Authorization": f"Bearer {access_token}"})
        except Refused as refused:
            log.warning("userinfo was not available: %s", refused.reason)
            info = None
        # OpenID Connect Core 5.3.2: userinfo about anyone else than the ID token's subject is ignored.
        if isinstance(info, dict) and info.get("sub") == claims["sub"]:
            source = info
    verified = source.get("email_verified") in (True, "true")  # some providers send the string
    return email_of(source), verified, str(source.get("name") or "")
