"""The signed-in shell: sidebar, top bar with studio and user menu, and the page body."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import reflex as rx

from studioos.services.permissions import Cap
from studioos.ui.components import not_allowed
from studioos.ui.session import NotificationItem, SessionState

if TYPE_CHECKING:
    from studioos.pages.registry import NavLink, SignedInPage


# Responsive `display` values, by Reflex's breakpoints (0, 30em, 48em, ...): the phone layout
# holds below 48em (768 px, a tablet held upright), the desktop one from there up.
PHONE_ONLY = ["flex", "flex", "none"]
WIDE_ONLY = ["none", "none", "flex"]
PHONE = "(max-width: 767.98px)"  # the same cut, for the stylesheet's media queries


def _nav_link(page: SignedInPage, nav: NavLink, *, in_drawer: bool = False) -> rx.Component:
    active = SessionState.router.url.path == page.route
    link = rx.link(
        rx.hstack(
            rx.icon(nav.icon, size=18),
            rx.text(nav.label, size="3", weight="medium"),
            spacing="3",
            align="center",
            padding_x="0.75rem",
            # A finger needs a taller target than a mouse pointer.
            padding_y="0.7rem" if in_drawer else "0.55rem",
            border_radius="8px",
            width="100%",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
            _hover={"background": rx.color("accent", 3)},
        ),
        href=page.route,
        underline="none",
        width="100%",
        data_nav=page.route,
    )
    if in_drawer:
        # Closing first: the drawer must not stay open (nor keep the page inert) after the jump.
        link = rx.drawer.close(link)
    if page.cap is None:
        return link
    return rx.cond(SessionState.caps.contains(page.cap.value), link, rx.fragment())


def nav_links(*, in_drawer: bool = False, **props: Any) -> rx.Component:
    """The sidebar's links (from the page registry) that the role may open, group by group."""
    # Imported here, when a page is built: the registry imports every page, and every page this module.
    from studioos.pages import registry

    groups: dict[int, list[tuple[SignedInPage, NavLink]]] = {}
    for page, nav in registry.sidebar():
        groups.setdefault(nav.group, []).append((page, nav))
    return rx.vstack(
        *[_nav_group(links, in_drawer=in_drawer) for links in groups.values()],
        spacing="3",
        width="100%",
        **props,
    )


def _nav_group(links: list[tuple[SignedInPage, NavLink]], *, in_drawer: bool) -> rx.Component:
    drawn = rx.vstack(
        *[_nav_link(p, nav, in_drawer=in_drawer) for p, nav in links], spacing="1", width="100%"
    )
    caps = [p.cap for p, _ in links]
    if any(cap is None for cap in caps):
        return drawn
    # A group none of whose links the role may open takes no room (no double gap).
    seen = functools.reduce(
        lambda a, b: a | b, [SessionState.caps.contains(cap.value) for cap in caps if cap is not None]
    )
    return rx.cond(seen, drawn, rx.fragment())


def _brand(size: str = "5") -> rx.Component:
    return rx.hstack(
        rx.image(src="/logo.svg", width="28px", height="28px", alt=""),
        rx.heading("StudioOS", size=size),
        align="center",
        spacing="2",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.box(_brand(), padding="0.5rem 0.75rem 1rem"),
        rx.text(
            SessionState.studio_name,
            size="2",
            weight="bold",
            color_scheme="gray",
            padding_x="0.75rem",
            id="studio-name",
        ),
        nav_links(id="sidebar-nav"),
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
        display=WIDE_ONLY,
    )


def nav_drawer() -> rx.Component:
    """On a phone the sidebar's links live in a drawer that the menu button opens from the left."""
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(
                rx.icon("menu", size=20),
                variant="ghost",
                color_scheme="gray",
                size="2",
                aria_label="Menu",
                id="nav-menu",
            ),
        ),
        rx.drawer.overlay(z_index="50"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        _brand(),
                        rx.spacer(),
                        rx.drawer.close(
                            rx.icon_button(
                                rx.icon("x", size=20),
                                variant="ghost",
                                color_scheme="gray",
                                aria_label="Close the menu",
                                id="nav-close",
                            )
                        ),
                        width="100%",
                        align="center",
                        padding="0.25rem 0.5rem 0.75rem 0.75rem",
                    ),
                    rx.drawer.title(
                        SessionState.studio_name,
                        color=rx.color("gray", 11),
                        padding_x="0.75rem",
                        font_size="0.875rem",
                        letter_spacing="normal",
                        id="drawer-studio-name",
                    ),
                    rx.drawer.description("Where to go", class_name="sr-only"),
                    nav_links(in_drawer=True),
                    rx.spacer(),
                    rx.link(
                        "Privacy policy", href="/privacy", size="1", color_scheme="gray", padding="0.75rem"
                    ),
                    width="100%",
                    height="100%",
                    spacing="2",
                    align="start",
                    overflow_y="auto",
                ),
                id="nav-drawer",
                # Vaul's content covers the whole screen by default: make it a panel on the left.
                top="0",
                left="0",
                bottom="0",
                right="auto",
                width="min(18rem, 85vw)",
                height="100%",
                padding="1rem 0.75rem",
                background=rx.color("gray", 2),
                border_right=f"1px solid {rx.color('gray', 5)}",
                z_index="51",
                outline="none",
            )
        ),
        direction="left",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.user_name[:1], size="1", radius="full"),
                # On a phone the avatar alone is the button: the name would crowd the bar.
                rx.text(
                    SessionState.user_name,
                    size="2",
                    display=WIDE_ONLY,
                    max_width="12rem",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    white_space="nowrap",
                ),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                id="user-menu",
                aria_label="Your account",
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
            align="end",
            collision_padding=8,
            min_width="12rem",
        ),
    )


def _notification_item(n: NotificationItem) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    n.read,
                    rx.fragment(),
                    rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("accent", 9)),
                ),
                rx.text(n.title, size="2", weight="medium"),
                align="center",
                spacing="2",
            ),
            rx.cond(n.body != "", rx.text(n.body, size="1", color_scheme="gray"), rx.fragment()),
            rx.text(n.when, size="1", color_scheme="gray"),
            spacing="0",
            align="start",
            padding="0.5rem",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            width="100%",
        ),
        href=rx.cond(n.link != "", n.link, "#"),
        underline="none",
        color="inherit",
        width="100%",
    )


def notification_bell() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            # The count sits beside the bell (a badge on top of it hid the icon on small screens).
            rx.hstack(
                rx.icon_button(
                    rx.icon("bell", size=18),
                    variant="ghost",
                    color_scheme="gray",
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
                        size="1",
                        id="unread-count",
                        cursor="pointer",
                    ),
                    rx.fragment(),
                ),
                spacing="1",
                align="center",
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
            max_width="calc(100vw - 1rem)",
            collision_padding=8,
        ),
        on_open_change=lambda _open: SessionState.load_notifications,
    )


def topbar() -> rx.Component:
    return rx.hstack(
        # Phone: the menu button and the brand take the sidebar's place.
        rx.hstack(nav_drawer(), _brand("4"), spacing="2", align="center", display=PHONE_ONLY),
        rx.spacer(),
        notification_bell(),
        user_menu(),
        spacing=rx.breakpoints(initial="3", sm="4"),
        width="100%",
        padding=rx.breakpoints(initial="0.5rem 0.75rem", sm="0.75rem 1.5rem"),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        align="center",
        # Stays in reach while a long page scrolls on a phone.
        position="sticky",
        top="0",
        z_index="10",
        background=rx.color("gray", 1),
        id="topbar",
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
                rx.box(
                    content,
                    padding=rx.breakpoints(initial="1rem 0.75rem 2rem", sm="1.5rem 2rem"),
                    width="100%",
                    max_width="72rem",
                    # A flex child may not shrink below its content by default: one wide table
                    # would otherwise widen the whole page past a phone's screen.
                    min_width="0",
                ),
                width="100%",
                min_width="0",
                flex="1",
                spacing="0",
                align="start",
            ),
            spacing="0",
            width="100%",
            align="start",
            class_name="app-shell",
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
