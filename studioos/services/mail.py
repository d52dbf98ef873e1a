"""Outgoing mail: SMTP when configured, otherwise an outbox folder so the demo works offline."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid

from studioos.services.errors import ServiceError
from studioos.settings import get_settings

log = logging.getLogger("studioos.mail")

_LINK = re.compile(r"https?://\S+")
MAIL_FAILED = "We could not send the email just now. Please try again in a few minutes."


def send_or_refuse(to: str, subject: str, body: str) -> None:
    """For answers that must look the same whatever the address (sign-up, email change): both
    branches send one mail, so an outage refuses both alike instead of telling them apart."""
    try:
        send(to, subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        log.exception("could not send %r", subject)
        raise ServiceError(MAIL_FAILED) from exc


def send(to: str, subject: str, body: str) -> None:
    settings = get_settings()
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="studioos.local")
    msg.set_content(body)
    if settings.smtp_enabled:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
            if settings.smtp_starttls:
                # A server without STARTTLS is an error, never a fall-back to clear text; the default
                # context checks the certificate and host name, which smtplib's own would not.
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(msg)
        log.info("mail sent to %s: %s", to, subject)
        return
    outbox = settings.outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    # A file name has at most 255 bytes and an address up to 254 characters: keep the name short.
    safe_to = re.sub(r"[^a-zA-Z0-9@._-]", "_", to)[:100]
    path = outbox / f"{stamp}-{safe_to}.eml"
    path.write_bytes(bytes(msg))
    links = " ".join(_LINK.findall(body))
    log.info("mail to %s (%s) written to %s %s", to, subject, path, links)
    # The demo has no mail server: the terminal is where its user finds the links.
    print(f"[studioos mail] to {to}: {subject} -> {path} {links}", flush=True)
