"""Sign-in with an OpenID Connect provider (single sign-on), configured by STUDIOOS_OIDC_ISSUER,
STUDIOOS_OIDC_CLIENT_ID, STUDIOOS_OIDC_CLIENT_SECRET and STUDIOOS_OIDC_NAME.

One trip to the provider and back (the authorization code flow with PKCE S256):

- `begin` stores the trip (`OidcLogin`): the state only as a keyed hash, the nonce, the PKCE verifier
  (encrypted), the browser that leaves and what the trip is for; it answers the provider's URL.
- `finish` takes the trip back once (its state, in the same browser, within 10 minutes), trades the
  code for tokens at the provider with the verifier and the client secret, and checks the ID token
  with the provider's published keys: signature, issuer, audience, expiry, nonce. Then:
  a provider account already linked signs its person in; a re-authentication marks the session;
  an invitation is accepted with the provider account; an unlinked provider account whose verified
  address has a StudioOS account waits for that account's password (`link_with_password`);
  anything else is refused with a message that says what to do.

Every refusal is one exception, `SsoFailed` (a short code for the URL, the message to show, and the
precise reason for the audit log's "sso.failed" row); no refusal ever leaves a session behind.
The conversation with the provider itself (discovery, keys, the code exchange, the ID token's
checks) is in studioos.services.oidc_protocol.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, NoReturn
from urllib.parse import urlsplit

from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.common.urls import add_params_to_uri  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from studioos.models import (
    ExternalIdentity,
    Invitation,
    OidcLogin,
    User,
    row_id,
    utcnow,
)
from studioos.services import audit, auth, reauth, team
from studioos.services.errors import NotFound, ServiceError, ValidationFailed
from studioos.services.oidc_protocol import (
    LEEWAY,
    Provider,
    Refused,
    current_provider,
    email_of,
    exchange,
    profile,
    redirect_uri,
    validate_id_token,
)
from studioos.services.permissions import Actor
from studioos.services.tokens import hash_token
from studioos.services.validation import clean_name
from studioos.settings import get_settings

log = logging.getLogger("studioos.oidc")

LINK_PAGE = "/signin/link"
SIGNIN_AUDIT = "signin.sso"
TRIP_TTL = timedelta(minutes=10)
LINK_TTL = timedelta(minutes=10)
SCOPE = "openid email profile"
Intent = Literal["signin", "reauth"]

# What the sign-in page shows for each `sso_error` code; {provider} is the provider's name.
MESSAGES: dict[str, str] = {
    "not_configured": "Sign-in with a provider is not set up on this StudioOS.",
    "browser": "Your browser did not send StudioOS's cookie. Allow cookies for this site and try again.",
    "expired": "This sign-in took too long or was already used. Please start again.",
    "cancelled": "Sign-in with {provider} was cancelled. Nothing changed.",
    "provider_error": "{provider} could not sign you in. Try again, or sign in with your password.",
    "provider_down": (
        "{provider} cannot be reached right now. Try again in a few minutes, or sign in with your password."
    ),
    "rejected": (
        "StudioOS could not verify the answer from {provider}, so nobody was signed in. Please start again."
    ),
    "no_email": (
        "{provider} did not tell StudioOS your email address, so we cannot find your account. "
        "Sign in with your password."
    ),
    "unverified_email": (
        "{provider} has not verified your email address, so it cannot be linked to a StudioOS account. "
        "Verify it there, or sign in with your password."
    ),
    "no_account": (
        "There is no StudioOS account for the address your {provider} account uses. To join your "
        "studio, ask its owner or a manager to send you an invitation."
    ),
    "account_disabled": "This StudioOS account can no longer sign in. Ask your studio's owner.",
    "already_linked": (
        "Your StudioOS account is already linked to another {provider} account. Sign in with that one, "
        "or with your password."
    ),
    "invitation_invalid": "This invitation link is invalid, already used or expired. Ask for a new one.",
    "invitation_other_account": (
        "Your {provider} account belongs to another StudioOS account than the invited address. Sign in "
        "with it, or ask the studio to invite the address of that account."
    ),
    "signed_out": "Your session has ended. Please sign in again.",
    "not_linked": (
        "Your StudioOS account is not linked to this {provider} account. Confirm it's you with your "
        "password instead."
    ),
    "reauth_not_fresh": (
        "{provider} did not ask you to sign in again, so StudioOS cannot tell it is you. Confirm it's "
        "you with your password instead."
    ),
    "failed": "Sign-in with {provider} did not work. Please start again.",
}
LINK_EXPIRED = "This link request has expired. Sign in with {provider} again."
WRONG_PASSWORD = "That is not the password of this StudioOS account."
NOT_LINKED = "Your account is not linked to a sign-in provider."
NO_PASSWORD = (
    "Your account has no password yet: you could not sign in any more without {provider}. Set a "
    "password first (with 'Forgot your password?' on the sign-in page), then unlink."
)


# --- configuration ------------------------------------------------------------------------------


def _loopback(host: str | None) -> bool:
    return host in {"localhost", "127.0.0.1", "::1"}


def configured() -> bool:
    """An issuer, a client id and a secret are set, and the issuer is on https (plain http only on
    this machine's loopback, for development and the tests: anywhere else the discovery document,
    and with it the keys that vouch for every sign-in, could be swapped on the way)."""
    s = get_settings()
    if not (s.oidc_issuer and s.oidc_client_id and s.oidc_client_secret):
        return False
    parts = urlsplit(s.oidc_issuer)
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname)):
        return True
    log.warning("STUDIOOS_OIDC_ISSUER must be an https URL: sign-in with the provider is off")
    return False


def provider_name() -> str:
    """What people call the provider: STUDIOOS_OIDC_NAME, else the issuer's host name."""
    s = get_settings()
    return s.oidc_name or urlsplit(s.oidc_issuer).hostname or "your sign-in provider"


def message(code: str) -> str:
    return MESSAGES.get(code, MESSAGES["failed"]).format(provider=provider_name())


class _Messages(Mapping[str, str]):
    """MESSAGES with the provider's name filled in when read (the name is configuration)."""

    def __getitem__(self, code: str) -> str:
        if code not in MESSAGES:
            raise KeyError(code)
        return message(code)

    def __iter__(self) -> Iterator[str]:
        return iter(MESSAGES)

    def __len__(self) -> int:
        return len(MESSAGES)


ERROR_MESSAGES: Mapping[str, str] = _Messages()


class SsoFailed(ServiceError):
    """A refused trip: `code` for the URL (a key of ERROR_MESSAGES), `message` for the person,
    `reason` for the audit log. `return_to` is the page a signed-in person confirming who they are
    goes back to (empty for sign-ins: they go back to the sign-in page)."""

    status_code = 400

    def __init__(self, code: str, reason: str = "", return_to: str = "") -> None:
        super().__init__(message(code))
        self.code = code
        self.reason = reason or code
        self.return_to = return_to


def _fail(
    db: Session, client: auth.Client, refused: Refused, *, user_id: int | None = None, return_to: str = ""
) -> NoReturn:
    """Undo whatever the trip had begun, keep the audit row (committed: the caller's unit of work is
    about to fail) and raise the one exception the callers handle."""
    who = refused.user_id if refused.user_id is not None else user_id
    db.rollback()
    audit.record(
        db,
        "sso.failed",
        studio_id=auth.first_studio_id(db, who),
        actor_user_id=who,
        target=refused.email,
        detail=refused.reason,
        ip=client.ip,
        user_agent=client.user_agent,
    )
    db.commit()
    log.info("sign-in with the provider refused: %s", refused.reason)
    raise SsoFailed(refused.code, refused.reason, return_to) from refused


# --- begin --------------------------------------------------------------------------------------------


def _state_hash(state: str) -> str:
    return hash_token("oidc-state|" + state)


def _identity_of_user(db: Session, user_id: int) -> ExternalIdentity | None:
    return db.exec(
        select(ExternalIdentity)
        .where(ExternalIdentity.user_id == user_id)
        .order_by(col(ExternalIdentity.id).desc())
    ).first()


def _identity(db: Session, issuer: str, subject: str) -> ExternalIdentity | None:
    return db.exec(
        select(ExternalIdentity).where(ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject)
    ).first()


def _is_open(invitation: Invitation | None) -> bool:
    return (
        invitation is not None
        and invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > utcnow()
    )


def begin(
    db: Session,
    client: auth.Client,
    *,
    intent: Intent = "signin",
    next_path: str = "/dashboard",
    session_user_id: int | None = None,
    invitation: str | None = None,
) -> str:
    """Start a trip to the provider; returns the URL to send the browser to.

    intent "reauth": the signed-in `session_user_id` confirms who they are (the provider is asked to
    sign them in again). `invitation`: the raw token of an invitation link, accepted on the way back.
    """
    return_to = next_path if intent == "reauth" else ""
    try:
        if not configured():
            raise Refused("not_configured")
        if not client.browser:
            raise Refused("browser", "browser: no browser cookie")
        invitation_id: int | None = None
        if intent == "reauth":
            if session_user_id is None:
                raise Refused("signed_out")
            if _identity_of_user(db, session_user_id) is None:
                raise Refused("not_linked", user_id=session_user_id)
        elif invitation:
            found = db.exec(select(Invitation).where(Invitation.token_hash == hash_token(invitation))).first()
            if found is None or not _is_open(found):
                raise Refused("invitation_invalid")
            invitation_id = found.id
        provider = current_provider()
    except Refused as refused:
        _fail(db, client, refused, user_id=session_user_id, return_to=return_to)

    state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
    now = utcnow()
    db.add(
        OidcLogin(
            state_hash=_state_hash(state),
            nonce=nonce,
            code_verifier=verifier,
            browser_hash=client.browser,
            intent=intent,
            user_id=session_user_id if intent == "reauth" else None,
            next_path=next_path[:512],
            created_at=now,
            expires_at=now + TRIP_TTL,
            invitation_id=invitation_id,
        )
    )
    db.flush()
    params = {
        "response_type": "code",
        "client_id": get_settings().oidc_client_id,
        "redirect_uri": redirect_uri(),
        "scope": SCOPE,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if intent == "reauth":
        # Confirming who you are means signing in at the provider now, not riding its session:
        # the ID token's auth_time must then be after this trip began (checked in finish).
        params["prompt"] = "login"
        params["max_age"] = "0"
    return str(add_params_to_uri(provider.authorization_endpoint, params))


# --- finish -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the callback does next.

    signed_in: hand `user` a session (auth.create_handoff with `studio_id`), then open next_path;
    link_needed: open LINK_PAGE, where the person confirms with their StudioOS password;
    reauthenticated: the session is marked; open next_path."""

    kind: Literal["signed_in", "link_needed", "reauthenticated"]
    next_path: str
    user: User | None = None
    studio_id: int | None = None


def _take_trip(db: Session, client: auth.Client, state: str) -> OidcLogin:
    """The trip this state belongs to, taken once and for good before anything else happens."""
    trip = (
        db.exec(select(OidcLogin).where(OidcLogin.state_hash == _state_hash(state))).first()
        if state
        else None
    )
    if trip is None:
        raise Refused("expired", "bad_state: unknown state")
    now = utcnow()
    taken = db.connection().execute(
        update(OidcLogin)
        .where(col(OidcLogin.id) == trip.id, col(OidcLogin.used_at).is_(None))
        .values(used_at=now)
    )
    # Committed at once: a second callback with this state (a reload, a replay) finds it used even
    # while this one is still talking to the provider.
    db.commit()
    db.refresh(trip)
    if taken.rowcount != 1:
        raise Refused("expired", "bad_state: state already used", user_id=trip.user_id)
    if trip.expires_at <= now:
        raise Refused("expired", "bad_state: state expired", user_id=trip.user_id)
    if not client.browser or not hmac.compare_digest(trip.browser_hash, client.browser):
        raise Refused("expired", "bad_state: another browser", user_id=trip.user_id)
    return trip


def finish(
    db: Session,
    client: auth.Client,
    *,
    state: str,
    code: str,
    error: str | None = None,
    session_token: str = "",
) -> Outcome:
    """Complete the trip the provider sent the browser back from (the callback's query: state, code,
    error). `session_token`: the browser's session cookie, needed only to confirm a signed-in person
    (intent "reauth"): the mark goes on that session, and only if it is the person who left."""
    trip: OidcLogin | None = None
    try:
        trip = _take_trip(db, client, state)
        return _finish(db, client, trip, code=code, error=error, session_token=session_token)
    except Refused as refused:
        user_id = trip.user_id if trip is not None else None
        return_to = trip.next_path if trip is not None and trip.intent == "reauth" else ""
        _fail(db, client, refused, user_id=user_id, return_to=return_to)


def _finish(
    db: Session, client: auth.Client, trip: OidcLogin, *, code: str, error: str | None, session_token: str
) -> Outcome:
    if error:
        kind = "cancelled" if error == "access_denied" else "provider_error"
        raise Refused(kind, f"provider_error: {error[:64]}")
    if not code:
        raise Refused("provider_error", "provider_error: no code")
    provider = current_provider()
    tokens = exchange(provider, code, trip.code_verifier)
    claims = validate_id_token(provider, tokens, trip)
    subject = str(claims["sub"])
    if trip.intent == "reauth":
        return _reauthenticate(db, trip, provider, claims, session_token)
    if trip.invitation_id is not None:
        return _accept_invitation(db, client, trip, provider, tokens, claims)
    identity = _identity(db, provider.issuer, subject)
    if identity is not None:
        return _sign_in(db, client, trip, identity, email_of(claims))
    email, verified, _ = profile(provider, tokens, claims)
    if not email:
        raise Refused("no_email", "no_email: the provider gave no address")
    # An address the provider has not verified could be anyone's: it links nothing, and the answer
    # is the same whether or not StudioOS knows the address.
    if not verified:
        raise Refused("unverified_email", "unverified_email", email=email)
    user = db.exec(select(User).where(User.email == email)).first()
    if user is None or user.deleted_at is not None:
        raise Refused("no_account", "no_account", email=email)
    return _hold_for_link(db, trip, provider, subject, user)


def _sign_in(
    db: Session,
    client: auth.Client,
    trip: OidcLogin,
    identity: ExternalIdentity,
    email: str,
    studio_id: int | None = None,
) -> Outcome:
    user = db.get(User, identity.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise Refused("account_disabled", "account_disabled", user_id=identity.user_id)
    identity.last_used_at = utcnow()
    if email:
        identity.email = email  # what the provider says now
    db.add(identity)
    _record_sign_in(db, client, user, identity.issuer)
    return Outcome("signed_in", trip.next_path or "/dashboard", user=user, studio_id=studio_id)


def _record_sign_in(db: Session, client: auth.Client, user: User, issuer: str) -> None:
    auth.record_successful_sign_in(db, user, client, SIGNIN_AUDIT, detail=issuer)


def _hold_for_link(db: Session, trip: OidcLogin, provider: Provider, subject: str, user: User) -> Outcome:
    """The provider account is someone's with a StudioOS account: the trip becomes a link ticket for
    this browser, for 10 minutes, until that account's password is typed (link_with_password)."""
    if not user.is_active:
        raise Refused("account_disabled", "account_disabled", user_id=user.id)
    if _identity_of_user(db, row_id(user)) is not None:
        raise Refused(
            "already_linked", "already_linked: the account has another provider account", user_id=user.id
        )
    trip.issuer, trip.subject, trip.email = provider.issuer, subject, user.email
    # The ticket is this browser's (the state it came back with proved it): the hash only marks the
    # row as waiting, and is cleared when the link is made.
    trip.link_token_hash = hash_token("oidc-link|" + trip.state_hash)
    trip.expires_at = utcnow() + LINK_TTL
    db.add(trip)
    return Outcome("link_needed", trip.next_path or "/dashboard")


def _reauthenticate(
    db: Session, trip: OidcLogin, provider: Provider, claims: dict[str, Any], session_token: str
) -> Outcome:
    actor = auth.resolve_actor(db, session_token, touch=False) if session_token else None
    if actor is None or actor.user_id != trip.user_id or actor.session_id is None:
        raise Refused("signed_out", "reauth: not the session that left")
    identity = _identity(db, provider.issuer, str(claims["sub"]))
    if identity is None or identity.user_id != actor.user_id:
        raise Refused("not_linked", "reauth: another provider account")
    # max_age=0 asked the provider to sign the person in again: it says when it did (auth_time).
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float) or auth_time < trip.created_at.timestamp() - LEEWAY:
        raise Refused("reauth_not_fresh", "reauth: the provider did not sign the person in again")
    reauth.mark(db, actor.session_id)
    identity.last_used_at = utcnow()
    db.add(identity)
    audit.record_by(db, actor, "reauth.confirmed", detail=f"with {provider_name()}")
    return Outcome("reauthenticated", trip.next_path or "/dashboard", user=db.get(User, actor.user_id))


def _accept_invitation(
    db: Session,
    client: auth.Client,
    trip: OidcLogin,
    provider: Provider,
    tokens: dict[str, Any],
    claims: dict[str, Any],
) -> Outcome:
    """Back from a trip started on an invitation's page. The link in the mail is the proof, as it is
    for a password: a new account is made for the invited address, signed in with this provider
    account and no password. An existing account still proves it is theirs with its password."""
    invitation = db.get(Invitation, trip.invitation_id)
    if invitation is None or not _is_open(invitation):
        raise Refused("invitation_invalid")
    subject = str(claims["sub"])
    invited = db.exec(select(User).where(User.email == invitation.email)).first()
    identity = _identity(db, provider.issuer, subject)
    if identity is not None:
        if invited is None or identity.user_id != invited.id:
            raise Refused("invitation_other_account", "invitation: the provider account is another's")
        outcome = _sign_in(db, client, trip, identity, email_of(claims), invitation.studio_id)
        _join(db, client, invitation, invited)
        return outcome
    if invited is not None:
        if invited.deleted_at is not None:
            raise Refused("account_disabled", "account_disabled", user_id=invited.id)
        return _hold_for_link(db, trip, provider, subject, invited)
    email, _, name = profile(provider, tokens, claims)
    try:
        name = clean_name(name[:120] or invitation.email.split("@")[0], "Your name")
    except ValueError:
        name = invitation.email.split("@")[0][:120]
    # No password: reauth.has_password is False for this account, which confirms at the provider.
    user = User(email=invitation.email, name=name, password_hash="")
    db.add(user)
    db.flush()
    identity = ExternalIdentity(
        user_id=row_id(user),
        issuer=provider.issuer,
        subject=subject,
        email=email or invitation.email,
    )
    db.add(identity)
    db.flush()
    _record_linked(db, client, user, identity)
    _join(db, client, invitation, user)
    return _sign_in(db, client, trip, identity, email, invitation.studio_id)


def _join(db: Session, client: auth.Client, invitation: Invitation, user: User) -> None:
    team.join_invited_studio(
        db, invitation, user, ip=client.ip, user_agent=client.user_agent, how=f"with {provider_name()}"
    )


def _record_linked(db: Session, client: auth.Client, user: User, identity: ExternalIdentity) -> None:
    audit.record(
        db,
        "sso.linked",
        studio_id=auth.first_studio_id(db, user.id),
        actor_user_id=user.id,
        target=identity.email,
        detail=identity.issuer,
        ip=client.ip,
        user_agent=client.user_agent,
    )


# --- linking an existing account ----------------------------------------------------------------------


def _pending(db: Session, client: auth.Client) -> OidcLogin | None:
    if not client.browser:
        return None
    return db.exec(
        select(OidcLogin)
        .where(
            OidcLogin.browser_hash == client.browser,
            col(OidcLogin.link_token_hash).is_not(None),
            OidcLogin.expires_at > utcnow(),
        )
        .order_by(col(OidcLogin.id).desc())
    ).first()


def pending_link(db: Session, client: auth.Client) -> tuple[str, str] | None:
    """(the StudioOS account's address, the provider's name) when this browser came back from the
    provider with an account to link, within the last 10 minutes; else None."""
    trip = _pending(db, client)
    if trip is None or not trip.email:
        return None
    return trip.email, provider_name()


def link_with_password(db: Session, client: auth.Client, password: str) -> User:
    """Link the provider account this browser came back with to its StudioOS account, once the
    account's password is typed (a sign-in: same throttle, same history). Returns the user, to be
    signed in (auth.create_handoff) like after a password sign-in. A pending invitation is accepted."""
    trip = _pending(db, client)
    if trip is None or not (trip.email and trip.issuer and trip.subject):
        raise NotFound(LINK_EXPIRED.format(provider=provider_name()))
    try:
        user = auth.authenticate(db, email=trip.email, password=password, client=client)
    except ValidationFailed as exc:
        if exc.errors.get("password") != auth.WRONG_CREDENTIALS:
            raise
        raise ValidationFailed({"password": WRONG_PASSWORD}, WRONG_PASSWORD) from exc
    identity = _identity(db, trip.issuer, trip.subject)
    if identity is not None and identity.user_id != user.id:
        raise ValidationFailed(
            {"form": message("invitation_other_account")}, message("invitation_other_account")
        )
    other = _identity_of_user(db, row_id(user))
    if identity is None and other is not None:
        raise ValidationFailed({"form": message("already_linked")}, message("already_linked"))
    if identity is None:
        identity = ExternalIdentity(
            user_id=row_id(user), issuer=trip.issuer, subject=trip.subject, email=trip.email
        )
    identity.last_used_at = utcnow()
    db.add(identity)
    db.flush()
    trip.link_token_hash = None  # the ticket is spent
    db.add(trip)
    _record_linked(db, client, user, identity)
    invitation = db.get(Invitation, trip.invitation_id) if trip.invitation_id is not None else None
    if invitation is not None and _is_open(invitation) and invitation.email == user.email:
        _join(db, client, invitation, user)
    return user


# --- the account page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedIdentity:
    provider: str
    email: str  # what the provider said last
    linked_at: datetime
    last_used_at: datetime | None


def linked_identity(db: Session, actor: Actor) -> LinkedIdentity | None:
    identity = _identity_of_user(db, actor.user_id)
    if identity is None:
        return None
    return LinkedIdentity(provider_name(), identity.email, identity.created_at, identity.last_used_at)


def unlink(db: Session, actor: Actor) -> None:
    """Stop signing in with the provider. Wants a recent confirmation (reauth), and a password:
    without one the person could not sign in any more."""
    reauth.require_recent(db, actor)
    identity = _identity_of_user(db, actor.user_id)
    if identity is None:
        raise NotFound(NOT_LINKED)
    if not reauth.has_password(db, actor):
        text = NO_PASSWORD.format(provider=provider_name())
        raise ValidationFailed({"form": text}, text)
    db.execute(delete(ExternalIdentity).where(col(ExternalIdentity.user_id) == actor.user_id))
    audit.record_by(db, actor, "sso.unlinked", target=identity.email, detail=identity.issuer)


def purge_logins(db: Session, now: datetime) -> int:
    """Trips (and link tickets) past their 10 minutes: they hold a provider's id and address."""
    result = db.connection().execute(delete(OidcLogin).where(col(OidcLogin.expires_at) <= now))
    return int(result.rowcount or 0)
