"""What a studio's pages show, computed once per change of the studio's data.

A page event that shows a studio-wide figure (how many models, whose documents expire, how many
shifts today) or a week of the calendar would otherwise recompute it from every row, decryption
included, on every load by every person looking. Here the result is kept in this process's
memory, keyed by

    (studio, the studio's revision, what it is, the studio's today, the caller's own key parts)

and the revision goes up in the same transaction as any change to the studio's data
(studioos.models.revision), so a value is served exactly while nothing it was computed from has
changed, in whichever worker the change was made.

What may be kept here, and how (docs/performance.md has the reasoning):
- Never a decrypted field (legal name, birth date, document number or expiry): only what a page
  shows the people allowed to see it, such as a count of expired documents or the "document
  expired" flag on a shift. The same values already sit in the state store for every open tab.
- The permission check runs in the service before it asks the cache, and the key holds every part
  of the visibility rule the value depends on (which model, whether documents are visible), so a
  value computed for one role or person is never served to another who may not see it.
- Values are immutable (frozen dataclasses, tuples, ints), so no caller can change what another
  is served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import TypeVar

from sqlmodel import Session, select

from studioos.models import Studio
from studioos.models.revision import changed_studios
from studioos.services.permissions import Actor

T = TypeVar("T")

# Entries, all studios together: a few figures per studio, a few hundred bytes each.
MAX_ENTRIES = 4096

_lock = threading.Lock()
_entries: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
_latest: dict[int, int] = {}  # studio -> the newest revision stored
_stats = {"hits": 0, "misses": 0, "bypassed": 0}


def studio_revision(db: Session, actor: Actor) -> int | None:
    """The revision of the actor's studio as this unit of work sees it (read with the session when
    the actor came from a live session, else read now)."""
    if actor.studio_id is None:
        return None
    if actor.studio_revision is not None:
        return actor.studio_revision
    return db.exec(select(Studio.revision).where(Studio.id == actor.studio_id)).first()


def remember(
    db: Session,
    actor: Actor,
    topic: str,
    compute: Callable[[], T],
    *,
    day: date | None = None,
    parts: tuple[Hashable, ...] = (),
) -> T:
    """`compute()`'s result for the actor's studio, from the cache while the studio is unchanged.

    topic: what the figure is (one name per figure); day: the studio's today when the figure
    depends on the date; parts: anything else the figure depends on (a room, a week)."""
    studio_id = actor.studio_id
    # This unit of work has changed the studio and not committed: what it reads now is not what
    # the revision it read at the start stands for, so it must neither read nor fill the cache.
    if studio_id is None or studio_id in changed_studios(db):
        _stats["bypassed"] += 1
        return compute()
    revision = studio_revision(db, actor)
    if revision is None:
        _stats["bypassed"] += 1
        return compute()
    key = (studio_id, revision, topic, day, *parts)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            _stats["hits"] += 1
            return _entries[key]  # type: ignore[return-value]  # stored by this same key's compute
    value = compute()
    with _lock:
        if revision > _latest.get(studio_id, -1):
            # The studio changed: what was kept for its older revisions can never be served again.
            _latest[studio_id] = revision
            for old in [k for k in _entries if k[0] == studio_id and k[1] < revision]:  # type: ignore[operator]
                del _entries[old]
        _entries[key] = value
        _stats["misses"] += 1
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget everything (tests; a restore of the database under a running app)."""
    with _lock:
        _entries.clear()
        _latest.clear()
        for k in _stats:
            _stats[k] = 0


def stats() -> dict[str, int]:
    with _lock:
        return {**_stats, "entries": len(_entries)}


# ---------------------------------------------------------------- per unit of work

ZONES = "studioos.zones"  # db.info key; dropped at commit or rollback (studioos.models.revision)


def unit_zones(db: Session) -> dict[int, str]:
    """Studio time zones this unit of work has already read: the session check reads the acting
    studio's with the session, so the calendar's services need not read it again."""
    zones: dict[int, str] = db.info.setdefault(ZONES, {})
    return zones
