"""Servers the tests run on loopback: a free port to put them on, and an SMTP server that keeps
what it receives (the integration tests and the browser tests both read mail through it)."""

from __future__ import annotations

import socket
import threading
import time
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
