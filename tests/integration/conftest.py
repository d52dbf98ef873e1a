"""Integration fixtures: a real SMTP server (aiosmtpd) on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from tests.local_servers import MailCapture, free_port, serving_smtp


class MailServer(MailCapture):
    """The capture as the SMTP tests read it: they count mails, so wait_for gives every one."""

    def wait_for(  # type: ignore[override]
        self, address: str, count: int = 1, *, subject: str = "", timeout: float = 5.0
    ) -> list[EmailMessage]:
        return self.wait_for_all(address, count, subject=subject, timeout=timeout)


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailServer]:
    """A real SMTP server on loopback; the app is pointed at it through its settings."""
    from studioos.settings import reset_settings_cache

    with serving_smtp(MailServer("127.0.0.1", free_port())) as server:
        assert isinstance(server, MailServer)
        monkeypatch.setenv("STUDIOOS_SMTP_HOST", server.host)
        monkeypatch.setenv("STUDIOOS_SMTP_PORT", str(server.port))
        reset_settings_cache()
        try:
            yield server
        finally:
            reset_settings_cache()
