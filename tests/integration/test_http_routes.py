"""The HTTP routes: the sign-in cookie hand-off, sign-out, safe redirects and the health check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from studioos.api.routes import build_api, safe_next
from studioos.models import AuthSession, Membership, UserToken
from studioos.services import auth, password_reset
from studioos.services.tokens import hash_token
from studioos.settings import reset_settings_cache
from tests.factories import actor_for, make_studio
from tests.foundation_helpers import mails_to, token_in

COOKIE = auth.SESSION_COOKIE
BROWSER_RAW = "the-test-browsers-id-cookie"


def this_browser() -> auth.Client:
    """The browser that asks for the hand-off: the TestClient, which sends BROWSER_RAW."""
    return auth.Client(ip="testclient", user_agent="testclient", browser=auth.browser_hash(BROWSER_RAW))


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_api(), follow_redirects=False, headers={"origin": "http://testserver"}) as c:
        c.cookies.set(auth.BROWSER_COOKIE, BROWSER_RAW)
        yield c


def session_cookies(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}=")]


def attrs(set_cookie: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in set_cookie.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        out[key.lower()] = value
    return out


def handoff(db: Session) -> tuple[str, int]:
    _, owner = make_studio(db)
    code = auth.create_handoff(db, owner, client=this_browser())
    db.commit()
    return code, owner.id or 0


# --- the cookie hand-off ----------------------------------------------------------------------------


def test_complete_sets_an_httponly_lax_session_cookie(db: Session, client: TestClient) -> None:
    code, user_id = handoff(db)
    response = client.get("/api/auth/complete", params={"code": code})

    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    [cookie] = session_cookies(response)
    a = attrs(cookie)
    assert "httponly" in a
    assert a["samesite"].lower() == "lax"
    assert a["path"] == "/"
    assert "secure" not in a  # plain http in this test
    assert int(a["max-age"]) == 12 * 3600
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    db.expire_all()
    actor = auth.resolve_actor(db, token)
    assert actor is not None and actor.user_id == user_id
    # The session remembers where the browser came from.
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).one()
    assert row.ip == "testclient"


def test_cookie_is_secure_behind_https(
    db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIOOS_BASE_URL", "https://studio.example.com")
    reset_settings_cache()
    code, _ = handoff(db)
    response = client.get("/api/auth/complete", params={"code": code})
    [cookie] = session_cookies(response)
    a = attrs(cookie)
    assert "secure" in a and "httponly" in a and a["samesite"].lower() == "lax"


def test_a_used_code_gives_no_cookie(db: Session, client: TestClient) -> None:
    code, _ = handoff(db)
    assert session_cookies(client.get("/api/auth/complete", params={"code": code}))
    client.cookies.clear()
    again = client.get("/api/auth/complete", params={"code": code})
    assert again.status_code == 303
    assert again.headers["location"] == "/signin?expired=1"
    assert session_cookies(again) == []


def test_an_expired_code_gives_no_cookie(db: Session, client: TestClient) -> None:
    code, user_id = handoff(db)
    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(code))).one()
    row.expires_at = row.expires_at - timedelta(minutes=2)
    db.add(row)
    db.commit()
    response = client.get("/api/auth/complete", params={"code": code})
    assert response.headers["location"] == "/signin?expired=1"
    assert session_cookies(response) == []
    assert db.exec(select(AuthSession).where(AuthSession.user_id == user_id)).all() == []


def test_foreign_codes_give_no_cookie(db: Session, client: TestClient) -> None:
    """Codes made for something else (a reset link, an invitation) or made up are worth nothing here."""
    studio, owner = make_studio(db)
    password_reset.request_reset(db, owner.email)
    from studioos.services import team

    inviter = actor_for(db, owner, studio)
    team.invite(db, inviter, email="nina@example.com", role="analyst")
    db.commit()
    reset_raw = token_in(mails_to(owner.email)[0], "/reset/")
    invite_raw = token_in(mails_to("nina@example.com")[0], "/invite/")
    for code in (reset_raw, invite_raw, "made-up-code", "", "x" * 300):
        response = client.get("/api/auth/complete", params={"code": code})
        assert response.status_code == 303
        assert response.headers["location"] == "/signin?expired=1"
        assert session_cookies(response) == []
    # No session but the inviter's own.
    assert [s.id for s in db.exec(select(AuthSession)).all()] == [inviter.session_id]
    # The reset link was not used up by the attempt.
    assert password_reset.reset_link_valid(db, reset_raw)


def test_disabled_account_gets_no_cookie(db: Session, client: TestClient) -> None:
    _, owner = make_studio(db)
    code = auth.create_handoff(db, owner, client=this_browser())
    owner.is_active = False
    db.add(owner)
    db.commit()
    response = client.get("/api/auth/complete", params={"code": code})
    assert session_cookies(response) == []


@pytest.mark.parametrize(
    "evil",
    [
        "//evil.com",
        "//evil.com/dashboard",
        "https://evil.com",
        "http://evil.com/",
        "https:evil.com",
        "/\\evil",
        "/\\/evil.com",
        "\\\\evil.com",
        "/\t/evil.com",
        "javascript:alert(1)",
        "evil.com",
        "///evil.com",
    ],
)
def test_next_refuses_open_redirects(db: Session, client: TestClient, evil: str) -> None:
    assert safe_next(evil) == "/dashboard"
    code, _ = handoff(db)
    response = client.get("/api/auth/complete", params={"code": code, "next": evil})
    assert response.headers["location"] == "/dashboard"


@pytest.mark.parametrize("ok", ["/team", "/account?tab=sessions", "/invite/abc"])
def test_next_keeps_same_site_paths(ok: str) -> None:
    assert safe_next(ok) == ok
    assert safe_next("") == "/dashboard" and safe_next(None) == "/dashboard"


def test_next_is_followed_after_sign_in(db: Session, client: TestClient) -> None:
    code, _ = handoff(db)
    response = client.get("/api/auth/complete", params={"code": code, "next": "/team"})
    assert response.headers["location"] == "/team"
    assert session_cookies(response)


def test_someone_with_no_studio_left_lands_on_their_account(db: Session, client: TestClient) -> None:
    _, owner = make_studio(db)
    db.exec(delete(Membership).where(col(Membership.user_id) == owner.id))
    db.commit()
    code = auth.create_handoff(db, owner, client=this_browser())
    db.commit()
    response = client.get("/api/auth/complete", params={"code": code})
    # The dashboard would only say "not allowed": their account, privacy centre and support remain.
    assert response.headers["location"] == "/account"
    assert session_cookies(response)


# --- sign-out ---------------------------------------------------------------------------------------


def test_sign_out_revokes_the_session_and_clears_the_cookie(db: Session, client: TestClient) -> None:
    code, _ = handoff(db)
    [cookie] = session_cookies(client.get("/api/auth/complete", params={"code": code}))
    token = cookie.split(";", 1)[0].split("=", 1)[1]

    client.cookies.set(COOKIE, token)
    response = client.post("/api/auth/signout")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?signed_out=1"
    [cleared] = session_cookies(response)
    a = attrs(cleared)
    assert cleared.startswith(f'{COOKIE}="";') or cleared.startswith(f"{COOKIE}=;")
    assert a.get("max-age") == "0" or "expires" in a
    db.expire_all()
    # Replaying the old cookie gets nobody: the server revoked it.
    assert auth.resolve_actor(db, token) is None
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).one()
    assert row.revoked_at is not None


def test_sign_out_without_a_session_is_harmless(engine: Engine, client: TestClient) -> None:
    response = client.post("/api/auth/signout", data={"then": "reset"})
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?reset=1"


def _signed_in(db: Session, client: TestClient) -> str:
    code, _ = handoff(db)
    [cookie] = session_cookies(client.get("/api/auth/complete", params={"code": code}))
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    client.cookies.set(COOKIE, token)
    return token


def test_a_plain_link_cannot_sign_anyone_out(db: Session, client: TestClient) -> None:
    token = _signed_in(db, client)
    response = client.get("/api/auth/signout")
    assert response.status_code == 405
    assert not session_cookies(response)
    assert auth.resolve_actor(db, token) is not None


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": "http://testserver.evil.example"},
        {"origin": "", "referer": "https://evil.example/page"},
    ],
)
def test_a_foreign_page_cannot_sign_anyone_out(db: Session, client: TestClient, headers: dict) -> None:
    token = _signed_in(db, client)
    response = client.post("/api/auth/signout", headers=headers)
    assert response.status_code == 403
    assert not session_cookies(response)  # the cookie is not cleared either
    db.expire_all()
    assert auth.resolve_actor(db, token) is not None


def test_sign_out_without_origin_is_refused_but_a_same_site_referer_is_enough(
    db: Session, engine: Engine
) -> None:
    with TestClient(build_api(), follow_redirects=False) as bare:
        bare.cookies.set(auth.BROWSER_COOKIE, BROWSER_RAW)
        token = _signed_in(db, bare)
        assert bare.post("/api/auth/signout").status_code == 403
        assert auth.resolve_actor(db, token) is not None
        ok = bare.post("/api/auth/signout", headers={"referer": "http://testserver/dashboard"})
    assert ok.status_code == 303
    db.expire_all()
    assert auth.resolve_actor(db, token) is None


def test_a_handoff_link_opened_in_another_browser_signs_nobody_in(db: Session) -> None:
    """Login CSRF: the attacker's own fresh hand-off link sent to a victim must not sign the
    victim's browser in to the attacker's account."""
    code, user_id = handoff(db)  # asked for by the browser with BROWSER_RAW
    with TestClient(build_api(), follow_redirects=False) as victim:
        victim.cookies.set(auth.BROWSER_COOKIE, "the-victims-browser")
        response = victim.get("/api/auth/complete", params={"code": code})
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin")
        assert not session_cookies(response)
    with TestClient(build_api(), follow_redirects=False) as no_cookie:
        code2, _ = handoff(db)
        response = no_cookie.get("/api/auth/complete", params={"code": code2})
        assert not session_cookies(response)
    assert db.exec(select(AuthSession).where(AuthSession.user_id == user_id)).all() == []


# --- health -----------------------------------------------------------------------------------------


def test_healthz_ok_when_the_database_is_up(engine: Engine, client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_503_when_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from studioos.db import reset_engine_cache

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("STUDIOOS_DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{port}/studioos")
    reset_settings_cache()
    reset_engine_cache()
    with TestClient(build_api()) as c:
        response = c.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"


def test_the_cookie_route_does_not_trust_the_client(db: Session, client: TestClient) -> None:
    """A cookie value the server never issued gets nobody, and sign-out with it does nothing."""
    code, user_id = handoff(db)
    client.get("/api/auth/complete", params={"code": code})
    client.cookies.clear()
    client.cookies.set(COOKIE, "forged-token")
    response = client.post("/api/auth/signout")
    assert response.status_code == 303
    assert auth.resolve_actor(db, "forged-token") is None
    # The real session of that user is untouched by a sign-out with a forged cookie.
    db.expire_all()
    [row] = db.exec(select(AuthSession).where(AuthSession.user_id == user_id)).all()
    assert row.revoked_at is None
