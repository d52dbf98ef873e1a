"""A copy of my data: every registered field of the person, nothing of anyone else, no secrets;
their own copy only, encrypted on disk, refused once expired."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import Session

from studioos.models import DataExport, Role, utcnow
from studioos.services import data_export, earnings, platforms, privacy_registry, support, support_attachments
from studioos.services.errors import Expired, NotFound
from studioos.services.permissions import Actor
from tests.factories import (
    actor_for,
    add_member,
    image_bytes,
    make_studio,
    new_performer,
    performer_user,
    sign_in,
)


def _studio_with_two_models(db: Session) -> tuple[Actor, Actor, dict[str, int]]:
    studio, owner_user = make_studio(db)
    owner = actor_for(db, owner_user, studio)
    ids = {"Anna": new_performer(db, owner, "Anna"), "Bella": new_performer(db, owner, "Bella")}
    ids["anna_cb"] = platforms.add_account(db, owner, ids["Anna"], "Chaturbate", "anna_cb").id or 0
    ids["bella_sc"] = platforms.add_account(db, owner, ids["Bella"], "Stripchat", "bella_sc").id or 0
    day = owner.today() - timedelta(days=3)
    earnings.enter_running_total(db, owner, ids["anna_cb"], day, "500", "", "")
    earnings.enter_running_total(db, owner, ids["bella_sc"], day, "900", "", "")
    db.commit()
    anna = performer_user(db, studio, ids["Anna"], name="Anna Account")
    sign_in(db, db.get_one(type(owner_user), anna.user_id))
    db.commit()
    return owner, anna, ids


def _built(db: Session, actor: Actor) -> dict[str, list[dict[str, object]]]:
    export = data_export.request(db, actor)
    steps: list[int] = []
    data_export.build(db, actor, export.id or 0, steps.append)
    db.commit()
    assert steps and steps == sorted(steps)  # the progress bar only moves forward
    name, content = data_export.download(db, actor, export.id or 0)
    assert name.startswith("studioos-data-") and name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = set(archive.namelist())
    assert {"README.txt", "data.json"} <= names
    data: dict[str, list[dict[str, object]]] = json.loads(archive.read("data.json"))
    assert {f"csv/{table}.csv" for table in data} <= names
    return data


def test_a_model_gets_her_own_rows_with_every_registered_field(db: Session) -> None:
    _, anna, ids = _studio_with_two_models(db)
    data = _built(db, anna)
    assert data["user"][0]["email"] == anna.email
    assert data["user"][0]["name"] == "Anna Account"
    (profile,) = data["performer"]
    assert profile["id"] == ids["Anna"]
    # Encrypted at rest, decrypted for her.
    assert profile["legal_name"] == "Anna Legal Surname"
    assert profile["birth_date"] == "1998-04-23"
    assert {r["performer_id"] for r in data["earningrecord"]} == {ids["Anna"]}
    assert [r["handle"] for r in data["platformaccount"]] == ["anna_cb"]
    assert data["authsession"] and data["membership"]
    # Every registered column of her own rows is there, except the secrets.
    for table, rows in data.items():
        expected = {c.column for c in privacy_registry.registry()[table].columns.values() if not c.secret}
        assert set(rows[0]) == expected, table


def test_nothing_of_anyone_else_and_no_secrets(db: Session) -> None:
    owner, anna, _ = _studio_with_two_models(db)
    blob = json.dumps(_built(db, anna))
    for other in ("Bella", "bella_sc", "Bella Legal Surname", owner.email):
        assert other not in blob
    assert "password_hash" not in blob and "token_hash" not in blob
    # The owner entered Anna's figures: those rows mention the owner, but give her nothing of Anna's.
    owner_data = _built(db, owner)
    assert "Anna Legal Surname" not in json.dumps(owner_data)
    entered = owner_data.get("earningrecord", [])
    assert entered and all("tokens" not in row and "note" not in row for row in entered)


def test_only_the_person_downloads_and_not_after_it_expires(db: Session) -> None:
    owner, anna, _ = _studio_with_two_models(db)
    export = data_export.request(db, anna)
    data_export.build(db, anna, export.id or 0)
    db.commit()
    with pytest.raises(NotFound):
        data_export.download(db, owner, export.id or 0)
    # The file on disk is encrypted: her address is not readable in it.
    stored = (data_export.exports_dir() / export.file_name).read_bytes()
    assert anna.email.encode() not in stored and b"PK" not in stored[:4]
    row = db.get_one(DataExport, export.id)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    with pytest.raises(Expired):
        data_export.download(db, anna, export.id or 0)


def test_one_copy_at_a_time(db: Session) -> None:
    _, anna, _ = _studio_with_two_models(db)
    first = data_export.request(db, anna)
    assert data_export.request(db, anna).id == first.id
    data_export.build(db, anna, first.id or 0)
    db.commit()
    assert data_export.request(db, anna).id != first.id


def test_a_copy_is_made_once_and_an_interrupted_one_can_be_asked_again(db: Session) -> None:
    _, anna, _ = _studio_with_two_models(db)
    export = data_export.request(db, anna)
    db.commit()
    assert data_export.claim(db, anna, export.id or 0) is True
    db.commit()
    assert data_export.claim(db, anna, export.id or 0) is False  # a second tab leaves it be
    # The worker stopped mid-way: after a while, a new request starts a new copy.
    row = db.get_one(DataExport, export.id)
    row.created_at = utcnow() - data_export.STALE_AFTER - timedelta(minutes=1)
    db.add(row)
    db.commit()
    again = data_export.request(db, anna)
    assert again.id != export.id
    assert db.get_one(DataExport, export.id).status == data_export.FAILED


def test_the_copy_holds_the_files_she_attached_and_no_one_elses(db: Session) -> None:
    studio, owner_user = make_studio(db)
    owner = actor_for(db, owner_user, studio)
    manager = actor_for(db, add_member(db, studio, Role.MANAGER), studio)
    mine = support.open_request(db, owner, "Payslip", "billing", "See the file.")
    support_attachments.attach(
        db,
        owner,
        mine.id,
        support_attachments.last_message_id(db, owner, mine.id),
        [("slip.png", image_bytes("PNG"))],
    )
    theirs = support.open_request(db, manager, "Other", "bug", "Mine.")
    support_attachments.attach(
        db,
        manager,
        theirs.id,
        support_attachments.last_message_id(db, manager, theirs.id),
        [("x.png", image_bytes("PNG"))],
    )
    db.commit()
    export = data_export.request(db, owner)
    data_export.build(db, owner, export.id or 0)
    db.commit()
    _, content = data_export.download(db, owner, export.id or 0)
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert len(files) == 1 and files[0].endswith("-slip.png")
    assert archive.read(files[0]).startswith(b"\x89PNG")
    data = json.loads(archive.read("data.json"))
    assert [r["title"] for r in data["supportrequest"]] == ["Payslip"]
