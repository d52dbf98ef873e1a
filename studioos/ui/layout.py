"""The signed-in shell: sidebar, top bar with studio and user menu, and the page body."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from studioos.services.permissions import Cap
from studioos.ui.components import not_allowed
from studioos.ui.session import SessionState


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    icon: str
    cap: Cap | None


NAV: list[NavItem] = [
    NavItem("Dashboard", "/dashboard", "layout-dashboard", Cap.DASHBOARD),
    NavItem("Models", "/models", "star", Cap.PERFORMERS_VIEW),
    NavItem("Rooms", "/rooms", "door-open", Cap.SCHEDULE_MANAGE),
    NavItem("Schedule", "/schedule", "calendar-days", Cap.SCHEDULE_MANAGE),
    NavItem("My schedule", "/my-schedule", "calendar-check", Cap.SCHEDULE_OWN),
    NavItem("Requests", "/requests", "inbox", Cap.SCHEDULE_MANAGE),
    NavItem("Team", "/team", "users", Cap.TEAM_VIEW),
    NavItem("Audit log", "/audit", "scroll-text", Cap.AUDIT_VIEW),
    NavItem("My account", "/account", "user-cog", None),
]


def _nav_link(item: NavItem) -> rx.Component:
    active = SessionState.router.url.path == item.href
    link = rx.link(
        rx.hstack(
            rx.icon(item.icon, size=18),
            rx.text(item.label, size="3", weight="medium"),
            spacing="3",
            align="center",
            padding_x="0.75rem",
            padding_y="0.55rem",
            border_radius="8px",
            width="100%",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
            _hover={"background": rx.color("accent", 3)},
        ),
        href=item.href,
        underline="none",
        width="100%",
        data_nav=item.href,
    )
    if item.cap is None:
        return link
    return rx.cond(SessionState.caps.contains(item.cap.value), link, rx.fragment())


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.image(src="/logo.svg", width="28px", height="28px", alt=""),
            rx.heading("StudioOS", size="5"),
            align="center",
            spacing="2",
            padding="0.5rem 0.75rem 1rem",
        ),
        rx.text(
            SessionState.studio_name,
            size="2",
            weight="bold",
            color_scheme="gray",
            padding_x="0.75rem",
            id="studio-name",
        ),
        rx.vstack(*[_nav_link(i) for i in NAV], spacing="1", width="100%", id="sidebar-nav"),
        rx.spacer(),
        rx.link("Privacy policy", href="/privacy", size="1", color_scheme="gray", padding="0.75rem"),
        width="15rem",
        min_width="15rem",
        height="100vh",
        position="sticky",
        top="0",
        padding="1rem 0.75rem",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        align="start",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.user_name[:1], size="1", radius="full"),
                rx.text(SessionState.user_name, size="2"),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                id="user-menu",
            )
        ),
        rx.menu.content(
            rx.box(
                rx.vstack(
                    rx.text(SessionState.user_email, size="1"), rx.badge(SessionState.role_label), spacing="1"
                ),
                padding="0.5rem",
            ),
            rx.menu.separator(),
            rx.menu.item("My account", on_click=rx.redirect("/account")),
            rx.menu.item("Sign out", on_click=SessionState.sign_out, color_scheme="red", id="sign-out"),
        ),
    )


def _notification_item(n: dict) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    n["read"] == "",
                    rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("accent", 9)),
                    rx.fragment(),
                ),
                rx.text(n["title"], size="2", weight="medium"),
                align="center",
                spacing="2",
            ),
            rx.cond(n["body"] != "", rx.text(n["body"], size="1", color_scheme="gray"), rx.fragment()),
            rx.text(n["when"], size="1", color_scheme="gray"),
            spacing="0",
            align="start",
            padding="0.5rem",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            width="100%",
        ),
        href=rx.cond(n["link"] != "", n["link"], "#"),
        underline="none",
        color="inherit",
        width="100%",
    )


def notification_bell() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.box(
                rx.icon_button(
                    rx.icon("bell", size=18),
                    variant="ghost",
                    aria_label="Notifications",
                    id="notification-bell",
                ),
                rx.cond(
                    SessionState.unread > 0,
                    rx.badge(
                        SessionState.unread,
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                        position="absolute",
                        top="-6px",
                        right="-8px",
                        size="1",
                        id="unread-count",
                    ),
                    rx.fragment(),
                ),
                position="relative",
            ),
        ),
        rx.popover.content(
            rx.hstack(
                rx.heading("Notifications", size="3"),
                rx.spacer(),
                rx.button("Mark all read", size="1", variant="ghost", on_click=SessionState.mark_all_read),
                width="100%",
                align="center",
                margin_bottom="0.5rem",
            ),
            rx.cond(
                SessionState.notifications.length() > 0,
                rx.vstack(
                    rx.foreach(SessionState.notifications, _notification_item),
                    spacing="0",
                    width="100%",
                    max_height="24rem",
                    overflow_y="auto",
                ),
                rx.text(
                    "Nothing new. Requests, approvals and document reminders show up here.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            width="22rem",
        ),
        on_open_change=lambda _open: SessionState.load_notifications,
    )


def topbar() -> rx.Component:
    return rx.hstack(
        rx.spacer(),
        notification_bell(),
        user_menu(),
        spacing="4",
        width="100%",
        padding="0.75rem 1.5rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        align="center",
    )


def shell(body: rx.Component, cap: Cap | None = None) -> rx.Component:
    """A signed-in page. Without `cap` the role gets a clear "not allowed" page, and the
    page's events refuse in the services anyway."""
    content = body if cap is None else rx.cond(SessionState.caps.contains(cap.value), body, not_allowed())
    return rx.cond(
        SessionState.signed_in,
        rx.hstack(
            sidebar(),
            rx.vstack(
                topbar(),
                rx.box(content, padding="1.5rem 2rem", width="100%", max_width="72rem"),
                width="100%",
                spacing="0",
                align="start",
            ),
            spacing="0",
            width="100%",
            align="start",
        ),
        rx.center(rx.spinner(size="3"), height="100vh"),
    )


def public_page(*children: rx.Component, width: str = "26rem") -> rx.Component:
    """Sign-in, sign-up and other pages seen before signing in."""
    return rx.center(
        rx.vstack(
            rx.hstack(
                rx.image(src="/logo.svg", width="32px", height="32px", alt=""),
                rx.heading("StudioOS", size="6"),
                align="center",
                spacing="2",
            ),
            rx.card(rx.vstack(*children, spacing="4", width="100%"), size="4", width="100%"),
            rx.hstack(
                rx.link("Privacy policy", href="/privacy", size="1", color_scheme="gray"),
                spacing="3",
            ),
            spacing="5",
            align="center",
            width=width,
            max_width="94vw",
        ),
        min_height="100vh",
        padding_y="3rem",
        background=rx.color("gray", 2),
    )
