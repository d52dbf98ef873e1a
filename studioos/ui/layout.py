"""The signed-in shell: sidebar, top bar with studio and user menu, and the page body."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import reflex as rx

from studioos.services.permissions import Cap
from studioos.ui import toast
from studioos.ui.components import not_allowed
from studioos.ui.consent import banner, settings_link
from studioos.ui.navigator import navigator
from studioos.ui.reauth import reauth_dialog
from studioos.ui.session import NotificationItem, SessionState

if TYPE_CHECKING:
    from studioos.pages.registry import NavLink, SignedInPage


# The phone layout holds below 48em (768 px, a tablet held upright), the desktop one from there
# up: the stylesheet's rules for the classes below make that cut.
_sheet = rx.radix.primitives.dialog


def _nav_link(page: SignedInPage, nav: NavLink, *, in_drawer: bool = False) -> rx.Component:
    # A plain router link styled by the stylesheet (`.nav-link`): every signed-in page mounts a
    # dozen of these, and as Radix Themes components each ran emotion on every draw.
    link = rx.el.a(
        rx.icon(nav.icon, size=18),
        rx.el.span(nav.label),
        href=page.route,
        class_name="nav-link nav-link-drawer" if in_drawer else "nav-link",
        aria_current=rx.cond(SessionState.router.url.path == page.route, "page", "false"),
        data_nav=page.route,
    )
    if in_drawer:
        # Closing first: the drawer must not stay open (nor keep the page inert) after the jump.
        link = _sheet.close(link, as_child=True)
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
    return rx.el.nav(
        *[_nav_group(links, in_drawer=in_drawer) for links in groups.values()],
        class_name="nav-links",
        **props,
    )


def _nav_group(links: list[tuple[SignedInPage, NavLink]], *, in_drawer: bool) -> rx.Component:
    drawn = rx.el.div(*[_nav_link(p, nav, in_drawer=in_drawer) for p, nav in links], class_name="nav-group")
    caps = [p.cap for p, _ in links]
    if any(cap is None for cap in caps):
        return drawn
    # A group none of whose links the role may open takes no room (no double gap).
    seen = functools.reduce(
        lambda a, b: a | b, [SessionState.caps.contains(cap.value) for cap in caps if cap is not None]
    )
    return rx.cond(seen, drawn, rx.fragment())


def _brand(*, small: bool = False) -> rx.Component:
    return rx.el.div(
        rx.el.img(src="/logo.svg", width="28", height="28", alt=""),
        rx.el.span("StudioOS"),
        class_name="brand brand-small" if small else "brand",
    )


def _privacy_link() -> rx.Component:
    return rx.el.a("Privacy policy", href="/privacy", class_name="quiet-link")


def sidebar() -> rx.Component:
    return rx.el.aside(
        _brand(),
        rx.el.div(SessionState.studio_name, class_name="sidebar-studio", id="studio-name"),
        nav_links(id="sidebar-nav"),
        rx.el.div(class_name="grow"),
        _privacy_link(),
        settings_link(),
        class_name="app-sidebar",
    )


def nav_drawer() -> rx.Component:
    """On a phone the sidebar's links live in a sheet that the menu button opens from the left.

    A Radix dialog (focus trap, Escape, closing on a click outside) whose content is mounted only
    while open; the vaul drawer this replaced measured the page's layout on every page load,
    35-40 ms of script on each signed-in page whether or not the menu was ever opened."""
    return _sheet.root(
        _sheet.trigger(
            rx.el.button(
                rx.icon("menu", size=20),
                type="button",
                class_name="icon-button",
                aria_label="Menu",
                id="nav-menu",
            ),
            as_child=True,
        ),
        _sheet.portal(
            _sheet.overlay(class_name="nav-sheet-overlay"),
            _sheet.content(
                # Inside the portal (the end of the body) the theme's sizes and fonts need their
                # own Radix Themes root.
                rx.theme(
                    rx.el.div(
                        _brand(),
                        rx.el.div(class_name="grow"),
                        _sheet.close(
                            rx.el.button(
                                rx.icon("x", size=20),
                                type="button",
                                class_name="icon-button",
                                aria_label="Close the menu",
                                id="nav-close",
                            ),
                            as_child=True,
                        ),
                        class_name="nav-sheet-head",
                    ),
                    _sheet.title(
                        SessionState.studio_name, class_name="sidebar-studio", id="drawer-studio-name"
                    ),
                    _sheet.description("Where to go", class_name="sr-only"),
                    nav_links(in_drawer=True),
                    rx.el.div(class_name="grow"),
                    _privacy_link(),
                    # The banner is behind this sheet: closing the sheet first shows it.
                    _sheet.close(settings_link("cookie-settings-menu"), as_child=True),
                    class_name="nav-sheet-body",
                ),
                class_name="nav-sheet",
                id="nav-drawer",
            ),
        ),
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.el.button(
                rx.el.span(SessionState.user_name[:1], class_name="avatar", aria_hidden="true"),
                # On a phone the avatar alone is the button: the name would crowd the bar.
                rx.el.span(SessionState.user_name, class_name="user-name"),
                rx.icon("chevron-down", size=14),
                type="button",
                class_name="user-button",
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
            rx.el.button(
                rx.icon("bell", size=18),
                rx.cond(
                    SessionState.unread > 0,
                    rx.el.span(SessionState.unread, class_name="count-badge", id="unread-count"),
                    rx.fragment(),
                ),
                type="button",
                class_name="icon-button",
                aria_label="Notifications",
                id="notification-bell",
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
    return rx.el.header(
        # Phone: the menu button and the brand take the sidebar's place.
        rx.el.div(nav_drawer(), _brand(small=True), class_name="topbar-phone"),
        rx.el.div(class_name="grow"),
        notification_bell(),
        user_menu(),
        class_name="app-topbar",
        id="topbar",
    )


def billing_banner() -> rx.Component:
    """The subscription's word on every page: the trial's last days, a failed payment, read-only."""
    level = SessionState.billing_level
    return rx.cond(
        SessionState.billing_banner != "",
        rx.el.div(
            rx.callout(
                rx.el.span(
                    SessionState.billing_banner,
                    rx.cond(
                        SessionState.caps.contains(Cap.BILLING.value),
                        rx.el.a(" Open Billing", href="/billing", class_name="banner-link"),
                        rx.fragment(),
                    ),
                ),
                icon=rx.cond(level == "danger", "lock", "info"),
                color_scheme=rx.match(level, ("danger", "red"), ("warning", "amber"), "blue"),
                size="1",
                id="billing-banner",
                data_level=level,
            ),
            class_name="billing-banner",
        ),
        rx.fragment(),
    )


def shell(body: rx.Component, cap: Cap | None = None) -> rx.Component:
    """A signed-in page. Without `cap` the role gets a clear "not allowed" page, and the
    page's events refuse in the services anyway.

    The frame is plain elements laid out by the stylesheet (`.app-shell` in assets/styles.css):
    every page draws it, and Radix Themes layout components cost React and emotion work on each
    page load for what a few CSS rules do."""
    content = body if cap is None else rx.cond(SessionState.caps.contains(cap.value), body, not_allowed())
    frame = rx.cond(
        SessionState.signed_in,
        rx.el.div(
            sidebar(),
            rx.el.div(
                topbar(),
                billing_banner(),
                rx.el.main(content, class_name="app-content"),
                class_name="app-main",
            ),
            banner(),
            reauth_dialog(),
            class_name="app-shell",
        ),
        rx.center(rx.spinner(size="3"), height="100vh"),
    )
    # Outside the condition: signing out blanks the session first, and the navigator must still
    # be there to make the sign-out POST.
    return rx.fragment(frame, navigator(), toast.relay(), page_ready())


def page_ready() -> rx.Component:
    """A hidden mark that the page's load events have all run (Reflex's is_hydrated flips after
    them): the browser tests wait for it before typing, so a load that resets a form cannot
    land after what they typed."""
    return rx.cond(rx.State.is_hydrated, rx.el.span(id="page-ready", hidden=True), rx.fragment())


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
                settings_link(),
                spacing="3",
                align="center",
            ),
            banner(),
            navigator(),
            toast.relay(),
            page_ready(),
            spacing="5",
            align="center",
            width=width,
            max_width="94vw",
        ),
        min_height="100vh",
        padding_y="3rem",
        background=rx.color("gray", 2),
    )
