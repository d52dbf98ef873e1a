"""Model photos: validated from their content, stored privately, read back only through here.

Files live under settings.data_dir/"photos"/<studio id>/, never in Reflex's public upload folder;
an authenticated route calls `read_photo` (which checks the permission) to serve them.
The image is re-encoded on upload: that drops EXIF metadata (GPS position, camera serial) a model
would not want to hand out, and anything smuggled after the image data.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from studioos.models import Performer, utcnow
from studioos.services import audit
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.performers import access_performer, get_row
from studioos.services.permissions import Actor, Cap, require
from studioos.settings import get_settings

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Pillow format name -> (content type, file extension)
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
NOT_AN_IMAGE = "This file is not a JPEG, PNG or WebP image."


@dataclass(frozen=True)
class Photo:
    content: bytes
    content_type: str


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def validate_image(data: bytes) -> str:
    """Return the Pillow format of a valid photo, or raise ValidationFailed({"photo": message})."""
    if not data:
        raise ValidationFailed({"photo": "The file is empty."})
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"photo": f"The photo is {_mb(len(data))}; the limit is 5 MB."})
    with warnings.catch_warnings():
        # A decompression bomb is refused, not merely warned about.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                if fmt not in FORMATS:
                    raise ValidationFailed({"photo": NOT_AN_IMAGE})
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationFailed({"photo": "The photo is too large (over 40 megapixels)."})
                probe.verify()
            # verify() does not decode pixels; load() does, and notices a truncated file.
            with Image.open(io.BytesIO(data)) as full:
                full.load()
        except ValidationFailed:
            raise
        except UnidentifiedImageError as exc:
            raise ValidationFailed({"photo": NOT_AN_IMAGE}) from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationFailed({"photo": "The photo is too large (over 40 megapixels)."}) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise ValidationFailed(
                {"photo": "The image is damaged or incomplete (truncated); please upload it again."}
            ) from exc
    return fmt


def _reencode(data: bytes, fmt: str) -> bytes:
    with Image.open(io.BytesIO(data)) as original:
        img = ImageOps.exif_transpose(original)
        out = io.BytesIO()
        if fmt == "JPEG":
            img.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
        elif fmt == "PNG":
            img.save(out, "PNG", optimize=True)
        else:
            img.save(out, "WEBP", quality=90)
        return out.getvalue()


def _dir(studio_id: int) -> Path:
    path = Path(get_settings().data_dir) / "photos" / str(studio_id)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _path(p: Performer) -> Path:
    assert p.photo_file is not None
    # photo_file is our own random token + extension, never a user-supplied name.
    return _dir(p.studio_id) / p.photo_file


def upload_photo(db: Session, actor: Actor, performer_id: int, data: bytes) -> None:
    """Replace a model's photo (staff only). The file name the user chose is ignored on purpose."""
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    p = get_row(db, studio_id, performer_id)
    fmt = validate_image(data)
    content_type, ext = FORMATS[fmt]
    name = f"{secrets.token_hex(16)}.{ext}"
    target = _dir(studio_id) / name
    target.write_bytes(_reencode(data, fmt))
    target.chmod(0o600)
    old = _path(p) if p.photo_file else None
    p.photo_file, p.photo_type, p.updated_at = name, content_type, utcnow()
    db.add(p)
    audit.record_by(db, actor, "performer.photo_uploaded", target=f"performer:{p.id}")
    db.flush()
    if old is not None:
        old.unlink(missing_ok=True)


def read_photo(db: Session, actor: Actor, performer_id: int) -> Photo:
    """For the authenticated photo route: staff see any model's photo, a model her own."""
    p = access_performer(db, actor, performer_id, Cap.PERFORMERS_MANAGE)
    if p.photo_file is None:
        raise NotFound("No photo yet.")
    path = _path(p)
    if not path.exists():
        raise NotFound("No photo yet.")
    return Photo(path.read_bytes(), p.photo_type or "application/octet-stream")


def delete_photo(db: Session, actor: Actor, performer_id: int) -> None:
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    p = get_row(db, studio_id, performer_id)
    if p.photo_file is None:
        return
    old = _path(p)
    p.photo_file, p.photo_type = None, None
    db.add(p)
    audit.record_by(db, actor, "performer.photo_deleted", target=f"performer:{p.id}")
    db.flush()
    old.unlink(missing_ok=True)
