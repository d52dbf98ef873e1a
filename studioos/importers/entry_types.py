"""What a ledger line was (a tip, a private show, a refund...), from a type column or a note."""

from __future__ import annotations

import re
from functools import lru_cache

from studioos.importers.base import EntryType

# The values platforms put in a type column, normalised (lower case, single spaces, no - or _).
_TYPE_NAMES: dict[str, EntryType] = {
    "tip": EntryType.TIP,
    "tips": EntryType.TIP,
    "private": EntryType.PRIVATE,
    "private show": EntryType.PRIVATE,
    "private chat": EntryType.PRIVATE,
    "exclusive private": EntryType.PRIVATE,
    "cam2cam": EntryType.PRIVATE,
    "spy": EntryType.SPY,
    "spy show": EntryType.SPY,
    "spy private": EntryType.SPY,
    "group": EntryType.GROUP,
    "group show": EntryType.GROUP,
    "ticket": EntryType.SPEND,
    "ticket show": EntryType.SPEND,
    "fan club": EntryType.SPEND,
    "fanclub": EntryType.SPEND,
    "refund": EntryType.REFUND,
    "chargeback": EntryType.CHARGEBACK,
    "charge back": EntryType.CHARGEBACK,
}
# In free text (a note, or a type value not listed above), in this order: a note is the member's or
# the site's wording, so only whole phrases count ("see you in private" is a tip's message).
_PHRASES: tuple[tuple[re.Pattern[str], EntryType], ...] = (
    (re.compile(r"charge\s*back", re.IGNORECASE), EntryType.CHARGEBACK),
    (re.compile(r"\brefund", re.IGNORECASE), EntryType.REFUND),
    (re.compile(r"\bprivate\s+show", re.IGNORECASE), EntryType.PRIVATE),
    (re.compile(r"\bspy\s+show", re.IGNORECASE), EntryType.SPY),
    (re.compile(r"\bgroup\s+show", re.IGNORECASE), EntryType.GROUP),
    (re.compile(r"\bticket\s+show|\bfan\s*club", re.IGNORECASE), EntryType.SPEND),
    # "tip", "tips", "tipped", "Tip menu", but not "multiple"
    (re.compile(r"\btip", re.IGNORECASE), EntryType.TIP),
)
_LOOSE_WORDS: tuple[tuple[re.Pattern[str], EntryType], ...] = (
    (re.compile(r"\bprivate\b", re.IGNORECASE), EntryType.PRIVATE),
    (re.compile(r"\bspy\b", re.IGNORECASE), EntryType.SPY),
    (re.compile(r"\bgroup\b", re.IGNORECASE), EntryType.GROUP),
    (re.compile(r"\bticket\b", re.IGNORECASE), EntryType.SPEND),
)


@lru_cache(maxsize=256)  # a type column holds a handful of distinct values
def type_from_label(label: str) -> EntryType | None:
    """The entry type a type column's value names, or None when it names none we know."""
    normal = " ".join(label.replace("-", " ").replace("_", " ").split()).lower()
    if not normal:
        return None
    known = _TYPE_NAMES.get(normal)
    if known is not None:
        return known
    # "Tip (anonymous)", "Private show (exclusive)": the type word is still the type.
    return type_from_note(normal) or next((t for p, t in _LOOSE_WORDS if p.search(normal)), None)


def type_from_note(note: str) -> EntryType | None:
    for pattern, entry_type in _PHRASES:
        if pattern.search(note):
            return entry_type
    return None


def classify(tokens: int, label: str, note: str) -> EntryType:
    """The entry type of a ledger line: the type column first, else the note, else OTHER.

    The sign decides refunds: negative tokens are a REFUND, or a CHARGEBACK when the type or note
    says so; a positive line labelled refund or chargeback is a correction the other way (OTHER),
    since refunds and chargebacks carry negative tokens.
    """
    named = type_from_label(label) if label else None
    said = named if named is not None else type_from_note(note) if note else None
    if tokens < 0:
        says_chargeback = EntryType.CHARGEBACK in (named, said) or (
            bool(note) and type_from_note(note) is EntryType.CHARGEBACK
        )
        return EntryType.CHARGEBACK if says_chargeback else EntryType.REFUND
    if said in (EntryType.REFUND, EntryType.CHARGEBACK) or said is None:
        return EntryType.OTHER
    return said
