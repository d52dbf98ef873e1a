"""Encryption at rest for fields that identify a real person (legal name, birth date, documents).

Keys come from ``STUDIOOS_ENCRYPTION_KEYS``: comma-separated Fernet keys, newest first. The newest
key encrypts; every listed key may decrypt, so a rotation is: put a new key in front, run
``studioos rotate-keys`` (``rotate(db)``), then drop the old key from the list.

Demo/development fallback (a deliberate choice): when the variable is unset *and* the database is
SQLite (the ``make run`` demo), a key is generated once into ``<data_dir>/encryption.key`` (mode 0600)
and reused from then on, so the demo runs with no set-up and its data stays readable across restarts.
With any other database (PostgreSQL = production) a missing variable is a start-up error: we never
invent a production key that would be lost with the container.

Failures are loud: a malformed key, or a key that cannot decrypt a stored value, raises
``EncryptionKeyError`` (a RuntimeError) instead of returning garbage or None.
"""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from studioos.settings import Settings, get_settings

KEY_ENV = "STUDIOOS_ENCRYPTION_KEYS"
DEV_KEY_FILE = "encryption.key"


class EncryptionKeyError(RuntimeError):
    """The encryption keys are missing, malformed, or do not match the stored data."""


def _dev_key(settings: Settings) -> str:
    return _dev_key_at(str(Path(settings.data_dir) / DEV_KEY_FILE))


@lru_cache(maxsize=8)
def _dev_key_at(file: str) -> str:
    """Read once per process: every decryption asks for the keys, and the file never changes once
    written (a new key would make the data unreadable)."""
    path = Path(file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once must not write two different keys.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(Fernet.generate_key().decode() + "\n")
    return path.read_text().strip()


def configured_keys(settings: Settings | None = None) -> tuple[str, ...]:
    settings = settings or get_settings()
    if settings.encryption_keys:
        return settings.encryption_keys
    if settings.database_url.startswith("sqlite"):
        return (_dev_key(settings),)
    raise EncryptionKeyError(
        f"{KEY_ENV} is not set. Production needs it: generate a key with "
        '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"` '
        "and keep it safe; without it the encrypted fields cannot be read."
    )


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError) as exc:
            raise EncryptionKeyError(
                f"{KEY_ENV}: key #{position} is not a valid Fernet key "
                "(it must be 32 bytes, url-safe base64 encoded)."
            ) from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    # Keyed on the key tuple, so a changed environment (tests, rotation) takes effect at once.
    return _multifernet(configured_keys())


def encrypt(value: str | None) -> str | None:
    if value is None:
        return None
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise EncryptionKeyError(
            f"A stored value cannot be decrypted with the keys in {KEY_ENV}: "
            "the key that encrypted it is missing or wrong."
        ) from exc


class EncryptedString(TypeDecorator[str]):
    """A text column stored as Fernet ciphertext; Python code only ever sees the plaintext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return decrypt(value)


class EncryptedDate(EncryptedString):
    """A date stored as encrypted ISO text (a birth date is as identifying as a name)."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, date):
            raise TypeError("EncryptedDate expects a datetime.date")
        return encrypt(value.isoformat())

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        plain = decrypt(value)
        return None if plain is None else date.fromisoformat(plain)


def encrypted_columns() -> list[tuple[Any, Any]]:
    """Every (table, column) whose type is encrypted, across all registered tables."""
    import studioos.models  # noqa: F401  (registers every table)

    return [
        (table, column)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedString)
    ]


def _raw(column: Any) -> Any:
    # type_coerce to plain Text bypasses the decorator: we read and write the ciphertext itself.
    return type_coerce(column, Text)


def rotate(db: Session) -> dict[str, int]:
    """Re-encrypt every encrypted value under the newest key; returns rows rewritten per column."""
    mf = fernet()
    counts: dict[str, int] = {}
    for table, column in encrypted_columns():
        pk = next(iter(table.primary_key.columns))
        rows = db.execute(select(pk, _raw(column)).where(column.is_not(None))).all()
        for row_id, token in rows:
            try:
                fresh = mf.rotate(token.encode()).decode()
            except InvalidToken as exc:
                raise EncryptionKeyError(
                    f"{table.name}.{column.name} row {row_id} cannot be decrypted with the keys in "
                    f"{KEY_ENV}: add the old key (after the new one) and run rotate-keys again."
                ) from exc
            db.execute(table.update().where(pk == row_id).values({column.name: type_coerce(fresh, Text)}))
        counts[f"{table.name}.{column.name}"] = len(rows)
    db.flush()
    return counts


def check_keys(db: Session | None = None) -> None:
    """Start-up check: keys present and valid, and (given a session) able to read stored data.

    Raises EncryptionKeyError with a message saying what to fix.
    """
    mf = fernet()
    probe = mf.encrypt(b"probe")
    if mf.decrypt(probe) != b"probe":  # pragma: no cover - Fernet guarantees this
        raise EncryptionKeyError("Encryption self-test failed.")
    if db is None:
        return
    for table, column in encrypted_columns():
        token = db.execute(select(_raw(column)).where(column.is_not(None)).limit(1)).scalar()
        if token is None:
            continue
        try:
            mf.decrypt(token.encode())
        except InvalidToken as exc:
            raise EncryptionKeyError(
                f"{KEY_ENV} cannot decrypt existing data ({table.name}.{column.name}): "
                "the key that encrypted it is missing or wrong."
            ) from exc
