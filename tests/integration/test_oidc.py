"""Sign-in with an OpenID Connect provider, against a real one on loopback (tests/oidc_server.py):
the trip with PKCE, the ID token's checks, linking with the password, invitations, re-authentication,
a provider that is down, and never a session when something is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import Session, col, func, select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from studioos.api import routes as api_routes
from studioos.api.oidc_routes import ERROR_MESSAGES, routes
from studioos.models import (
    AuditLog,
    AuthSession,
    ExternalIdentity,
    Invitation,
    LoginEvent,
    Membership,
    OidcLogin,
    Role,
    TokenPurpose,
    User,
    UserToken,
    utcnow,
)
from studioos.services import auth, oidc, reauth, team
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.passwords import hash_password
from studioos.services.reauth import ReauthRequired
from studioos.settings import reset_settings_cache
from tests.factories import CLIENT, PASSWORD, actor_for, make_studio, random_email
from tests.foundation_helpers import mails_to, token_in
from tests.local_servers import free_port
from tests.oidc_server import Provider, serving_oidc_provider

NAME = "Acme ID"
CALLBACK = "http://testserver/api/auth/oidc/callback"
OTHER_BROWSER = auth.Client(ip=CLIENT.ip, user_agent=CLIENT.user_agent, browser="c" * 64)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with serving_oidc_provider(CALLBACK) as running:
        yield running


@pytest.fixture(autouse=True)
def sso(provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Provider:
    """StudioOS pointed at the provider; the next person to sign in there is person-1, unverified."""
    monkeypatch.setenv("STUDIOOS_OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("STUDIOOS_OIDC_CLIENT_ID", provider.client_id)
    monkeypatch.setenv("STUDIOOS_OIDC_CLIENT_SECRET", provider.client_secret)
    monkeypatch.setenv("STUDIOOS_OIDC_NAME", NAME)
    reset_settings_cache()
    provider.scenario()
    return provider


# --- helpers ------------------------------------------------------------------------------------------


def go(db: Session, client: auth.Client = CLIENT, **begin: Any) -> tuple[str, dict[str, str]]:
    """begin, then the browser at the provider: (the authorization URL, the callback's query)."""
    url = oidc.begin(db, client, **begin)
    db.commit()
    answer = httpx.get(url, follow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return url, {k: v[0] for k, v in parse_qs(back.query).items()}


def finish(
    db: Session, query: dict[str, str], client: auth.Client = CLIENT, session_token: str = ""
) -> oidc.Outcome:
    outcome = oidc.finish(
        db,
        client,
        state=query.get("state", ""),
        code=query.get("code", ""),
        error=query.get("error"),
        session_token=session_token,
    )
    db.commit()
    return outcome


def round_trip(db: Session, client: auth.Client = CLIENT, **begin: Any) -> oidc.Outcome:
    return finish(db, go(db, client, **begin)[1], client)


def refused(db: Session, query: dict[str, str], **kwargs: Any) -> oidc.SsoFailed:
    """A callback that must fail: the failure is in the audit log and nobody got a session."""
    sessions, handoffs = _sessions(db)
    with pytest.raises(oidc.SsoFailed) as failed:
        finish(db, query, **kwargs)
    assert _sessions(db) == (sessions, handoffs), "a refused trip must never leave a session"
    logged = db.exec(
        select(AuditLog.detail).where(AuditLog.action == "sso.failed").order_by(col(AuditLog.id).desc())
    ).first()
    assert logged == failed.value.reason
    return failed.value


def _sessions(db: Session) -> tuple[int, int]:
    sessions = db.exec(select(func.count()).select_from(AuthSession)).one()
    handoffs = db.exec(
        select(func.count()).select_from(UserToken).where(UserToken.purpose == TokenPurpose.SIGNIN_HANDOFF)
    ).one()
    return sessions, handoffs


def link(db: Session, user: User, provider: Provider, subject: str = "person-1") -> None:
    db.add(ExternalIdentity(user_id=user.id or 0, issuer=provider.issuer, subject=subject, email=user.email))
    db.commit()


def identities(db: Session, user: User) -> list[tuple[str, str]]:
    rows = db.exec(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id)).all()
    return [(r.issuer, r.subject) for r in rows]


def audited(db: Session, action: str) -> list[AuditLog]:
    return list(db.exec(select(AuditLog).where(AuditLog.action == action)).all())


def signed_in_as(db: Session, outcome: oidc.Outcome, client: auth.Client = CLIENT) -> int:
    """Redeem the outcome as the callback route does; the id of the person the session is for."""
    assert outcome.kind == "signed_in" and outcome.user is not None
    code = auth.create_handoff(db, outcome.user, outcome.studio_id, client=client)
    db.commit()
    token = auth.redeem_handoff(db, code, client)
    db.commit()
    assert token is not None
    actor = auth.resolve_actor(db, token, client)
    assert actor is not None
    return actor.user_id


# --- signing in ---------------------------------------------------------------------------------------


def test_a_linked_provider_account_signs_in_with_pkce_and_a_hashed_state(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)

    url, query = go(db, next_path="/schedule")
    asked = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert asked["redirect_uri"] == CALLBACK and "openid" in asked["scope"].split()
    stored = db.exec(select(OidcLogin)).one()
    assert stored.state_hash != asked["state"] and asked["state"] not in stored.state_hash
    assert stored.browser_hash == CLIENT.browser

    outcome = finish(db, query)
    assert (outcome.kind, outcome.next_path) == ("signed_in", "/schedule")
    assert signed_in_as(db, outcome) == owner.id
    identity = db.exec(select(ExternalIdentity)).one()
    assert identity.last_used_at is not None
    assert [a.target for a in audited(db, "signin.sso")] == [owner.email]
    history = db.exec(select(LoginEvent).where(LoginEvent.user_id == owner.id)).all()
    assert [e.success for e in history] == [True]


def test_the_callback_route_hands_the_browser_its_session_cookie(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    with _browser() as browser:
        back = _through_provider(browser, browser.get("/api/auth/oidc/start", params={"next": "/schedule"}))
        assert back.status_code == 303 and back.headers["location"].startswith("/api/auth/complete?code=")
        assert auth.SESSION_COOKIE not in back.cookies
        done = browser.get(back.headers["location"])
        assert (done.status_code, done.headers["location"]) == (303, "/schedule")
        token = done.cookies.get(auth.SESSION_COOKIE)
    assert token
    actor = auth.resolve_actor(db, token)
    assert actor is not None and actor.user_id == owner.id


def test_the_callback_route_sends_a_refusal_back_to_the_sign_in_page_with_a_code(db: Session) -> None:
    app = Starlette(routes=routes())
    with TestClient(app, follow_redirects=False, cookies={auth.BROWSER_COOKIE: "my-browser"}) as browser:
        answer = browser.get("/api/auth/oidc/callback", params={"state": "forged", "code": "x"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?sso_error=expired"
    assert auth.SESSION_COOKIE not in answer.cookies
    assert ERROR_MESSAGES["expired"] == "This sign-in took too long or was already used. Please start again."
    assert ERROR_MESSAGES["cancelled"] == f"Sign-in with {NAME} was cancelled. Nothing changed."
    assert set(ERROR_MESSAGES) == set(oidc.MESSAGES)


def _browser() -> TestClient:
    app = Starlette(routes=[*routes(), Route("/api/auth/complete", api_routes.complete_sign_in)])
    return TestClient(app, follow_redirects=False, cookies={auth.BROWSER_COOKIE: "my-browser"})


def _through_provider(browser: TestClient, start: httpx.Response) -> httpx.Response:
    """Follow the start route's redirect to the provider and its redirect back to the callback."""
    assert start.status_code == 303, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False, timeout=5)
    back: httpx.Response = browser.get(at_provider.headers["location"])
    return back


def test_the_callback_route_sends_an_account_to_link_to_the_link_page(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    sso.scenario(sub="person-6", email=owner.email, email_verified=True)
    with _browser() as browser:
        back = _through_provider(browser, browser.get("/api/auth/oidc/start"))
    assert (back.status_code, back.headers["location"]) == (303, "/signin/link")
    assert auth.SESSION_COOKIE not in back.cookies
    assert oidc.pending_link(db, auth.Client(browser=auth.browser_hash("my-browser"))) == (owner.email, NAME)


def test_the_routes_confirm_a_signed_in_person_and_bring_them_back(db: Session, sso: Provider) -> None:
    studio, owner = make_studio(db)
    link(db, owner, sso)
    with _browser() as browser:
        # Not signed in: nothing to confirm.
        alone = browser.get("/api/auth/oidc/start", params={"intent": "reauth", "next": "/account"})
        assert alone.headers["location"] == "/signin?sso_error=signed_out"
        browser.cookies.set(auth.SESSION_COOKIE, auth.start_session(db, owner, studio.id, CLIENT))
        db.commit()
        start = browser.get("/api/auth/oidc/start", params={"intent": "reauth", "next": "/account"})
        assert (_through_provider(browser, start).headers["location"]) == "/account"
        sso.scenario(sub="someone-else")
        start = browser.get("/api/auth/oidc/start", params={"intent": "reauth", "next": "/account?tab=1"})
        back = _through_provider(browser, start)
    assert back.headers["location"] == "/account?tab=1&sso_error=not_linked"


# --- the state --------------------------------------------------------------------------------------


def test_a_forged_state_is_refused(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    _, query = go(db)
    failed = refused(db, {**query, "state": "not-the-state"})
    assert (failed.code, failed.reason) == ("expired", "bad_state: unknown state")
    assert failed.message == ERROR_MESSAGES["expired"]


def test_a_state_brought_back_by_another_browser_is_refused_and_spent(db: Session, sso: Provider) -> None:
    """A callback URL sent to someone else (a login CSRF) signs nobody in, not even later."""
    _, owner = make_studio(db)
    link(db, owner, sso)
    _, query = go(db)
    assert refused(db, query, client=OTHER_BROWSER).reason == "bad_state: another browser"
    assert refused(db, query).reason == "bad_state: state already used"


def test_an_expired_trip_is_refused(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    _, query = go(db)
    trip = db.exec(select(OidcLogin)).one()
    trip.expires_at = utcnow() - timedelta(seconds=1)
    db.add(trip)
    db.commit()
    assert refused(db, query).reason == "bad_state: state expired"


def test_a_replayed_callback_and_a_replayed_code_are_refused(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    _, first = go(db)
    assert finish(db, first).kind == "signed_in"
    # The same callback again (a reload, or someone who read the URL): its state is spent.
    assert refused(db, first).reason == "bad_state: state already used"
    # The spent code with a fresh state of this browser: the provider refuses to trade it twice.
    _, second = go(db)
    failed = refused(db, {**second, "code": first["code"]})
    assert (failed.code, failed.reason) == ("rejected", "code_refused: invalid_grant")


def test_the_provider_refusing_the_code_is_refused(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    sso.scenario(token_error="invalid_grant")
    _, query = go(db)
    assert refused(db, query).reason == "code_refused: invalid_grant"


def test_a_cancelled_sign_in_at_the_provider_is_refused(db: Session, sso: Provider) -> None:
    sso.scenario(deny=True)
    _, query = go(db)
    assert query["error"] == "access_denied" and "code" not in query
    failed = refused(db, query)
    assert (failed.code, failed.reason) == ("cancelled", "provider_error: access_denied")
    assert failed.message == f"Sign-in with {NAME} was cancelled. Nothing changed."


# --- the ID token -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        ({"aud": "someone-else"}, "wrong_audience"),
        ({"aud": ["studioos-test", "someone-else"]}, "wrong_audience"),  # several, and no azp
        ({"expired": True}, "expired_id_token"),
        ({"iss": "http://127.0.0.1:9/other"}, "wrong_issuer"),
        ({"nonce": "an-old-nonce"}, "nonce_mismatch"),
        ({"tamper": True}, "bad_signature"),
        ({"alg_none": True}, "unaccepted_algorithm"),
    ],
    ids=["audience", "audiences-without-azp", "expired", "issuer", "nonce", "signature", "unsigned"],
)
def test_an_id_token_that_fails_a_check_signs_nobody_in(
    db: Session, sso: Provider, wrong: dict[str, Any], reason: str
) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    sso.scenario(id_token=wrong)
    _, query = go(db)
    failed = refused(db, query)
    assert (failed.code, failed.reason) == ("rejected", reason)
    assert db.exec(select(ExternalIdentity)).one().last_used_at is None


# --- unlinked provider accounts ---------------------------------------------------------------------


def test_an_unverified_address_is_refused_whether_or_not_it_has_an_account(
    db: Session, sso: Provider
) -> None:
    _, owner = make_studio(db)
    expected = (
        f"{NAME} has not verified your email address, so it cannot be linked to a StudioOS account. "
        "Verify it there, or sign in with your password."
    )
    for email in (owner.email, random_email("stranger")):
        sso.scenario(sub="person-2", email=email, email_verified=False)
        _, query = go(db)
        failed = refused(db, query)
        assert (failed.code, failed.message) == ("unverified_email", expected)
    assert oidc.pending_link(db, CLIENT) is None
    assert identities(db, owner) == []


def test_a_verified_address_without_an_account_is_told_to_ask_for_an_invitation(
    db: Session, sso: Provider
) -> None:
    sso.scenario(sub="person-3", email=random_email("newcomer"), email_verified=True)
    _, query = go(db)
    failed = refused(db, query)
    assert failed.code == "no_account"
    assert "invitation" in failed.message and NAME in failed.message
    assert db.exec(select(func.count()).select_from(User)).one() == 0


def test_linking_wants_the_account_password_then_the_provider_signs_straight_in(
    db: Session, sso: Provider
) -> None:
    _, owner = make_studio(db)
    sso.scenario(sub="person-4", email=owner.email.upper(), email_verified=True)
    _, query = go(db)
    outcome = finish(db, query)
    assert outcome.kind == "link_needed"
    assert _sessions(db) == (0, 0)
    assert oidc.pending_link(db, CLIENT) == (owner.email, NAME)
    assert oidc.pending_link(db, OTHER_BROWSER) is None

    with pytest.raises(ValidationFailed) as wrong:
        oidc.link_with_password(db, CLIENT, "not the password at all")
    assert wrong.value.errors == {"password": oidc.WRONG_PASSWORD}
    db.rollback()
    assert identities(db, owner) == []
    assert db.exec(select(LoginEvent.reason).where(LoginEvent.user_id == owner.id)).all() == [
        "wrong_password"
    ]
    with pytest.raises(NotFound):
        oidc.link_with_password(db, OTHER_BROWSER, PASSWORD)

    assert oidc.link_with_password(db, CLIENT, PASSWORD).id == owner.id
    db.commit()
    assert identities(db, owner) == [(sso.issuer, "person-4")]
    assert [a.actor_user_id for a in audited(db, "sso.linked")] == [owner.id]
    assert oidc.pending_link(db, CLIENT) is None

    outcome = round_trip(db)
    assert signed_in_as(db, outcome) == owner.id


def test_an_address_given_only_at_userinfo_is_read_there(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    sso.scenario(sub="person-5", email=owner.email, email_verified=True, email_in_userinfo=True)
    assert round_trip(db).kind == "link_needed"
    assert oidc.pending_link(db, CLIENT) == (owner.email, NAME)


# --- invitations ------------------------------------------------------------------------------------


def _invite(db: Session, email: str, role: str = Role.ANALYST) -> tuple[int, str]:
    studio, owner = make_studio(db)
    team.invite(db, actor_for(db, owner, studio), email=email, role=role)
    db.commit()
    return studio.id or 0, token_in(mails_to(email)[-1], "/invite/")


def test_an_invitation_is_accepted_with_the_provider_account(db: Session, sso: Provider) -> None:
    email = random_email("nora")
    studio_id, raw = _invite(db, email)
    sso.scenario(sub="nora-at-acme", email="nora@acme.example", email_verified=True, name="Nora New")
    outcome = round_trip(db, invitation=raw)
    assert outcome.studio_id == studio_id
    user = db.exec(select(User).where(User.email == email)).one()
    assert signed_in_as(db, outcome) == user.id
    assert (user.name, user.password_hash) == ("Nora New", "")
    role = db.exec(select(Membership.role).where(Membership.user_id == user.id)).one()
    assert role == Role.ANALYST
    assert identities(db, user) == [(sso.issuer, "nora-at-acme")]
    assert db.exec(select(Invitation)).one().accepted_user_id == user.id
    # The link in the mail is spent; the provider account signs straight in from now on.
    with pytest.raises(oidc.SsoFailed) as again:
        oidc.begin(db, CLIENT, invitation=raw)
    assert again.value.code == "invitation_invalid"
    assert signed_in_as(db, round_trip(db)) == user.id


def test_an_invitation_to_an_existing_account_links_it_with_its_password(db: Session, sso: Provider) -> None:
    _, member = make_studio(db, "Studio B")
    studio_id, raw = _invite(db, member.email)
    sso.scenario(sub="member-at-acme", email="someone@acme.example", email_verified=True)
    assert round_trip(db, invitation=raw).kind == "link_needed"
    assert oidc.pending_link(db, CLIENT) == (member.email, NAME)
    assert db.exec(select(Membership).where(Membership.user_id == member.id)).all() != []
    joined_before = db.exec(
        select(Membership).where(Membership.user_id == member.id, Membership.studio_id == studio_id)
    ).first()
    assert joined_before is None
    assert oidc.link_with_password(db, CLIENT, PASSWORD).id == member.id
    db.commit()
    joined = db.exec(
        select(Membership.role).where(Membership.user_id == member.id, Membership.studio_id == studio_id)
    ).one()
    assert joined == Role.ANALYST
    assert identities(db, member) == [(sso.issuer, "member-at-acme")]


def test_an_account_made_through_the_provider_has_no_password_to_guess(db: Session, sso: Provider) -> None:
    email = random_email("nopass")
    _, raw = _invite(db, email)
    sso.scenario(sub="nopass", email=email, email_verified=True, name="No Pass")
    assert round_trip(db, invitation=raw).kind == "signed_in"
    with pytest.raises(ValidationFailed):
        auth.authenticate(db, email=email, password="studioos-timing-equaliser", client=CLIENT)


# --- re-authentication ------------------------------------------------------------------------------


def _stale_session(db: Session, user: User) -> tuple[str, int]:
    token = auth.start_session(db, user, None, CLIENT)
    session = db.exec(select(AuthSession)).one()
    session.reauthenticated_at = utcnow() - timedelta(minutes=30)
    db.add(session)
    db.commit()
    return token, session.id or 0


def test_confirming_with_the_provider_marks_the_session(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    token, session_id = _stale_session(db, owner)
    url, query = go(db, intent="reauth", next_path="/account", session_user_id=owner.id)
    asked = parse_qs(urlsplit(url).query)
    assert asked["prompt"] == ["login"] and asked["max_age"] == ["0"]
    outcome = finish(db, query, session_token=token)
    assert (outcome.kind, outcome.next_path) == ("reauthenticated", "/account")
    session = db.get(AuthSession, session_id)
    assert session is not None and reauth.is_recent(session.reauthenticated_at)
    assert db.exec(select(func.count()).select_from(AuthSession)).one() == 1


@pytest.mark.parametrize("what", ["stale-provider-sign-in", "other-provider-account", "no-session"])
def test_a_confirmation_that_proves_nothing_leaves_the_session_unconfirmed(
    db: Session, sso: Provider, what: str
) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    token, session_id = _stale_session(db, owner)
    if what == "stale-provider-sign-in":
        sso.scenario(id_token={"stale_auth": True})
    if what == "other-provider-account":
        sso.scenario(sub="someone-else")
    _, query = go(db, intent="reauth", next_path="/account", session_user_id=owner.id)
    failed = refused(db, query, session_token="" if what == "no-session" else token)
    expected = {
        "stale-provider-sign-in": "reauth_not_fresh",
        "other-provider-account": "not_linked",
        "no-session": "signed_out",
    }
    assert failed.code == expected[what]
    assert failed.return_to == "/account"
    session = db.get(AuthSession, session_id)
    assert session is not None and not reauth.is_recent(session.reauthenticated_at)


def test_only_a_linked_account_can_confirm_with_the_provider(db: Session) -> None:
    _, owner = make_studio(db)
    with pytest.raises(oidc.SsoFailed) as failed:
        oidc.begin(db, CLIENT, intent="reauth", next_path="/account", session_user_id=owner.id)
    assert (failed.value.code, failed.value.return_to) == ("not_linked", "/account")
    assert db.exec(select(OidcLogin)).all() == []


# --- the provider down ----------------------------------------------------------------------------


def test_a_provider_that_cannot_be_reached_is_a_clean_refusal(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIOOS_OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")
    reset_settings_cache()
    with pytest.raises(oidc.SsoFailed) as failed:
        oidc.begin(db, CLIENT)
    assert failed.value.code == "provider_down"
    assert failed.value.message == ERROR_MESSAGES["provider_down"]
    assert db.exec(select(OidcLogin)).all() == []
    assert [a.detail for a in audited(db, "sso.failed")] == [failed.value.reason]


def test_a_provider_that_drops_the_code_exchange_is_a_clean_refusal(db: Session, sso: Provider) -> None:
    _, owner = make_studio(db)
    link(db, owner, sso)
    sso.scenario(token_endpoint_down=True)
    _, query = go(db)
    assert refused(db, query).code == "provider_down"


def test_without_configuration_there_is_no_trip(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOOS_OIDC_CLIENT_SECRET", "")
    reset_settings_cache()
    assert not oidc.configured()
    with pytest.raises(oidc.SsoFailed) as failed:
        oidc.begin(db, CLIENT)
    assert failed.value.code == "not_configured"


# --- the account page: unlinking ------------------------------------------------------------------


def test_unlinking_wants_a_recent_confirmation_and_a_password(db: Session, sso: Provider) -> None:
    studio, owner = make_studio(db)
    link(db, owner, sso)
    actor = actor_for(db, owner, studio)
    shown = oidc.linked_identity(db, actor)
    assert shown is not None and (shown.provider, shown.email) == (NAME, owner.email)

    session = db.get(AuthSession, actor.session_id)
    assert session is not None
    session.reauthenticated_at = utcnow() - timedelta(minutes=30)
    db.add(session)
    db.commit()
    with pytest.raises(ReauthRequired):
        oidc.unlink(db, actor)

    reauth.mark(db, actor.session_id or 0)
    owner.password_hash = ""
    db.add(owner)
    db.commit()
    with pytest.raises(ValidationFailed) as no_password:
        oidc.unlink(db, actor)
    assert "could not sign in any more" in no_password.value.message
    assert identities(db, owner) != []

    owner.password_hash = hash_password(PASSWORD)
    db.add(owner)
    oidc.unlink(db, actor)
    db.commit()
    assert identities(db, owner) == []
    assert oidc.linked_identity(db, actor) is None
    assert [a.detail for a in audited(db, "sso.unlinked")] == [sso.issuer]


def test_expired_trips_are_purged(db: Session, sso: Provider) -> None:
    go(db)
    assert oidc.purge_logins(db, utcnow()) == 0
    assert oidc.purge_logins(db, utcnow() + oidc.TRIP_TTL + timedelta(seconds=1)) == 1
    db.commit()
    assert db.exec(select(OidcLogin)).all() == []
