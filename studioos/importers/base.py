"""What every earnings file parser gives back, and the reading every format shares.

A parser turns a file's bytes into `ParsedRow`s (what would land) and `RowError`s (what would not,
with the line a spreadsheet shows for it: the header is line 1). It never touches the database:
which model a handle belongs to, which rows are already in, and what lands are the import
service's business (studioos.services.imports). A problem with the file as a whole (empty, not
this format, a required column missing) raises `FileRefused` with a message for the uploader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo


class RecordKind(StrEnum):
    LEDGER = "ledger"  # one transaction: a tip, a private show, a refund...
    DAILY = "daily"  # a day's (or a period's) figure from a platform's dashboard or report


class EntryType(StrEnum):
    """What a ledger entry was. Refunds and chargebacks carry negative tokens."""

    TIP = "tip"
    PRIVATE = "private"
    SPY = "spy"
    GROUP = "group"
    SPEND = "spend"  # a member spending tokens on something else (a ticket show, a fan club)
    REFUND = "refund"
    CHARGEBACK = "chargeback"
    OTHER = "other"


class FileRefused(ValueError):
    """The file as a whole cannot be read as the chosen (or any) format; the message says why."""


@dataclass(frozen=True)
class ParsedRow:
    line: int  # the spreadsheet's row number of this record (header = 1)
    kind: RecordKind
    platform: str  # as the file (or the format) names it; the service canonicalises it
    handle: str | None  # the model's handle on the platform; None: the file is one account's
    tokens: int | None = None
    usd_cents: int | None = None  # money the platform reports directly
    # Ledger entries
    occurred_at: datetime | None = None  # aware, UTC
    member: str | None = None  # the paying member's handle
    entry_type: EntryType | None = None
    # Daily figures: the day, or the last day of the period the figure covers
    day: date | None = None
    period_start: date | None = None  # set when the figure covers several days
    online_minutes: int | None = None
    note: str = ""
    # What makes this record itself within its account: the same row in a re-import or an
    # overlapping file has the same key (identical ledger rows in one file are numbered).
    natural_key: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ParseResult:
    format: str
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Whether each row names its model's handle, or the whole file is one account's (the upload
    # must then name the account).
    one_account: bool = False


class Importer(Protocol):
    name: str  # the format's id, e.g. "chaturbate_tokens" (CLI --format, the page's picker)
    label: str  # what the page shows, e.g. "Chaturbate token history (CSV)"
    platform: str | None  # the platform every row is on; None when each row names it (template)

    def sniff(self, header: list[str]) -> bool:
        """Whether a file with this (normalised) header row is in this format."""
        ...

    def parse(self, data: bytes, *, zone: ZoneInfo, filename: str = "") -> ParseResult:
        """Rows and refusals; times without a zone are in `zone` (the studio's)."""
        ...
