"""Photo upload: type from content, 5 MB limit, truncation detected, private storage, EXIF dropped."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session

from studioos.models import Performer, Role
from studioos.services import photos
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.settings import get_settings
from tests.factories import actor_for, add_member, image_bytes, make_studio, new_performer, performer_user


@pytest.fixture
def scene(db: Session):
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    return studio, actor, new_performer(db, actor, "Anna")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_valid_formats_accepted(db: Session, scene, fmt: str) -> None:
    _, actor, pid = scene
    photos.upload_photo(db, actor, pid, image_bytes(fmt))
    got = photos.read_photo(db, actor, pid)
    assert got.content_type == photos.FORMATS[fmt][0]
    assert Image.open(io.BytesIO(got.content)).format == fmt


def test_html_renamed_png_refused(db: Session, scene) -> None:
    _, actor, pid = scene
    html = b"<!doctype html><html><script>alert(1)</script></html>"
    with pytest.raises(ValidationFailed) as err:
        photos.upload_photo(db, actor, pid, html)
    assert err.value.errors == {"photo": "This file is not a JPEG, PNG or WebP image."}


def test_other_image_format_refused(db: Session, scene) -> None:
    _, actor, pid = scene
    with pytest.raises(ValidationFailed) as err:
        photos.upload_photo(db, actor, pid, image_bytes("GIF"))
    assert "not a JPEG, PNG or WebP" in err.value.errors["photo"]


def test_six_megabyte_image_refused(db: Session, scene) -> None:
    _, actor, pid = scene
    noise = Image.frombytes("RGB", (1500, 1400), os.urandom(1500 * 1400 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    data = out.getvalue()
    assert len(data) > 6 * 1000 * 1000
    with pytest.raises(ValidationFailed) as err:
        photos.upload_photo(db, actor, pid, data)
    assert err.value.errors["photo"].endswith("the limit is 5 MB.")


def test_truncated_jpeg_refused(db: Session, scene) -> None:
    _, actor, pid = scene
    data = image_bytes("JPEG", size=(400, 300))
    with pytest.raises(ValidationFailed) as err:
        photos.upload_photo(db, actor, pid, data[: len(data) // 2])
    assert "damaged or incomplete" in err.value.errors["photo"]


def test_stored_privately_and_exif_dropped(db: Session, scene) -> None:
    _, actor, pid = scene
    photos.upload_photo(db, actor, pid, image_bytes("JPEG", exif=True))
    db.commit()
    p = db.get(Performer, pid)
    assert p is not None and p.photo_file is not None
    stored = Path(get_settings().data_dir) / "photos" / str(p.studio_id) / p.photo_file
    assert stored.exists() and oct(stored.stat().st_mode & 0o777) == "0o600"
    assert b"SecretCam" not in stored.read_bytes()
    # Replacing deletes the old file.
    photos.upload_photo(db, actor, pid, image_bytes("PNG"))
    assert not stored.exists()
    photos.delete_photo(db, actor, pid)
    with pytest.raises(NotFound):
        photos.read_photo(db, actor, pid)


def test_who_may_see_a_photo(db: Session, scene) -> None:
    studio, actor, pid = scene
    photos.upload_photo(db, actor, pid, image_bytes("PNG"))
    db.commit()
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    with pytest.raises(PermissionDenied):
        photos.read_photo(db, analyst, pid)
    me = performer_user(db, studio, pid)
    assert photos.read_photo(db, me, pid).content_type == "image/png"
    with pytest.raises(PermissionDenied):
        photos.upload_photo(db, me, pid, image_bytes("PNG"))
    other = new_performer(db, actor, "Bella")
    with pytest.raises(NotFound):
        photos.read_photo(db, me, other)
