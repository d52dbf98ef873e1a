"""Who is signed in, as the browser may see it. The token itself never leaves the server."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from studioos.services import auth, billing, notifications, studios
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import ROLE_LABELS
from studioos.ui.backend import anonymous, client_of, post_navigate, sign_in_redirect, token_of
from studioos.ui.binding import blank_page_states
from studioos.ui.service_call import Answer, ServicePage, db_event, service_error_event, service_event

__all__ = ["NotificationItem", "SessionState", "service_error_event"]


@dataclass(frozen=True)
class NotificationItem:
    """A notification as the bell's list shows it."""

    id: int
    title: str
    body: str
    link: str
    when: str
    read: bool

    @classmethod
    def of(cls, n: notifications.NotificationRow, fmt: Formats) -> NotificationItem:
        return cls(id=n.id, title=n.title, body=n.body, link=n.link, when=fmt.when(n.created_at), read=n.read)


class SessionState(ServicePage, rx.State):
    checked: bool = False
    signed_in: bool = False
    user_name: str = ""
    user_email: str = ""
    studio_name: str = ""
    role: str = ""
    role_label: str = ""
    is_support: bool = False
    caps: list[str] = []
    unread: int = 0
    notifications: list[NotificationItem] = []
    # The subscription's banner (trial ending, payment failed, read-only), on every page.
    billing_banner: str = ""
    billing_level: str = ""
    # The studio requires two-factor sign-in and this person has not set it up yet.
    must_enrol_two_factor: bool = False

    def _clear(self) -> None:
        self.signed_in = False
        self.user_name = self.user_email = self.studio_name = self.role = self.role_label = ""
        self.is_support = False
        self.caps = []
        self.billing_banner = self.billing_level = ""
        self.must_enrol_two_factor = False

    def _refresh(self) -> bool:
        with anonymous() as db:
            actor = auth.resolve_actor(db, token_of(self.router), client_of(self.router))
            studio = studios.current_studio(db, actor) if actor else None
            # Someone who must set up two-factor sign-in first holds nothing in the studio yet.
            in_studio = bool(actor and actor.studio_id and not actor.must_enrol_two_factor)
            unread = notifications.unread_count(db, actor) if actor and in_studio else 0
            plan = billing.state_for(db, actor) if actor and in_studio else None
        studio_name = studio.name if studio else ("StudioOS support" if actor and actor.is_support else "")
        self.checked = True
        if actor is None:
            self._clear()
            return False
        self.signed_in = True
        self.user_name = actor.name
        self.user_email = actor.email
        self.studio_name = studio_name
        self.role = actor.role or ("support" if actor.is_support else "")
        self.role_label = ROLE_LABELS.get(actor.role or "", "Support" if actor.is_support else "")
        self.is_support = actor.is_support
        self.caps = sorted(c.value for c in actor.caps)
        self.unread = unread
        self.billing_banner = plan.banner if plan else ""
        self.billing_level = plan.banner_level if plan else ""
        self.must_enrol_two_factor = actor.must_enrol_two_factor
        return True

    @service_event
    def load_notifications(self) -> None:
        with self._acting() as (db, actor):
            rows = notifications.list_notifications(db, actor) if actor.studio_id else []
            self.unread = notifications.unread_count(db, actor) if actor.studio_id else 0
        fmt = for_actor(actor)
        self.notifications = [NotificationItem.of(n, fmt) for n in rows[:12]]

    @service_event
    def mark_all_read(self) -> Answer:
        with self._acting() as (db, actor):
            if actor.studio_id:
                notifications.mark_all_read(db, actor)
        return SessionState.load_notifications

    @db_event
    def ensure(self) -> Answer:
        """on_load of every signed-in page: no live session, no page."""
        if not self._refresh():
            return sign_in_redirect(self.router.url.path)
        return None

    @db_event
    def redirect_home(self) -> Answer:
        """The root URL: the dashboard when signed in, else the sign-in page."""
        if self._refresh():
            return rx.redirect("/dashboard", replace=True)
        return rx.redirect("/signin", replace=True)

    @rx.event
    async def sign_out(self) -> Answer:
        """Every page state of the tab is blanked here, before the sign-out POST ends the session."""
        await blank_page_states(self)
        return post_navigate("/api/auth/signout")
