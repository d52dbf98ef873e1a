"""Mail over real SMTP (aiosmtpd) when configured, the outbox folder otherwise; the links in it work."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session

from studioos.services import account, auth, mail, password_reset, team
from studioos.services.errors import NotFound, ValidationFailed
from studioos.settings import get_settings
from tests.factories import CLIENT, PASSWORD, TEST_BROWSER, actor_for, make_studio
from tests.foundation_helpers import body_of, link_in, outbox_messages, token_in
from tests.integration.conftest import MailServer

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
    from studioos.settings import reset_settings_cache
    from tests.integration.conftest import _free_port

    monkeypatch.setenv("STUDIOOS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STUDIOOS_SMTP_PORT", str(_free_port()))  # nobody listens there
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
    from studioos.settings import reset_settings_cache
    from tests.integration.conftest import _free_port

    _, owner = make_studio(db)
    sign_in(db, owner.email, PASSWORD, CLIENT)
    monkeypatch.setenv("STUDIOOS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STUDIOOS_SMTP_PORT", str(_free_port()))  # the mail server is down
    reset_settings_cache()

    # A new browser would get an alert; the alert cannot go out, the sign-in still works.
    assert auth.resolve_actor(db, sign_in(db, owner.email, PASSWORD, IPHONE)) is not None
    # Reset requests answer the same for a registered and an unknown address.
    assert password_reset.request_reset(db, owner.email) is None
    assert password_reset.request_reset(db, "unknown-person@example.com") is None
