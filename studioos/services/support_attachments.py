"""Files on support messages: images and PDFs, checked by their content, kept encrypted on disk.

Who may do what follows the support desk (`support.py`): a request's requester and support staff
see it; files on internal notes are for support staff only; only a message's author adds files to it.

What a file is comes from its bytes alone (magic bytes, then a real parse), never from its name or
the type the browser declared. Images are re-encoded, as model photos are (`photos.py`): that drops
EXIF (GPS position, camera serial), comments and anything smuggled after the image data. PDFs are
kept as sent (they are only ever served as a download). SVG and HTML are never accepted: they can
carry script.

The file name is kept as the person chose it, cleaned (no folders, control or invisible characters,
at most 100 characters before the extension), with an honest extension: a PNG sent as
"report.pdf" is stored as "report.png", so whoever downloads it opens it with the right program.

Files live under settings.data_dir/"support_files"/<random name>, Fernet-encrypted with the app's
keys (`crypto.py`), and are served by the authenticated route GET /api/support/attachments/{id}.
A row goes with its request or message (ON DELETE CASCADE) and with its uploader's erasure (the
personal-data registry); the hourly `exports` retention job then removes the file (`purge_orphans`).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import InvalidToken
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from sqlalchemy import func
from sqlmodel import Session, col, select

from studioos import crypto
from studioos.models import (
    RequestState,
    SupportAttachment,
    SupportMessage,
    SupportRequest,
    row_id,
    utcnow,
)
from studioos.services import audit, photos
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.permissions import Actor

# The one visibility rule of the desk: support sees every request, a requester only their own.
from studioos.services.support import _visible
from studioos.services.validation import parse_id, require_id
from studioos.settings import get_settings

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5  # per message
ACCEPTED_TEXT = "PNG, JPEG, WebP or GIF images and PDF files, up to 10 MB each"
FILES_DIR = "support_files"
# A file younger than this may belong to an upload whose transaction is still open.
ORPHAN_AGE = timedelta(hours=1)
NAME_STEM_MAX = 100

PDF = "application/pdf"
# Pillow format name -> (content type, file extension): the photos' formats, and GIF.
IMAGE_FORMATS: dict[str, tuple[str, str]] = {**photos.FORMATS, "GIF": ("image/gif", "gif")}
IMAGE_TYPES = frozenset(content_type for content_type, _ in IMAGE_FORMATS.values())
# The only types this module ever stores or serves.
CONTENT_TYPES = IMAGE_TYPES | {PDF}
# Extensions a name may already carry for its true type (kept as typed, else replaced).
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/gif": ("gif",),
    PDF: ("pdf",),
}
# For the upload field's `accept` (rx.upload's format): a hint to the file picker, never a check.
UPLOAD_ACCEPT: dict[str, list[str]] = {kind: [f".{e}" for e in exts] for kind, exts in _EXTENSIONS.items()}
# Magic bytes -> the Pillow format the parse must then confirm.
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
# Kept through re-encoding: colour and transparency, nothing about the person or the camera.
_KEPT_INFO = frozenset({"icc_profile", "transparency"})
# Characters Windows refuses in a file name (a download must save anywhere).
_UNSAFE_NAME_CHARS = frozenset('<>:"/\\|?*')

NOT_ACCEPTED = "is not an image or a PDF"
TOO_BIG = "is larger than 10 MB"
EMPTY = "is empty"
DAMAGED = "is damaged or incomplete"
TOO_MANY_PIXELS = f"is too large an image (over {photos.MAX_PIXELS // 1_000_000} megapixels)"
TOO_MANY = f"Too many files: at most {MAX_FILES}"


@dataclass(frozen=True)
class AttachmentView:
    id: int
    message_id: int
    filename: str
    content_type: str
    size_text: str  # "2.4 MB", "830 KB"
    is_image: bool
    url: str  # the authenticated download route


@dataclass(frozen=True)
class _Checked:
    filename: str
    content_type: str
    content: bytes


class _Refused(Exception):
    """One file failed its check; `why` completes "<filename>: ..."."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


# --- names and sizes -------------------------------------------------------------------------


def size_text(size: int) -> str:
    """830 KB / 2.4 MB (binary units, as the 10 MB limit is counted)."""
    kb = max(1, round(size / 1024))
    if kb < 1024:
        return f"{kb} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _clean_name(raw: str) -> str:
    """The name without folders, control or invisible characters (a right-to-left override
    would show "gpj.exe" as "exe.jpg"), nor characters a file system refuses."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        "_" if ch in _UNSAFE_NAME_CHARS else ch for ch in name if not unicodedata.category(ch).startswith("C")
    )
    # Leading dots would make a hidden file; trailing dots and spaces Windows drops by itself.
    return " ".join(name.split()).strip(" .")


def _split(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    return (stem, ext) if dot and stem else (name, "")


def display_name(raw: str) -> str:
    """The name as the person sent it, made safe to show (in an error message)."""
    stem, ext = _split(_clean_name(raw))
    stem = stem[:NAME_STEM_MAX] or "file"
    return f"{stem}.{ext[:10]}" if ext else stem


def stored_filename(raw: str, content_type: str) -> str:
    """The cleaned name with an extension that tells the truth about the content."""
    stem, ext = _split(_clean_name(raw))
    stem = stem.strip(" .")[:NAME_STEM_MAX].strip(" .") or "attachment"
    honest = _EXTENSIONS[content_type]
    return f"{stem}.{ext if ext.lower() in honest else honest[0]}"


# --- content checks --------------------------------------------------------------------------


def _is_pdf(data: bytes) -> bool:
    # The header opens the file; readers look for %%EOF within its last 1024 bytes.
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def _image_format(data: bytes) -> str | None:
    for magic, fmt in _IMAGE_MAGIC:
        if data.startswith(magic):
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _bare(img: Image.Image) -> Image.Image:
    img.info = {k: v for k, v in img.info.items() if k in _KEPT_INFO}
    return img


def _save(img: Image.Image, fmt: str, out: io.BytesIO, **extra: object) -> None:
    if fmt == "JPEG":
        img.convert("RGB").save(out, "JPEG", quality=90, **extra)
    elif fmt == "WEBP":
        img.save(out, "WEBP", quality=90, **extra)
    else:
        img.save(out, fmt, **extra)


def _reencode(original: Image.Image, fmt: str) -> bytes:
    """The pixels again, without the metadata (as photos.py does, and clearing what Pillow would
    otherwise copy over, such as a GIF's comment). An animation keeps its frames and timing."""
    out = io.BytesIO()
    frames = getattr(original, "n_frames", 1)
    if frames > 1:
        durations: list[int] = []
        images: list[Image.Image] = []
        for frame in ImageSequence.Iterator(original):
            durations.append(int(frame.info.get("duration", 100)))
            images.append(_bare(frame.copy()))
        loop = int(original.info.get("loop", 0))
        _save(images[0], fmt, out, save_all=True, append_images=images[1:], duration=durations, loop=loop)
    else:
        _save(_bare(ImageOps.exif_transpose(original)), fmt, out)
    return out.getvalue()


def _check_image(data: bytes, fmt: str) -> bytes:
    """The re-encoded image, or _Refused. The parse is held to the format the magic bytes named."""
    with warnings.catch_warnings():
        # A decompression bomb is refused, not merely warned about.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                frames = getattr(probe, "n_frames", 1)
                if probe.width * probe.height * frames > photos.MAX_PIXELS:
                    raise _Refused(TOO_MANY_PIXELS)
                probe.verify()
            # verify() does not decode pixels; re-encoding does, and notices a truncated file.
            with Image.open(io.BytesIO(data), formats=[fmt]) as full:
                full.load()
                return _reencode(full, fmt)
        except UnidentifiedImageError as exc:
            raise _Refused(NOT_ACCEPTED) from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _Refused(TOO_MANY_PIXELS) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _Refused(DAMAGED) from exc


def _check(name: str, data: bytes) -> _Checked:
    if not data:
        raise _Refused(EMPTY)
    if len(data) > MAX_BYTES:
        raise _Refused(TOO_BIG)
    fmt = _image_format(data)
    if fmt is not None:
        content_type = IMAGE_FORMATS[fmt][0]
        return _Checked(stored_filename(name, content_type), content_type, _check_image(data, fmt))
    if _is_pdf(data):
        return _Checked(stored_filename(name, PDF), PDF, data)
    raise _Refused(NOT_ACCEPTED)


def check_files(files: list[tuple[str, bytes]], already: int = 0) -> list[_Checked]:
    """Every file checked (and images cleaned) before anything is stored; ValidationFailed names
    each file that failed and why."""
    if already + len(files) > MAX_FILES:
        raise ValidationFailed({"files": f"{TOO_MANY}."})
    checked: list[_Checked] = []
    problems: list[str] = []
    for name, data in files:
        try:
            checked.append(_check(name, data))
        except _Refused as refused:
            problems.append(f"{display_name(name)}: {refused.why}")
    if problems:
        raise ValidationFailed({"files": "; ".join(problems) + "."})
    return checked


# --- files on disk ---------------------------------------------------------------------------


def files_dir() -> Path:
    return Path(get_settings().data_dir) / FILES_DIR


def _path(stored_name: str) -> Path | None:
    """The file of a stored name, or None for a value that is not a plain file name (it must
    never reach outside the folder)."""
    if not stored_name or Path(stored_name).name != stored_name or stored_name in {".", ".."}:
        return None
    return files_dir() / stored_name


def _write(content: bytes) -> tuple[str, Path]:
    folder = files_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(16)
    path = folder / name
    # O_EXCL: a name is never reused, even by two uploads at the same instant.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(crypto.fernet().encrypt(content))
    return name, path


def _read(stored_name: str) -> bytes:
    path = _path(stored_name)
    if path is None or not path.is_file():
        raise NotFound()
    try:
        return crypto.fernet().decrypt(path.read_bytes())
    except InvalidToken as exc:
        raise crypto.EncryptionKeyError(
            f"A support attachment cannot be decrypted with the keys in {crypto.KEY_ENV}: "
            "the key that encrypted it is missing or wrong."
        ) from exc


# --- the service -----------------------------------------------------------------------------


def _view(row: SupportAttachment) -> AttachmentView:
    aid = row_id(row)
    return AttachmentView(
        id=aid,
        message_id=row.message_id,
        filename=row.filename,
        content_type=row.content_type,
        size_text=size_text(row.size_bytes),
        is_image=row.content_type in IMAGE_TYPES,
        url=f"/api/support/attachments/{aid}",
    )


def _own_message(db: Session, actor: Actor, req: SupportRequest, message_id: int) -> SupportMessage:
    msg = db.get(SupportMessage, require_id(message_id))
    if msg is None or msg.request_id != row_id(req) or msg.author_id != actor.user_id:
        raise NotFound()
    return msg


def last_message_id(db: Session, actor: Actor, request_id: int) -> int:
    """The actor's newest message in the request: what `attach` takes right after
    support.open_request or support.reply (which do not return the message's id)."""
    req = _visible(db, actor, request_id)
    found = db.exec(
        select(SupportMessage.id)
        .where(col(SupportMessage.request_id) == row_id(req), col(SupportMessage.author_id) == actor.user_id)
        .order_by(col(SupportMessage.created_at).desc(), col(SupportMessage.id).desc())
    ).first()
    if found is None:
        raise NotFound()
    return found


def attach(
    db: Session,
    actor: Actor,
    request_id: int,
    message_id: int,
    files: list[tuple[str, bytes]],
    *,
    now: datetime | None = None,
) -> list[AttachmentView]:
    """Add (file name, bytes) files to the actor's own message; all of them or none.

    The caller commits. Should the database refuse the rows, the files just written are removed;
    should the commit fail later, `purge_orphans` removes them within two hours."""
    now = now or utcnow()
    req = _visible(db, actor, request_id)
    msg = _own_message(db, actor, req, message_id)
    if not actor.is_support and req.status == RequestState.CLOSED:
        raise ValidationFailed({"files": "This request is closed. Please open a new one."})
    if not files:
        return []
    already = db.exec(
        select(func.count()).select_from(SupportAttachment).where(SupportAttachment.message_id == row_id(msg))
    ).one()
    checked = check_files(files, int(already))
    written: list[Path] = []
    try:
        rows = []
        for item in checked:
            stored, path = _write(item.content)
            written.append(path)
            row = SupportAttachment(
                request_id=row_id(req),
                message_id=row_id(msg),
                uploaded_by_id=actor.user_id,
                filename=item.filename,
                content_type=item.content_type,
                size_bytes=len(item.content),
                stored_name=stored,
                created_at=now,
            )
            db.add(row)
            rows.append(row)
        db.flush()
        for row in rows:
            # The file's name is the person's words: the log keeps its type and where it went.
            audit.record_by(
                db,
                actor,
                "support.attachment_added",
                target=f"support_request:{row_id(req)}",
                detail=f"attachment {row_id(row)} ({row.content_type}, {size_text(row.size_bytes)})",
            )
        db.flush()
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [_view(row) for row in rows]


def for_thread(db: Session, actor: Actor, request_id: int) -> dict[int, list[AttachmentView]]:
    """The request's files by message id, oldest first; those on internal notes only for support
    staff (the rule of support.thread)."""
    req = _visible(db, actor, request_id)
    query = (
        select(SupportAttachment)
        .join(SupportMessage, col(SupportMessage.id) == col(SupportAttachment.message_id))
        .where(col(SupportAttachment.request_id) == row_id(req))
        .order_by(col(SupportAttachment.message_id), col(SupportAttachment.id))
    )
    if not actor.is_support:
        query = query.where(col(SupportMessage.internal).is_(False))
    found: dict[int, list[AttachmentView]] = {}
    for row in db.exec(query).all():
        found.setdefault(row.message_id, []).append(_view(row))
    return found


def open_attachment(db: Session, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    """(file name, content type, the file's bytes) for the request's requester (not on an
    internal note) or support staff; for anyone else the file does not exist."""
    found = parse_id(attachment_id)
    row = db.get(SupportAttachment, found) if found is not None else None
    if row is None:
        raise NotFound()
    _visible(db, actor, row.request_id)
    msg = db.get(SupportMessage, row.message_id)
    if msg is None or (msg.internal and not actor.is_support):
        raise NotFound()
    if row.content_type not in CONTENT_TYPES:
        # Never serve a type we did not check ourselves (a row written by other code, or by hand).
        raise NotFound()
    return row.filename, row.content_type, _read(row.stored_name)


def purge_orphans(db: Session, *, now: datetime | None = None) -> int:
    """Delete the files no row points at any more (their request, message or uploader is gone),
    once older than an hour, so a file whose upload has not committed yet is never taken.
    Returns how many files went."""
    folder = files_dir()
    if not folder.is_dir():
        return 0
    cutoff = (now or utcnow()) - ORPHAN_AGE
    known = set(db.exec(select(SupportAttachment.stored_name)).all())
    removed = 0
    for path in folder.iterdir():
        if path.name in known or path.is_symlink() or not path.is_file():
            continue
        if datetime.fromtimestamp(path.stat().st_mtime, UTC) > cutoff:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    held = folder / HELD_DIR
    if held.is_dir():
        for path in held.iterdir():
            if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) <= cutoff - HELD_AGE:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


# --- files chosen before the message is sent -------------------------------------------------
#
# The page uploads each file as it is chosen (one upload request per file, under the upload
# guard's limit) and sends them with the message. Until then a file waits here, checked and
# encrypted, under a random name bound to the person; the page keeps only that name.

HELD_DIR = "held"
HELD_AGE = timedelta(days=1)  # a file chosen and never sent
_HELD_NAME = re.compile(r"[0-9]+-[0-9a-f]{32}")


@dataclass(frozen=True)
class HeldFile:
    token: str
    filename: str
    size_text: str


def _held_path(token: str) -> Path:
    folder = files_dir() / HELD_DIR
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / token


def hold(actor: Actor, filename: str, data: bytes) -> HeldFile:
    """Check a chosen file at once (the person hears what is wrong before writing the message) and
    keep it until the message is sent."""
    checked = check_files([(filename, data)])[0]
    token = f"{actor.user_id}-{secrets.token_hex(16)}"
    name = checked.filename
    payload = json.dumps({"filename": name}).encode() + b"\n" + data
    _held_path(token).write_bytes(crypto.fernet().encrypt(payload))
    return HeldFile(token, name, size_text(len(checked.content)))


def take_held(actor: Actor, tokens: list[str]) -> list[tuple[str, bytes]]:
    """The held files, as sent to `attach` (which checks them again); another person's: NotFound."""
    files: list[tuple[str, bytes]] = []
    for token in tokens:
        if not _HELD_NAME.fullmatch(token or "") or not token.startswith(f"{actor.user_id}-"):
            raise NotFound("Choose the file again: it is not known.")
        try:
            payload = crypto.fernet().decrypt(_held_path(token).read_bytes())
        except (OSError, InvalidToken) as exc:
            raise ValidationFailed({"files": "A chosen file expired: choose it again."}) from exc
        head, _, data = payload.partition(b"\n")
        files.append((str(json.loads(head).get("filename", "file")), data))
    return files


def drop_held(actor: Actor, tokens: list[str]) -> None:
    for token in tokens:
        if _HELD_NAME.fullmatch(token or "") and token.startswith(f"{actor.user_id}-"):
            _held_path(token).unlink(missing_ok=True)


def attach_held(db: Session, actor: Actor, request_id: int, tokens: list[str]) -> None:
    """Put the held files on the actor's message just written in the request (in the caller's unit
    of work: if a file is refused, the message is not kept either), then let the held copies go."""
    if not tokens:
        return
    files = take_held(actor, tokens)
    attach(db, actor, request_id, last_message_id(db, actor, request_id), files)
    drop_held(actor, tokens)


def files_of(db: Session, user_id: int) -> list[tuple[str, bytes]]:
    """The files a person attached, decrypted, for their copy of their data: ("<id>-<name>", bytes).
    A file missing on disk (removed by hand, or its row is being erased) is left out."""
    rows = db.exec(
        select(SupportAttachment)
        .where(col(SupportAttachment.uploaded_by_id) == user_id)
        .order_by(col(SupportAttachment.id))
    ).all()
    found: list[tuple[str, bytes]] = []
    for row in rows:
        try:
            found.append((f"{row.id}-{row.filename}", _read(row.stored_name)))
        except NotFound:
            continue
    return found
