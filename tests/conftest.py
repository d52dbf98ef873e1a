"""What every test needs: an isolated environment, and migrated databases on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from alembic import command

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "STUDIOOS_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def _pg_reachable() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def pg_available() -> bool:
    if _pg_reachable():
        return True
    # CI machines start PostgreSQL before the run; start it if it stopped.
    subprocess.run(PG_START, shell=True, capture_output=True, check=False)
    return _pg_reachable()


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own data dir and outbox; settings and engine caches are reset."""
    from studioos import db as dbmod
    from studioos import settings as settings_mod

    monkeypatch.setenv("STUDIOOS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STUDIOOS_OUTBOX_DIR", str(tmp_path / "outbox"))
    for var in ("STUDIOOS_SMTP_HOST", "STUDIOOS_DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("STUDIOOS_BASE_URL", "http://testserver")
    if not os.environ.get("STUDIOOS_ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        monkeypatch.setenv("STUDIOOS_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    from studioos.services import studio_cache

    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()
    # Each test's database numbers its studios and revisions from the start again.
    studio_cache.clear()
    yield
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    if not pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable and could not be started")
        pytest.skip("PostgreSQL not reachable")
    name = f"studioos_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    from sqlmodel import SQLModel

    import studioos.models  # noqa: F401

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run; each test gets a copy (migrating per test is the slow part)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A migrated database: a new SQLite file, or the run's PostgreSQL database emptied."""
    from studioos import db as dbmod
    from studioos import settings as settings_mod

    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        url = f"sqlite:///{target}"
    else:
        url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("STUDIOOS_DATABASE_URL", url)
    settings_mod.reset_settings_cache()
    dbmod.reset_engine_cache()
    eng = dbmod.get_engine()
    if request.param == "postgresql":
        _truncate_all(eng)
    yield eng
    eng.dispose()
    dbmod.reset_engine_cache()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()
