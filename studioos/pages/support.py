"""Help and support: every signed-in person opens requests and follows their threads here; support
staff answer in the same thread (`/support?request=ID`), and work from the queue (`support_queue`).

The thread view is the same page with a `request` query parameter, so a link in an email or a
notification opens it directly. What each person may see is the service's business
(`services/support.py`): a requester never gets support's internal notes."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.pages.support_panels import (
    access_panel,
    billing_panel,
    canned_select,
    files_picker,
    message_files,
    privacy_panel,
    privacy_request_card,
)
from studioos.pages.support_state import CATEGORY_CHOICES, STATUS_CHOICES, RequestRow, SupportState
from studioos.services import support
from studioos.ui import controls
from studioos.ui.components import card, empty_state, field_error, page_header
from studioos.ui.layout import shell

__all__ = ["CATEGORY_CHOICES", "STATUS_CHOICES", "RequestRow", "SupportState", "page", "request_table"]

# ---------------------------------------------------------------- the list and the new request


def _new_request_card() -> rx.Component:
    e = SupportState.new_errors
    return card(
        rx.el.h2("Ask for help", class_name="card-title"),
        rx.form(
            rx.el.div(
                rx.el.div(
                    controls.field(
                        "Subject",
                        controls.text_input("title", "support-title", max_length=support.TITLE_MAX),
                        field_error(e, "title"),
                    ),
                    controls.field(
                        "About",
                        controls.select(
                            CATEGORY_CHOICES, id_="support-category", name="category", default_value="account"
                        ),
                        field_error(e, "category"),
                    ),
                    class_name="form-grid",
                ),
                controls.field(
                    "Message",
                    rx.el.textarea(
                        name="message",
                        id="support-message",
                        rows=6,
                        max_length=support.BODY_MAX,
                        class_name="control textarea-control",
                    ),
                    field_error(e, "message"),
                ),
                files_picker("new-files"),
                rx.el.div(rx.button("Send", type="submit", id="support-submit")),
                class_name="stack",
            ),
            on_submit=SupportState.open_request,
            reset_on_submit=False,
        ),
        class_name="stack",
    )


def request_table(rows: Any, *, staff: bool) -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Request"),
                rx.table.column_header_cell("About"),
                rx.table.column_header_cell("Status"),
                *(
                    [rx.table.column_header_cell("From"), rx.table.column_header_cell("First answer")]
                    if staff
                    else []
                ),
                rx.table.column_header_cell("Last activity"),
            )
        ),
        rx.table.body(
            rx.foreach(
                rows,
                lambda r: rx.table.row(
                    rx.table.cell(
                        rx.link(
                            "#" + r.id.to_string() + " " + r.title,
                            href="/support?request=" + r.id.to_string(),
                        )
                    ),
                    rx.table.cell(r.category),
                    rx.table.cell(rx.badge(r.status_label, color_scheme=r.color)),
                    *(
                        [
                            rx.table.cell(rx.el.div(r.requester, rx.el.div(r.studio, class_name="hint"))),
                            rx.table.cell(
                                rx.el.div(
                                    r.due,
                                    rx.cond(
                                        r.privacy != "",
                                        rx.el.div(r.privacy, class_name="hint"),
                                        rx.fragment(),
                                    ),
                                ),
                                class_name="due-cell",
                            ),
                        ]
                        if staff
                        else []
                    ),
                    rx.table.cell(r.updated),
                    data_status=r.status,
                ),
            )
        ),
        width="100%",
        class_name="phone-scroll",
        id="support-requests",
    )


def _list_view() -> rx.Component:
    s = SupportState
    return rx.el.div(
        page_header(
            "Help and support",
            "Ask StudioOS's support staff, and follow your requests.",
            rx.cond(
                s.privacy_form,
                rx.link(rx.button("Ask something else", variant="soft"), href="/support"),
                rx.link(
                    rx.button("Privacy request", variant="soft", id="privacy-form-open"),
                    href="/support?privacy=1",
                ),
            ),
        ),
        rx.cond(s.privacy_form, privacy_request_card(), _new_request_card()),
        card(
            rx.el.h2("Your requests", class_name="card-title"),
            rx.cond(
                s.requests.length() > 0,
                request_table(s.requests, staff=False),
                empty_state(
                    "inbox", "No requests yet", "Ask above: an email tells you when support answers."
                ),
            ),
        ),
        class_name="stack-5",
    )


# ---------------------------------------------------------------- one request's thread


def _message(m: Any) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.strong(m.author),
            rx.cond(m.from_support, rx.badge("Support", variant="soft"), rx.fragment()),
            rx.cond(m.internal, rx.badge("Internal note", color_scheme="orange"), rx.fragment()),
            rx.el.span(m.when, class_name="hint"),
            class_name="message-head",
        ),
        rx.el.p(m.body, class_name="message-body"),
        message_files(m),
        class_name=rx.cond(m.internal, "message message-internal", "message"),
        data_internal=rx.cond(m.internal, "1", "0"),
    )


def _reply_form() -> rx.Component:
    s, e = SupportState, SupportState.reply_errors
    return rx.form(
        rx.el.div(
            rx.el.textarea(
                name="body",
                id="support-reply",
                rows=4,
                max_length=support.BODY_MAX,
                placeholder="Write a reply",
                class_name="control textarea-control",
                aria_label="Reply",
            ),
            field_error(e, "body"),
            files_picker("reply-files"),
            rx.el.div(
                canned_select(),
                rx.cond(
                    s.is_staff,
                    rx.el.label(
                        rx.el.input(type="checkbox", name="internal", id="support-internal"),
                        "Internal note (the requester never sees it)",
                        class_name="check",
                    ),
                    rx.fragment(),
                ),
                rx.el.div(class_name="grow"),
                rx.button("Send", type="submit", id="support-send"),
                class_name="consent-actions",
            ),
            class_name="stack",
        ),
        on_submit=s.send_reply,
        reset_on_submit=True,
        key=s.form_key.to_string(),
    )


def _staff_tools() -> rx.Component:
    s, e = SupportState, SupportState.staff_errors
    return card(
        rx.el.h2("Handle it", class_name="card-title"),
        rx.el.div(
            controls.field(
                "Status",
                controls.select(
                    STATUS_CHOICES,
                    id_="support-status",
                    value=rx.cond(s.current, s.current.status, ""),
                    on_change=s.set_status,
                ),
                field_error(e, "status"),
            ),
            controls.field(
                "Assigned to: " + rx.cond(s.current, s.current.assigned, ""),
                # Always shows its prompt: choosing assigns at once, and the line above says to whom.
                controls.select(
                    s.agents, id_="support-assign", placeholder="Assign to…", value="", on_change=s.assign
                ),
                field_error(e, "agent_id"),
            ),
            class_name="form-grid",
        ),
        rx.form(
            rx.el.div(
                controls.field(
                    "Duplicate of request number",
                    controls.text_input("into_id", "support-merge", "number", min=1),
                    field_error(e, "into_id"),
                ),
                rx.el.div(
                    rx.button("Merge into it", type="submit", variant="soft", id="support-merge-submit")
                ),
                class_name="inline-form",
            ),
            on_submit=s.merge,
            reset_on_submit=True,
        ),
        class_name="stack",
    )


def _thread_view() -> rx.Component:
    s = SupportState
    return rx.el.div(
        page_header(
            "#" + s.request_id.to_string() + " " + rx.cond(s.current, s.current.title, ""),
            rx.cond(s.current, s.current.category + " · " + s.current.requester, ""),
            rx.link(
                rx.button("All requests", variant="soft"),
                href=rx.cond(s.is_staff, "/support/queue", "/support"),
            ),
        ),
        rx.cond(
            s.current,
            rx.el.div(
                rx.badge(s.current.status_label, color_scheme=s.current.color, id="support-status-badge"),
                rx.cond(s.is_staff, rx.el.span(s.current.due, class_name="hint"), rx.fragment()),
                rx.cond(
                    s.merged_into > 0,
                    rx.link(
                        "Continues in #" + s.merged_into.to_string(),
                        href="/support?request=" + s.merged_into.to_string(),
                    ),
                    rx.fragment(),
                ),
                class_name="toolbar",
            ),
            rx.fragment(),
        ),
        privacy_panel(),
        card(
            rx.el.div(rx.foreach(s.messages, _message), class_name="stack", id="support-thread"),
            _reply_form(),
            rx.cond(
                ~s.is_staff & s.current & (s.current.status != "resolved") & (s.current.status != "closed"),
                rx.el.div(
                    rx.button(
                        "My problem is solved",
                        variant="soft",
                        color_scheme="green",
                        on_click=s.set_status("resolved"),
                        id="support-resolve",
                    )
                ),
                rx.fragment(),
            ),
            class_name="stack",
        ),
        access_panel(),
        billing_panel(),
        rx.cond(s.is_staff, _staff_tools(), rx.fragment()),
        class_name="stack-5",
    )


def body() -> rx.Component:
    return rx.cond(SupportState.request_id > 0, _thread_view(), _list_view())


def page() -> rx.Component:
    return shell(body())
