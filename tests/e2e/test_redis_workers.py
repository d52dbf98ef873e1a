"""Production mode with Redis: Reflex keeps state in Redis and serves with several workers.
A studio signs up, invites and signs out across those workers exactly as with one worker."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
import redis
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    STAGE,
    App,
    make_owner,
    missing,
    new_model,
    running_app,
    session_cookie,
    sign_in,
    sign_out,
    sign_up,
    unique_email,
    wait_hydrated,
    wait_until,
)
from tests.e2e.state_probe import LEGAL, leaks, legal_loaded_pickled, open_documents, photo_file, post_upload
from tests.local_servers import MailCapture

pytestmark = pytest.mark.e2e

REDIS_DB = 11  # a database of its own on the shared server, emptied before and after
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def _redis() -> redis.Redis:
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=3)
    if not _answers(client):
        subprocess.run(REDIS_START, shell=True, capture_output=True, check=False)
        try:
            wait_until(lambda: _answers(client), 10, "Redis did not answer after it was started")
        except AssertionError:
            missing("Redis at 127.0.0.1:6379 is not reachable and could not be started")
    return client


@pytest.fixture(scope="module")
def redis_app(
    tmp_path_factory: pytest.TempPathFactory, mailbox: MailCapture
) -> Iterator[tuple[App, redis.Redis]]:
    """The app as the e2e `app` fixture runs it, with REDIS_URL set: state in Redis, several workers."""
    store = _redis()
    store.flushdb()
    try:
        with running_app(
            tmp_path_factory.mktemp("e2e-redis"), mailbox, REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}"
        ) as the_app:
            yield the_app, store
    finally:
        store.flushdb()


def _worker_count(pid: int) -> int:
    out = subprocess.run(["pgrep", "-g", str(os.getpgid(pid))], capture_output=True, text=True, check=False)
    return len(out.stdout.split())


def test_several_workers_share_state_in_redis(
    redis_app: tuple[App, redis.Redis], browser: Browser, mailbox: MailCapture
) -> None:
    app, store = redis_app
    assert _worker_count(app.process.pid) > 2  # the reflex parent and more than one server worker

    ctx = browser.new_context(base_url=app.base_url, viewport={"width": 1280, "height": 860})
    ctx.add_cookies([{"name": "studioos_consent", "value": "essential", "url": app.base_url}])
    ctx.set_default_timeout(20_000)
    try:
        page = ctx.new_page()
        owner = unique_email("redis-owner")
        sign_up(page, studio="Redis Studio", name="Rita Owner", email_addr=owner)
        page.locator("#studio-name").get_by_text("Redis Studio").wait_for()

        invitee = unique_email("redis-analyst")
        page.goto("/team")
        wait_hydrated(page, "#invite-submit")
        page.fill("#invite-email", invitee)
        page.click("#invite-submit")
        page.locator("#invitations-table").get_by_text(invitee).wait_for()
        mailbox.wait_for(invitee)

        # The page state lives in Redis, not in one worker's memory.
        assert store.dbsize() > 0
        keys = [k.decode() for k in store.scan_iter(count=1000)]
        assert any("team_state" in k for k in keys), keys[:10]

        sign_out(page)
        page.goto("/dashboard")
        page.wait_for_url("**/signin**")
    finally:
        ctx.close()


def test_redis_holds_no_session_token_or_legal_data(
    redis_app: tuple[App, redis.Redis], browser: Browser
) -> None:
    """The same scan as test_state_store.py, of every value in Redis database 11."""
    app, store = redis_app
    ctx = browser.new_context(base_url=app.base_url, viewport={"width": 1280, "height": 860})
    ctx.add_cookies([{"name": "studioos_consent", "value": "essential", "url": app.base_url}])
    ctx.set_default_timeout(20_000)
    try:
        page = ctx.new_page()
        sign_in(page, make_owner(app, "Redis Store Studio"))
        performer_id = new_model(page)
        open_documents(page, performer_id)
        session_token = session_cookie(ctx)
        assert session_token is not None

        def stored() -> list[bytes] | None:
            values = [v for k in store.scan_iter(count=1000) if isinstance(v := store.get(k), bytes)]
            return values if any(legal_loaded_pickled(v) for v in values) else None

        values = wait_until(stored, 20, "Redis never held the documents tab")
        assert leaks(values, {"session token": session_token, **LEGAL}) == {}

        # Her photo uploads land on whichever worker accepts them, not always the one holding
        # her tab's socket: each still acts as her own session and saves the photo.
        client_token = page.evaluate("window.sessionStorage.getItem('token')")
        for _ in range(6):
            before = photo_file(app, performer_id)
            assert post_upload(app, client_token, f"studioos_session={session_token}") == 200
            wait_until(lambda b=before: photo_file(app, performer_id) != b, 15, "an upload saved nothing")
        expect(page.get_by_role("heading", name=STAGE)).to_be_visible()
    finally:
        ctx.close()
