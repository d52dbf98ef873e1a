"""Each studio's revision goes up in the same transaction as any change to the studio's data.

The per-studio caches (studioos.services.studio_cache) key what they hold by the revision, so a
figure computed at one revision is served until anything in the studio changes, in whichever
worker process the change was made: the counter lives in the database, not in one process.

Safe by default: every table with a ``studio_id`` column counts as the studio's data, so a table
added later invalidates the caches without anyone remembering to. Only the activity tables below,
which change on every click or notification and feed no cache, are left out, so that a session's
last-seen stamp does not empty the studio's caches every 30 seconds. A change to a person (a
rename, a deletion) and a sign-in change each studio the person belongs to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, UOWTransaction
from sqlmodel import col

from studioos.models.accounts import AuthSession, LoginEvent, Membership, User
from studioos.models.notifications import Notification
from studioos.models.privacy import AuditLog
from studioos.models.studio import Studio

# Rows written as a side effect of people using the app, read by no cached figure.
ACTIVITY: tuple[type, ...] = (AuthSession, LoginEvent, AuditLog, Notification)

# session.info keys: the studios this unit of work has changed (counted at each flush), and those
# whose revision it has raised (at commit, in the same transaction).
CHANGED = "studioos.changed_studios"
BUMPED = "studioos.bumped_studios"


def changed_studios(db: Session) -> set[int]:
    """The studios whose data this unit of work has changed so far (flushed or not)."""
    found: set[int] = set(db.info.get(CHANGED, ()))
    found |= _pending(db)
    return found


def _pending(db: Session) -> set[int]:
    ids: set[int] = set()
    for obj in (*db.new, *db.dirty, *db.deleted):
        if isinstance(obj, ACTIVITY):
            continue
        if isinstance(obj, Studio):
            if obj.id is not None and (obj in db.deleted or db.is_modified(obj)):
                ids.add(obj.id)
            continue
        studio_id = getattr(obj, "studio_id", None)
        if isinstance(studio_id, int) and (obj in db.new or obj in db.deleted or db.is_modified(obj)):
            ids.add(studio_id)
    return ids


def changed_in_bulk(db: Session, studio_id: int) -> None:
    """For writes the session does not see (Core inserts and deletes of an import): count the
    studio as changed by this unit of work all the same."""
    db.info.setdefault(CHANGED, set()).add(studio_id)


@event.listens_for(Session, "before_flush")
def _collect(db: Session, _flush: UOWTransaction, _instances: Any) -> None:
    ids = _pending(db)
    # Rows about a person rather than a studio change every studio the person belongs to: a person
    # deleted outright takes their memberships with them (ON DELETE CASCADE, which the session
    # never sees), a renamed one is shown under the new name, and a sign-in is listed on the
    # dashboard. Sign-ins are rare next to clicks, so emptying the caches on each costs little.
    people = {row.id for row in db.deleted if isinstance(row, User)}
    people |= {row.id for row in db.dirty if isinstance(row, User) and db.is_modified(row)}
    people |= {row.user_id for row in db.new if isinstance(row, LoginEvent)}
    people.discard(None)
    if people:
        ids |= set(
            db.execute(select(col(Membership.studio_id)).where(col(Membership.user_id).in_(people)))
            .scalars()
            .all()
        )
    if ids:
        db.info.setdefault(CHANGED, set()).update(ids)


@event.listens_for(Session, "before_commit")
def _bump(db: Session) -> None:
    """Raise the changed studios' revisions as the transaction's last statement. At commit rather
    than at each flush: on PostgreSQL the update locks the studio's row until the commit, and a
    long transaction (an import) would otherwise hold every other writer of the studio behind it."""
    db.flush()  # this transaction's last changes count too
    ids = db.info.get(CHANGED, set()) - db.info.get(BUMPED, set())
    if not ids:
        return
    table = Studio.__table__  # type: ignore[attr-defined]
    db.connection().execute(
        update(table).where(table.c.id.in_(sorted(ids))).values(revision=table.c.revision + 1)
    )
    db.info.setdefault(BUMPED, set()).update(ids)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(db: Session) -> None:
    # Everything kept for the length of one transaction ends with it (the studio zones that
    # studioos.services.shifts reads once per unit of work too).
    for key in [k for k in db.info if isinstance(k, str) and k.startswith("studioos.")]:
        db.info.pop(key, None)
