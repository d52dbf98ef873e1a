"""Members: the platforms' tippers as ledger imports found them, with their totals, tags and notes.

Staff see every member at /members; a model sees the members who gave her something at
/my-members (the same page: the services decide what each role gets). A row opens the member's
dialog: the latest ledger entries, the totals per model, tags (owners and managers) and notes
(those who may write them; decrypted notes are sealed in the state store).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import reflex as rx

from studioos.services import members
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.ui import toast
from studioos.ui.binding import SealedVars
from studioos.ui.components import card, empty_state, field_error, page_header, pager, sort_header
from studioos.ui.layout import shell
from studioos.ui.paging import PAGE_SIZE, PagedTable
from studioos.ui.service_call import Answer, service_event

ALL = "all"
# Tag filter values carry a prefix, so no tag (not even one called "all") is mistaken for "all".
TAG_PREFIX = "tag:"
ENTRY_LABELS = {
    "tip": "Tip",
    "private": "Private show",
    "spy": "Spy show",
    "group": "Group show",
    "spend": "Spent tokens",
    "refund": "Refund",
    "chargeback": "Chargeback",
    "other": "Other",
}


@dataclass(frozen=True)
class MemberListRow:
    id: int
    platform: str
    handle: str
    tags: list[str]
    tokens: str
    tips: str
    last_tip: str
    models: int
    notes_count: int

    @classmethod
    def of(cls, r: members.MemberRow, fmt: Formats) -> MemberListRow:
        return cls(
            r.id,
            r.platform,
            r.handle,
            r.tags,
            f"{r.tokens:,}",
            f"{r.tips:,}",
            fmt.moment(r.last_tip_at) if r.last_tip_at else "—",
            r.models,
            r.notes_count,
        )


@dataclass(frozen=True)
class MemberHead:
    id: int = 0
    platform: str = ""
    handle: str = ""
    tags: list[str] = field(default_factory=list)
    tags_text: str = ""
    tokens: str = ""
    tips: str = ""
    first_tip: str = ""
    last_tip: str = ""


@dataclass(frozen=True)
class TotalLine:
    stage_name: str
    tokens: str
    tips: str
    first_tip: str
    last_tip: str


@dataclass(frozen=True)
class HistoryLine:
    id: int
    when: str
    stage_name: str
    platform: str
    what: str
    tokens: str
    negative: bool


@dataclass(frozen=True)
class NoteLine:
    id: int
    author: str
    when: str
    body: str
    own: bool


def _moment(fmt: Formats, value: datetime | None) -> str:
    return fmt.moment(value) if value else "—"


def _entry_label(entry_type: str) -> str:
    return ENTRY_LABELS.get(entry_type, entry_type.replace("_", " ").capitalize() or "Entry")


class MembersState(SealedVars, PagedTable, rx.State):
    # Decrypted notes never rest in the state store in clear.
    _sealed: ClassVar[tuple[str, ...]] = ("notes",)
    rows: list[MemberListRow] = []
    search: str = ""
    platform_filter: str = ALL
    tag_filter: str = ALL
    platforms: list[str] = []
    tags: list[str] = []
    staff: bool = False  # all the studio's models (else a model's own members)
    read_notes: bool = False
    can_import: bool = False
    # The member's dialog
    dialog_open: bool = False
    member: MemberHead = MemberHead()
    totals: list[TotalLine] = []
    history: list[HistoryLine] = []
    notes: list[NoteLine] = []
    can_tag: bool = False
    can_write_notes: bool = False
    # Remounts the tags field, so it shows the tags as saved (cleaned), not as typed.
    tags_key: int = 0
    tag_errors: dict[str, str] = {}
    note_errors: dict[str, str] = {}

    def _reload(self) -> None:
        tag = self.tag_filter.removeprefix(TAG_PREFIX) if self.tag_filter.startswith(TAG_PREFIX) else None
        with self._acting() as (db, actor):
            found = members.list_members(
                db,
                actor,
                search=self.search,
                platform=None if self.platform_filter == ALL else self.platform_filter,
                tag=tag,
                sort=self.sort_key or members.DEFAULT_SORT,
                descending=self.sort_desc,
                page=self.page + 1,
                per_page=PAGE_SIZE,
            )
            self.platforms = members.platform_options(db, actor)
            self.tags = members.tag_options(db, actor)
            fmt = for_actor(actor)
        self.total, self.sort_key = found.total, found.sort
        self.rows = [MemberListRow.of(r, fmt) for r in found.rows]

    def _close(self) -> None:
        self.dialog_open = False
        self.member, self.totals, self.history, self.notes = MemberHead(), [], [], []
        self.can_tag = self.can_write_notes = False

    def _fill(self, member_id: object) -> None:
        with self._acting() as (db, actor):
            d = members.member_detail(db, actor, member_id)
            fmt = for_actor(actor)
        self.member = MemberHead(
            d.id,
            d.platform,
            d.handle,
            d.tags,
            ", ".join(d.tags),
            f"{d.tokens:,}",
            f"{d.tips:,}",
            _moment(fmt, d.first_tip_at),
            _moment(fmt, d.last_tip_at),
        )
        self.totals = [
            TotalLine(
                t.stage_name,
                f"{t.tokens:,}",
                f"{t.tips:,}",
                _moment(fmt, t.first_tip_at),
                _moment(fmt, t.last_tip_at),
            )
            for t in d.totals
        ]
        self.history = [
            HistoryLine(
                h.id,
                fmt.moment(h.occurred_at) if h.occurred_at else fmt.day(h.day),
                h.stage_name,
                h.platform,
                _entry_label(h.entry_type),
                f"{h.tokens:,}",
                h.tokens < 0,
            )
            for h in d.history
        ]
        self.notes = [NoteLine(n.id, n.author, fmt.moment(n.created_at), n.body, n.own) for n in d.notes]
        self.can_tag, self.can_write_notes = d.can_tag, d.can_write_notes

    @service_event
    def load(self) -> None:
        self.page, self.search, self.platform_filter, self.tag_filter = 0, "", ALL, ALL
        self.sort_key, self.sort_desc = members.DEFAULT_SORT, True
        self._close()
        with self._acting() as (_db, actor):
            self.staff = actor.can(Cap.EARNINGS_VIEW)
            self.read_notes = actor.can(Cap.MEMBER_NOTES)
            self.can_import = actor.can(Cap.STREAMS_MANAGE)
        self._reload()

    @service_event
    def apply_search(self, form: dict[str, Any]) -> None:
        self.search = str(form.get("search", ""))[:100]
        self.page = 0
        self._reload()

    @service_event
    def set_platform_filter(self, value: str) -> None:
        self.platform_filter = str(value)[:60]
        self.page = 0
        self._reload()

    @service_event
    def set_tag_filter(self, value: str) -> None:
        self.tag_filter = str(value)[:60]
        self.page = 0
        self._reload()

    @service_event
    def open_member(self, member_id: int) -> None:
        self.tag_errors, self.note_errors = {}, {}
        self._fill(member_id)
        self.tags_key += 1
        self.dialog_open = True

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        if not value:
            self._close()

    @service_event(errors="tag_errors")
    def save_tags(self, form: dict[str, Any]) -> Answer:
        saved = self._call(members.set_tags, self.member.id, str(form.get("tags", "")))
        self._fill(self.member.id)
        self.tags_key += 1
        self._reload()
        return toast.success("Tags saved." if saved else "Tags removed.")

    @service_event(errors="note_errors")
    def add_note(self, form: dict[str, Any]) -> Answer:
        self._call(members.add_note, self.member.id, str(form.get("body", "")))
        self._fill(self.member.id)
        self._reload()
        return [toast.success("Note added."), rx.set_value("member-note", "")]


# ---------------------------------------------------------------- components

S = MembersState


def _tag_badges(tags: Any) -> rx.Component:
    return rx.hstack(
        rx.foreach(tags, lambda t: rx.badge(t, variant="soft", color_scheme="violet")),
        wrap="wrap",
        spacing="1",
    )


def _row(r: MemberListRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                # A button, so the keyboard opens the member too (its click reaches the row).
                rx.button(r.handle, variant="ghost", size="2", type="button", padding_x="0"),
                rx.text(r.platform, size="1", color_scheme="gray"),
                spacing="0",
                align="start",
            )
        ),
        rx.table.cell(rx.cond(r.tags.length() > 0, _tag_badges(r.tags), rx.fragment()), data_label="Tags"),
        rx.table.cell(r.tokens, data_label="Tokens"),
        rx.table.cell(r.tips, data_label="Tips"),
        rx.table.cell(r.last_tip, data_label="Last tip"),
        rx.cond(S.staff, rx.table.cell(r.models, data_label="Models"), rx.fragment()),
        rx.cond(
            S.read_notes,
            rx.table.cell(rx.cond(r.notes_count > 0, r.notes_count, ""), data_label="Notes"),
            rx.fragment(),
        ),
        data_member=r.handle,
        cursor="pointer",
        on_click=S.open_member(r.id),
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        sort_header("Member", "handle", S),
                        rx.table.column_header_cell("Tags"),
                        sort_header("Tokens", "tokens", S),
                        sort_header("Tips", "tips", S),
                        sort_header("Last tip", "last_tip", S),
                        rx.cond(S.staff, rx.table.column_header_cell("Models"), rx.fragment()),
                        rx.cond(S.read_notes, rx.table.column_header_cell("Notes"), rx.fragment()),
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                width="100%",
                id="members-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        pager(S),
        width="100%",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="search",
                    id="member-search",
                    placeholder="Member's handle",
                    max_length=100,
                    width="16rem",
                    min_width="0",
                ),
                rx.button("Search", type="submit", variant="soft", id="member-search-submit"),
                spacing="2",
            ),
            on_submit=S.apply_search,
            reset_on_submit=False,
        ),
        rx.select.root(
            rx.select.trigger(id="member-platform-filter", aria_label="Platform"),
            rx.select.content(
                rx.select.item("All platforms", value=ALL),
                rx.foreach(S.platforms, lambda p: rx.select.item(p, value=p)),
            ),
            value=S.platform_filter,
            on_change=S.set_platform_filter,
        ),
        rx.select.root(
            rx.select.trigger(id="member-tag-filter", aria_label="Tag"),
            rx.select.content(
                rx.select.item("All tags", value=ALL),
                rx.foreach(S.tags, lambda t: rx.select.item(t, value=TAG_PREFIX + t)),
            ),
            value=S.tag_filter,
            on_change=S.set_tag_filter,
        ),
        spacing="3",
        align="center",
        width="100%",
        # A tablet held upright has the sidebar and less room than the three need side by side.
        wrap="wrap",
        margin_bottom="0.75rem",
        class_name="phone-stack",
    )


def _empty() -> rx.Component:
    return rx.cond(
        (S.search != "") | (S.platform_filter != ALL) | (S.tag_filter != ALL),
        empty_state(
            "search-x", "No member matches", "Try another handle, platform or tag, or clear the search."
        ),
        empty_state(
            "heart-handshake",
            "No members yet",
            "Members come from ledger imports: import a model's token history and everyone who tipped "
            "appears here with their totals.",
            rx.cond(
                S.can_import,
                rx.link(
                    rx.button(rx.icon("file-up", size=16), "Import earnings", variant="soft"), href="/imports"
                ),
                rx.fragment(),
            ),
        ),
    )


def _stat(label: str, value: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, weight="medium"),
        spacing="0",
        align="start",
        min_width="7rem",
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.heading("History", size="3"),
        rx.cond(
            S.history.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("When"),
                            rx.table.column_header_cell("Model"),
                            rx.table.column_header_cell("Platform"),
                            rx.table.column_header_cell("Entry"),
                            rx.table.column_header_cell("Tokens"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.history,
                            lambda h: rx.table.row(
                                rx.table.cell(h.when),
                                rx.table.cell(h.stage_name),
                                rx.table.cell(h.platform),
                                rx.table.cell(h.what),
                                rx.table.cell(
                                    rx.text(h.tokens, color_scheme=rx.cond(h.negative, "red", "gray"))
                                ),
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                    id="member-history",
                    # Figures in columns: they scroll sideways in their box rather than stack.
                    class_name="phone-scroll",
                ),
                overflow_x="auto",
                width="100%",
                max_height="18rem",
                overflow_y="auto",
            ),
            rx.text("No ledger entries left (their import was undone).", size="2", color_scheme="gray"),
        ),
        rx.text(f"The latest {members.HISTORY_MAX} entries at most.", size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
        align="start",
    )


def _totals() -> rx.Component:
    return rx.cond(
        S.totals.length() > 0,
        rx.vstack(
            rx.heading("By model", size="3"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Model"),
                            rx.table.column_header_cell("Tokens"),
                            rx.table.column_header_cell("Tips"),
                            rx.table.column_header_cell("First tip"),
                            rx.table.column_header_cell("Last tip"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.totals,
                            lambda t: rx.table.row(
                                rx.table.cell(rx.text(t.stage_name, weight="medium")),
                                rx.table.cell(t.tokens),
                                rx.table.cell(t.tips),
                                rx.table.cell(t.first_tip),
                                rx.table.cell(t.last_tip),
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                    id="member-totals",
                    # Figures in columns: they scroll sideways in their box rather than stack.
                    class_name="phone-scroll",
                ),
                overflow_x="auto",
                width="100%",
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        rx.fragment(),
    )


def _tags_editor() -> rx.Component:
    return rx.cond(
        S.can_tag,
        rx.form(
            rx.vstack(
                rx.el.label("Tags", html_for="member-tags", class_name="field-label"),
                rx.hstack(
                    rx.input(
                        name="tags",
                        id="member-tags",
                        default_value=S.member.tags_text,
                        placeholder="vip, regular",
                        max_length=400,
                        width="100%",
                        min_width="0",
                        key=S.tags_key,
                    ),
                    rx.button("Save tags", type="submit", variant="soft", id="member-tags-submit"),
                    spacing="2",
                    width="100%",
                    class_name="phone-stack",
                ),
                rx.text(
                    f"Separate tags with commas: at most {members.TAGS_MAX}, "
                    f"each at most {members.TAG_MAX} characters.",
                    size="1",
                    color_scheme="gray",
                ),
                field_error(S.tag_errors, "tags", "member-tags"),
                spacing="1",
                width="100%",
                align="start",
            ),
            on_submit=S.save_tags,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(
            S.member.tags_text != "",
            rx.vstack(
                rx.text("Tags", size="1", color_scheme="gray"),
                _tag_badges(S.member.tags),
                spacing="1",
                align="start",
            ),
            rx.fragment(),
        ),
    )


def _note(n: NoteLine) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(n.author, size="1", weight="medium"),
            rx.text(n.when, size="1", color_scheme="gray"),
            spacing="2",
            wrap="wrap",
        ),
        rx.text(n.body, size="2", white_space="pre-wrap", overflow_wrap="anywhere"),
        padding="0.5rem 0.75rem",
        border_radius="8px",
        background=rx.color("gray", 2),
        width="100%",
        data_note=n.id,
    )


def _notes() -> rx.Component:
    return rx.cond(
        S.can_write_notes,
        rx.vstack(
            rx.heading("Notes", size="3"),
            rx.text(
                rx.cond(
                    S.staff,
                    "Only owners, managers and the note's author read these, stored encrypted.",
                    "Only you and the studio's owners and managers read your notes, stored encrypted.",
                ),
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                S.notes.length() > 0,
                rx.vstack(rx.foreach(S.notes, _note), spacing="2", width="100%", id="member-notes"),
                rx.text("No notes yet.", size="2", color_scheme="gray"),
            ),
            rx.form(
                rx.vstack(
                    rx.el.label("New note", html_for="member-note", class_name="field-label"),
                    rx.text_area(
                        name="body",
                        id="member-note",
                        max_length=members.NOTE_MAX,
                        rows="3",
                        width="100%",
                    ),
                    field_error(S.note_errors, "body", "member-note"),
                    rx.hstack(
                        rx.text(f"At most {members.NOTE_MAX:,} characters.", size="1", color_scheme="gray"),
                        rx.spacer(),
                        rx.button("Add note", type="submit", id="member-note-submit"),
                        width="100%",
                        align="center",
                    ),
                    spacing="1",
                    width="100%",
                ),
                on_submit=S.add_note,
                reset_on_submit=False,
                width="100%",
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        rx.fragment(),
    )


def member_dialog() -> rx.Component:
    m = S.member
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(m.handle, margin="0"),
                rx.badge(m.platform, variant="soft"),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(
                        rx.icon("x", size=16), variant="ghost", color_scheme="gray", aria_label="Close"
                    )
                ),
                align="center",
                width="100%",
            ),
            rx.dialog.description(
                rx.cond(S.staff, "What this member gave the studio's models.", "What this member gave you."),
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.hstack(
                    _stat("Tokens", m.tokens),
                    _stat("Tips", m.tips),
                    _stat("First tip", m.first_tip),
                    _stat("Last tip", m.last_tip),
                    wrap="wrap",
                    spacing="4",
                    width="100%",
                ),
                _tags_editor(),
                rx.cond(S.staff, _totals(), rx.fragment()),
                _history(),
                _notes(),
                spacing="4",
                width="100%",
                margin_top="0.75rem",
            ),
            max_width="48rem",
            id="member-dialog",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def body(title: str = "Members") -> rx.Component:
    return rx.vstack(
        page_header(title, "Who tipped, how much and when, from the imported token histories."),
        card(
            _toolbar(),
            rx.cond(S.rows.length() > 0, _table(), _empty()),
        ),
        member_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.EARNINGS_VIEW)


def own_page() -> rx.Component:
    """A model's own members: the same page; the services show her only the members who tipped her."""
    return shell(body("My members"), Cap.EARNINGS_OWN)
