"""Natural keys: what makes a record itself, so a re-import or an overlapping file lands nothing twice.

Keys are per account (the import service pairs them with the account), built from the record's
content only, never from its position in the file: sorting or cutting a file keeps the keys.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from studioos.importers.base import EntryType

# An enum's .value is a descriptor call; a key is made for every line of a file.
_TYPE_TEXT = {t: t.value for t in EntryType}
_sha256 = hashlib.sha256


class LedgerKeys:
    """Keys for one file's ledger rows.

    Two identical lines (the same member tipping 10 tokens twice in one second) are two real tips,
    so the n-th repeat of a line in the file gets "#n"; the file read again numbers them the same.
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def key(
        self, occurred_at: datetime, member: str | None, tokens: int, entry_type: EntryType, note: str
    ) -> str:
        # The canonical form must never change (keys are stored): fields that cannot hold a line
        # break first, the member length-prefixed, the note last, so no two records share a text.
        who = (member or "").lower()
        canonical = (
            f"{occurred_at.isoformat()}\n{tokens}\n{_TYPE_TEXT[entry_type]}\n{len(who)}:{who}\n{note.strip()}"
        )
        digest = _sha256(canonical.encode("utf-8")).hexdigest()[:40]
        seen = self._seen
        repeat = seen.get(digest, 0)
        seen[digest] = repeat + 1
        return f"{digest}#{repeat}"


def daily_key(day: date, period_start: date | None = None) -> str:
    """A day's (or a period's) figure: one per account and day (or period)."""
    if period_start is None:
        return f"day:{day.isoformat()}"
    return f"day:{period_start.isoformat()}/{day.isoformat()}"
