"""Password strength: the 10,000 most common passwords and anything zxcvbn scores below 3 are refused,
with advice; a password made of the person's own name, email or studio name counts as weak."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from studioos.models import SignupRequest
from studioos.services import auth
from studioos.services.errors import ValidationFailed
from studioos.services.passwords import (
    COMMON_MESSAGE,
    COMMON_PASSWORDS,
    MAX_LENGTH,
    SCORED_LENGTH,
    password_problem,
)
from tests.factories import CLIENT, PASSWORD

TOO_EASY = "This password is too easy to guess."
JANE = ("jane.doe@example.com", "Jane Doe", "Sunset Studio")


def test_the_list_holds_the_10000_most_common_passwords() -> None:
    assert len(COMMON_PASSWORDS) == 10_000
    assert {"123456", "password", "qwerty", "leavemealone"} <= COMMON_PASSWORDS


@pytest.mark.parametrize("password", ["leavemealone", "LeaveMeAlone", "SONYERICSSON", "justinbieber"])
def test_a_common_password_is_refused_whatever_its_case(password: str) -> None:
    assert password_problem(password) == COMMON_MESSAGE


def test_the_common_list_is_exact_words_only() -> None:
    # "leavemealone" with more after it is no longer on the list; zxcvbn judges it instead.
    problem = password_problem("leavemealone!")
    assert problem is not None
    assert problem != COMMON_MESSAGE
    assert problem.startswith(TOO_EASY)


def test_length_rules_come_first() -> None:
    # "password" is the second most common password, but the length rule is what to fix first.
    assert password_problem("password") == "Use at least 12 characters."


@pytest.mark.parametrize(
    ("password", "advice"),
    [
        ("aaaaaaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
        ("abcabcabcabcabc", 'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
        ("password1234", "This is a very common password."),
    ],
)
def test_a_weak_password_is_refused_with_advice(password: str, advice: str) -> None:
    problem = password_problem(password)
    assert problem is not None
    assert problem.startswith(TOO_EASY)
    assert advice in problem
    assert "Add another word or two. Uncommon words are better." in problem


@pytest.mark.parametrize("password", ["jane.doe@example.com", "JaneDoeExample", "SunsetStudio2024"])
def test_a_password_made_of_the_persons_own_details_is_refused(password: str) -> None:
    # Without knowing who is choosing it, zxcvbn finds nothing wrong with it...
    assert password_problem(password) is None
    # ...but it is among the first guesses of anyone who knows the person.
    problem = password_problem(password, user_inputs=JANE)
    assert problem is not None
    assert problem.startswith(TOO_EASY)
    assert "It contains your name, email address or studio name." in problem


@pytest.mark.parametrize(
    "password", [PASSWORD, "violet tractors sing at noon", "Marmalade-Kettle-Orbit-47", "xxxQ9!vTr$2mL#k"]
)
def test_a_strong_password_is_accepted(password: str) -> None:
    assert password_problem(password, user_inputs=JANE) is None


def test_a_long_password_is_judged_on_its_beginning_without_error() -> None:
    strong = "violet tractors sing at noon while the kettle hums over marmalade skies " * 2
    assert SCORED_LENGTH < len(strong[:MAX_LENGTH]) <= MAX_LENGTH
    assert password_problem(strong[:MAX_LENGTH]) is None
    weak_start = "a" * SCORED_LENGTH + "violet tractors sing at noon"
    problem = password_problem(weak_start)
    assert problem is not None
    assert 'Repeats like "aaa" are easy to guess.' in problem


def test_sign_up_refuses_a_common_password_and_keeps_nothing(db: Session) -> None:
    before = db.exec(select(func.count()).select_from(SignupRequest)).one()
    with pytest.raises(ValidationFailed) as refused:
        auth.sign_up(
            db,
            studio_name="Aurora Studio",
            timezone="Europe/Bucharest",
            currency="eur",
            name="Olivia Owner",
            email="olivia@example.com",
            password="LeaveMeAlone",
            password_confirm="LeaveMeAlone",
            client=CLIENT,
        )
    assert refused.value.errors == {"password": COMMON_MESSAGE}
    assert db.exec(select(func.count()).select_from(SignupRequest)).one() == before
