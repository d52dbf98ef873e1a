"""Mail over real SMTP (aiosmtpd) when configured, the outbox folder otherwise; the links in it work.
A password goes to the server only inside STARTTLS, to a certificate the machine trusts."""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SMTPSession
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlmodel import Session

from studioos.services import account, auth, mail, password_reset, team
from studioos.services.errors import NotFound, ValidationFailed
from studioos.settings import get_settings, reset_settings_cache
from tests.factories import CLIENT, PASSWORD, TEST_BROWSER, actor_for, make_studio
from tests.foundation_helpers import body_of, link_in, outbox_messages, token_in
from tests.integration.conftest import MailServer
from tests.local_servers import free_port

NEW_PASSWORD = "mailed link password"
IPHONE = auth.Client(
    ip="198.51.100.23",
    user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    browser=TEST_BROWSER,
)


def sign_in(db: Session, email: str, password: str, client: auth.Client) -> str:
    user = auth.authenticate(db, email=email, password=password, client=client)
    code = auth.create_handoff(db, user, client=client)
    db.commit()
    token = auth.redeem_handoff(db, code, client)
    db.commit()
    assert token is not None
    return token


def test_without_smtp_mail_goes_to_the_outbox_folder(tmp_path: Path) -> None:
    assert not get_settings().smtp_enabled
    mail.send("someone@example.com", "Hello", "Body with a link http://testserver/x\n")
    [msg] = outbox_messages()
    assert (msg["To"], msg["Subject"]) == ("someone@example.com", "Hello")
    assert "http://testserver/x" in body_of(msg)
    # The folder is the one STUDIOOS_OUTBOX_DIR names.
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_with_smtp_mail_goes_to_the_server_not_the_outbox(smtp_server: MailServer) -> None:
    mail.send("someone@example.com", "Hello over SMTP", "Body\n")
    [msg] = smtp_server.wait_for("someone@example.com")
    assert msg["Subject"] == "Hello over SMTP"
    assert msg["From"] == get_settings().mail_from
    assert msg["Message-ID"]
    assert smtp_server.received[0].rcpt_tos == ["someone@example.com"]
    assert outbox_messages() == []


def test_unreachable_smtp_server_is_an_error_not_a_silent_drop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOOS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STUDIOOS_SMTP_PORT", str(free_port()))  # nobody listens there
    reset_settings_cache()
    with pytest.raises(OSError):
        mail.send("someone@example.com", "Lost", "Body\n")
    assert outbox_messages() == []


def test_invitation_mail_link_accepts_the_invitation(db: Session, smtp_server: MailServer) -> None:
    studio, owner = make_studio(db)
    team.invite(db, actor_for(db, owner, studio), email="nina@example.com", role="performer")
    db.commit()

    [msg] = smtp_server.wait_for("nina@example.com")
    assert studio.name in msg["Subject"]
    assert link_in(msg, "/invite/").startswith(get_settings().url("/invite/"))
    raw = token_in(msg, "/invite/")

    user, studio_id = team.accept_invitation(
        db, raw, name="Nina Model", password=NEW_PASSWORD, password_confirm=NEW_PASSWORD
    )
    db.commit()
    assert studio_id == studio.id
    assert sign_in(db, "nina@example.com", NEW_PASSWORD, CLIENT)
    with pytest.raises(NotFound):
        team.accept_invitation(db, raw, name="Again", password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
    assert user.email == "nina@example.com"


def test_resent_invitation_mail_carries_a_new_link(db: Session, smtp_server: MailServer) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    row = team.invite(db, actor, email="nina@example.com", role="analyst")
    db.commit()
    team.resend_invitation(db, actor, row.id)
    db.commit()
    first, second = smtp_server.wait_for("nina@example.com", 2)
    old, new = token_in(first, "/invite/"), token_in(second, "/invite/")
    assert old != new
    with pytest.raises(NotFound):
        team.invitation_info(db, old)
    assert team.invitation_info(db, new).studio_name == studio.name


def test_reset_mail_link_sets_a_new_password(db: Session, smtp_server: MailServer) -> None:
    _, owner = make_studio(db)
    session = sign_in(db, owner.email, PASSWORD, CLIENT)
    password_reset.request_reset(db, owner.email.upper(), CLIENT.ip, CLIENT.user_agent)
    db.commit()
    password_reset.request_reset(db, "unknown-person@example.com")
    db.commit()

    [msg] = smtp_server.wait_for(owner.email)
    raw = token_in(msg, "/reset/")
    password_reset.reset_password(db, raw, NEW_PASSWORD, NEW_PASSWORD)
    db.commit()

    assert auth.resolve_actor(db, session) is None  # reset signs out everywhere
    assert sign_in(db, owner.email, NEW_PASSWORD, CLIENT)
    with pytest.raises(ValidationFailed):
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    # No mail went to the unknown address.
    assert smtp_server.to("unknown-person@example.com") == []
    assert len(smtp_server.received) == 1


def test_new_browser_alert_arrives(db: Session, smtp_server: MailServer) -> None:
    _, owner = make_studio(db)
    sign_in(db, owner.email, PASSWORD, CLIENT)
    sign_in(db, owner.email, PASSWORD, CLIENT)
    assert smtp_server.to(owner.email) == []
    sign_in(db, owner.email, PASSWORD, IPHONE)
    [msg] = smtp_server.wait_for(owner.email)
    assert "New sign-in" in msg["Subject"]
    body = body_of(msg)
    assert "Mobile Safari on iOS (phone)" in body and IPHONE.ip in body


def test_email_change_mail_link_changes_the_address(db: Session, smtp_server: MailServer) -> None:
    _, owner = make_studio(db)
    old = owner.email
    token = sign_in(db, owner.email, PASSWORD, CLIENT)
    actor = auth.resolve_actor(db, token, CLIENT)
    assert actor is not None
    account.request_email_change(db, actor, "moved@example.com", PASSWORD)
    db.commit()

    [msg] = smtp_server.wait_for("moved@example.com")
    assert smtp_server.to(old) == []
    raw = token_in(msg, "/confirm-email/")
    assert account.confirm_email_change(db, raw) == "moved@example.com"
    db.commit()
    notice: list[EmailMessage] = smtp_server.wait_for(old)
    assert "moved@example.com" in body_of(notice[0])
    assert sign_in(db, "moved@example.com", PASSWORD, CLIENT)


def test_mail_outage_neither_blocks_sign_in_nor_reveals_accounts(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, owner = make_studio(db)
    sign_in(db, owner.email, PASSWORD, CLIENT)
    monkeypatch.setenv("STUDIOOS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STUDIOOS_SMTP_PORT", str(free_port()))  # the mail server is down
    reset_settings_cache()

    # A new browser would get an alert; the alert cannot go out, the sign-in still works.
    assert auth.resolve_actor(db, sign_in(db, owner.email, PASSWORD, IPHONE)) is not None
    # Reset requests answer the same for a registered and an unknown address.
    assert password_reset.request_reset(db, owner.email) is None
    assert password_reset.request_reset(db, "unknown-person@example.com") is None


# --- SMTP with a password: STARTTLS, with the server's certificate checked ---------------------------

SMTP_USER, SMTP_PASSWORD = "studio", "mail-secret"


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if issuer is None:  # the test's own certificate authority
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:  # the mail server's certificate, for the address the app connects to
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        ).add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def tls_files(tmp_path: Path) -> dict[str, Path]:
    """A certificate authority, a server certificate it signed, and another authority nobody used."""
    ca_key, server_key, other_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _certificate("StudioOS test CA", ca_key, None, ca_key)
    server = _certificate("127.0.0.1", server_key, ca, ca_key)
    other = _certificate("Another CA", other_key, None, other_key)
    files = {name: tmp_path / f"{name}.pem" for name in ("ca", "other_ca", "server", "server_key")}
    files["ca"].write_bytes(_pem(ca))
    files["other_ca"].write_bytes(_pem(other))
    files["server"].write_bytes(_pem(server))
    files["server_key"].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


class LoginServer(MailServer):
    """Keeps the logins it was offered, and whether each came inside TLS."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)
        self.logins: list[tuple[str, str, bool]] = []

    def authenticate(
        self, server: SMTP, session: SMTPSession, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((login, password, session.ssl is not None))
        return AuthResult(success=(login, password) == (SMTP_USER, SMTP_PASSWORD))


@contextmanager
def login_server(monkeypatch: pytest.MonkeyPatch, tls: ssl.SSLContext | None) -> Iterator[LoginServer]:
    """A server that needs a login (and, given a TLS context, offers STARTTLS); the app is pointed
    at it with a user and password and no STUDIOOS_SMTP_STARTTLS of its own: the default holds."""
    server = LoginServer("127.0.0.1", free_port())
    # Without TLS the server would take a password in clear (auth_require_tls=False): only the app
    # can keep it from going out.
    options: dict[str, Any] = {"tls_context": tls, "require_starttls": True} if tls else {}
    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        authenticator=server.authenticate,
        auth_required=True,
        auth_require_tls=tls is not None,
        **options,
    )
    controller.start()
    for key, value in {
        "STUDIOOS_SMTP_HOST": server.host,
        "STUDIOOS_SMTP_PORT": str(server.port),
        "STUDIOOS_SMTP_USER": SMTP_USER,
        "STUDIOOS_SMTP_PASSWORD": SMTP_PASSWORD,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("STUDIOOS_SMTP_STARTTLS", raising=False)
    reset_settings_cache()
    try:
        yield server
    finally:
        controller.stop()
        reset_settings_cache()


def _server_tls(files: dict[str, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files["server"], files["server_key"])
    return context


def test_a_password_goes_to_the_server_only_inside_starttls(
    monkeypatch: pytest.MonkeyPatch, tls_files: dict[str, Path]
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files["ca"]))  # the machine trusts the test's CA
    with login_server(monkeypatch, _server_tls(tls_files)) as server:
        assert get_settings().smtp_starttls  # on by default, because there is a password
        mail.send("someone@example.com", "Hello over TLS", "Body\n")
        [msg] = server.wait_for("someone@example.com")
        assert msg["Subject"] == "Hello over TLS"
        assert server.logins == [(SMTP_USER, SMTP_PASSWORD, True)]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # that is the point
def test_a_server_without_starttls_never_sees_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    with login_server(monkeypatch, None) as server:
        with pytest.raises(smtplib.SMTPNotSupportedError, match="STARTTLS"):
            mail.send("someone@example.com", "Not in clear", "Body\n")
        assert server.logins == []
        assert server.received == [] and outbox_messages() == []


def test_a_server_whose_certificate_is_not_trusted_never_sees_the_password(
    monkeypatch: pytest.MonkeyPatch, tls_files: dict[str, Path]
) -> None:
    # The server's certificate was signed by a CA this machine does not trust (someone in the path).
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files["other_ca"]))
    with login_server(monkeypatch, _server_tls(tls_files)) as server:
        with pytest.raises(ssl.SSLCertVerificationError):
            mail.send("someone@example.com", "Not to a stranger", "Body\n")
        assert server.logins == []
        assert server.received == []
