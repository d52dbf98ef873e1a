"""Model photos are served only through the authenticated route, to who may see them."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image
from sqlmodel import Session
from starlette.testclient import TestClient

from studioos.api.routes import build_api
from studioos.models import User
from studioos.services import auth, photos
from tests.factories import (
    actor_for,
    add_member,
    image_bytes,
    make_studio,
    new_performer,
    performer_user,
    session_cookie,
)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_api(), follow_redirects=False) as c:
        yield c


def test_photo_route_serves_staff_and_the_model_herself_only(db: Session, client: TestClient) -> None:
    studio, owner = make_studio(db)
    owner_actor = actor_for(db, owner, studio)
    anna = new_performer(db, owner_actor, "Anna")
    bella = new_performer(db, owner_actor, "Bella")
    photos.upload_photo(db, owner_actor, anna, image_bytes("PNG", (40, 30)))
    photos.upload_photo(db, owner_actor, bella, image_bytes("PNG", (40, 30)))
    db.commit()
    other_studio, other_owner = make_studio(db, "Studio B")
    analyst = add_member(db, studio, "analyst")
    bella_actor = performer_user(db, studio, bella, name="Bella Person")
    bella_user = db.get(User, bella_actor.user_id)
    assert bella_user is not None

    url = f"/api/photos/{anna}"
    ok = client.get(url, cookies=session_cookie(db, owner, studio))
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "image/png"
    assert ok.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in ok.headers["cache-control"]
    assert Image.open(io.BytesIO(ok.content)).size == (40, 30)

    assert client.get(url).status_code == 401  # not signed in
    assert client.get(url, cookies={auth.SESSION_COOKIE: "forged"}).status_code == 401
    assert client.get(url, cookies=session_cookie(db, analyst, studio)).status_code == 403
    assert client.get(url, cookies=session_cookie(db, other_owner, other_studio)).status_code == 404
    # A model sees her own photo, not a colleague's.
    bella_cookie = session_cookie(db, bella_user, studio)
    assert client.get(f"/api/photos/{bella}", cookies=bella_cookie).status_code == 200
    # Another model's photo is "not found", not "forbidden": a model cannot probe which ids exist.
    assert client.get(url, cookies=bella_cookie).status_code == 404
    assert (
        client.get("/api/photos/not-a-number", cookies=session_cookie(db, owner, studio)).status_code == 404
    )
