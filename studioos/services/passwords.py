"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]
from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

MIN_LENGTH = 12
MAX_LENGTH = 128

# zxcvbn's "passwords" list is ranked by how often each leaked password was seen; the first
# 10,000 are the ones every guessing attack starts with. Taken from the installed package, so the
# check works offline. Its entries are lower case; we compare lower-cased input.
COMMON_PASSWORDS: frozenset[str] = frozenset(FREQUENCY_LISTS["passwords"][:10_000])
COMMON_MESSAGE = (
    "This is one of the most common passwords, and it is among the first an attacker tries. "
    "Choose something else: a few unrelated words make a strong password."
)
# zxcvbn scores 0 (guessed at once) to 4; 3 is "safely unguessable" against an online attack and
# good protection if the hashes ever leak (argon2 slows each guess further).
MIN_SCORE = 3
# zxcvbn tries every substring against every dictionary, once per plausible l33t reading, so its
# time grows with the square of the length: a few ms for a typical password, ~20 ms for 72 random
# characters but ~130 ms for 100, and adversarial input full of l33t symbols (4@8({[<3609!|...)
# takes ~1.7 s at 72 characters and ~3 s at 100. zxcvbn 4.5.0 itself refuses more than 72 unless
# told otherwise. So only the first 72 characters are scored: a password whose first 72 are strong
# is strong, and one whose first 72 are weak is refused with advice that still applies.
SCORED_LENGTH = 72

# zxcvbn keeps the user inputs of a call in a module-level dictionary (matching.RANKED_DICTIONARIES)
# that every call overwrites: two threads scoring at once could each be scored against the other's
# name and email. One call at a time; the work is CPU-bound under the GIL anyway.
_zxcvbn_lock = threading.Lock()

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("studioos-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        # An account made through the sign-in provider has no password (an empty hash): nothing,
        # not even the dummy's own text, may match it.
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, *, user_inputs: Sequence[str] = ()) -> str | None:
    """The message to show for a password that breaks the rules, or None.

    `user_inputs`: what the person typed about themselves (email address, name, studio name), so
    that a password made of them is refused as easy to guess."""
    if not password:
        return "Enter a password."
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    if password.lower() in COMMON_PASSWORDS:
        return COMMON_MESSAGE
    return _guessability_problem(password[:SCORED_LENGTH], _personal_words(user_inputs))


def _personal_words(user_inputs: Sequence[str]) -> list[str]:
    """The inputs as a guesser would try them: whole, each side of an email's @, without their
    separators ("jane.doe" -> "janedoe") and word by word. zxcvbn only matches whole entries, so
    "Jane Doe" alone would not catch "janedoe1990". Words under 4 letters are left out ("com")
    unless they are a whole input: they would mark harmless passwords as personal."""
    words: dict[str, None] = {}  # ordered, no repeats
    for raw in user_inputs:
        text = (raw or "").strip().lower()
        for part in (text, *text.split("@")):
            pieces = re.findall(r"[^\W_]+", part)
            for word in (part, "".join(pieces)):
                if word:
                    words[word] = None
            for piece in pieces:
                if len(piece) >= 4:
                    words[piece] = None
    return list(words)


def _guessability_problem(password: str, personal: list[str]) -> str | None:
    with _zxcvbn_lock:
        result: dict[str, Any] = zxcvbn(password, user_inputs=personal, max_length=SCORED_LENGTH)
    if int(result["score"]) >= MIN_SCORE:
        return None
    feedback: dict[str, Any] = result.get("feedback") or {}
    advice: list[str] = []
    if any(match.get("dictionary_name") == "user_inputs" for match in result.get("sequence", [])):
        advice.append("It contains your name, email address or studio name.")
    if warning := str(feedback.get("warning") or "").strip():
        advice.append(warning)
    advice.extend(str(s).strip() for s in feedback.get("suggestions") or [] if str(s).strip())
    if not advice:
        advice.append("Add another word or two. Uncommon words are better.")
    return " ".join(["This password is too easy to guess.", *advice])
