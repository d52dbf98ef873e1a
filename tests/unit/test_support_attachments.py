"""Files on support messages: what is accepted (by content), who sees them, how they are kept."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from sqlalchemy import delete
from sqlmodel import Session, col, select

from studioos import crypto
from studioos.jobs import retention
from studioos.models import AuditLog, Role, SupportAttachment, SupportRequest, utcnow
from studioos.services import audit, support
from studioos.services import support_attachments as sa
from studioos.services.errors import NotFound, ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, add_support_user, image_bytes, make_studio

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Scene:
    owner: Actor  # the requester
    manager: Actor  # same studio, another person
    other_owner: Actor  # another studio
    agent: Actor  # support staff


@pytest.fixture
def scene(db: Session) -> Scene:
    studio, owner = make_studio(db, "Studio A")
    manager = add_member(db, studio, Role.MANAGER, name="Mara Manager")
    other, other_owner = make_studio(db, "Studio B")
    agent = add_support_user(db)
    return Scene(
        owner=actor_for(db, owner, studio),
        manager=actor_for(db, manager, studio),
        other_owner=actor_for(db, other_owner, other),
        agent=actor_for(db, agent),
    )


def _open(db: Session, actor: Actor, title: str = "Screen is blank") -> tuple[int, int]:
    """A new request and the id of its first message."""
    rid = support.open_request(db, actor, title, "bug", "See the screenshot.", now=T0).id
    db.commit()
    return rid, sa.last_message_id(db, actor, rid)


def _pdf() -> bytes:
    doc = FPDF()
    doc.set_creation_date(T0)  # the same bytes every time
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(text="Invoice 42")
    return bytes(doc.output())


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x8825] = {1: "N", 2: (44.0, 26.0, 0.0), 3: "E", 4: (26.0, 6.0, 0.0)}  # GPS position
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the fixture does carry GPS
    return data


def _stored_files() -> list[Path]:
    folder = sa.files_dir()
    return sorted(folder.iterdir()) if folder.exists() else []


def _refusal(db: Session, actor: Actor, rid: int, mid: int, files: list[tuple[str, bytes]]) -> str:
    with pytest.raises(ValidationFailed) as refused:
        sa.attach(db, actor, rid, mid, files, now=T0)
    db.rollback()
    assert set(refused.value.errors) == {"files"}
    return refused.value.errors["files"]


# --- what is accepted --------------------------------------------------------------------------


def test_images_and_pdfs_are_accepted_and_image_metadata_is_stripped(db: Session, scene: Scene) -> None:
    rid, mid = _open(db, scene.owner)
    png = image_bytes("PNG", (40, 30))
    views = sa.attach(
        db,
        scene.owner,
        rid,
        mid,
        [("screen.png", png), ("holiday.jpeg", _jpeg_with_gps()), ("invoice.pdf", _pdf())],
        now=T0,
    )
    db.commit()

    assert [(v.filename, v.content_type, v.is_image) for v in views] == [
        ("screen.png", "image/png", True),
        ("holiday.jpeg", "image/jpeg", True),
        ("invoice.pdf", "application/pdf", False),
    ]
    assert all(v.message_id == mid and v.url == f"/api/support/attachments/{v.id}" for v in views)
    assert all(v.size_text.endswith(" KB") for v in views)
    assert sa.for_thread(db, scene.owner, rid) == {mid: views}

    name, kind, content = sa.open_attachment(db, scene.owner, views[0].id)
    assert (name, kind) == ("screen.png", "image/png")
    assert Image.open(io.BytesIO(content)).size == (40, 30)
    _, _, jpeg = sa.open_attachment(db, scene.owner, views[1].id)
    assert b"SecretCam" not in jpeg
    assert not Image.open(io.BytesIO(jpeg)).getexif().get_ifd(0x8825)
    assert sa.open_attachment(db, scene.owner, views[2].id) == ("invoice.pdf", "application/pdf", _pdf())

    logged = db.exec(select(AuditLog).where(AuditLog.action == "support.attachment_added")).all()
    assert len(logged) == 3 and {e.target for e in logged} == {f"support_request:{rid}"}
    assert all("screen" not in e.detail for e in logged)  # the person's file name stays out of the log
    assert audit.action_label("support.attachment_added") != "support.attachment_added"


def test_the_type_comes_from_the_content_never_from_the_name(db: Session, scene: Scene) -> None:
    rid, mid = _open(db, scene.owner)
    disguised = {
        "a program": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,
        "a web page": b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
        "an SVG": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "text": b"just some words, nothing more",
        "a PDF cut short": _pdf()[: len(_pdf()) // 2],
    }
    for what, data in disguised.items():
        message = _refusal(db, scene.owner, rid, mid, [("picture.png", data)])
        assert message == "picture.png: is not an image or a PDF.", what
    truncated = image_bytes("PNG", (200, 200))[:-40]
    assert (
        _refusal(db, scene.owner, rid, mid, [("cut.png", truncated)]) == "cut.png: is damaged or incomplete."
    )
    assert _stored_files() == []

    # An image named as something else keeps its name with an honest extension.
    [view] = sa.attach(db, scene.owner, rid, mid, [("report.pdf", image_bytes("PNG"))], now=T0)
    assert (view.filename, view.content_type) == ("report.png", "image/png")
    # Folders and invisible characters never reach the stored name (U+202E shows "gpj.exe" reversed).
    [odd] = sa.attach(db, scene.owner, rid, mid, [("../../etc/x\u202egpj.exe", image_bytes("JPEG"))], now=T0)
    assert odd.filename == "xgpj.jpg"


def test_size_and_count_limits(db: Session, scene: Scene) -> None:
    rid, mid = _open(db, scene.owner)
    too_big = b"%PDF-1.4\n" + b"0" * (sa.MAX_BYTES + 1 - 9 - 7) + b"\n%%EOF\n"
    assert len(too_big) == sa.MAX_BYTES + 1
    assert _refusal(db, scene.owner, rid, mid, [("big.pdf", too_big)]) == "big.pdf: is larger than 10 MB."
    assert _refusal(db, scene.owner, rid, mid, [("nothing.png", b"")]) == "nothing.png: is empty."
    png = image_bytes("PNG")
    six = [(f"shot{i}.png", png) for i in range(6)]
    assert "at most 5" in _refusal(db, scene.owner, rid, mid, six)
    assert _stored_files() == []

    just_fits = too_big[:9] + too_big[10:]  # exactly 10 MB
    [view] = sa.attach(db, scene.owner, rid, mid, [("big.pdf", just_fits)], now=T0)
    assert view.size_text == "10.0 MB"
    sa.attach(db, scene.owner, rid, mid, six[:3], now=T0)
    db.commit()
    # Five per message in all: four there, two more is one too many.
    assert "at most 5" in _refusal(db, scene.owner, rid, mid, six[:2])
    assert len(sa.for_thread(db, scene.owner, rid)[mid]) == 4


def test_one_bad_file_stores_nothing_of_the_batch(db: Session, scene: Scene) -> None:
    rid, mid = _open(db, scene.owner)
    batch = [("ok.png", image_bytes("PNG")), ("notes.png", b"hello"), ("ok.pdf", _pdf())]
    assert _refusal(db, scene.owner, rid, mid, batch) == "notes.png: is not an image or a PDF."
    assert db.exec(select(SupportAttachment)).all() == []
    assert _stored_files() == []


def test_a_failed_database_write_leaves_no_file(
    db: Session, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid, mid = _open(db, scene.owner)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(sa.audit, "record_by", broken)
    with pytest.raises(RuntimeError):
        sa.attach(db, scene.owner, rid, mid, [("a.png", image_bytes("PNG")), ("b.pdf", _pdf())], now=T0)
    db.rollback()
    assert _stored_files() == []


# --- who may attach and see ----------------------------------------------------------------------


def test_nobody_else_attaches_to_or_reads_a_request(db: Session, scene: Scene) -> None:
    rid, mid = _open(db, scene.owner)
    [view] = sa.attach(db, scene.owner, rid, mid, [("a.png", image_bytes("PNG"))], now=T0)
    db.commit()
    for stranger in (scene.manager, scene.other_owner):  # same studio or another: not theirs
        with pytest.raises(NotFound):
            sa.attach(db, stranger, rid, mid, [("b.png", image_bytes("PNG"))], now=T0)
        with pytest.raises(NotFound):
            sa.for_thread(db, stranger, rid)
        with pytest.raises(NotFound):
            sa.open_attachment(db, stranger, view.id)
    with pytest.raises(NotFound):
        sa.open_attachment(db, scene.owner, view.id + 1000)

    # Only a message's author adds files to it, and only a message of that request.
    support.reply(db, scene.agent, rid, "Which browser?", now=T0 + timedelta(hours=1))
    db.commit()
    agent_mid = sa.last_message_id(db, scene.agent, rid)
    with pytest.raises(NotFound):
        sa.attach(db, scene.owner, rid, agent_mid, [("c.png", image_bytes("PNG"))], now=T0)
    other_rid, other_mid = _open(db, scene.owner, "Another one")
    with pytest.raises(NotFound):
        sa.attach(db, scene.owner, rid, other_mid, [("d.png", image_bytes("PNG"))], now=T0)
    assert other_rid != rid
    assert len(db.exec(select(SupportAttachment)).all()) == 1


def test_files_on_internal_notes_are_for_support_only(db: Session, scene: Scene) -> None:
    rid, mid = _open(db, scene.owner)
    support.reply(db, scene.agent, rid, "Log from the server attached.", internal=True, now=T0)
    db.commit()
    note = sa.last_message_id(db, scene.agent, rid)
    [secret] = sa.attach(db, scene.agent, rid, note, [("server-log.pdf", _pdf())], now=T0)
    support.reply(db, scene.agent, rid, "Try these settings.", now=T0 + timedelta(minutes=5))
    db.commit()
    answer = sa.last_message_id(db, scene.agent, rid)
    [shown] = sa.attach(db, scene.agent, rid, answer, [("settings.png", image_bytes("PNG"))], now=T0)
    db.commit()

    assert sa.for_thread(db, scene.owner, rid) == {answer: [shown]}
    assert sa.for_thread(db, scene.agent, rid) == {note: [secret], answer: [shown]}
    with pytest.raises(NotFound):
        sa.open_attachment(db, scene.owner, secret.id)
    assert sa.open_attachment(db, scene.owner, shown.id)[0] == "settings.png"
    assert sa.open_attachment(db, scene.agent, secret.id)[0] == "server-log.pdf"
    assert mid not in sa.for_thread(db, scene.agent, rid)


def test_a_closed_request_takes_no_more_files_from_its_requester(db: Session, scene: Scene) -> None:
    rid, mid = _open(db, scene.owner)
    support.set_status(db, scene.owner, rid, "closed")
    db.commit()
    assert "closed" in _refusal(db, scene.owner, rid, mid, [("a.png", image_bytes("PNG"))])


# --- on disk -------------------------------------------------------------------------------------


def test_files_are_encrypted_on_disk(db: Session, scene: Scene) -> None:
    rid, mid = _open(db, scene.owner)
    [view] = sa.attach(db, scene.owner, rid, mid, [("a.png", image_bytes("PNG", (80, 60)))], now=T0)
    db.commit()
    _, _, content = sa.open_attachment(db, scene.owner, view.id)
    [stored] = _stored_files()
    on_disk = stored.read_bytes()
    assert content not in on_disk and b"PNG" not in on_disk and b"IHDR" not in on_disk
    assert crypto.fernet().decrypt(on_disk) == content
    assert stored.stat().st_mode & 0o077 == 0  # readable by the app's user alone


def test_purge_orphans_removes_files_whose_rows_are_gone(db: Session, scene: Scene) -> None:
    gone_rid, gone_mid = _open(db, scene.owner, "Will be deleted")
    kept_rid, kept_mid = _open(db, scene.owner, "Stays")
    sa.attach(db, scene.owner, gone_rid, gone_mid, [("gone.png", image_bytes("PNG"))], now=T0)
    [kept] = sa.attach(db, scene.owner, kept_rid, kept_mid, [("kept.pdf", _pdf())], now=T0)
    db.commit()
    assert len(_stored_files()) == 2
    db.execute(delete(SupportRequest).where(col(SupportRequest.id) == gone_rid))  # rows cascade
    db.commit()
    assert len(db.exec(select(SupportAttachment)).all()) == 1

    now = utcnow()
    # Within the hour the file may belong to an upload still being committed: it stays.
    assert sa.purge_orphans(db, now=now) == 0
    assert len(_stored_files()) == 2
    # The hourly exports job removes it once older; the file that still has its row stays.
    assert retention.purge_exports(db, now + timedelta(hours=2)) == 1
    assert len(_stored_files()) == 1
    assert sa.open_attachment(db, scene.owner, kept.id)[0] == "kept.pdf"
    assert sa.purge_orphans(db, now=now + timedelta(hours=2)) == 0


def test_a_chosen_file_waits_for_its_message_and_only_for_its_chooser(db: Session, tmp_path: Path) -> None:
    studio, owner_user = make_studio(db, "Studio A")
    owner = actor_for(db, owner_user, studio)
    other = actor_for(db, add_member(db, studio, Role.MANAGER), studio)
    held = sa.hold(owner, "screen shot.png", image_bytes("PNG"))
    assert held.filename.endswith(".png") and held.size_text
    # The held file is encrypted: the PNG signature is not on disk.
    on_disk = next((sa.files_dir() / sa.HELD_DIR).iterdir()).read_bytes()
    assert b"\x89PNG" not in on_disk
    with pytest.raises(NotFound):
        sa.take_held(other, [held.token])
    [(name, data)] = sa.take_held(owner, [held.token])
    assert name == held.filename and data.startswith(b"\x89PNG")
    with pytest.raises(ValidationFailed):
        sa.hold(owner, "notes.png", b"just text")
    sa.drop_held(owner, [held.token])
    with pytest.raises(ValidationFailed):
        sa.take_held(owner, [held.token])
