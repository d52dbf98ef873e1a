"""My account: name, email, password, sessions and sign-in history."""

from __future__ import annotations

import reflex as rx

from studioos.services import account, studios
from studioos.services.errors import NotFound, ServiceError, ValidationFailed
from studioos.ui.backend import acting
from studioos.ui.calendar import parse_int
from studioos.ui.components import card, confirm_dialog, form_field, page_header
from studioos.ui.format import local_time
from studioos.ui.layout import shell
from studioos.ui.session import SessionState, service_error_event


class AccountState(rx.State):
    name_errors: dict[str, str] = {}
    email_errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    offer_end_others: bool = False
    sessions: list[dict[str, str]] = []
    history: list[dict[str, str]] = []

    def _reload(self) -> None:
        with acting(self.router) as (db, actor):
            studio = studios.current_studio(db, actor)
            tz = studio.timezone if studio else "UTC"
            sessions = account.list_sessions(db, actor)
            history = account.login_history(db, actor)
        self.sessions = [
            {
                "id": str(s.id),
                "browser": s.browser,
                "ip": s.ip,
                "started": local_time(s.created_at, tz),
                "last_seen": local_time(s.last_seen_at, tz),
                "current": "1" if s.is_current else "",
            }
            for s in sessions
        ]
        self.history = [
            {
                "when": local_time(h.created_at, tz),
                "result": "Signed in" if h.success else f"Failed ({h.reason})",
                "ok": "1" if h.success else "",
                "ip": h.ip,
                "browser": h.browser,
            }
            for h in history
        ]

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.name_errors, self.email_errors, self.password_errors = {}, {}, {}
        self.offer_end_others = False
        try:
            self._reload()
        except ServiceError as exc:
            return service_error_event(exc, "/account")
        return None

    @rx.event
    def save_name(self, form: dict):  # type: ignore[no-untyped-def]
        self.name_errors = {}
        try:
            with acting(self.router) as (db, actor):
                name = account.update_name(db, actor, str(form.get("name", "")))
        except ValidationFailed as exc:
            self.name_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/account")
        return [SessionState.ensure, rx.toast.success(f"Your name is now {name}.")]

    @rx.event
    def change_email(self, form: dict):  # type: ignore[no-untyped-def]
        self.email_errors = {}
        try:
            with acting(self.router) as (db, actor):
                sent_to = account.request_email_change(
                    db, actor, str(form.get("email", "")), str(form.get("current_password", ""))
                )
        except ValidationFailed as exc:
            self.email_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/account")
        # The same words for a free and a taken address (the service sent a link only to a free one).
        return rx.toast.success(
            f"We sent a confirmation link to {sent_to}. Your email changes when you follow it."
        )

    @rx.event
    def change_password(self, form: dict):  # type: ignore[no-untyped-def]
        self.password_errors = {}
        try:
            with acting(self.router) as (db, actor):
                account.change_password(
                    db,
                    actor,
                    current=str(form.get("current_password", "")),
                    new=str(form.get("new_password", "")),
                    confirm=str(form.get("new_password_confirm", "")),
                )
        except ValidationFailed as exc:
            self.password_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, "/account")
        self.offer_end_others = len(self.sessions) > 1
        return [
            rx.toast.success("Password changed."),
            rx.set_value("new_password", ""),
            rx.set_value("new_password_confirm", ""),
            rx.set_value("current_password", ""),
        ]

    @rx.event
    def end_others(self):  # type: ignore[no-untyped-def]
        try:
            with acting(self.router) as (db, actor):
                count = account.end_other_sessions(db, actor)
            self._reload()
        except ServiceError as exc:
            return service_error_event(exc, "/account")
        self.offer_end_others = False
        return rx.toast.success(f"Signed out {count} other session{'s' if count != 1 else ''}.")

    @rx.event
    def revoke(self, session_id: str):  # type: ignore[no-untyped-def]
        target = parse_int(session_id)
        try:
            if target is None:
                raise NotFound()
            with acting(self.router) as (db, actor):
                account.revoke_session(db, actor, target)
            self._reload()
        except NotFound:
            return rx.toast.error("This session has already ended.")
        except ServiceError as exc:
            return service_error_event(exc, "/account")
        return rx.toast.success("Session signed out.")


def _profile() -> rx.Component:
    return card(
        rx.heading("Profile", size="4"),
        rx.form(
            rx.hstack(
                rx.box(
                    form_field(
                        "Name",
                        "name",
                        AccountState.name_errors,
                        default_value=SessionState.user_name,
                        max_length=120,
                    ),
                    width="100%",
                ),
                rx.button("Save name", type="submit", margin_top="1.6rem"),
                align="start",
                width="100%",
            ),
            on_submit=AccountState.save_name,
            reset_on_submit=False,
        ),
        rx.separator(margin_y="1rem"),
        rx.text("Email: ", rx.text.strong(SessionState.user_email), size="2"),
        rx.form(
            rx.vstack(
                rx.hstack(
                    form_field("New email", "email", AccountState.email_errors, type="email"),
                    form_field(
                        "Current password",
                        "current_password",
                        AccountState.email_errors,
                        type="password",
                        auto_complete="current-password",
                        field_id="email_current_password",
                    ),
                    width="100%",
                    align="start",
                    class_name="phone-stack",
                ),
                rx.button("Change email", type="submit", variant="soft"),
                align="start",
                width="100%",
            ),
            on_submit=AccountState.change_email,
            reset_on_submit=True,
        ),
    )


def _password() -> rx.Component:
    e = AccountState.password_errors
    return card(
        rx.heading("Password", size="4"),
        rx.form(
            rx.vstack(
                form_field(
                    "Current password",
                    "current_password",
                    e,
                    type="password",
                    auto_complete="current-password",
                ),
                rx.hstack(
                    form_field(
                        "New password",
                        "new_password",
                        e,
                        type="password",
                        auto_complete="new-password",
                        hint="12 to 128 characters.",
                    ),
                    form_field(
                        "Repeat the new password",
                        "new_password_confirm",
                        e,
                        type="password",
                        auto_complete="new-password",
                    ),
                    width="100%",
                    align="start",
                    class_name="phone-stack",
                ),
                rx.button("Change password", type="submit", id="change-password"),
                align="start",
                width="100%",
            ),
            on_submit=AccountState.change_password,
        ),
        rx.cond(
            AccountState.offer_end_others,
            rx.callout(
                rx.hstack(
                    rx.text("Password changed. Sign out your other sessions too?"),
                    rx.button("Sign out other sessions", size="1", on_click=AccountState.end_others),
                    align="center",
                ),
                icon="shield-check",
                margin_top="1rem",
            ),
            rx.fragment(),
        ),
    )


def _session_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(row["browser"]),
                rx.cond(row["current"] != "", rx.badge("this browser", color_scheme="green"), rx.fragment()),
            )
        ),
        rx.table.cell(row["ip"]),
        # On a phone the row is stacked without its header: the two times say which is which.
        rx.table.cell(row["started"], data_label="Signed in"),
        rx.table.cell(row["last_seen"], data_label="Last seen"),
        rx.table.cell(
            rx.cond(
                row["current"] == "",
                confirm_dialog(
                    rx.button(
                        "Sign out", size="1", variant="soft", color_scheme="red", class_name="revoke-session"
                    ),
                    "Sign out this session?",
                    "The browser " + row["browser"] + " (" + row["ip"] + ") is signed out at once and needs "
                    "the password to come back.",
                    "Sign out",
                    AccountState.revoke(row["id"]),
                    id_="revoke-session",
                ),
                rx.fragment(),
            )
        ),
    )


def _sessions() -> rx.Component:
    return card(
        rx.hstack(
            rx.heading("Active sessions", size="4"),
            rx.spacer(),
            rx.cond(
                AccountState.sessions.length() > 1,
                confirm_dialog(
                    rx.button("Sign out all other sessions", size="1", variant="soft"),
                    "Sign out all other sessions?",
                    "Every browser signed in to your account except this one is signed out at once.",
                    "Sign out the others",
                    AccountState.end_others,
                    id_="end-other-sessions",
                ),
                rx.fragment(),
            ),
            width="100%",
            wrap="wrap",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Browser and device"),
                    rx.table.column_header_cell("IP"),
                    rx.table.column_header_cell("Signed in"),
                    rx.table.column_header_cell("Last seen"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(AccountState.sessions, _session_row)),
            width="100%",
            id="sessions-table",
        ),
    )


def _history_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["when"]),
        rx.table.cell(rx.badge(row["result"], color_scheme=rx.cond(row["ok"] != "", "green", "red"))),
        rx.table.cell(row["ip"]),
        rx.table.cell(row["browser"]),
    )


def _history() -> rx.Component:
    return card(
        rx.heading("Sign-in history", size="4"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("When"),
                    rx.table.column_header_cell("Result"),
                    rx.table.column_header_cell("IP"),
                    rx.table.column_header_cell("Browser and device"),
                )
            ),
            rx.table.body(rx.foreach(AccountState.history, _history_row)),
            width="100%",
            id="history-table",
        ),
    )


def body() -> rx.Component:
    return rx.vstack(
        page_header("My account", "Your profile, password and where you are signed in."),
        _profile(),
        _password(),
        _sessions(),
        _history(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body())
