"""Servers the tests run on loopback: a free port to put them on, and an SMTP server that keeps
what it receives (the integration tests and the browser tests both read mail through it)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession

from tests.foundation_helpers import parse_mail


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class MailCapture:
    """An aiosmtpd handler that keeps every mail, and lets tests wait for the ones they expect."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: SMTP, session: SMTPSession, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        got = Received(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], parse_mail(raw))
        with self._cond:
            self.received.append(got)
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._cond:
            return [r.message for r in self.received]

    def to(self, address: str, subject: str = "") -> list[EmailMessage]:
        """Mails delivered to `address` (an envelope recipient), oldest first."""
        wanted = address.strip().lower()
        with self._cond:
            return [
                r.message
                for r in self.received
                if wanted in (t.lower() for t in r.rcpt_tos) and subject in str(r.message["Subject"])
            ]

    def wait_for_all(
        self, address: str, count: int = 1, *, subject: str = "", timeout: float = 5.0
    ) -> list[EmailMessage]:
        """At least `count` mails to `address` (whose subject contains `subject`), oldest first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = self.to(address, subject)
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(r.rcpt_tos, r.message["Subject"]) for r in self.received]
                    raise AssertionError(
                        f"expected {count} mail(s) to {address} within {timeout}s; received {seen}"
                    )
                self._cond.wait(left)

    def wait_for(self, address: str, *, subject: str = "", timeout: float = 30.0) -> EmailMessage:
        """The first mail to `address` whose subject contains `subject`."""
        return self.wait_for_all(address, 1, subject=subject, timeout=timeout)[0]


@contextmanager
def serving_smtp(capture: MailCapture | None = None) -> Iterator[MailCapture]:
    """An SMTP server on loopback that hands what it receives to `capture` (a new MailCapture on a
    free port unless given); stopped on exit."""
    capture = capture or MailCapture("127.0.0.1", free_port())
    controller = Controller(capture, hostname=capture.host, port=capture.port)
    controller.start()
    try:
        yield capture
    finally:
        controller.stop()


# localstripe (a fake Stripe API, from PyPI) run in a child process of its own, bound to loopback
# only (its own command line listens on every interface), with two changes that concern the tests:
# - its store is kept in memory (it would write /tmp/localstripe.pickle, shared by every test run
#   on the machine);
# - it learns the current API's words for what it already does: a subscription item's `price`
#   (localstripe 1.15 knows the older `plan`, and a plan's id is a price id at Stripe) and an
#   update's `proration_behavior` (it always prorates).
LOCALSTRIPE_MAIN = """
import sys
from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

resources.Store.dump_to_disk = lambda self: None

def _plans(items):
    for item in items or []:
        if isinstance(item, dict) and "price" in item:
            item.setdefault("plan", item.pop("price"))
    return items

_create = resources.Subscription.__init__
def _init(self, *args, items=None, **kwargs):
    _create(self, *args, items=_plans(items), **kwargs)
resources.Subscription.__init__ = _init

_update = resources.Subscription._update
def _upd(self, items=None, proration_behavior=None, **kwargs):
    if proration_behavior not in (None, "create_prorations", "always_invoice", "none"):
        raise UserError(400, "Bad request")
    return _update(self, items=_plans(items), **kwargs)
resources.Subscription._update = _upd

web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""
LOCALSTRIPE_KEY = "sk_test_localstripe"


@dataclass
class LocalStripe:
    base_url: str  # http://127.0.0.1:PORT, for STRIPE_API_BASE
    api_key: str = LOCALSTRIPE_KEY


def _answers(base_url: str) -> bool:
    request = urllib.request.Request(
        f"{base_url}/v1/customers", headers={"Authorization": f"Bearer {LOCALSTRIPE_KEY}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def serving_localstripe(timeout: float = 30.0) -> Iterator[LocalStripe]:
    """localstripe on a free loopback port, answering before this yields; stopped on exit. Raises
    (the test fails, never skips) when it cannot start."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as output, tempfile.TemporaryDirectory() as workdir:
        proc = subprocess.Popen(
            [sys.executable, "-c", LOCALSTRIPE_MAIN, str(port)],
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _answers(base_url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    said = output.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"localstripe did not start on {base_url}: {said}")
                time.sleep(0.05)
            yield LocalStripe(base_url)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- Stripe's hosted pages, on loopback ------------------------------------------------------
# localstripe has no Checkout or Customer Portal sessions. This stand-in sits in front of it:
# it answers those two itself with a URL on its own port, serves a page there (the browser tests
# follow the owner's redirect to it), and hands every other request to localstripe unchanged.

HOSTED_PAGE = (
    "<!doctype html><html><head><title>{title}</title></head>"
    '<body><h1 id="stripe-hosted">{title}</h1><p id="stripe-session">{session}</p></body></html>'
)


@dataclass
class StripeFront:
    base_url: str  # STRIPE_API_BASE for the app
    api_key: str
    sessions: list[dict[str, list[str]]] = field(default_factory=list)  # the forms it was sent


@contextmanager
def serving_stripe_front(backend: LocalStripe) -> Iterator[StripeFront]:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs

    port = free_port()
    front = StripeFront(f"http://127.0.0.1:{port}", backend.api_key)
    hosted = {
        "/v1/checkout/sessions": ("cs", "checkout.session"),
        "/v1/billing_portal/sessions": ("bps", "billing_portal.session"),
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # the base class names it `format`
            """Quiet: the tests' output is not the place for an access log."""

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self, body: bytes | None) -> None:
            request = urllib.request.Request(backend.base_url + self.path, data=body, method=self.command)
            for name in ("Authorization", "Content-Type", "Stripe-Version", "Idempotency-Key"):
                if self.headers.get(name):
                    request.add_header(name, self.headers[name])
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    self._send(
                        answer.status, answer.read(), answer.headers.get("Content-Type", "application/json")
                    )
            except urllib.error.HTTPError as refused:
                self._send(refused.code, refused.read(), "application/json")

        def do_GET(self) -> None:  # http.server names them so
            kind, _, session = self.path.strip("/").partition("/")
            if kind in ("checkout", "portal"):
                title = "Stripe Checkout (test)" if kind == "checkout" else "Stripe Customer Portal (test)"
                self._send(200, HOSTED_PAGE.format(title=title, session=session).encode(), "text/html")
                return
            self._forward(None)

        def do_DELETE(self) -> None:
            self._forward(None)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = self.path.split("?")[0]
            if path not in hosted:
                self._forward(body)
                return
            prefix, kind = hosted[path]
            form = parse_qs(body.decode())
            front.sessions.append({"path": [path], **form})
            session_id = f"{prefix}_test_{len(front.sessions)}"
            page = "checkout" if prefix == "cs" else "portal"
            answer = {"id": session_id, "object": kind, "url": f"{front.base_url}/{page}/{session_id}"}
            self._send(200, json.dumps(answer).encode(), "application/json")

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield front
    finally:
        server.shutdown()
        server.server_close()
