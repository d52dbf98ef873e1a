"""Sign-up by confirmed email, sign-in: argon2id, rehash, throttling that never locks out the owner,
the burst alert, and no account enumeration."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, func, select

from studioos.models import (
    AuditLog,
    LoginEvent,
    Membership,
    Notification,
    Role,
    SignupRequest,
    Studio,
    TrustedBrowser,
    User,
)
from studioos.services import auth, mail
from studioos.services.errors import NotFound, ServiceError, Throttled, ValidationFailed
from studioos.services.passwords import needs_rehash
from tests.factories import CLIENT, PASSWORD, TEST_BROWSER, make_studio, refused_sign_in
from tests.foundation_helpers import body_of, mails_to, outbox_messages, token_in

UA = CLIENT.user_agent
SIGN_UP = {
    "studio_name": "Aurora Studio",
    "timezone": "Europe/Bucharest",
    "currency": "eur",
    "name": "Olivia Owner",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def request_sign_up(db: Session, email: str = "Olivia@Example.com", client: auth.Client = CLIENT) -> str:
    answer = auth.sign_up(db, client=client, email=email, **SIGN_UP)
    db.commit()
    return answer


def sign_up(db: Session, email: str = "Olivia@Example.com") -> User:
    """The whole sign-up: the form, then the link in the mail."""
    sent_to = request_sign_up(db, email)
    raw = token_in(mails_to(sent_to)[-1], "/signup/confirm/")
    user, _ = auth.confirm_sign_up(db, raw, CLIENT)
    db.commit()
    return user


def counts(db: Session) -> dict[str, int]:
    return {
        model.__name__: db.exec(select(func.count()).select_from(model)).one()
        for model in (User, Studio, Membership, SignupRequest)
    }


def stranger(i: int, ip: str | None = None) -> auth.Client:
    """Someone else's browser (its own cookie), from its own address unless one is given."""
    return auth.Client(ip or f"198.51.100.{i}", UA, browser=f"{i:064x}")


def fail(db: Session, email: str, client: auth.Client) -> None:
    """A wrong password: refused as such, not throttled."""
    why = "unknown_email" if email == "nobody@example.com" else "wrong_password"
    assert refused_sign_in(db, email, "wrong password!", client) == why


def seed_failures(db: Session, email: str, n: int, *, ip: str = "", browser: str = "") -> None:
    """n failed sign-ins already in the history (argon2 is slow on purpose: tests make only the
    last failure of a burst for real). Each from its own browser and address unless given."""
    for i in range(n):
        db.add(
            LoginEvent(
                email=email,
                ip=ip or f"203.0.113.{100 + i % 100}",
                user_agent=UA,
                browser_hash=browser or f"{1000 + i:064x}",
                success=False,
                reason="wrong_password",
            )
        )
    db.commit()


def age_history(db: Session, delta: timedelta) -> None:
    """Move the sign-in history and the audit log back in time."""
    for row in [*db.exec(select(LoginEvent)).all(), *db.exec(select(AuditLog)).all()]:
        row.created_at = row.created_at - delta
        db.add(row)
    db.commit()


# --- sign-up ---------------------------------------------------------------------------------------------


def test_sign_up_creates_nothing_until_the_mailed_link_is_followed(db: Session) -> None:
    before = counts(db)
    assert request_sign_up(db) == "olivia@example.com"
    # Only the request exists: no studio, no account, and the address cannot sign in yet.
    assert counts(db) == {**before, "SignupRequest": before["SignupRequest"] + 1}
    assert refused_sign_in(db, "olivia@example.com", PASSWORD) == "unknown_email"
    [mail_] = mails_to("olivia@example.com")
    assert "Confirm" in mail_["Subject"]
    raw = token_in(mail_, "/signup/confirm/")

    user, studio_id = auth.confirm_sign_up(db, raw, CLIENT)
    db.commit()

    assert (user.email, user.name) == ("olivia@example.com", "Olivia Owner")
    membership = db.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert (membership.role, membership.studio_id) == (Role.OWNER, studio_id)
    studio = db.get(Studio, studio_id)
    assert studio is not None
    assert (studio.name, studio.timezone, studio.currency) == ("Aurora Studio", "Europe/Bucharest", "EUR")
    # The owner can sign in with the password chosen in the form ...
    assert auth.authenticate(db, email="olivia@example.com", password=PASSWORD, client=CLIENT).id == user.id
    # ... and the browser that followed the link is signed in by the hand-off the page makes.
    code = auth.create_handoff(db, user, studio_id, client=CLIENT)
    db.commit()
    assert auth.redeem_handoff(db, code, CLIENT) is not None


def test_the_confirmation_link_works_once_and_keeps_no_password_hash(db: Session) -> None:
    request_sign_up(db)
    raw = token_in(mails_to("olivia@example.com")[0], "/signup/confirm/")
    auth.confirm_sign_up(db, raw, CLIENT)
    db.commit()
    with pytest.raises(NotFound) as exc:
        auth.confirm_sign_up(db, raw, CLIENT)
    assert "invalid, already used or expired" in exc.value.message
    assert db.exec(select(SignupRequest.password_hash)).one() == ""
    assert db.exec(select(func.count()).select_from(Studio)).one() == 1


def test_the_confirmation_link_expires_after_24_hours(db: Session) -> None:
    request_sign_up(db)
    raw = token_in(mails_to("olivia@example.com")[0], "/signup/confirm/")
    row = db.exec(select(SignupRequest)).one()
    row.expires_at = row.expires_at - timedelta(hours=24, seconds=1)
    db.add(row)
    db.commit()
    with pytest.raises(NotFound):
        auth.confirm_sign_up(db, raw, CLIENT)
    assert db.exec(select(func.count()).select_from(User)).one() == 0


def test_expired_and_used_sign_up_requests_are_purged_by_the_job(db: Session) -> None:
    from studioos.jobs.runner import JOBS
    from studioos.models import utcnow

    request_sign_up(db, "used@example.com")
    auth.confirm_sign_up(db, token_in(mails_to("used@example.com")[0], "/signup/confirm/"), CLIENT)
    request_sign_up(db, "expired@example.com")
    request_sign_up(db, "pending@example.com")
    expired = db.exec(select(SignupRequest).where(SignupRequest.email == "expired@example.com")).one()
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.add(expired)
    db.commit()

    assert JOBS["sign-up-requests"](db, utcnow()) == 2
    db.commit()
    assert db.exec(select(SignupRequest.email)).all() == ["pending@example.com"]


@pytest.mark.parametrize("other", ["olivia@example.com", "OLIVIA@EXAMPLE.COM", "  Olivia@example.COM "])
def test_sign_up_answers_the_same_for_a_taken_address_as_for_a_free_one(db: Session, other: str) -> None:
    owner = sign_up(db)
    free_answer = request_sign_up(db, "  Fresh@Example.com ")
    before = counts(db)
    mails_before = len(mails_to(owner.email))

    taken_answer = request_sign_up(db, other)

    # The same kind of answer (the address written to, no error) ...
    assert (free_answer, taken_answer) == ("fresh@example.com", "olivia@example.com")
    # ... but nothing is created for the taken address, not even a request ...
    assert counts(db) == before
    # ... and its owner is told instead of being sent a link.
    [notice] = mails_to(owner.email)[mails_before:]
    text = body_of(notice)
    assert "Someone tried to create a StudioOS account with this address" in text
    assert "/signin" in text and "/forgot" in text
    assert "/signup/confirm/" not in text


def test_a_link_for_an_address_taken_meanwhile_is_no_longer_valid(db: Session) -> None:
    request_sign_up(db)
    request_sign_up(db)  # asked twice (the first mail seemed lost)
    first, second = (token_in(m, "/signup/confirm/") for m in mails_to("olivia@example.com"))
    auth.confirm_sign_up(db, first, CLIENT)
    db.commit()
    before = counts(db)
    with pytest.raises(NotFound) as exc:
        auth.confirm_sign_up(db, second, CLIENT)
    assert "no longer valid" in exc.value.message
    db.rollback()
    assert counts(db) == before


def test_sign_up_is_throttled_per_address_taken_or_free(db: Session) -> None:
    _, owner = make_studio(db)
    # Five requests from one address, taken and free alike, fill the hour ...
    for email in (owner.email, "a@example.com", owner.email, "b@example.com", owner.email):
        request_sign_up(db, email)
    with pytest.raises(Throttled) as exc:
        request_sign_up(db, "c@example.com")
    assert exc.value.message == "Too many sign-ups from your network. Try again in 60 minutes."
    assert db.exec(select(SignupRequest).where(SignupRequest.email == "c@example.com")).first() is None
    # ... but not for anyone else.
    assert request_sign_up(db, "c@example.com", auth.Client("192.0.2.200", UA, TEST_BROWSER))
    # Bad input is answered inline and does not use up the hour.
    with pytest.raises(ValidationFailed) as bad:
        auth.sign_up(db, client=CLIENT, **{**SIGN_UP, "email": "nope", "password_confirm": "x"})
    assert set(bad.value.errors) == {"email", "password_confirm"}


def test_sign_up_throttle_frees_up_after_an_hour(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from studioos.settings import reset_settings_cache

    monkeypatch.setenv("STUDIOOS_SIGNUP_MAX_PER_HOUR", "2")
    reset_settings_cache()
    for i in range(2):
        request_sign_up(db, f"user{i}@example.com")
    with pytest.raises(Throttled):
        request_sign_up(db, "late@example.com")
    age_history(db, timedelta(minutes=45))
    with pytest.raises(Throttled) as exc:
        request_sign_up(db, "late@example.com")
    assert exc.value.message.endswith("Try again in 15 minutes.")
    age_history(db, timedelta(minutes=15, seconds=1))
    assert request_sign_up(db, "late@example.com") == "late@example.com"


@pytest.mark.parametrize("taken", [False, True])
def test_a_mail_outage_fails_sign_up_the_same_way_for_any_address(
    db: Session, monkeypatch: pytest.MonkeyPatch, taken: bool
) -> None:
    _, owner = make_studio(db)
    before = counts(db)

    def down(*_: object) -> None:
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(mail, "send", down)
    with pytest.raises(ServiceError) as exc:
        auth.sign_up(db, client=CLIENT, email=owner.email if taken else "new@example.com", **SIGN_UP)
    db.rollback()
    assert exc.value.message == auth.MAIL_FAILED
    assert counts(db) == before


def test_password_is_stored_as_argon2id_never_in_clear(db: Session) -> None:
    request_sign_up(db)
    assert db.exec(select(SignupRequest.password_hash)).one().startswith("$argon2id$")
    user = sign_up(db, "second@example.com")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


# --- sign-in ---------------------------------------------------------------------------------------------


def test_sign_in_email_is_case_insensitive(db: Session) -> None:
    user = sign_up(db)
    found = auth.authenticate(db, email="OLIVIA@example.com", password=PASSWORD, client=CLIENT)
    assert found.id == user.id


def test_wrong_password_and_unknown_email_give_the_same_answer(db: Session) -> None:
    _, owner = make_studio(db)
    with pytest.raises(ValidationFailed) as wrong:
        auth.authenticate(db, email=owner.email, password="not the password", client=CLIENT)
    with pytest.raises(ValidationFailed) as unknown:
        auth.authenticate(db, email="nobody@example.com", password="not the password", client=CLIENT)
    assert wrong.value.errors == unknown.value.errors == {"password": auth.WRONG_CREDENTIALS}
    assert wrong.value.message == unknown.value.message


def test_password_is_rehashed_on_sign_in_when_parameters_change(db: Session) -> None:
    _, user = make_studio(db)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    assert needs_rehash(weak)
    user.password_hash = weak
    db.add(user)
    db.commit()

    auth.authenticate(db, email=user.email, password=PASSWORD, client=CLIENT)
    db.commit()
    db.refresh(user)

    assert user.password_hash != weak
    assert user.password_hash.startswith("$argon2id$")
    assert not needs_rehash(user.password_hash)
    # The new hash still accepts the same password.
    assert auth.authenticate(db, email=user.email, password=PASSWORD, client=CLIENT).id == user.id


def test_current_hash_is_not_rewritten_on_sign_in(db: Session) -> None:
    _, user = make_studio(db)
    original = user.password_hash
    auth.authenticate(db, email=user.email, password=PASSWORD, client=CLIENT)
    db.commit()
    db.refresh(user)
    assert user.password_hash == original


def test_a_successful_sign_in_trusts_the_browser_and_records_it(db: Session) -> None:
    _, owner = make_studio(db)
    auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    db.commit()
    row = db.exec(select(TrustedBrowser).where(TrustedBrowser.user_id == owner.id)).one()
    assert row.browser_hash == TEST_BROWSER
    first_seen = row.last_seen_at
    row.last_seen_at = first_seen - timedelta(days=3)
    db.add(row)
    db.commit()
    auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    db.commit()
    db.refresh(row)
    assert row.last_seen_at >= first_seen
    # A browser without StudioOS's cookie is never trusted; failures keep their browser too.
    auth.authenticate(db, email=owner.email, password=PASSWORD, client=auth.Client(CLIENT.ip, UA))
    fail(db, owner.email, stranger(1))
    db.commit()
    assert db.exec(select(func.count()).select_from(TrustedBrowser)).one() == 1
    assert [e.browser_hash for e in db.exec(select(LoginEvent).order_by(LoginEvent.id)).all()] == [
        TEST_BROWSER,
        TEST_BROWSER,
        "",
        f"{1:064x}",
    ]


def test_a_strangers_failures_do_not_stop_the_owner_from_a_browser_she_has_used_before(db: Session) -> None:
    studio, owner = make_studio(db)
    auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)  # her own browser
    db.commit()
    # A stranger guesses from her studio's own address (one NAT), then from many more.
    seed_failures(db, owner.email, 9, ip=CLIENT.ip)
    fail(db, owner.email, stranger(0, ip=CLIENT.ip))
    seed_failures(db, owner.email, 30)
    # The stranger now waits, even with the right password ...
    with pytest.raises(Throttled) as exc:
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(99))
    assert exc.value.message == "Too many failed sign-ins. Try again in 15 minutes."
    with pytest.raises(Throttled):
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(98, ip=CLIENT.ip))
    # ... while she signs in from her browser, from the very same address.
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT).id == owner.id

    # She was told once: by mail and in the app, with the count, the address and what to do.
    [alert] = mails_to(owner.email)
    assert alert["Subject"] == "Failed sign-ins to your StudioOS account"
    text = body_of(alert)
    assert "10 failed sign-ins" in text and CLIENT.ip in text
    assert "/account" in text and "change it" in text
    [note] = db.exec(select(Notification).where(Notification.user_id == owner.id)).all()
    assert note.studio_id == studio.id
    assert "10 failed sign-ins" in note.title and CLIENT.ip in note.body and note.link == "/account"


def test_failures_count_per_account_and_address(db: Session) -> None:
    _, owner = make_studio(db)
    _, other = make_studio(db, "Studio B")
    seed_failures(db, owner.email, 10, ip="198.51.100.50")
    # That address now waits for that account, whichever browser it uses ...
    with pytest.raises(Throttled):
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(50, ip="198.51.100.50"))
    # ... but another account behind the same address (a studio's shared connection) is not locked,
    behind = stranger(51, ip="198.51.100.50")
    assert auth.authenticate(db, email=other.email, password=PASSWORD, client=behind).id == other.id
    # and the account itself still opens from another address.
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(52)).id == owner.id


def test_nine_failures_from_one_address_do_not_throttle(db: Session) -> None:
    _, owner = make_studio(db)
    seed_failures(db, owner.email, 8, ip=CLIENT.ip)
    fail(db, owner.email, stranger(8, ip=CLIENT.ip))
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(9, ip=CLIENT.ip))


def test_one_address_failing_on_many_accounts_does_not_block_others_behind_it(db: Session) -> None:
    _, owner = make_studio(db)
    # One address tries ten accounts (that exist or not): the old per-address lockout would
    # now refuse everyone behind it.
    proxy = "198.51.100.50"
    for i in range(10):
        seed_failures(db, f"victim{i}@example.com", 1, ip=proxy)
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(60, ip=proxy))
    # Only a much larger spray (ten times the limit) makes that address's untrusted browsers wait.
    seed_failures(db, "spray@example.com", 89, ip=proxy)
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(61, ip=proxy))
    seed_failures(db, "spray2@example.com", 1, ip=proxy)
    with pytest.raises(Throttled):
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(62, ip=proxy))
    # A browser that has signed in to the account before is not held up by its address.
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(60, ip=proxy))


def test_untrusted_browsers_are_limited_account_wide(db: Session) -> None:
    _, owner = make_studio(db)
    auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    db.commit()
    # A distributed guesser: 29 failures, each from its own address.
    seed_failures(db, owner.email, 29)
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(1)).id == owner.id
    fail(db, owner.email, stranger(2))
    # Thirty: any browser the account has not seen waits, from any address ...
    with pytest.raises(Throttled):
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(3))
    # ... while her browsers (the one just trusted included) do not.
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT).id == owner.id
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=stranger(1)).id == owner.id


def test_a_trusted_browser_has_its_own_failure_limit(db: Session) -> None:
    _, owner = make_studio(db)
    auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    db.commit()
    seed_failures(db, owner.email, 9, ip=CLIENT.ip, browser=TEST_BROWSER)
    fail(db, owner.email, CLIENT)
    with pytest.raises(Throttled) as exc:
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    assert "Try again in 15 minutes" in exc.value.message
    # Her other browser is not affected by this one's failures.
    other = auth.Client("192.0.2.5", UA, browser="c" * 64)
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=other).id == owner.id


def test_unknown_and_known_accounts_are_throttled_alike(db: Session) -> None:
    _, owner = make_studio(db)
    answers = []
    for email in (owner.email, "nobody@example.com"):
        seed_failures(db, email, 9, ip="198.51.100.70")
        fail(db, email, stranger(9, ip="198.51.100.70"))
        with pytest.raises(Throttled) as exc:
            auth.authenticate(db, email=email, password=PASSWORD, client=stranger(70, ip="198.51.100.70"))
        answers.append(exc.value.message)
    assert answers[0] == answers[1]


def test_throttle_message_says_when_to_try_again_and_the_window_frees_up(db: Session) -> None:
    _, owner = make_studio(db)
    seed_failures(db, owner.email, 10, ip=CLIENT.ip)
    with pytest.raises(Throttled) as exc:
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    assert exc.value.message == "Too many failed sign-ins. Try again in 15 minutes."
    assert 14 * 60 < exc.value.retry_after_seconds <= 15 * 60 + 1
    # Ten minutes later, five minutes of the window remain.
    age_history(db, timedelta(minutes=10))
    with pytest.raises(Throttled) as exc:
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    assert exc.value.message == "Too many failed sign-ins. Try again in 5 minutes."
    # Fifteen minutes after the failures, sign-in works again.
    age_history(db, timedelta(minutes=5, seconds=1))
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT).id == owner.id


def test_throttle_limits_come_from_settings(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from studioos.settings import reset_settings_cache

    monkeypatch.setenv("STUDIOOS_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("STUDIOOS_LOGIN_WINDOW_MINUTES", "60")
    reset_settings_cache()
    _, owner = make_studio(db)
    seed_failures(db, owner.email, 2, ip=CLIENT.ip)
    fail(db, owner.email, stranger(2, ip=CLIENT.ip))
    with pytest.raises(Throttled) as exc:
        auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    assert exc.value.message.endswith("Try again in 60 minutes.")
    assert len(mails_to(owner.email)) == 1  # the owner hears of it at the (lower) limit


def test_the_owner_is_told_once_per_window_not_once_per_failure(db: Session) -> None:
    _, owner = make_studio(db)
    seed_failures(db, owner.email, 7, ip="203.0.113.5")
    fail(db, owner.email, stranger(8))
    fail(db, owner.email, stranger(9))  # the ninth: not yet
    assert mails_to(owner.email) == []
    fail(db, owner.email, stranger(10))  # the tenth
    fail(db, owner.email, stranger(11))  # and more in the same window
    [alert] = mails_to(owner.email)
    text = body_of(alert)
    assert "10 failed sign-ins" in text
    assert all(ip in text for ip in ("203.0.113.5", "198.51.100.8", "198.51.100.9", "198.51.100.10"))
    # Another burst after the window: told again.
    age_history(db, timedelta(minutes=16))
    seed_failures(db, owner.email, 9)
    fail(db, owner.email, stranger(20))
    assert len(mails_to(owner.email)) == 2
    # An address with no account: nobody to tell, nothing sent.
    seed_failures(db, "nobody@example.com", 9)
    fail(db, "nobody@example.com", stranger(40))
    assert mails_to("nobody@example.com") == []


def test_a_mail_outage_does_not_break_sign_in_or_the_in_app_alert(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, owner = make_studio(db)
    auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT)
    db.commit()

    def down(*_: object) -> None:
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(mail, "send", down)
    seed_failures(db, owner.email, 9)
    fail(db, owner.email, stranger(9))  # the tenth still answers "wrong password", no error
    assert db.exec(select(Notification).where(Notification.user_id == owner.id)).one()
    assert auth.authenticate(db, email=owner.email, password=PASSWORD, client=CLIENT).id == owner.id
    assert outbox_messages() == []


def test_failures_are_recorded_even_though_the_caller_rolls_back(engine) -> None:  # type: ignore[no-untyped-def]
    from studioos.db import session_scope

    with session_scope(engine) as db:
        _, owner = make_studio(db)
    with pytest.raises(ValidationFailed) as refused, session_scope(engine) as db:
        auth.authenticate(db, email=owner.email, password="wrong password!", client=CLIENT)
    assert refused.value.errors == {"password": auth.WRONG_CREDENTIALS}
    with session_scope(engine) as db:
        events = db.exec(select(LoginEvent).where(LoginEvent.email == owner.email)).all()
    assert [(e.success, e.reason, e.browser_hash) for e in events] == [
        (False, "wrong_password", TEST_BROWSER)
    ]


def test_handoff_code_is_single_use_and_short_lived(db: Session) -> None:
    _, owner = make_studio(db)
    code = auth.create_handoff(db, owner, client=CLIENT)
    db.commit()
    first = auth.redeem_handoff(db, code, CLIENT)
    assert first is not None
    assert auth.redeem_handoff(db, code, CLIENT) is None

    late = auth.create_handoff(db, owner, client=CLIENT)
    db.commit()
    from studioos.models import UserToken
    from studioos.services.tokens import hash_token

    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(late))).one()
    row.expires_at = row.expires_at - timedelta(minutes=2)
    db.add(row)
    db.commit()
    assert auth.redeem_handoff(db, late, CLIENT) is None


def test_disabled_account_cannot_sign_in(db: Session) -> None:
    _, owner = make_studio(db)
    owner.is_active = False
    db.add(owner)
    db.commit()
    assert refused_sign_in(db, owner.email, PASSWORD) == "account_disabled"
