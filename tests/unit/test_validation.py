"""Bad input in every form's service: a message per field, and nothing changed in the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from studioos.models import User
from studioos.services import account, auth, password_reset, team, users
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import CLIENT, PASSWORD, actor_for, make_studio
from tests.foundation_helpers import db_snapshot, mails_to, outbox_messages, token_in

LONG_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".com"  # 255 characters
MAX_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"  # 254 characters
LONG_NAME = "N" * 121
SHORT_PW = "x" * 11
LONG_PW = "x" * 129
GOOD_PW = "twelve chars"  # exactly 12

EMAIL_EMPTY = "Enter an email address."
EMAIL_LONG = "An email address has at most 254 characters."
EMAIL_BAD = "Enter a valid email address, like name@example.com."
PW_EMPTY = "Enter a password."
PW_SHORT = "Use at least 12 characters."
PW_LONG = "Use at most 128 characters."
PW_MISMATCH = "The two passwords do not match."

assert len(LONG_EMAIL) == 255 and len(MAX_EMAIL) == 254


def expect_rejected(db: Session, call: Callable[[], Any], expected: dict[str, str]) -> ValidationFailed:
    """The call fails with exactly these field messages, and leaves the database and outbox untouched."""
    before = db_snapshot(db)
    mails = len(outbox_messages())
    with pytest.raises(ValidationFailed) as exc:
        call()
    for field, message in expected.items():
        assert field in exc.value.errors, exc.value.errors
        assert message in exc.value.errors[field]
    assert set(exc.value.errors) == set(expected), exc.value.errors
    assert db_snapshot(db) == before
    assert len(outbox_messages()) == mails
    return exc.value


# --- sign-up ----------------------------------------------------------------------------------------

SIGN_UP_OK = {
    "studio_name": "Aurora Studio",
    "timezone": "Europe/Bucharest",
    "currency": "EUR",
    "name": "Olivia Owner",
    "email": "olivia@example.com",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"email": ""}, {"email": EMAIL_EMPTY}),
        ({"email": "   "}, {"email": EMAIL_EMPTY}),
        ({"email": LONG_EMAIL}, {"email": EMAIL_LONG}),
        ({"email": "olivia@"}, {"email": EMAIL_BAD}),
        ({"email": "olivia example.com"}, {"email": EMAIL_BAD}),
        ({"name": ""}, {"name": "Enter your name."}),
        ({"name": LONG_NAME}, {"name": "at most 120 characters"}),
        ({"studio_name": ""}, {"studio_name": "Enter a studio name."}),
        ({"studio_name": LONG_NAME}, {"studio_name": "at most 120 characters"}),
        ({"timezone": "Mars/Olympus"}, {"timezone": "Choose a time zone"}),
        ({"timezone": ""}, {"timezone": "Choose a time zone"}),
        ({"currency": "XXQ"}, {"currency": "Choose a currency"}),
        ({"password": "", "password_confirm": ""}, {"password": PW_EMPTY}),
        ({"password": SHORT_PW, "password_confirm": SHORT_PW}, {"password": PW_SHORT}),
        ({"password": LONG_PW, "password_confirm": LONG_PW}, {"password": PW_LONG}),
        ({"password": " " * 12, "password_confirm": " " * 12}, {"password": "only spaces"}),
        ({"password_confirm": PASSWORD + "!"}, {"password_confirm": PW_MISMATCH}),
        (
            {"email": "bad", "name": "", "password": SHORT_PW},
            {"email": EMAIL_BAD, "name": "Enter your name.", "password": PW_SHORT},
        ),
    ],
)
def test_sign_up_rejects_bad_input(db: Session, over: dict[str, str], expected: dict[str, str]) -> None:
    fields = {**SIGN_UP_OK, **over}
    expect_rejected(db, lambda: auth.sign_up(db, client=CLIENT, **fields), expected)


def _confirmed(db: Session, sent_to: str) -> User:
    """Follow the confirmation link the sign-up mailed: the account exists from then on."""
    db.commit()
    user, _ = auth.confirm_sign_up(db, token_in(mails_to(sent_to)[-1], "/signup/confirm/"), CLIENT)
    db.commit()
    return user


def test_sign_up_accepts_the_limits(db: Session) -> None:
    sent_to = auth.sign_up(
        db,
        client=CLIENT,
        **{
            **SIGN_UP_OK,
            "email": MAX_EMAIL,
            "name": "N" * 120,
            "studio_name": "S" * 120,
            "password": GOOD_PW,
            "password_confirm": GOOD_PW,
        },
    )
    user = _confirmed(db, sent_to)
    assert len(user.email) == 254 and len(user.name) == 120
    long_ok = ("violet tractors sing at noon " * 5)[:128]
    long_fields = {**SIGN_UP_OK, "password": long_ok, "password_confirm": long_ok}
    other = _confirmed(db, auth.sign_up(db, client=CLIENT, **long_fields))
    assert auth.authenticate(db, email=other.email, password=long_ok, client=CLIENT).id == other.id


# --- sign-in ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "password", "expected"),
    [
        ("", PASSWORD, {"email": EMAIL_EMPTY}),
        (LONG_EMAIL, PASSWORD, {"email": EMAIL_LONG}),
        ("not-an-email", PASSWORD, {"email": EMAIL_BAD}),
        ("olivia@example.com", "", {"password": "Enter your password."}),
    ],
)
def test_sign_in_rejects_bad_input_without_counting_a_failure(
    db: Session, email: str, password: str, expected: dict[str, str]
) -> None:
    make_studio(db)
    expect_rejected(
        db, lambda: auth.authenticate(db, email=email, password=password, client=CLIENT), expected
    )


# --- my account -------------------------------------------------------------------------------------


def _me(db: Session) -> Actor:
    studio, owner = make_studio(db)
    return actor_for(db, owner, studio)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name."),
        ("   ", "Enter a name."),
        (LONG_NAME, "Name can be at most 120 characters (you typed 121)."),
    ],
)
def test_name_change_rejects_bad_input(db: Session, name: str, message: str) -> None:
    actor = _me(db)
    expect_rejected(db, lambda: account.update_name(db, actor, name), {"name": message})


@pytest.mark.parametrize(
    ("email", "password", "expected"),
    [
        ("", PASSWORD, {"email": EMAIL_EMPTY}),
        (LONG_EMAIL, PASSWORD, {"email": EMAIL_LONG}),
        ("new@", PASSWORD, {"email": EMAIL_BAD}),
        ("new@example.com", "", {"current_password": "Enter your current password."}),
        ("bad", "wrong password!", {"email": EMAIL_BAD, "current_password": "not correct"}),
    ],
)
def test_email_change_rejects_bad_input(
    db: Session, email: str, password: str, expected: dict[str, str]
) -> None:
    actor = _me(db)
    expect_rejected(db, lambda: account.request_email_change(db, actor, email, password), expected)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "expected"),
    [
        (PASSWORD, "", "", {"new_password": PW_EMPTY}),
        (PASSWORD, SHORT_PW, SHORT_PW, {"new_password": PW_SHORT}),
        (PASSWORD, LONG_PW, LONG_PW, {"new_password": PW_LONG}),
        (PASSWORD, GOOD_PW, GOOD_PW + "x", {"new_password_confirm": PW_MISMATCH}),
        (PASSWORD, PASSWORD, PASSWORD, {"new_password": "different from the current"}),
        ("", GOOD_PW, GOOD_PW, {"current_password": "Enter your current password."}),
        ("wrong", SHORT_PW, SHORT_PW, {"current_password": "not correct", "new_password": PW_SHORT}),
    ],
)
def test_password_change_rejects_bad_input(
    db: Session, current: str, new: str, confirm: str, expected: dict[str, str]
) -> None:
    actor = _me(db)
    expect_rejected(
        db, lambda: account.change_password(db, actor, current=current, new=new, confirm=confirm), expected
    )


# --- team -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "role", "expected"),
    [
        ("", "analyst", {"email": EMAIL_EMPTY}),
        (LONG_EMAIL, "analyst", {"email": EMAIL_LONG}),
        ("someone@", "analyst", {"email": EMAIL_BAD}),
        ("someone@example.com", "", {"role": "Choose a role."}),
        ("bad", "nope", {"email": EMAIL_BAD, "role": "Choose a role."}),
    ],
)
def test_invite_rejects_bad_input(db: Session, email: str, role: str, expected: dict[str, str]) -> None:
    actor = _me(db)
    expect_rejected(db, lambda: team.invite(db, actor, email=email, role=role), expected)


@pytest.mark.parametrize(
    ("name", "password", "confirm", "expected"),
    [
        ("", PASSWORD, PASSWORD, {"name": "Enter your name."}),
        (LONG_NAME, PASSWORD, PASSWORD, {"name": "at most 120 characters"}),
        ("Nina", "", "", {"password": PW_EMPTY}),
        ("Nina", SHORT_PW, SHORT_PW, {"password": PW_SHORT}),
        ("Nina", LONG_PW, LONG_PW, {"password": PW_LONG}),
        ("Nina", PASSWORD, PASSWORD + "x", {"password_confirm": PW_MISMATCH}),
    ],
)
def test_accepting_an_invitation_rejects_bad_input(
    db: Session, name: str, password: str, confirm: str, expected: dict[str, str]
) -> None:
    actor = _me(db)
    team.invite(db, actor, email="nina@example.com", role="analyst")
    db.commit()
    raw = token_in(mails_to("nina@example.com")[0], "/invite/")
    expect_rejected(
        db,
        lambda: team.accept_invitation(db, raw, name=name, password=password, password_confirm=confirm),
        expected,
    )
    # The link still works after the mistake.
    assert team.invitation_info(db, raw).email == "nina@example.com"


# --- password reset ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "message"), [("", EMAIL_EMPTY), (LONG_EMAIL, EMAIL_LONG), ("who@", EMAIL_BAD)]
)
def test_reset_request_rejects_bad_input(db: Session, email: str, message: str) -> None:
    make_studio(db)
    expect_rejected(db, lambda: password_reset.request_reset(db, email), {"email": message})


@pytest.mark.parametrize(
    ("password", "confirm", "expected"),
    [
        ("", "", {"password": PW_EMPTY}),
        (SHORT_PW, SHORT_PW, {"password": PW_SHORT}),
        (LONG_PW, LONG_PW, {"password": PW_LONG}),
        (GOOD_PW, GOOD_PW + "x", {"password_confirm": PW_MISMATCH}),
    ],
)
def test_reset_rejects_bad_passwords(
    db: Session, password: str, confirm: str, expected: dict[str, str]
) -> None:
    _, owner = make_studio(db)
    password_reset.request_reset(db, owner.email)
    db.commit()
    raw = token_in(mails_to(owner.email)[0], "/reset/")
    expect_rejected(db, lambda: password_reset.reset_password(db, raw, password, confirm), expected)
    assert password_reset.reset_link_valid(db, raw)


# --- operator: create-user --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"email": ""}, {"email": EMAIL_EMPTY}),
        ({"email": LONG_EMAIL}, {"email": EMAIL_LONG}),
        ({"email": "x@"}, {"email": EMAIL_BAD}),
        ({"name": ""}, {"name": "Enter a name."}),
        ({"name": LONG_NAME}, {"name": "Name can be at most 120 characters (you typed 121)."}),
        ({"password": SHORT_PW}, {"password": PW_SHORT}),
        ({"password": LONG_PW}, {"password": PW_LONG}),
        ({"support": False}, {"studio": "No studio", "role": "Choose owner"}),
        ({"support": False, "studio_id": 999_999, "role": "analyst"}, {"studio": "No studio"}),
    ],
)
def test_create_user_rejects_bad_input(db: Session, over: dict[str, Any], expected: dict[str, str]) -> None:
    make_studio(db)
    fields: dict[str, Any] = {
        "email": "sam@studioos.app",
        "name": "Sam",
        "password": PASSWORD,
        "support": True,
    }
    fields.update(over)
    expect_rejected(db, lambda: users.create_user(db, **fields), expected)


def test_create_user_refuses_a_taken_email(db: Session) -> None:
    _, owner = make_studio(db)
    expect_rejected(
        db,
        lambda: users.create_user(db, email=owner.email.upper(), name="Dup", password=PASSWORD, support=True),
        {"email": "already exists"},
    )
