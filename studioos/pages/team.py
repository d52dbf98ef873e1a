"""Team: members, roles, invitations."""

from __future__ import annotations

import reflex as rx

from studioos.services import studios, team
from studioos.services.errors import ServiceError, ValidationFailed
from studioos.services.permissions import ROLE_LABELS, Cap
from studioos.ui.backend import acting
from studioos.ui.calendar import parse_int
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, page_header, sort_header
from studioos.ui.format import local_time
from studioos.ui.layout import shell
from studioos.ui.session import SessionState, service_error_event

ROLE_OPTIONS = [{"value": r, "label": label} for r, label in ROLE_LABELS.items()]


class TeamState(rx.State):
    members: list[dict[str, str]] = []
    invitations: list[dict[str, str]] = []
    invite_errors: dict[str, str] = {}
    invite_role: str = "analyst"
    sort_key: str = "name"
    sort_desc: bool = False

    def _reload(self) -> None:
        with acting(self.router) as (db, actor):
            studio = studios.current_studio(db, actor)
            tz = studio.timezone if studio else "UTC"
            members = team.list_members(db, actor)
            invitations = team.list_invitations(db, actor) if actor.can(Cap.TEAM_INVITE) else []
        rows = [
            {
                "user_id": str(m.user_id),
                "name": m.name,
                "email": m.email,
                "role": m.role,
                "role_label": m.role_label,
                "joined": local_time(m.joined_at, tz),
                "joined_sort": m.joined_at.isoformat(),
                "is_me": "1" if m.is_me else "",
            }
            for m in members
        ]
        key = "joined_sort" if self.sort_key == "joined" else self.sort_key
        rows.sort(key=lambda r: r.get(key, "").lower(), reverse=self.sort_desc)
        self.members = rows
        self.invitations = [
            {
                "id": str(i.id),
                "email": i.email,
                "role_label": i.role_label,
                "invited_by": i.invited_by,
                "expires": local_time(i.expires_at, tz),
                "status": "Expired" if i.expired else "Pending",
            }
            for i in invitations
        ]

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        try:
            self._reload()
        except ServiceError as exc:
            return service_error_event(exc, "/team")
        return None

    @rx.event
    def sort_by(self, key: str):  # type: ignore[no-untyped-def]
        if key not in {"name", "email", "role", "joined"}:
            return None
        self.sort_desc = not self.sort_desc if self.sort_key == key else False
        self.sort_key = key
        return TeamState.load

    @rx.event
    def set_invite_role(self, role: str) -> None:
        self.invite_role = role

    @rx.event
    def invite(self, form: dict):  # type: ignore[no-untyped-def]
        self.invite_errors = {}
        try:
            with acting(self.router) as (db, actor):
                row = team.invite(db, actor, email=str(form.get("email", "")), role=self.invite_role)
        except ValidationFailed as exc:
            self.invite_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/team")
        self._reload()
        return [rx.toast.success(f"Invitation sent to {row.email}."), rx.set_value("invite-email", "")]

    def _run(self, fn, raw_id: str, *args, ok: str):  # type: ignore[no-untyped-def]
        """Call a team service with an id from the browser; a malformed id is a missing one."""
        target = parse_int(raw_id)
        if target is None:
            return rx.toast.error("Not found.")
        try:
            with acting(self.router) as (db, actor):
                fn(db, actor, target, *args)
        except ValidationFailed as exc:
            return rx.toast.error(exc.message)
        except ServiceError as exc:
            return service_error_event(exc, "/team")
        self._reload()
        return rx.toast.success(ok)

    @rx.event
    def resend(self, invitation_id: str):  # type: ignore[no-untyped-def]
        return self._run(team.resend_invitation, invitation_id, ok="Invitation sent again.")

    @rx.event
    def revoke(self, invitation_id: str):  # type: ignore[no-untyped-def]
        return self._run(team.revoke_invitation, invitation_id, ok="Invitation revoked.")

    @rx.event
    def change_role(self, user_id: str, role: str):  # type: ignore[no-untyped-def]
        return self._run(team.change_role, user_id, role, ok="Role changed.")

    @rx.event
    def remove(self, user_id: str):  # type: ignore[no-untyped-def]
        return self._run(team.remove_member, user_id, ok="Removed from the team.")


def _role_cell(row: dict) -> rx.Component:
    return rx.cond(
        SessionState.caps.contains(Cap.TEAM_MANAGE_ROLES.value),
        rx.select.root(
            rx.select.trigger(variant="ghost"),
            rx.select.content(*[rx.select.item(o["label"], value=o["value"]) for o in ROLE_OPTIONS]),
            value=row["role"],
            on_change=lambda role: TeamState.change_role(row["user_id"], role),
            size="2",
        ),
        rx.badge(row["role_label"]),
    )


def _remove_button(row: dict) -> rx.Component:
    return rx.cond(
        SessionState.caps.contains(Cap.TEAM_MANAGE_ROLES.value) & (row["is_me"] == ""),
        confirm_dialog(
            rx.icon_button(
                rx.icon("user-minus", size=16), variant="ghost", color_scheme="red", aria_label="Remove"
            ),
            "Remove from the team?",
            f"{row['name']} loses access to this studio at once. You can invite them again later.",
            "Remove",
            TeamState.remove(row["user_id"]),
            id_="remove-member",
        ),
        rx.fragment(),
    )


def _member_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(row["name"]),
                rx.cond(row["is_me"] != "", rx.badge("you", variant="outline"), rx.fragment()),
            )
        ),
        rx.table.cell(row["email"]),
        rx.table.cell(_role_cell(row)),
        rx.table.cell(row["joined"]),
        rx.table.cell(_remove_button(row)),
    )


def _invitation_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["email"]),
        rx.table.cell(row["role_label"]),
        rx.table.cell(row["invited_by"]),
        rx.table.cell(
            rx.hstack(
                rx.badge(row["status"], color_scheme=rx.cond(row["status"] == "Expired", "orange", "blue")),
                rx.text(row["expires"], size="1", color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.button("Resend", size="1", variant="soft", on_click=TeamState.resend(row["id"])),
                confirm_dialog(
                    rx.button("Revoke", size="1", variant="soft", color_scheme="red"),
                    "Revoke this invitation?",
                    f"The link sent to {row['email']} stops working at once. You can invite them again.",
                    "Revoke",
                    TeamState.revoke(row["id"]),
                    id_="revoke-invitation",
                ),
                spacing="2",
            )
        ),
    )


def _invite_form() -> rx.Component:
    return card(
        rx.heading("Invite someone", size="4", margin_bottom="0.5rem"),
        rx.form(
            rx.hstack(
                rx.vstack(
                    rx.input(
                        name="email",
                        id="invite-email",
                        type="email",
                        placeholder="name@example.com",
                        size="3",
                        width="100%",
                    ),
                    field_error(TeamState.invite_errors, "email"),
                    width="100%",
                    spacing="1",
                ),
                rx.vstack(
                    rx.select.root(
                        rx.select.trigger(id="invite-role", placeholder="Role"),
                        rx.select.content(
                            rx.cond(
                                SessionState.caps.contains(Cap.TEAM_INVITE_MANAGER.value),
                                rx.select.item("Manager", value="manager"),
                                rx.fragment(),
                            ),
                            rx.select.item("Analyst", value="analyst"),
                            rx.select.item("Model", value="performer"),
                        ),
                        value=TeamState.invite_role,
                        on_change=TeamState.set_invite_role,
                        size="3",
                    ),
                    field_error(TeamState.invite_errors, "role"),
                    spacing="1",
                ),
                rx.button("Send invitation", type="submit", size="3", id="invite-submit"),
                align="start",
                width="100%",
                class_name="phone-stack",
            ),
            on_submit=TeamState.invite,
            reset_on_submit=False,
        ),
        rx.text(
            "The invitation link works once and expires in 7 days.",
            size="1",
            color_scheme="gray",
            margin_top="0.5rem",
        ),
    )


def body() -> rx.Component:
    s = TeamState
    can_invite = SessionState.caps.contains(Cap.TEAM_INVITE.value)
    return rx.vstack(
        page_header("Team", "Who works in this studio, with which role."),
        rx.cond(can_invite, _invite_form(), rx.fragment()),
        card(
            rx.heading("Members", size="4", margin_bottom="0.5rem"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        sort_header("Name", "name", s),
                        sort_header("Email", "email", s),
                        sort_header("Role", "role", s),
                        sort_header("Joined", "joined", s),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(s.members, _member_row)),
                width="100%",
                id="members-table",
            ),
        ),
        rx.cond(
            can_invite,
            card(
                rx.heading("Pending invitations", size="4", margin_bottom="0.5rem"),
                rx.cond(
                    s.invitations.length() > 0,
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Email"),
                                rx.table.column_header_cell("Role"),
                                rx.table.column_header_cell("Invited by"),
                                rx.table.column_header_cell("Expires"),
                                rx.table.column_header_cell(""),
                            )
                        ),
                        rx.table.body(rx.foreach(s.invitations, _invitation_row)),
                        width="100%",
                        id="invitations-table",
                    ),
                    empty_state(
                        "mail",
                        "No pending invitations",
                        "Invite a manager, an analyst or a model with the form above.",
                    ),
                ),
            ),
            rx.fragment(),
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body(), Cap.TEAM_VIEW)
