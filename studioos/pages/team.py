"""Team: members, roles, invitations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from studioos.models import Role
from studioos.services import team
from studioos.services.permissions import ROLE_LABELS, Cap
from studioos.services.validation import require_id
from studioos.ui import toast
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, page_header, sort_header
from studioos.ui.format import Formats, for_actor
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event
from studioos.ui.session import SessionState

ROLE_OPTIONS = [(Role(r), label) for r, label in ROLE_LABELS.items()]


@dataclass(frozen=True)
class MemberView:
    """A member as the table shows her."""

    user_id: int
    name: str
    email: str
    role: Role
    role_label: str
    joined: str
    is_me: bool

    @classmethod
    def of(cls, m: team.MemberRow, fmt: Formats) -> MemberView:
        return cls(
            user_id=m.user_id,
            name=m.name,
            email=m.email,
            role=Role(m.role),
            role_label=m.role_label,
            joined=fmt.moment(m.joined_at),
            is_me=m.is_me,
        )


@dataclass(frozen=True)
class InvitationView:
    """An open invitation as its table shows it."""

    id: int
    email: str
    role_label: str
    invited_by: str
    expires: str
    expired: bool

    @classmethod
    def of(cls, i: team.InvitationRow, fmt: Formats) -> InvitationView:
        return cls(
            id=i.id,
            email=i.email,
            role_label=i.role_label,
            invited_by=i.invited_by,
            expires=fmt.moment(i.expires_at),
            expired=i.expired,
        )


# How each sortable column orders the members.
_SORTS: dict[str, Callable[[team.MemberRow], str]] = {
    "name": lambda m: m.name.lower(),
    "email": lambda m: m.email.lower(),
    "role": lambda m: m.role,
    "joined": lambda m: m.joined_at.isoformat(),
}


class TeamState(ServicePage, rx.State):
    members: list[MemberView] = []
    invitations: list[InvitationView] = []
    invite_errors: dict[str, str] = {}
    invite_role: str = Role.ANALYST.value
    sort_key: str = "name"
    sort_desc: bool = False

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            members = team.list_members(db, actor)
            invitations = team.list_invitations(db, actor) if actor.can(Cap.TEAM_INVITE) else []
        fmt = for_actor(actor)
        members.sort(key=_SORTS.get(self.sort_key, _SORTS["name"]), reverse=self.sort_desc)
        self.members = [MemberView.of(m, fmt) for m in members]
        self.invitations = [InvitationView.of(i, fmt) for i in invitations]

    @service_event
    def load(self) -> None:
        self._reload()

    @service_event
    def sort_by(self, key: str) -> None:
        if key not in _SORTS:
            return
        self.sort_desc = not self.sort_desc if self.sort_key == key else False
        self.sort_key = key
        self._reload()

    @rx.event
    def set_invite_role(self, role: str) -> None:
        self.invite_role = role

    @service_event(errors="invite_errors")
    def invite(self, form: dict[str, Any]) -> Answer:
        row = self._call(team.invite, email=str(form.get("email", "")), role=self.invite_role)
        self._reload()
        return [toast.success(f"Invitation sent to {row.email}."), rx.set_value("invite-email", "")]

    def _done(self, ok: str) -> Answer:
        self._reload()
        return toast.success(ok)

    # The ids come from the browser: require_id turns a malformed one into NotFound, like a missing one.
    @service_event
    def resend(self, invitation_id: int) -> Answer:
        self._call(team.resend_invitation, require_id(invitation_id))
        return self._done("Invitation sent again.")

    @service_event
    def revoke(self, invitation_id: int) -> Answer:
        self._call(team.revoke_invitation, require_id(invitation_id))
        return self._done("Invitation revoked.")

    @service_event
    def change_role(self, user_id: int, role: str) -> Answer:
        self._call(team.change_role, require_id(user_id), str(role))
        return self._done("Role changed.")

    @service_event
    def remove(self, user_id: int) -> Answer:
        self._call(team.remove_member, require_id(user_id))
        return self._done("Removed from the team.")


def _role_cell(row: MemberView) -> rx.Component:
    return rx.cond(
        SessionState.caps.contains(Cap.TEAM_MANAGE_ROLES.value),
        rx.select.root(
            rx.select.trigger(variant="ghost"),
            rx.select.content(*[rx.select.item(label, value=role.value) for role, label in ROLE_OPTIONS]),
            value=row.role,
            on_change=lambda role: TeamState.change_role(row.user_id, role),
            size="2",
        ),
        rx.badge(row.role_label),
    )


def _remove_button(row: MemberView) -> rx.Component:
    return rx.cond(
        SessionState.caps.contains(Cap.TEAM_MANAGE_ROLES.value) & ~row.is_me,
        confirm_dialog(
            rx.icon_button(
                rx.icon("user-minus", size=16), variant="ghost", color_scheme="red", aria_label="Remove"
            ),
            "Remove from the team?",
            row.name + " loses access to this studio at once. You can invite them again later.",
            "Remove",
            TeamState.remove(row.user_id),
            id_="remove-member",
        ),
        rx.fragment(),
    )


def _member_row(row: MemberView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(row.name),
                rx.cond(row.is_me, rx.badge("you", variant="outline"), rx.fragment()),
            )
        ),
        rx.table.cell(row.email),
        rx.table.cell(_role_cell(row)),
        rx.table.cell(row.joined),
        rx.table.cell(_remove_button(row)),
    )


def _invitation_row(row: InvitationView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.email),
        rx.table.cell(row.role_label),
        rx.table.cell(row.invited_by),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    row.expired,
                    rx.badge("Expired", color_scheme="orange"),
                    rx.badge("Pending", color_scheme="blue"),
                ),
                rx.text(row.expires, size="1", color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.button("Resend", size="1", variant="soft", on_click=TeamState.resend(row.id)),
                confirm_dialog(
                    rx.button("Revoke", size="1", variant="soft", color_scheme="red"),
                    "Revoke this invitation?",
                    "The link sent to " + row.email + " stops working at once. You can invite them again.",
                    "Revoke",
                    TeamState.revoke(row.id),
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
                                rx.select.item(ROLE_LABELS[Role.MANAGER], value=Role.MANAGER.value),
                                rx.fragment(),
                            ),
                            rx.select.item(ROLE_LABELS[Role.ANALYST], value=Role.ANALYST.value),
                            rx.select.item(ROLE_LABELS[Role.PERFORMER], value=Role.PERFORMER.value),
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
