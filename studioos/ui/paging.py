"""Sorting and paging shared by every list page; the page supplies `_reload()`."""

from __future__ import annotations

import reflex as rx

from studioos.ui.service_call import ServicePage, service_event

PAGE_SIZE = 25


class PagedTable(ServicePage, mixin=True):
    sort_key: str = ""
    sort_desc: bool = False
    page: int = 0
    total: int = 0

    @rx.var
    def has_next(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total

    @rx.var
    def page_label(self) -> str:
        if self.total == 0:
            return "No rows"
        first = self.page * PAGE_SIZE + 1
        last = min(self.total, first + PAGE_SIZE - 1)
        return f"{first}–{last} of {self.total}"

    @service_event
    def sort_by(self, key: str) -> None:
        if self.sort_key == key:
            self.sort_desc = not self.sort_desc
        else:
            self.sort_key, self.sort_desc = key, False
        self.page = 0
        self._reload()

    @service_event
    def next_page(self) -> None:
        if self.has_next:
            self.page += 1
            self._reload()

    @service_event
    def prev_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self._reload()
