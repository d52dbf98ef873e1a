"""The shape every StudioOS format shares: read the file into a table, then turn its rows into records."""

from __future__ import annotations

from abc import ABC, abstractmethod
from zoneinfo import ZoneInfo

from studioos.importers.base import ParseResult
from studioos.importers.table import Table, read_table


class TableFormat(ABC):
    """An `Importer` whose parsing works on a `Table`, so a detected file is read only once."""

    name: str
    label: str
    platform: str | None

    @abstractmethod
    def sniff(self, header: list[str]) -> bool:
        """Whether a file with this (normalised) header row is in this format."""

    @abstractmethod
    def parse_table(self, table: Table, *, zone: ZoneInfo) -> ParseResult:
        """Rows and refusals of an already read file."""

    def parse(self, data: bytes, *, zone: ZoneInfo, filename: str = "") -> ParseResult:
        return self.parse_table(read_table(data, filename), zone=zone)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
