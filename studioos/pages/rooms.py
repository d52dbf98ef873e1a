"""Rooms the studio streams from: name, notes, active flag."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.services import rooms
from studioos.services.formatting import room_label
from studioos.services.permissions import Cap
from studioos.services.rooms import RoomRow
from studioos.services.validation import parse_id
from studioos.ui import toast
from studioos.ui.components import card, empty_state, field_error, form_field, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event


class RoomsState(ServicePage, rx.State):
    rooms: list[RoomRow] = []
    new_errors: dict[str, str] = {}
    edit_errors: dict[str, str] = {}
    editing: RoomRow = RoomRow(id=0, name="", notes="", is_active=True)
    edit_open: bool = False

    def _reload(self) -> None:
        self.rooms = self._call(rooms.list_rooms, include_inactive=True)

    @service_event
    def load(self) -> None:
        self.new_errors, self.edit_errors, self.edit_open = {}, {}, False
        self._reload()

    @service_event(errors="new_errors")
    def create(self, form: dict[str, Any]) -> Answer:
        room = self._call(rooms.create_room, str(form.get("name", "")), str(form.get("notes", "")))
        self._reload()
        return [
            toast.success(f"{room_label(room.name)} added."),
            rx.set_value("name", ""),
            rx.set_value("notes", ""),
        ]

    def _find(self, room_id: Any) -> RoomRow | None:
        wanted = parse_id(room_id)
        return next((r for r in self.rooms if r.id == wanted), None)

    @rx.event
    def start_edit(self, room_id: int) -> None:
        found = self._find(room_id)
        if found is not None:
            self.editing, self.edit_errors, self.edit_open = found, {}, True

    @rx.event
    def set_edit_open(self, value: bool) -> None:
        self.edit_open = bool(value)

    @service_event(errors="edit_errors", prefix="edit_")
    def save(self, form: dict[str, Any]) -> Answer:
        if not self.editing.id:
            return None
        room = self._call(
            rooms.update_room,
            self.editing.id,
            name=str(form.get("edit_name", "")),
            notes=str(form.get("edit_notes", "")),
            is_active=bool(form.get("edit_active")),
        )
        self.edit_open = False
        self._reload()
        return toast.success(f"{room_label(room.name)} saved.")

    @service_event
    def toggle_active(self, room_id: int, active: bool) -> Answer:
        found = self._find(room_id)
        if found is None:
            return None
        room = self._call(
            rooms.update_room, found.id, name=found.name, notes=found.notes, is_active=bool(active)
        )
        self._reload()
        return toast.success(f"{room.name} is {'active' if room.is_active else 'inactive'}.")


def _row(r: RoomRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r.name, weight="medium")),
        rx.table.cell(rx.text(r.notes, size="2", color_scheme="gray")),
        rx.table.cell(
            rx.hstack(
                rx.switch(
                    checked=r.is_active,
                    on_change=lambda v: RoomsState.toggle_active(r.id, v),
                    id="room-active-" + r.id.to_string(),
                ),
                rx.cond(
                    r.is_active,
                    rx.badge("Active", color_scheme="green"),
                    rx.badge("Inactive", color_scheme="gray"),
                ),
                align="center",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.link(
                    rx.button("Week", size="1", variant="soft"), href="/schedule?room=" + r.id.to_string()
                ),
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=RoomsState.start_edit(r.id),
                    id="edit-room-" + r.id.to_string(),
                ),
                spacing="2",
            )
        ),
        data_room_id=r.id.to_string(),
    )


def _new_form() -> rx.Component:
    e = RoomsState.new_errors
    return card(
        rx.heading("Add a room", size="4", margin_bottom="0.5rem"),
        rx.form(
            rx.hstack(
                rx.box(
                    form_field("Name", "name", e, placeholder="Room 1", max_length=rooms.ROOM_NAME_MAX),
                    width="16rem",
                ),
                rx.box(
                    form_field(
                        "Notes",
                        "notes",
                        e,
                        placeholder="Ring light, green wall",
                        max_length=rooms.NOTES_MAX,
                        hint=f"At most {rooms.NOTES_MAX:,} characters.",
                    ),
                    flex="1",
                ),
                rx.button("Add room", type="submit", size="3", id="new-room-submit", margin_top="1.5rem"),
                align="start",
                width="100%",
                spacing="3",
                class_name="phone-stack",
            ),
            on_submit=RoomsState.create,
            reset_on_submit=False,
        ),
    )


def _edit_dialog() -> rx.Component:
    s, e = RoomsState, RoomsState.edit_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit room"),
            rx.form(
                rx.vstack(
                    rx.el.label("Name", html_for="edit_name", class_name="field-label"),
                    rx.input(
                        name="edit_name",
                        id="edit_name",
                        default_value=s.editing.name,
                        width="100%",
                        max_length=rooms.ROOM_NAME_MAX,
                    ),
                    field_error(e, "edit_name"),
                    rx.el.label("Notes", html_for="edit_notes", class_name="field-label"),
                    rx.text_area(
                        name="edit_notes",
                        id="edit_notes",
                        default_value=s.editing.notes,
                        width="100%",
                        max_length=rooms.NOTES_MAX,
                    ),
                    rx.text(f"At most {rooms.NOTES_MAX:,} characters.", size="1", color_scheme="gray"),
                    field_error(e, "edit_notes"),
                    rx.hstack(
                        rx.checkbox(
                            "Active (new shifts can be booked in it)",
                            name="edit_active",
                            id="edit_active",
                            default_checked=s.editing.is_active,
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Save", type="submit", id="save-room"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=s.save,
                reset_on_submit=False,
                key=s.editing.id.to_string(),
            ),
        ),
        open=s.edit_open,
        on_open_change=s.set_edit_open,
    )


def body() -> rx.Component:
    s = RoomsState
    return rx.vstack(
        page_header(
            "Rooms", "Where models stream from. An inactive room keeps its past shifts but takes no new ones."
        ),
        _new_form(),
        card(
            rx.cond(
                s.rooms.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Name"),
                            rx.table.column_header_cell("Notes"),
                            rx.table.column_header_cell("Status"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(s.rooms, _row)),
                    width="100%",
                    id="rooms-table",
                ),
                empty_state(
                    "door-open", "No rooms yet", "Add your first room above; then book shifts in it."
                ),
            )
        ),
        _edit_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.SCHEDULE_MANAGE)
