"""Encryption at rest: ciphertext in the database, key rotation, loud failures on missing/wrong keys."""

from __future__ import annotations

import stat
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlmodel import Session

from studioos import crypto
from studioos.models import Performer
from studioos.settings import reset_settings_cache
from tests.factories import actor_for, make_studio, new_performer

SECRET_COLUMNS = ("legal_name", "birth_date", "doc_type", "doc_number", "doc_country", "doc_expiry")


def _use_keys(monkeypatch: pytest.MonkeyPatch, *keys: str) -> None:
    monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", ",".join(keys))
    reset_settings_cache()


def _raw_row(db: Session, performer_id: int) -> dict[str, str]:
    cols = ", ".join(SECRET_COLUMNS)
    row = db.execute(text(f"SELECT {cols} FROM performer WHERE id = :id"), {"id": performer_id}).one()
    return dict(zip(SECRET_COLUMNS, row, strict=True))


EXPIRY = date.today() + timedelta(days=900)


def _seed(db: Session) -> int:
    studio, owner = make_studio(db)
    return new_performer(
        db, actor_for(db, owner, studio), "Anna", birth_date=date(1998, 4, 23), doc_expiry=EXPIRY
    )


def test_raw_sql_shows_no_plaintext(db: Session) -> None:
    pid = _seed(db)
    raw = _raw_row(db, pid)
    blob = " ".join(raw.values())
    # Long plaintexts must not appear anywhere; a 2-letter country code could occur in base64 by
    # chance, so it is checked per column instead.
    for plain in ("Anna Legal Surname", "1998-04-23", "passport", EXPIRY.isoformat()):
        assert plain not in blob
    assert "RO" not in raw.values()
    assert all(v.startswith("gAAAA") for v in raw.values())  # Fernet tokens
    # The ORM still reads plaintext.
    db.expire_all()
    p = db.get(Performer, pid)
    assert p is not None and p.legal_name == "Anna Legal Surname" and p.birth_date == date(1998, 4, 23)


def test_rotation_reencrypts_every_row(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    old = os.environ["STUDIOOS_ENCRYPTION_KEYS"]
    pid = _seed(db)
    studio_two, owner_two = make_studio(db, "Studio B")
    pid2 = new_performer(db, actor_for(db, owner_two, studio_two), "Bella")
    before = {pid: _raw_row(db, pid), pid2: _raw_row(db, pid2)}

    new = Fernet.generate_key().decode()
    _use_keys(monkeypatch, new, old)
    counts = crypto.rotate(db)
    db.commit()
    assert counts["performer.legal_name"] == 2
    assert counts["performer.doc_number"] == 2

    # Only the new key now: every value must still decrypt, and every ciphertext changed.
    _use_keys(monkeypatch, new)
    crypto.check_keys(db)
    only_new = Fernet(new.encode())
    for performer_id, old_raw in before.items():
        raw = _raw_row(db, performer_id)
        for column in SECRET_COLUMNS:
            assert raw[column] != old_raw[column]
            only_new.decrypt(raw[column].encode())
    db.expire_all()
    p = db.get(Performer, pid2)
    assert p is not None and p.legal_name == "Bella Legal Surname"


def test_wrong_key_fails_loudly(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = _seed(db)
    _use_keys(monkeypatch, Fernet.generate_key().decode())
    with pytest.raises(crypto.EncryptionKeyError, match="cannot decrypt existing data"):
        crypto.check_keys(db)
    db.expire_all()
    with pytest.raises(crypto.EncryptionKeyError, match="missing or wrong"):
        db.get(Performer, pid)
    db.rollback()
    with pytest.raises(crypto.EncryptionKeyError):
        crypto.rotate(db)


def test_malformed_key_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_keys(monkeypatch, Fernet.generate_key().decode(), "not-a-key")
    with pytest.raises(crypto.EncryptionKeyError, match="key #2 is not a valid Fernet key"):
        crypto.check_keys()


def test_missing_key_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STUDIOOS_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("STUDIOOS_DATABASE_URL", "postgresql+psycopg://app@db.internal/studioos")
    reset_settings_cache()
    with pytest.raises(crypto.EncryptionKeyError, match="STUDIOOS_ENCRYPTION_KEYS is not set"):
        crypto.check_keys()
    with pytest.raises(crypto.EncryptionKeyError):
        crypto.encrypt("x")


def test_demo_key_file_on_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("STUDIOOS_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("STUDIOOS_DATA_DIR", str(tmp_path / "demo"))
    reset_settings_cache()
    token = crypto.encrypt("secret")
    key_file = tmp_path / "demo" / "encryption.key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    reset_settings_cache()  # a restart reuses the same key
    assert crypto.decrypt(token) == "secret"
