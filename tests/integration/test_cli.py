"""The `studioos` command: migrate, seed-demo (idempotent) and create-user."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from studioos import cli
from studioos.db import get_engine, reset_engine_cache
from studioos.models import Membership, Studio, User
from studioos.services import auth, demo
from studioos.settings import reset_settings_cache
from tests.factories import CLIENT, PASSWORD, make_studio
from tests.foundation_helpers import db_snapshot


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli" / "studioos.db"
    monkeypatch.setenv("STUDIOOS_DATABASE_URL", f"sqlite:///{path}")
    reset_settings_cache()
    reset_engine_cache()
    return path


def count(db: Session, model: type) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_migrate_creates_the_schema_and_can_run_again(
    sqlite_file: Path, capsys: pytest.CaptureFixture
) -> None:
    assert not sqlite_file.exists()
    assert cli.main(["migrate"]) == 0
    assert sqlite_file.exists()
    tables = set(inspect(get_engine()).get_table_names())
    assert {"user", "studio", "membership", "authsession", "auditlog", "alembic_version"} <= tables
    assert cli.main(["migrate"]) == 0  # already at head: nothing to do, no error
    assert "newest schema" in capsys.readouterr().out


def test_seed_demo_on_a_fresh_file_then_sign_in(sqlite_file: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["migrate"]) == 0
    assert cli.main(["seed-demo"]) == 0
    assert "Demo data loaded." in capsys.readouterr().out
    with Session(get_engine()) as db:
        for email, _name, _role in demo.DEMO_USERS:
            assert auth.authenticate(db, email=email, password=demo.DEMO_PASSWORD, client=CLIENT)


def test_seed_demo_is_idempotent(engine: Engine, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["seed-demo"]) == 0
    with Session(engine) as db:
        first = db_snapshot(db)
        assert count(db, Studio) == 1
        roles = {
            u.email: m.role
            for m, u in db.exec(select(Membership, User).join(User)).all()  # type: ignore[arg-type]
        }
        assert roles == {email: role.value for email, _n, role in demo.DEMO_USERS}
        support = db.exec(select(User).where(User.email == demo.DEMO_SUPPORT[0])).one()
        assert support.is_support
        assert db.exec(select(Membership).where(Membership.user_id == support.id)).all() == []
    capsys.readouterr()

    assert cli.main(["seed-demo"]) == 0
    assert "already present" in capsys.readouterr().out
    with Session(engine) as db:
        assert db_snapshot(db) == first


def test_create_user_support(engine: Engine, capsys: pytest.CaptureFixture) -> None:
    code = cli.main(
        [
            "create-user",
            "--support",
            "--email",
            "Sam@StudioOS.app",
            "--name",
            "Sam Support",
            "--password",
            PASSWORD,
        ]
    )
    assert code == 0
    assert "support staff" in capsys.readouterr().out
    with Session(engine) as db:
        user = db.exec(select(User).where(User.email == "sam@studioos.app")).one()
        assert user.is_support and user.password_hash.startswith("$argon2id$")
        assert db.exec(select(Membership).where(Membership.user_id == user.id)).all() == []
        assert auth.authenticate(db, email="sam@studioos.app", password=PASSWORD, client=CLIENT).id == user.id


def test_create_user_as_studio_member(engine: Engine) -> None:
    with Session(engine) as db:
        studio, _ = make_studio(db)
        studio_id = studio.id
    code = cli.main(
        [
            "create-user",
            "--email",
            "ana@example.com",
            "--name",
            "Ana Analyst",
            "--password",
            PASSWORD,
            "--studio",
            str(studio_id),
            "--role",
            "analyst",
        ]
    )
    assert code == 0
    with Session(engine) as db:
        user = db.exec(select(User).where(User.email == "ana@example.com")).one()
        assert not user.is_support
        m = db.exec(select(Membership).where(Membership.user_id == user.id)).one()
        assert (m.studio_id, m.role) == (studio_id, "analyst")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--email", "not-an-email"], "email"),
        (["--email", "a" * 250 + "@example.com"], "email"),
        (["--email", "ok@example.com", "--name", ""], "name"),
        (["--email", "ok@example.com", "--password", "short"], "password"),
    ],
)
def test_create_user_bad_input_exits_2(
    engine: Engine, capsys: pytest.CaptureFixture, args: list[str], field: str
) -> None:
    base = {"--email": "ok@example.com", "--name": "Sam", "--password": PASSWORD}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    argv = ["create-user", "--support"] + [x for kv in base.items() for x in kv]
    with Session(engine) as db:
        before = db_snapshot(db)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{field}: ")
    with Session(engine) as db:
        assert db_snapshot(db) == before


def test_create_user_refuses_a_taken_email(engine: Engine, capsys: pytest.CaptureFixture) -> None:
    argv = [
        "create-user",
        "--support",
        "--email",
        "sam@studioos.app",
        "--name",
        "Sam",
        "--password",
        PASSWORD,
    ]
    assert cli.main(argv) == 0
    argv[3] = "SAM@studioos.app"
    assert cli.main(argv) == 2
    assert "already exists" in capsys.readouterr().err
    with Session(engine) as db:
        assert count(db, User) == 1


def test_create_user_needs_support_or_studio_and_role(engine: Engine) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["create-user", "--email", "x@example.com", "--name", "X", "--password", PASSWORD])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as bad_role:
        cli.main(["create-user", "--email", "x@example.com", "--name", "X", "--studio", "1", "--role", "god"])
    assert bad_role.value.code == 2


def test_import_command_reports_each_refused_line_and_lands_the_rest(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from datetime import timedelta

    from studioos.models import EarningRecord
    from studioos.services import platforms
    from tests.factories import actor_for, new_performer

    with Session(engine) as db:
        studio, owner = make_studio(db)
        actor = actor_for(db, owner, studio)
        luna = new_performer(db, actor, "Luna")
        platforms.add_account(db, actor, luna, "Chaturbate", "lunarose")
        db.commit()
        studio_id = studio.id or 0
        day = (actor.today() - timedelta(days=2)).isoformat()
    ledger = tmp_path / "history.csv"
    ledger.write_text(
        "User,Token change,Timestamp,Note\n"
        f"fan_one,25,{day} 21:00:00,Tip\n"
        f"fan_two,abc,{day} 21:05:00,Tip\n"
        f"fan_one,40,{day} 22:00:00,Private Show\n",
        encoding="utf-8",
    )
    args = ["import", str(ledger), "--studio", str(studio_id), "--model", "lunarose"]

    # A dry run says what would land and changes nothing.
    assert cli.main([*args, "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "3 read, 2 would land, 0 already in, 1 refused" in out
    assert "line 3: " in out and "whole number" in out
    with Session(engine) as db:
        assert count(db, EarningRecord) == 0

    assert cli.main(args) == 1  # a refused row: not a clean exit
    assert "2 landed" in capsys.readouterr().out
    assert cli.main(args) == 1
    assert "0 landed, 2 already in, 1 refused" in capsys.readouterr().out
    with Session(engine) as db:
        assert count(db, EarningRecord) == 2

    clean = tmp_path / "clean.csv"
    clean.write_text(f"User,Token change,Timestamp,Note\nfan_three,10,{day} 23:00:00,Tip\n", encoding="utf-8")
    assert cli.main(["import", str(clean), "--studio", str(studio_id), "--model", "lunarose"]) == 0

    # A file no format knows, an unknown studio: exit 2 with the reason.
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    assert cli.main(["import", str(odd), "--studio", str(studio_id)]) == 2
    assert "not in a format" in capsys.readouterr().err
    assert cli.main(["import", str(clean), "--studio", "999999"]) == 2


def test_rotate_keys_is_in_the_platform_log(engine: Engine, capsys: pytest.CaptureFixture) -> None:
    from studioos.models import AuditLog

    assert cli.main(["rotate-keys"]) == 0
    assert "newest key" in capsys.readouterr().out
    with Session(engine) as db:
        row = db.exec(select(AuditLog).where(AuditLog.action == "keys.rotated")).one()
    assert row.studio_id is None and "values re-encrypted" in row.detail
