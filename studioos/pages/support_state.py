"""The support page's state: the person's requests, one request's thread, and what support staff
and the requester's studio owner can do in it. The page is drawn by `support` and `support_panels`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from studioos.models import RequestCategory, RequestState
from studioos.services import (
    billing,
    canned_replies,
    privacy_requests,
    support,
    support_access,
    support_attachments,
)
from studioos.services.formatting import Formats, for_actor
from studioos.services.support import MessageView, RequestSummary
from studioos.services.validation import parse_id
from studioos.ui import toast
from studioos.ui.controls import Choice
from studioos.ui.service_call import Answer, ServicePage, service_event

STATUS_COLORS: dict[str, str] = {
    RequestState.OPEN: "blue",
    RequestState.WAITING_ON_YOU: "orange",
    RequestState.WAITING_ON_US: "blue",
    RequestState.RESOLVED: "green",
    RequestState.CLOSED: "gray",
}


CATEGORY_CHOICES = [Choice(c.value, support.CATEGORY_LABELS[c.value]) for c in RequestCategory]
STATUS_CHOICES = [Choice(s.value, support.STAFF_STATUS_LABELS[s.value]) for s in RequestState]  # staff's


@dataclass(frozen=True)
class RequestRow:
    id: int
    title: str
    category: str
    status: str
    status_label: str
    color: str
    updated: str
    requester: str
    requester_name: str
    studio: str
    assigned: str
    due: str
    privacy: str = ""
    studio_id: int = 0  # a privacy request's kind, state and due date, in the queue

    @classmethod
    def of(cls, r: RequestSummary, fmt: Formats, *, staff: bool = False) -> RequestRow:
        labels = support.STAFF_STATUS_LABELS if staff else support.STATUS_LABELS
        return cls(
            id=r.id,
            title=r.title,
            category=support.CATEGORY_LABELS.get(r.category, r.category),
            status=r.status,
            status_label=labels.get(r.status, r.status),
            color=STATUS_COLORS.get(RequestState(r.status), "gray")
            if r.status in set(RequestState)
            else "gray",
            updated=fmt.when(r.updated_at),
            requester=f"{r.requester_name} <{r.requester_email}>",
            requester_name=r.requester_name,
            studio=(f"{r.studio_name} ({r.studio_plan})" if r.studio_name else "No studio"),
            assigned=r.assigned_to_name or "Nobody yet",
            due=r.due_text,
            studio_id=r.studio_id or 0,
        )


@dataclass(frozen=True)
class FileRow:
    name: str
    size: str
    url: str
    is_image: bool


@dataclass(frozen=True)
class MessageRow:
    id: int
    author: str
    from_support: bool
    internal: bool
    body: str
    when: str
    files: list[FileRow]

    @classmethod
    def of(cls, m: MessageView, fmt: Formats, files: list[support_attachments.AttachmentView]) -> MessageRow:
        return cls(
            m.id,
            m.author_name,
            m.from_support,
            m.internal,
            m.body,
            fmt.moment(m.created_at),
            [FileRow(f.filename, f.size_text, f.url, f.is_image) for f in files],
        )


@dataclass(frozen=True)
class HeldRow:
    """A file chosen for the message being written, waiting on the server until it is sent."""

    token: str
    name: str
    size: str


PRIVACY_KIND_CHOICES = [Choice(k, label) for k, label in privacy_requests.KIND_LABELS.items()]
PRIVACY_STATUS_CHOICES = [Choice(k, label) for k, label in privacy_requests.STATUS_LABELS.items()]


@dataclass(frozen=True)
class PrivacyRow:
    """A privacy request's structure, as the thread shows it."""

    kind_label: str
    status: str
    status_label: str
    received: str
    due: str
    due_text: str
    channel_label: str
    logged_by: str
    identity_verified: bool
    identity_text: str
    refusal_reason: str
    finished: bool

    @classmethod
    def of(cls, v: privacy_requests.PrivacyView, fmt: Formats) -> PrivacyRow:
        return cls(
            kind_label=v.kind_label,
            status=v.status,
            status_label=v.status_label,
            received=fmt.moment(v.received_at),
            due=fmt.moment(v.due_at),
            due_text=v.due_text,
            channel_label=v.channel_label,
            logged_by=v.logged_by_name,
            identity_verified=v.identity_verified,
            identity_text=v.identity_text,
            refusal_reason=v.refusal_reason,
            finished=v.finished,
        )


@dataclass(frozen=True)
class HistoryRow:
    when: str
    who: str
    what: str


GRANT_CHOICES = [Choice(str(h), support_access.GRANT_LABELS[h]) for h in support_access.GRANT_HOURS]


@dataclass(frozen=True)
class GrantRow:
    id: int
    state: str
    active: bool
    by: str


@dataclass(frozen=True)
class LookRow:
    """One line of what support sees of a studio under a grant: a model, a member or a figure."""

    name: str
    detail: str
    figure: str


@dataclass(frozen=True)
class LookView:
    studio: str
    expires: str
    models_title: str
    members_title: str
    earnings_title: str


class SupportState(ServicePage, rx.State):
    requests: list[RequestRow] = []
    new_errors: dict[str, str] = {}
    # The thread shown (0: the list).
    request_id: int = 0
    current: RequestRow | None = None
    messages: list[MessageRow] = []
    merged_into: int = 0
    reply_errors: dict[str, str] = {}
    staff_errors: dict[str, str] = {}
    is_staff: bool = False
    agents: list[Choice] = []
    form_key: int = 0  # a new key empties the reply form after it was sent
    # `?privacy=1`: the list view opens with the privacy request form.
    privacy_form: bool = False
    privacy: PrivacyRow | None = None
    privacy_history: list[HistoryRow] = []
    privacy_errors: dict[str, str] = {}
    canned: list[Choice] = []  # support staff's saved replies (id, title)
    held: list[HeldRow] = []
    # Support's access to the requester's studio: the owner grants it here; support looks with it.
    can_grant: bool = False
    grants: list[GrantRow] = []
    grant_active: bool = False
    look: LookView | None = None
    look_models: list[LookRow] = []
    look_members: list[LookRow] = []
    look_earnings: list[LookRow] = []
    # Support on a billing request: the studio's plan, state and invoices (never its card).
    billing_look: LookView | None = None
    billing_rows: list[LookRow] = []
    files_errors: dict[str, str] = {}

    def _reload(self) -> None:
        self.request_id = parse_id(self.router.url.query_parameters.get("request")) or 0
        with self._acting() as (db, actor):
            fmt = for_actor(actor)
            self.is_staff = actor.is_support
            if self.request_id:
                detail = support.thread(db, actor, self.request_id)
                self.current = RequestRow.of(detail.request, fmt, staff=actor.is_support)
                files = support_attachments.for_thread(db, actor, self.request_id)
                self.messages = [MessageRow.of(m, fmt, files.get(m.id, [])) for m in detail.messages]
                self.merged_into = detail.merged_into_id or 0
                self.agents = (
                    [Choice(str(i), n) for i, n in support.agents(db, actor)] if actor.is_support else []
                )
                self.canned = (
                    [Choice(str(c.id), c.title) for c in canned_replies.list_replies(db, actor)]
                    if actor.is_support
                    else []
                )
                self._show_access(support_access.thread_access(db, actor, self.request_id), fmt)
                view = privacy_requests.for_request(db, actor, self.request_id)
                self.privacy = PrivacyRow.of(view, fmt) if view else None
                self.privacy_history = (
                    [HistoryRow(fmt.moment(h.when), h.who, h.what) for h in view.history] if view else []
                )
            else:
                self.current, self.messages, self.merged_into = None, [], 0
                self.privacy, self.privacy_history, self.canned = None, [], []
                self.grants, self.can_grant, self.grant_active = [], False, False
                self.privacy_form = self.router.url.query_parameters.get("privacy") == "1"
                self.requests = [RequestRow.of(r, fmt) for r in support.my_requests(db, actor)]

    @service_event
    def load(self) -> None:
        self.new_errors, self.reply_errors, self.staff_errors, self.privacy_errors = {}, {}, {}, {}
        self.files_errors, self.held = {}, []
        self.look, self.look_models, self.look_members, self.look_earnings = None, [], [], []
        self.billing_look, self.billing_rows = None, []
        self._reload()

    @service_event(errors="new_errors", feature="support_request")
    def open_request(self, form: dict[str, Any]) -> Answer:
        with self._acting() as (db, actor):
            made = support.open_request(
                db,
                actor,
                str(form.get("title", "")),
                str(form.get("category", "")),
                str(form.get("message", "")),
            )
            support_attachments.attach_held(db, actor, made.id, [h.token for h in self.held])
        self.held = []
        return [rx.redirect(f"/support?request={made.id}"), toast.success("Your request is sent.")]

    def _show_access(self, access: support_access.ThreadAccess, fmt: Formats) -> None:
        self.can_grant, self.grant_active = access.can_grant, access.active
        self.grants = [
            GrantRow(g.id, g.state_text, g.active, f"{g.granted_by_name}, {fmt.moment(g.created_at)}")
            for g in access.grants
        ]

    @service_event(errors="staff_errors", refresh=True)
    def grant_access(self, form: dict[str, Any]) -> Answer:
        self._call(support_access.grant, self.request_id, parse_id(form.get("hours")) or 0)
        self._reload()
        return toast.success(
            "Support can look at the studio's models, earnings and members for this request."
        )

    @service_event(errors="staff_errors", refresh=True)
    def revoke_access(self, grant_id: int) -> Answer:
        self._call(support_access.revoke, int(grant_id))
        self._reload()
        return toast.success("Support's access is withdrawn.")

    @service_event(errors="staff_errors", refresh=True)
    def look_into_studio(self) -> None:
        """Support reads the studio under the owner's grant (each look is in the studio's log)."""
        found = self._call(support_access.look, self.request_id)
        self.look = LookView(
            studio=f"{found.studio_name} ({found.studio_plan})",
            expires=found.expires_text,
            models_title=f"Models ({found.models_total})",
            members_title=f"Members, most tokens first ({found.members_total})",
            earnings_title=(
                f"Earnings: {found.this_month} {found.this_month_total_text}, "
                f"{found.last_month} {found.last_month_total_text}"
            ),
        )
        self.look_models = [LookRow(m.stage_name, m.status_label, "") for m in found.models]
        self.look_members = [
            LookRow(m.handle, m.platform, f"{m.tokens:,} tokens, {m.tips:,} tips") for m in found.members
        ]
        self.look_earnings = [
            LookRow(
                e.stage_name,
                f"{found.this_month}: {e.this_month_text}",
                f"{found.last_month}: {e.last_month_text}",
            )
            for e in found.earnings
        ]

    @service_event(errors="staff_errors", refresh=True)
    def show_billing(self) -> None:
        """Support looks at the studio's billing for its billing request (each look is audited)."""
        self._show_billing()

    def _show_billing(self) -> None:
        if self.current is None or not self.current.studio_id:
            return
        with self._acting() as (db, actor):
            seen = billing.support_view(db, actor, self.current.studio_id)
        fmt = for_actor(actor)
        state = seen.state
        trial = f", trial until {fmt.moment(state.trial_ends_at)}" if state.trial_ends_at else ""
        self.billing_look = LookView(
            studio=f"{seen.studio_name}: {state.plan_name}, {state.status_label}{trial}",
            expires="",
            models_title=f"{state.active_models} active models"
            + ("" if state.model_limit is None else f" of {state.model_limit}"),
            members_title="",
            earnings_title=f"Invoices ({len(seen.invoices)})",
        )
        self.billing_rows = [
            LookRow(i.number or "Draft", fmt.day(i.created_at.date()), f"{i.amount_text} · {i.status_label}")
            for i in seen.invoices
        ]

    @service_event(errors="staff_errors", refresh=True)
    def extend_trial(self, form: dict[str, Any]) -> Answer:
        if self.current is None or not self.current.studio_id:
            return None
        days = parse_id(form.get("days")) or 0
        self._call(billing.extend_trial, self.current.studio_id, days)
        self._show_billing()
        return toast.success(f"The trial is {days} days longer.")

    @service_event(errors="files_errors")
    def hold_files(self, files: list[rx.UploadFile]) -> Answer:
        for upload in files:
            data = upload.file.read()
            with self._acting() as (_db, actor):
                held = support_attachments.hold(actor, upload.name or "file", data)
            self.held = [*self.held, HeldRow(held.token, held.filename, held.size_text)]
        self.files_errors = {}
        return None

    @service_event
    def drop_file(self, token: str) -> None:
        with self._acting() as (_db, actor):
            support_attachments.drop_held(actor, [str(token)])
        self.held = [h for h in self.held if h.token != token]

    @service_event(errors="reply_errors", feature="support_reply")
    def send_reply(self, form: dict[str, Any]) -> Answer:
        internal = self.is_staff and form.get("internal") == "on"
        with self._acting() as (db, actor):
            support.reply(db, actor, self.request_id, str(form.get("body", "")), internal=internal)
            support_attachments.attach_held(db, actor, self.request_id, [h.token for h in self.held])
        self.held = []
        self.form_key += 1
        self._reload()
        return toast.success("Note added." if internal else "Reply sent.")

    @service_event(errors="staff_errors", refresh=True)
    def set_status(self, status: str) -> Answer:
        self._call(support.set_status, self.request_id, str(status))
        self._reload()
        return toast.success("Status changed.")

    @service_event(errors="staff_errors", refresh=True)
    def assign(self, agent_id: str) -> Answer:
        self._call(support.assign, self.request_id, parse_id(agent_id))
        self._reload()
        return toast.success("Assigned." if parse_id(agent_id) else "Unassigned.")

    @service_event(errors="staff_errors", refresh=True)
    def merge(self, form: dict[str, Any]) -> Answer:
        into = parse_id(form.get("into_id"))
        if into is None:
            self.staff_errors = {"into_id": "Give the number of the request to continue in."}
            return None
        self._call(support.merge, self.request_id, into)
        return rx.redirect(f"/support?request={into}")

    # ------------------------------------------------------------ privacy requests

    @service_event(errors="new_errors", feature="privacy_request")
    def open_privacy_request(self, form: dict[str, Any]) -> Answer:
        made = self._call(
            privacy_requests.open_privacy_request, str(form.get("kind", "")), str(form.get("message", ""))
        )
        return [
            rx.redirect(f"/support?request={made.request_id}"),
            toast.success("Your privacy request is sent. We answer within 30 days."),
        ]

    @service_event(errors="privacy_errors", refresh=True)
    def confirm_identity(self) -> Answer:
        self._call(privacy_requests.confirm_identity, self.request_id)
        self._reload()
        return toast.success("Thank you: the request is confirmed as yours.")

    @service_event(errors="privacy_errors", refresh=True)
    def verify_identity(self, form: dict[str, Any]) -> Answer:
        self._call(privacy_requests.verify_identity, self.request_id, str(form.get("method", "")))
        self._reload()
        return toast.success("Identity check recorded.")

    @service_event(errors="privacy_errors", refresh=True)
    def set_privacy_status(self, form: dict[str, Any]) -> Answer:
        self._call(
            privacy_requests.set_privacy_status,
            self.request_id,
            str(form.get("privacy_status", "")),
            reason=str(form.get("reason", "")),
        )
        self._reload()
        return toast.success("The privacy request's status is changed.")

    # ------------------------------------------------------------ saved replies

    @service_event
    def use_canned(self, reply_id: str) -> Answer:
        """Put a saved reply, filled in for this requester, into the reply box to edit and send."""
        chosen = parse_id(reply_id)
        if chosen is None or self.current is None:
            return None
        with self._acting() as (db, actor):
            found = next((c for c in canned_replies.list_replies(db, actor) if c.id == chosen), None)
        if found is None:
            return toast.error("This saved reply was deleted.")
        text = canned_replies.fill(
            found.body, requester_name=self.current.requester_name, agent_name=actor.name
        )
        return [rx.set_value("support-reply", text), rx.set_focus("support-reply")]
