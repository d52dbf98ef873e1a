"""A copy of my data: a ZIP of JSON and CSV with every row that concerns the person asking.

What to include is read from the personal-data registry (`privacy_registry`), the same list
erasure reads, so the two cannot disagree: for every table, the rows whose subject is this person
(their user row, rows pointing at their account or at their model profile, rows under their
email address), with every column except secrets (password and token hashes: a way in, not
information). Rows that only mention them beside someone else (a record they entered for a model,
a request they decided) give their non-personal columns: what happened and when, nothing of the
other person. Encrypted fields (legal name, birth date, ID document) are decrypted for the owner.

The file is built in the background (`build`, with a progress callback), stored encrypted with the
app's keys under the data folder, and served to that person alone until it expires (7 days); the
hourly `exports` job deletes it then.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, or_, update
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, col, select

from studioos import crypto
from studioos.models import DataExport, Membership, User, utcnow
from studioos.services import audit, privacy_registry, reauth, support_attachments
from studioos.services.errors import Expired, NotFound
from studioos.services.permissions import Actor
from studioos.settings import get_settings

LINK_DAYS = 7
# A copy still "being made" after this long was cut short (the worker stopped): it may be asked again.
STALE_AFTER = timedelta(minutes=15)
_NO_COPY = "No such copy of your data."
QUEUED, BUILDING, READY, FAILED = "queued", "building", "ready", "failed"
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    performer_ids: tuple[int, ...]


def exports_dir() -> Path:
    return Path(get_settings().data_dir) / "exports"


def _person(db: Session, user_id: int) -> Person:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    performers = db.exec(
        select(Membership.performer_id).where(
            col(Membership.user_id) == user_id, col(Membership.performer_id).is_not(None)
        )
    ).all()
    return Person(user_id, user.email, tuple(sorted({int(p) for p in performers if p is not None})))


def _leads_to(table: Table, path: str) -> tuple[Column[Any], str]:
    """The column of a subject path and what it names: "user", "performer", "email", or "" for
    what cannot lead to a user (a member: a third party)."""
    column: Column[Any] = table.columns[path.partition(".")[2]]
    targets = {fk.column.table.name for fk in column.foreign_keys}
    for kind in ("user", "performer"):
        if kind in targets or (column.primary_key and table.name == kind):
            return column, kind
    return column, "email" if not targets and "email" in column.name else ""


def matches_subject(table: Table, path: str, person: Person) -> ColumnElement[bool] | None:
    """The condition under which a row concerns the person through this path, if it can."""
    column, kind = _leads_to(table, path)
    if kind == "user":
        return column == person.user_id
    if kind == "performer":
        return column.in_(person.performer_ids) if person.performer_ids else None
    if kind == "email":
        return column == person.email
    return None


def _is_own(table: Table, path: str, row: Any, person: Person) -> bool:
    column, kind = _leads_to(table, path)
    value = row[column.name]
    if kind == "user":
        return bool(value == person.user_id)
    if kind == "performer":
        return value in person.performer_ids
    return kind == "email" and value == person.email


def _plain_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def collect(db: Session, user_id: int, progress: Progress | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows about the person, as plain values (only tables with rows)."""
    person = _person(db, user_id)
    tables = SQLModel.metadata.tables
    entries = sorted(privacy_registry.registry().values(), key=lambda e: e.table)
    found: dict[str, list[dict[str, Any]]] = {}
    for done, entry in enumerate(entries, start=1):
        table = tables.get(entry.table)
        paths = privacy_registry.subject_columns(entry.table)
        if table is None or not paths:
            continue
        own = matches_subject(table, paths[0], person)
        others = [m for m in (matches_subject(table, p, person) for p in paths[1:]) if m is not None]
        conditions = [c for c in (own, *others) if c is not None]
        if conditions:
            shown = [c for c in entry.columns.values() if not c.secret]
            plain = {c.column for c in shown if not c.personal}
            rows = db.connection().execute(table_select(table).where(or_(*conditions))).mappings().all()
            out: list[dict[str, Any]] = []
            for row in rows:
                is_own = own is not None and _is_own(table, paths[0], row, person)
                out.append(
                    {c.column: _plain_value(row[c.column]) for c in shown if is_own or c.column in plain}
                )
            if out:
                found[entry.table] = out
        if progress is not None:
            progress(int(done * 90 / len(entries)))
    return found


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    columns = list(rows[0])
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        # A value a spreadsheet would run as a formula is written as text.
        writer.writerow(
            {
                k: ("'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v)
                for k, v in row.items()
            }
        )
    return buffer.getvalue()


README = """A copy of your data in StudioOS
===============================

Made on {made} (UTC) for {email}.

data.json holds every row about you, table by table; csv/ holds the same rows, one file per table
(open them in any spreadsheet). Times are in UTC; amounts are in cents.

What is in it: your account, memberships, sessions and sign-ins, cookie choices, notifications and
usage events; when you are a model, your profile (legal name, birth date and ID document
included), platform accounts, shifts and requests, earnings records, pay tiers, adjustments and
payouts; your support requests and their messages, and in files/ the files you attached to them.
Rows that only mention you beside someone else (a record you entered for a model, a request you
decided) show what happened and when, without the other person's data.

What is not in it: your password and sign-in tokens (StudioOS keeps only one-way hashes of them,
and a copy would be a way in, not information about you); other people's data.

Questions: open a support request in StudioOS, or write to the address in the privacy policy.
"""


def zip_bytes(
    data: dict[str, list[dict[str, Any]]],
    email: str,
    made: datetime,
    files: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(made=made.strftime("%Y-%m-%d %H:%M"), email=email))
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        for table, rows in data.items():
            archive.writestr(f"csv/{table}.csv", _csv(rows))
        for name, content in files:
            archive.writestr(f"files/{name}", content)
    return buffer.getvalue()


# ---------------------------------------------------------------- requests, building, download


def request(db: Session, actor: Actor) -> DataExport:
    """Start a copy for the signed-in person; one at a time (a copy being built is returned). A
    copy of everything about a person is what a stolen session would want most: it asks for a
    recent re-authentication."""
    reauth.require_recent(db, actor)
    busy = db.exec(
        select(DataExport).where(
            col(DataExport.user_id) == actor.user_id, col(DataExport.status).in_((QUEUED, BUILDING))
        )
    ).first()
    if busy is not None and busy.created_at > utcnow() - STALE_AFTER:
        return busy
    if busy is not None:  # a build that never finished (the worker stopped): start again
        busy.status, busy.error = FAILED, "interrupted"
        busy.expires_at = utcnow() + timedelta(days=LINK_DAYS)
        db.add(busy)
    export = DataExport(user_id=actor.user_id)
    db.add(export)
    db.flush()
    audit.record_by(db, actor, "privacy.export_requested", target=f"export:{export.id}")
    return export


def latest(db: Session, actor: Actor) -> DataExport | None:
    return db.exec(
        select(DataExport).where(col(DataExport.user_id) == actor.user_id).order_by(col(DataExport.id).desc())
    ).first()


def _own(db: Session, actor: Actor, export_id: int) -> DataExport:
    export = db.get(DataExport, export_id)
    if export is None or export.user_id != actor.user_id:
        raise NotFound(_NO_COPY)  # another person's copy does not exist for this one
    return export


def claim(db: Session, actor: Actor, export_id: int) -> bool:
    """Mark a queued copy as being made, once: a second tab (or a reload) that tries to make the
    same copy gets False and leaves it to the first. The caller commits at once."""
    _own(db, actor, export_id)
    result = db.execute(
        update(DataExport)
        .where(col(DataExport.id) == export_id, col(DataExport.status) == QUEUED)
        .values(status=BUILDING)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def build(db: Session, actor: Actor, export_id: int, progress: Progress | None = None) -> DataExport:
    """Build the person's copy into its encrypted file. The caller commits; a failure marks the
    export failed (and leaves no file)."""
    export = _own(db, actor, export_id)
    if export.status == READY:
        return export
    export.status, export.progress = BUILDING, 0
    db.add(export)
    data = collect(db, actor.user_id, progress)
    now = utcnow()
    content = zip_bytes(data, actor.email, now, support_attachments.files_of(db, actor.user_id))
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.zip.enc"
    token = crypto.fernet().encrypt(content)
    (folder / name).write_bytes(token)
    export.file_name, export.size_bytes = name, len(content)
    export.status, export.progress = READY, 100
    export.finished_at, export.expires_at = now, now + timedelta(days=LINK_DAYS)
    db.add(export)
    return export


def fail(db: Session, actor: Actor, export_id: int, reason: str) -> None:
    export = _own(db, actor, export_id)
    export.status, export.error = FAILED, reason[:300]
    # A failed build is kept a while (the page says it failed), then the exports job removes it.
    export.finished_at = utcnow()
    export.expires_at = export.finished_at + timedelta(days=LINK_DAYS)
    db.add(export)


def download(db: Session, actor: Actor, export_id: int) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of the person's own ready copy; an expired one is refused."""
    export = _own(db, actor, export_id)
    if export.status != READY or not export.file_name:
        raise NotFound(_NO_COPY)
    if export.expires_at is None or export.expires_at <= utcnow():
        raise Expired("This copy of your data has expired. Ask for a new one in the privacy centre.")
    path = exports_dir() / export.file_name
    if not path.exists():
        raise NotFound(_NO_COPY)
    content = crypto.fernet().decrypt(path.read_bytes())
    audit.record_by(db, actor, "privacy.export_downloaded", target=f"export:{export.id}")
    made = export.finished_at or export.created_at
    return f"studioos-data-{made:%Y-%m-%d}.zip", content
