"""Browser tests: the production build of the app, a real SMTP server and Debian's Chromium.

One session-scoped app serves every e2e test (the frontend build takes a minute). The app
runs in its own process group with an environment built here from scratch, so the per-test
`_isolated_env` fixture of tests/conftest.py cannot affect it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pluggy
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from tests.local_servers import (
    MailCapture,
    StripeFront,
    free_port,
    serving_localstripe,
    serving_smtp,
    serving_stripe_front,
)
from tests.oidc_server import Provider, serving_oidc_provider

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
CHROMIUM = Path(os.environ.get("STUDIOOS_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = float(os.environ.get("STUDIOOS_E2E_START_TIMEOUT", "300"))
SHOTS = Path(os.environ.get("STUDIOOS_E2E_SHOTS", "/tmp/shots"))
PASSWORD = "correct horse battery staple"
# The new_context fixture: each call opens a browser context (its own cookie jar) for the test.
# By default the browser has already made its cookie choice (essential only), as a returning
# visitor has, so the cookie banner stays out of the way of the flow under test;
# `cookie_choice=None` is a first visit.
NewContext = Callable[..., BrowserContext]


def missing(what: str) -> None:
    """Outside CI a missing tool skips the browser tests; in CI it fails them: nothing untested lands."""
    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


def _bin(name: str) -> str:
    path = VENV_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        missing(f"{name} is not installed")
    return found


def unique_email(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


# --- mail -------------------------------------------------------------------------------


def mail_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def link_in(msg: EmailMessage, path_prefix: str) -> str:
    match = re.search(r"https?://\S*" + re.escape(path_prefix) + r"\S+", mail_text(msg))
    assert match, f"no {path_prefix} link in mail: {mail_text(msg)!r}"
    return match.group(0).rstrip(".,;)>\"'")


# The session's mailbox, for flows that read mail without being handed the fixture (sign_up).
_session_mailbox: MailCapture | None = None


@pytest.fixture(scope="session")
def mailbox() -> Iterator[MailCapture]:
    global _session_mailbox
    with serving_smtp() as box:
        _session_mailbox = box
        try:
            yield box
        finally:
            _session_mailbox = None


# --- the app ----------------------------------------------------------------------------


@dataclass
class App:
    base_url: str
    database_url: str
    log_path: Path
    process: subprocess.Popen
    # The app's own environment (its encryption keys and secret), for tests that write rows it reads.
    env: dict[str, str] = field(default_factory=dict)
    _engine: Engine | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.database_url)
        return self._engine

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def _app_env(tmp: Path, port: int, box: MailCapture) -> dict[str, str]:
    from cryptography.fernet import Fernet

    # The machine's environment (CA bundles, proxies, npm config) minus every app setting:
    # those are all given below, and REDIS_URL stays unset (disk state manager).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STUDIOOS_", "REFLEX_", "PYTEST_", "STRIPE_")) and k != "REDIS_URL"
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        REFLEX_USE_NPM="1",
        PYTHONUNBUFFERED="1",
        STUDIOOS_DATABASE_URL=f"sqlite:///{tmp / 'e2e.db'}",
        STUDIOOS_DATA_DIR=str(tmp / "data"),
        STUDIOOS_OUTBOX_DIR=str(tmp / "outbox"),
        STUDIOOS_BASE_URL=f"http://127.0.0.1:{port}",
        STUDIOOS_SMTP_HOST=box.host,
        STUDIOOS_SMTP_PORT=str(box.port),
        STUDIOOS_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        STUDIOOS_SECRET_KEY=secrets.token_urlsafe(48),
        # Many sign-ins from 127.0.0.1 in one run must not trip the throttle.
        STUDIOOS_LOGIN_MAX_FAILURES="1000",
        STUDIOOS_SIGNUP_MAX_PER_HOUR="1000",
        REFLEX_STATES_WORKDIR=str(tmp / "states"),
    )
    # Build the frontend in a private copy of .web (its node_modules included) so that a
    # `reflex run` in the checkout at the same time cannot race this build.
    web = ROOT / ".web"
    if (web / "node_modules").is_dir():
        private = tmp / "web"

        def top_level_only(directory: str, names: list[str]) -> set[str]:
            # The old build is not needed; a "build" folder inside node_modules is.
            return {"build", ".react-router"} & set(names) if Path(directory) == web else set()

        shutil.copytree(web, private, symlinks=True, ignore=top_level_only)
        env["REFLEX_WEB_WORKDIR"] = str(private)
    return env


def _wait_ready(app: App, deadline: float) -> None:
    last = ""
    with httpx.Client(timeout=5, follow_redirects=True) as client:
        while time.monotonic() < deadline:
            if app.process.poll() is not None:
                raise RuntimeError(f"the app exited with {app.process.returncode}")
            try:
                health = client.get(app.url("/healthz"))
                page = client.get(app.url("/signin"))
                if health.status_code == 200 and page.status_code == 200 and "<html" in page.text.lower():
                    return
                last = f"healthz {health.status_code}, signin {page.status_code}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(1)
    raise TimeoutError(f"the app did not answer within {START_TIMEOUT:.0f}s ({last})")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def running_app(tmp: Path, mailbox: MailCapture, port: int | None = None, **extra_env: str) -> Iterator[App]:
    """The production build of the app on a free port (or `port`), its database migrated, mail going
    to `mailbox`; `extra_env` adds settings (REDIS_URL for the Redis tests). Stopped on exit."""
    port = port or free_port()
    env = {**_app_env(tmp, port, mailbox), **extra_env}
    subprocess.run([_bin("studioos"), "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [_bin("reflex"), "run", "--env", "prod", "--single-port", "--backend-port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        the_app = App(env["STUDIOOS_BASE_URL"], env["STUDIOOS_DATABASE_URL"], log_path, proc, env)
        try:
            _wait_ready(the_app, time.monotonic() + START_TIMEOUT)
        except Exception as exc:
            _stop(proc)
            pytest.fail(f"StudioOS did not start: {exc}\n--- server log (tail) ---\n{the_app.log_tail()}")
        try:
            yield the_app
        finally:
            _stop(proc)
            if the_app._engine is not None:
                the_app._engine.dispose()


# The prices the e2e app sells (STUDIOOS_STRIPE_PRICES): localstripe takes any price id it is given.
E2E_PRICES = ",".join(
    f"{plan}_{cycle}=price_e2e_{plan}_{cycle}"
    for plan in ("starter", "studio", "agency")
    for cycle in ("monthly", "yearly")
)


@pytest.fixture(scope="session")
def stripe_front() -> Iterator[StripeFront]:
    """Stripe for the browser tests: localstripe behind the stand-in for its hosted pages."""
    with serving_localstripe() as backend, serving_stripe_front(backend) as front:
        yield front


# The app's port is chosen first: the sign-in provider must know the callback address when it starts.
APP_PORT = free_port()
SSO_NAME = "Acme ID"


@pytest.fixture(scope="session")
def sso_provider() -> Iterator[Provider]:
    """An OpenID Connect provider the browser tests' app signs in with (tests/oidc_server.py)."""
    with serving_oidc_provider(f"http://127.0.0.1:{APP_PORT}/api/auth/oidc/callback") as provider:
        yield provider


@pytest.fixture(scope="session")
def app(
    tmp_path_factory: pytest.TempPathFactory,
    mailbox: MailCapture,
    stripe_front: StripeFront,
    sso_provider: Provider,
) -> Iterator[App]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is not installed (make browser)")
    settings = {
        "STRIPE_API_KEY": stripe_front.api_key,
        "STRIPE_API_BASE": stripe_front.base_url,
        "STUDIOOS_STRIPE_PRICES": E2E_PRICES,
        "STUDIOOS_OIDC_ISSUER": sso_provider.issuer,
        "STUDIOOS_OIDC_CLIENT_ID": sso_provider.client_id,
        "STUDIOOS_OIDC_CLIENT_SECRET": sso_provider.client_secret,
        "STUDIOOS_OIDC_NAME": SSO_NAME,
    }
    with running_app(tmp_path_factory.mktemp("e2e"), mailbox, APP_PORT, **settings) as the_app:
        yield the_app


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    """On a failed e2e test, show the tail of the server log next to the failure."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "app" in getattr(item, "funcargs", {}):
        report.sections.append(("StudioOS server log (tail)", item.funcargs["app"].log_tail()))


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(app: App) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser: Browser, app: App) -> Iterator[NewContext]:
    """Make browser contexts (separate cookie jars) for one test; all closed at its end.

    Every page of every context is watched for Content-Security-Policy violations: the whole
    browser suite runs under the app's real policy, and a test whose page broke it fails."""
    contexts: list[BrowserContext] = []
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def make(cookie_choice: str | None = "essential") -> BrowserContext:
        ctx = browser.new_context(base_url=app.base_url, viewport={"width": 1280, "height": 860})
        if cookie_choice is not None:
            ctx.add_cookies([{"name": "studioos_consent", "value": cookie_choice, "url": app.base_url}])
        ctx.set_default_timeout(20_000)
        ctx.set_default_navigation_timeout(30_000)
        ctx.on("console", watch)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        with contextlib.suppress(Exception):
            ctx.close()
    assert violations == [], "the page broke the Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"e2e-{name}.png"), full_page=True)


# --- flows the tests share ----------------------------------------------------------------


def add_member(app: App, owner_email: str, role: str, *, performer_id: int | None = None) -> str:
    """A member of the owner's studio made straight in the app's database; returns her email
    (password PASSWORD). For tests whose subject is what she sees, not how she was invited."""
    from sqlmodel import Session, select

    from studioos.models.accounts import Membership, User
    from studioos.services.passwords import hash_password

    with Session(app.engine) as db:
        studio_id = db.exec(
            select(Membership.studio_id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == owner_email)
        ).one()
        email = unique_email(role)
        user = User(email=email, name=f"{role.title()} Member", password_hash=hash_password(PASSWORD))
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id, studio_id=studio_id, role=role, performer_id=performer_id))
        db.commit()
    return email


def make_owner(app: App, studio: str) -> str:
    """An owner and her studio made straight in the app's database; returns her email (password
    PASSWORD). For tests whose subject is not sign-up itself."""
    from sqlmodel import Session

    from studioos.models import Membership, Studio, User
    from studioos.services.passwords import hash_password

    email = unique_email("owner")
    with Session(app.engine) as db:
        row = Studio(name=studio, timezone="Europe/Bucharest", currency="EUR")
        user = User(email=email, name="Olivia Owner", password_hash=hash_password(PASSWORD))
        db.add(row)
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id, studio_id=row.id, role="owner"))
        db.commit()
    return email


def make_support(app: App, name: str = "Sam Support") -> str:
    """A StudioOS support staff account made straight in the app's database; returns its email
    (password PASSWORD)."""
    from sqlmodel import Session

    from studioos.models import User
    from studioos.services.passwords import hash_password

    email = unique_email("support")
    with Session(app.engine) as db:
        db.add(User(email=email, name=name, password_hash=hash_password(PASSWORD), is_support=True))
        db.commit()
    return email


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll a condition outside the browser (a file, a database row, a Redis key) until it holds;
    returns its truthy value, or fails saying what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f}s")
        time.sleep(0.2)


def wait_hydrated(page: Page, selector: str = "form") -> None:
    """Pages are prerendered: before React hydrates them a click submits the plain HTML form
    (a GET with the fields in the URL). Wait until React owns the element."""
    page.locator(selector).first.wait_for()
    page.wait_for_function(
        """(sel) => {
            const el = document.querySelector(sel);
            return !!el && Object.keys(el).some((k) => k.startsWith("__reactProps"));
        }""",
        arg=selector,
    )
    # And the page's load events have run: one that lands after a click would reset the form.
    page.locator("#page-ready").wait_for(state="attached")


def sign_up(page: Page, *, studio: str, name: str, email_addr: str, password: str = PASSWORD) -> None:
    """Fill the sign-up form, then follow the link it mails: the studio exists and we are signed in."""
    page.goto("/signup")
    wait_hydrated(page)
    page.fill("#studio_name", studio)
    page.fill("#name", name)
    page.fill("#email", email_addr)
    page.fill("#password", password)
    page.fill("#password_confirm", password)
    page.click("#signup-submit")
    page.locator("#signup-sent").get_by_text(email_addr.strip().lower()).wait_for()
    assert _session_mailbox is not None, "sign_up needs the mailbox fixture (the app fixture brings it)"
    msg = _session_mailbox.wait_for(email_addr, subject="Confirm your new StudioOS studio")
    page.goto(link_in(msg, "/signup/confirm/"))
    page.wait_for_url("**/dashboard**")
    page.locator("#user-menu").wait_for()


def sign_in(page: Page, email_addr: str, password: str = PASSWORD) -> None:
    page.goto("/signin")
    wait_hydrated(page)
    page.fill("#email", email_addr)
    page.fill("#password", password)
    page.click("#signin-submit")
    page.wait_for_url("**/dashboard**")
    page.locator("#user-menu").wait_for()


def sign_out(page: Page) -> None:
    page.click("#user-menu")
    page.click("#sign-out")
    page.wait_for_url("**/signin**")


# A model whose every personal field is a string no page or state may leak to the wrong reader.
STAGE = "Zora Night"
SECRETS = {
    "legal name": "Xenia Secretlegalname",
    "birth date": "1995-07-14",
    "document number": "DOCNUM998877",
    "contact email": "zora.private@example.org",
    "phone": "+40 799 123 456",
    "telegram": "@zora_private_tg",
}


def new_model(page: Page) -> str:
    """Enter the model STAGE with SECRETS through the New model form; returns her id (as in the URL)."""
    page.goto("/models")
    wait_hydrated(page)
    page.click("#new-model")
    page.fill("#stage_name", STAGE)
    page.fill("#email", SECRETS["contact email"])
    page.fill("#phone", SECRETS["phone"])
    page.fill("#telegram", SECRETS["telegram"])
    page.fill("#legal_name", SECRETS["legal name"])
    page.fill("#birth_date", SECRETS["birth date"])
    page.click("#doc_type")
    page.get_by_role("option", name="Passport").click()
    page.fill("#doc_number", SECRETS["document number"])
    page.fill("#doc_country", "RO")
    page.fill("#doc_expiry", (datetime.now(UTC).date() + timedelta(days=400)).isoformat())
    page.click("#new-model-submit")
    page.wait_for_url("**/models/*")
    page.get_by_role("heading", name=STAGE).wait_for()
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def session_cookie(ctx: BrowserContext) -> str | None:
    """The StudioOS session cookie of a browser context, if it has one."""
    return next((c["value"] for c in ctx.cookies() if c["name"] == "studioos_session"), None)
