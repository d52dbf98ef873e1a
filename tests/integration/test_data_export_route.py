"""GET /api/privacy/exports/{id}.zip: the person's own copy only, with a session, until it expires."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from studioos.api.routes import build_api
from studioos.models import DataExport, User, utcnow
from studioos.services import data_export
from tests.factories import actor_for, add_member, make_studio, session_cookie


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_api(), follow_redirects=False) as c:
        yield c


def test_the_copy_is_served_to_its_owner_alone_until_it_expires(db: Session, client: TestClient) -> None:
    studio, owner = make_studio(db)
    colleague = add_member(db, studio, "manager")
    actor = actor_for(db, owner, studio)
    export = data_export.request(db, actor)
    data_export.build(db, actor, export.id or 0)
    db.commit()
    url = f"/api/privacy/exports/{export.id}.zip"

    assert client.get(url).status_code == 401
    refused = client.get(url, cookies=session_cookie(db, colleague, studio))
    assert refused.status_code == 404 and refused.json()["error"]
    assert (
        client.get("/api/privacy/exports/nope.zip", cookies=session_cookie(db, owner, studio)).status_code
        == 404
    )

    own = client.get(url, cookies=session_cookie(db, owner, studio))
    assert own.status_code == 200
    assert own.headers["content-type"] == "application/zip"
    assert own.headers["cache-control"] == "private, no-store"
    assert "attachment" in own.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(own.content))
    assert owner.email in archive.read("data.json").decode()

    row = db.get_one(DataExport, export.id)
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.add(row)
    db.commit()
    gone = client.get(url, cookies=session_cookie(db, db.get_one(User, owner.id), studio))
    assert gone.status_code == 410 and "expired" in gone.json()["error"]
