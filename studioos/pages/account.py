"""My account: name, email, password, two-factor sign-in, sessions and sign-in history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from studioos.pages.account_security import SecurityState, security_card
from studioos.services import account
from studioos.services.validation import parse_id
from studioos.ui import toast
from studioos.ui.components import card, confirm_dialog, form_field, page_header
from studioos.ui.format import Formats, for_actor
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event
from studioos.ui.session import SessionState


@dataclass(frozen=True)
class SessionView:
    """A signed-in browser as the sessions table shows it."""

    id: int
    browser: str
    ip: str
    started: str
    last_seen: str
    current: bool

    @classmethod
    def of(cls, s: account.SessionRow, fmt: Formats) -> SessionView:
        return cls(
            id=s.id,
            browser=s.browser,
            ip=s.ip,
            started=fmt.moment(s.created_at),
            last_seen=fmt.moment(s.last_seen_at),
            current=s.is_current,
        )


@dataclass(frozen=True)
class SignInView:
    """One sign-in attempt as the history shows it."""

    when: str
    result: str
    ok: bool
    ip: str
    browser: str

    @classmethod
    def of(cls, h: account.LoginRow, fmt: Formats) -> SignInView:
        return cls(
            when=fmt.moment(h.created_at),
            result="Signed in" if h.success else f"Failed ({h.reason})",
            ok=h.success,
            ip=h.ip,
            browser=h.browser,
        )


class AccountState(ServicePage, rx.State):
    name_errors: dict[str, str] = {}
    email_errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    offer_end_others: bool = False
    sessions: list[SessionView] = []
    history: list[SignInView] = []

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            sessions = account.list_sessions(db, actor)
            history = account.login_history(db, actor)
        fmt = for_actor(actor)
        self.sessions = [SessionView.of(s, fmt) for s in sessions]
        self.history = [SignInView.of(h, fmt) for h in history]

    @service_event
    def load(self) -> Answer:
        self.name_errors, self.email_errors, self.password_errors = {}, {}, {}
        self.offer_end_others = False
        self._reload()
        return SecurityState.load

    @service_event(errors="name_errors")
    def save_name(self, form: dict[str, Any]) -> Answer:
        name = self._call(account.update_name, str(form.get("name", "")))
        return [SessionState.ensure, toast.success(f"Your name is now {name}.")]

    @service_event(errors="email_errors")
    def change_email(self, form: dict[str, Any]) -> Answer:
        sent_to = self._call(
            account.request_email_change, str(form.get("email", "")), str(form.get("current_password", ""))
        )
        # The same words for a free and a taken address (the service sent a link only to a free one).
        return toast.success(
            f"We sent a confirmation link to {sent_to}. Your email changes when you follow it."
        )

    @service_event(errors="password_errors")
    def change_password(self, form: dict[str, Any]) -> Answer:
        self._call(
            account.change_password,
            current=str(form.get("current_password", "")),
            new=str(form.get("new_password", "")),
            confirm=str(form.get("new_password_confirm", "")),
        )
        self.offer_end_others = len(self.sessions) > 1
        return [
            toast.success("Password changed."),
            rx.set_value("new_password", ""),
            rx.set_value("new_password_confirm", ""),
            rx.set_value("current_password", ""),
        ]

    @service_event
    def end_others(self) -> Answer:
        count = self._call(account.end_other_sessions)
        self._reload()
        self.offer_end_others = False
        return toast.success(f"Signed out {count} other session{'s' if count != 1 else ''}.")

    @service_event
    def revoke(self, session_id: int) -> Answer:
        # A malformed id from the browser names no session: the service's "already ended" answers it.
        self._call(account.revoke_session, parse_id(session_id) or 0)
        self._reload()
        return toast.success("Session signed out.")


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


def _session_row(row: SessionView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(row.browser),
                rx.cond(row.current, rx.badge("this browser", color_scheme="green"), rx.fragment()),
            )
        ),
        rx.table.cell(row.ip),
        # On a phone the row is stacked without its header: the two times say which is which.
        rx.table.cell(row.started, data_label="Signed in"),
        rx.table.cell(row.last_seen, data_label="Last seen"),
        rx.table.cell(
            rx.cond(
                row.current,
                rx.fragment(),
                confirm_dialog(
                    rx.button(
                        "Sign out", size="1", variant="soft", color_scheme="red", class_name="revoke-session"
                    ),
                    "Sign out this session?",
                    "The browser " + row.browser + " (" + row.ip + ") is signed out at once and needs "
                    "the password to come back.",
                    "Sign out",
                    AccountState.revoke(row.id),
                    id_="revoke-session",
                ),
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


def _history_row(row: SignInView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.when),
        rx.table.cell(rx.badge(row.result, color_scheme=rx.cond(row.ok, "green", "red"))),
        rx.table.cell(row.ip),
        rx.table.cell(row.browser),
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
        security_card(),
        _sessions(),
        _history(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(body())
