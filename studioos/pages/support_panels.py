"""The parts of a support request's page beyond the thread: a privacy request's structure and
steps, support staff's saved replies, attached files, and support's access to the studio."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.pages.support_state import (
    GRANT_CHOICES,
    PRIVACY_KIND_CHOICES,
    PRIVACY_STATUS_CHOICES,
    SupportState,
)
from studioos.services import privacy_requests, support, support_access, support_attachments
from studioos.ui import controls
from studioos.ui.components import card, field_error

PRIVACY_STATUS_COLORS: dict[str, str] = {
    "received": "blue",
    "verifying_identity": "orange",
    "in_progress": "blue",
    "completed": "green",
    "refused": "red",
}


def privacy_request_card() -> rx.Component:
    """Ask to exercise a right: the kind chosen from the list, explained under it."""
    e = SupportState.new_errors
    return card(
        rx.el.h2("Send a privacy request", class_name="card-title"),
        rx.el.p(
            "Tell us which of your rights you want to use. You are signed in, so we know it is you. "
            "We answer within 30 days; you follow the request here.",
            class_name="hint",
        ),
        rx.form(
            rx.el.div(
                controls.field(
                    "What you ask",
                    controls.select(
                        PRIVACY_KIND_CHOICES,
                        id_="privacy-kind",
                        name="kind",
                        placeholder="Choose a request…",
                    ),
                    field_error(e, "kind"),
                ),
                rx.el.ul(
                    *[
                        rx.el.li(rx.el.strong(privacy_requests.KIND_LABELS[k] + ": "), help_text)
                        for k, help_text in privacy_requests.KIND_HELP.items()
                    ],
                    class_name="plain-list hint",
                ),
                controls.field(
                    "Details",
                    rx.el.textarea(
                        name="message",
                        id="privacy-message",
                        rows=5,
                        max_length=support.BODY_MAX,
                        placeholder="What should we look at or change?",
                        class_name="control textarea-control",
                    ),
                    field_error(e, "message"),
                ),
                rx.el.div(rx.button("Send the request", type="submit", id="privacy-submit")),
                class_name="stack",
            ),
            on_submit=SupportState.open_privacy_request,
            reset_on_submit=False,
        ),
        class_name="stack",
        id="privacy-request-card",
    )


def _history_item(h: Any) -> rx.Component:
    return rx.el.li(rx.el.span(h.when, class_name="hint"), " ", rx.el.strong(h.who), ": ", h.what)


def _fact(label: str, value: Any, id_: str = "") -> rx.Component:
    return rx.el.div(rx.el.dt(label), rx.el.dd(value, id=id_ or None), class_name="fact")


def _requester_steps() -> rx.Component:
    s, p = SupportState, SupportState.privacy
    return rx.cond(
        ~s.is_staff & ~p.identity_verified & ~p.finished,
        rx.el.div(
            rx.el.p(
                "Support logged this request for you from a message we received. Confirm it is yours "
                "so we can act on it; if you did not send it, reply below.",
                class_name="hint",
            ),
            rx.button("Yes, this request is mine", on_click=s.confirm_identity, id="privacy-confirm"),
            class_name="stack",
        ),
        rx.fragment(),
    )


def _staff_steps() -> rx.Component:
    s, p, e = SupportState, SupportState.privacy, SupportState.privacy_errors
    return rx.cond(
        s.is_staff & ~p.finished,
        rx.el.div(
            rx.cond(
                ~p.identity_verified,
                rx.form(
                    rx.el.div(
                        controls.field(
                            "How you checked who asked",
                            controls.text_input(
                                "method",
                                "privacy-method",
                                max_length=privacy_requests.METHOD_MAX,
                                placeholder="e.g. answered from the account's email address",
                            ),
                            field_error(e, "method"),
                        ),
                        rx.el.div(
                            rx.button("Record the check", type="submit", variant="soft", id="privacy-verify")
                        ),
                        class_name="inline-form",
                    ),
                    on_submit=s.verify_identity,
                    reset_on_submit=True,
                ),
                rx.fragment(),
            ),
            rx.form(
                rx.el.div(
                    controls.field(
                        "Move to",
                        controls.select(
                            PRIVACY_STATUS_CHOICES,
                            id_="privacy-status",
                            name="privacy_status",
                            placeholder="Choose a status…",
                        ),
                        field_error(e, "status"),
                    ),
                    controls.field(
                        "Reason (needed to refuse; the person reads it)",
                        rx.el.textarea(
                            name="reason",
                            id="privacy-reason",
                            rows=2,
                            max_length=privacy_requests.REASON_MAX,
                            class_name="control textarea-control",
                        ),
                        field_error(e, "reason"),
                    ),
                    class_name="form-grid",
                ),
                rx.el.div(rx.button("Change status", type="submit", id="privacy-status-submit")),
                on_submit=s.set_privacy_status,
                reset_on_submit=True,
                class_name="stack",
            ),
            class_name="stack",
        ),
        rx.fragment(),
    )


def privacy_panel() -> rx.Component:
    """A privacy request's kind, state, due date, identity check and full history."""
    s, p = SupportState, SupportState.privacy
    return rx.cond(
        p,
        card(
            rx.el.div(
                rx.el.h2("Privacy request: " + p.kind_label, class_name="card-title"),
                rx.badge(
                    p.status_label,
                    color_scheme=rx.Var.create(PRIVACY_STATUS_COLORS).get(p.status, "gray"),
                    id="privacy-status-badge",
                ),
                class_name="toolbar",
            ),
            rx.el.dl(
                _fact("Received", p.received + " · " + p.channel_label),
                _fact(
                    "Answer due",
                    p.due + rx.cond(p.due_text != "", " (" + p.due_text + ")", ""),
                    "privacy-due",
                ),
                _fact("Identity", p.identity_text, "privacy-identity"),
                rx.cond(p.logged_by != "", _fact("Logged by", p.logged_by), rx.fragment()),
                rx.cond(p.refusal_reason != "", _fact("Reason", p.refusal_reason), rx.fragment()),
                class_name="facts",
            ),
            field_error(s.privacy_errors, "privacy"),
            _requester_steps(),
            _staff_steps(),
            rx.el.details(
                rx.el.summary("History"),
                rx.el.ul(
                    rx.foreach(s.privacy_history, _history_item),
                    class_name="plain-list",
                    id="privacy-history",
                ),
            ),
            class_name="stack",
            id="privacy-panel",
        ),
        rx.fragment(),
    )


def canned_select() -> rx.Component:
    """Support staff pick a saved reply: it lands in the reply box, filled in, to edit and send."""
    s = SupportState
    return rx.cond(
        s.is_staff & (s.canned.length() > 0),
        controls.select(
            s.canned,
            id_="support-canned",
            name="canned",  # in the reply form: sent with it, and ignored
            value="",
            on_change=s.use_canned,
            placeholder="Insert a saved reply…",
            aria_label="Saved replies",
        ),
        rx.fragment(),
    )


# ---------------------------------------------------------------- files


def _held(h: Any) -> rx.Component:
    return rx.el.li(
        rx.icon("paperclip", size=14),
        rx.el.span(h.name),
        rx.el.span(h.size, class_name="hint"),
        rx.el.button(
            rx.icon("x", size=14),
            type="button",
            class_name="icon-button",
            aria_label="Remove " + h.name,
            on_click=SupportState.drop_file(h.token),
        ),
        class_name="file-chip",
    )


def files_picker(upload_id: str) -> rx.Component:
    """Files chosen for the message being written: each is checked and kept on the server as it is
    chosen (one upload per file, under the upload guard's limit) and sent with the message."""
    s = SupportState
    return rx.el.div(
        rx.cond(
            s.held.length() > 0,
            rx.el.ul(rx.foreach(s.held, _held), class_name="file-list", id=f"{upload_id}-held"),
            rx.fragment(),
        ),
        rx.cond(
            s.held.length() < support_attachments.MAX_FILES,
            rx.upload(
                rx.button(
                    rx.icon("paperclip", size=14), "Attach a file", size="1", variant="soft", type="button"
                ),
                id=upload_id,
                multiple=False,
                max_files=1,
                accept=support_attachments.UPLOAD_ACCEPT,
                max_size=support_attachments.MAX_BYTES,
                on_drop=s.hold_files(rx.upload_files(upload_id=upload_id)),
                on_drop_rejected=rx.toast.error(
                    f"This file cannot be attached: {support_attachments.ACCEPTED_TEXT}."
                ),
                border="none",
                padding="0",
                width="fit-content",
            ),
            rx.fragment(),
        ),
        rx.el.p(
            support_attachments.ACCEPTED_TEXT + f"; at most {support_attachments.MAX_FILES}.",
            class_name="hint",
        ),
        field_error(s.files_errors, "files", f"{upload_id}-files"),
        class_name="stack-1",
    )


def _file(f: Any) -> rx.Component:
    return rx.el.a(
        rx.cond(
            f.is_image,
            rx.el.img(src=f.url, alt=f.name, class_name="file-thumb", loading="lazy"),
            rx.icon("file-text", size=16),
        ),
        rx.el.span(f.name),
        rx.el.span(f.size, class_name="hint"),
        href=f.url,
        target="_blank",
        rel="noopener",
        class_name="file-chip",
    )


def message_files(m: Any) -> rx.Component:
    return rx.cond(
        m.files.length() > 0,
        rx.el.div(rx.foreach(m.files, _file), class_name="file-list"),
        rx.fragment(),
    )


# ---------------------------------------------------------------- support's access to the studio


def _grant(g: Any) -> rx.Component:
    return rx.el.li(
        rx.el.span(g.state),
        rx.el.span(" · allowed by " + g.by, class_name="hint"),
        rx.cond(
            g.active & SupportState.can_grant,
            rx.button(
                "Withdraw",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=SupportState.revoke_access(g.id),
                id="access-revoke",
            ),
            rx.fragment(),
        ),
        class_name="line",
    )


def _look_list(title: Any, rows: Any, id_: str) -> rx.Component:
    return rx.el.div(
        rx.el.h3(title, class_name="card-subtitle"),
        rx.el.ul(
            rx.foreach(
                rows,
                lambda r: rx.el.li(
                    rx.el.span(r.name),
                    rx.el.span(r.detail, class_name="hint"),
                    rx.el.span(r.figure),
                    class_name="line",
                ),
            ),
            class_name="plain-list",
            id=id_,
        ),
        class_name="stack-1",
    )


def _look() -> rx.Component:
    s, v = SupportState, SupportState.look
    return rx.cond(
        v,
        rx.el.div(
            rx.el.p(
                "Looking at " + v.studio + " until " + v.expires + ". Each look is in the studio's log.",
                class_name="hint",
            ),
            _look_list(v.models_title, s.look_models, "look-models"),
            _look_list(v.earnings_title, s.look_earnings, "look-earnings"),
            _look_list(v.members_title, s.look_members, "look-members"),
            class_name="stack",
            id="studio-look",
        ),
        rx.fragment(),
    )


def access_panel() -> rx.Component:
    """The owner allows (or withdraws) support's look at the studio; support uses it."""
    s = SupportState
    owner_part = rx.el.div(
        rx.el.p(
            "Support sees this request and your studio's name and plan, nothing else. If they need to see "
            "your models, earnings and members to help, allow it for a while; each look is in your audit "
            "log, and you can withdraw it at any time. They never see legal names or ID documents.",
            class_name="hint",
        ),
        rx.form(
            rx.el.div(
                controls.field(
                    "Allow for",
                    controls.select(
                        GRANT_CHOICES,
                        id_="access-hours",
                        name="hours",
                        default_value=str(support_access.DEFAULT_GRANT_HOURS),
                    ),
                    field_error(s.staff_errors, "hours"),
                ),
                rx.el.div(
                    rx.button("Allow support to look", type="submit", variant="soft", id="access-grant")
                ),
                class_name="inline-form",
            ),
            field_error(s.staff_errors, "request"),
            on_submit=s.grant_access,
            reset_on_submit=False,
        ),
        class_name="stack",
    )
    staff_part = rx.el.div(
        rx.cond(
            s.grant_active,
            rx.button("Look at the studio", variant="soft", on_click=s.look_into_studio, id="access-look"),
            rx.el.p(
                "The studio's owner has not allowed a look at its models, earnings and members "
                "for this request.",
                class_name="hint",
                id="access-none",
            ),
        ),
        _look(),
        class_name="stack",
    )
    return rx.cond(
        s.can_grant | s.is_staff,
        card(
            rx.el.h2("Support's access to the studio", class_name="card-title"),
            rx.cond(s.is_staff, staff_part, owner_part),
            rx.cond(
                s.grants.length() > 0,
                rx.el.ul(rx.foreach(s.grants, _grant), class_name="plain-list", id="access-grants"),
                rx.fragment(),
            ),
            class_name="stack",
            id="access-panel",
        ),
        rx.fragment(),
    )


# ---------------------------------------------------------------- a billing request's studio


def billing_panel() -> rx.Component:
    """Support on a billing request: the studio's plan, state and invoices, and a longer trial."""
    s, v = SupportState, SupportState.billing_look
    return rx.cond(
        s.is_staff & s.current & (s.current.category == support.CATEGORY_LABELS["billing"]),
        card(
            rx.el.h2("The studio's billing", class_name="card-title"),
            rx.el.p(
                "Its plan, state and invoices; never its card. Each look is in the studio's audit log.",
                class_name="hint",
            ),
            rx.cond(
                v,
                rx.el.div(
                    rx.el.p(v.studio, id="billing-look-state"),
                    rx.el.p(v.models_title, class_name="hint"),
                    _look_list(v.earnings_title, s.billing_rows, "billing-look-invoices"),
                    rx.form(
                        rx.el.div(
                            controls.field(
                                "Extend the trial by (days)",
                                controls.text_input("days", "trial-days", "number", min=1, max=30),
                                field_error(s.staff_errors, "days"),
                            ),
                            rx.el.div(rx.button("Extend", type="submit", variant="soft", id="trial-extend")),
                            class_name="inline-form",
                        ),
                        on_submit=s.extend_trial,
                        reset_on_submit=True,
                    ),
                    class_name="stack",
                ),
                rx.el.div(
                    rx.button(
                        "Show the studio's billing",
                        variant="soft",
                        on_click=s.show_billing,
                        id="billing-look",
                    )
                ),
            ),
            class_name="stack",
            id="billing-panel",
        ),
        rx.fragment(),
    )
