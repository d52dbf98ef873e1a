"""One registry of pages: the sidebar each role sees links only to registered routes it may open."""

from __future__ import annotations

import re
from typing import Any

import pytest

from studioos.models import Role
from studioos.pages import registry
from studioos.services.permissions import ROLE_CAPS, Cap
from studioos.ui import layout

# How a rendered `SessionState.caps.contains("x")` condition reads in the page's JavaScript.
_CAP_TEST = re.compile(r'caps_rx_state_\.includes\("([^"]+)"\)')


Link = tuple[str, tuple[frozenset[str], ...]]


def _links(component: Any, tests: tuple[frozenset[str], ...] = ()) -> list[Link]:
    """Each sidebar link (its data-nav) with the cap tests around it, outermost first; each test is
    passed when the role has any one of its caps (a group's test names all of its links' caps)."""
    found: list[Link] = []
    href = (getattr(component, "custom_attrs", None) or {}).get("data-nav")
    if href is not None:
        found.append((str(href).strip('"'), tests))
    children = getattr(component, "children", None) or []
    cond = getattr(component, "cond", None)
    if cond is not None and children:
        tested = frozenset(_CAP_TEST.findall(str(cond)))
        # The first branch is what the test guards; the other one is an empty fragment.
        found += _links(children[0], (*tests, tested) if tested else tests)
        for child in children[1:]:
            found += _links(child, tests)
        return found
    for child in children:
        found += _links(child, tests)
    return found


def _visible(links: list[Link], caps: frozenset[Cap]) -> set[str]:
    have = {c.value for c in caps}
    return {href for href, tests in links if all(test & have for test in tests)}


def _own_cap(tests: tuple[frozenset[str], ...]) -> str | None:
    """The cap of the innermost test, the link's own (None: the link is not tested)."""
    if not tests:
        return None
    assert len(tests[-1]) == 1, tests
    return next(iter(tests[-1]))


def _sidebar_links() -> list[Link]:
    return _links(layout.nav_links())


def test_routes_are_declared_once() -> None:
    routes = [p.route for p in registry.SIGNED_IN] + [p.route for p in registry.PUBLIC]
    assert len(routes) == len(set(routes))


def test_the_sidebar_draws_every_registered_link_once_with_its_own_cap() -> None:
    links = _sidebar_links()
    hrefs = [href for href, _ in links]
    assert hrefs == [p.route for p, _ in registry.sidebar()]
    for href, tests in links:
        page = registry.by_route(href)
        assert page is not None, href
        assert _own_cap(tests) == (page.cap.value if page.cap else None), href


@pytest.mark.parametrize("role", list(Role))
def test_each_roles_sidebar_links_only_to_pages_it_may_open(role: Role) -> None:
    caps = ROLE_CAPS[role]
    seen = _visible(_sidebar_links(), caps)
    for href in seen:
        page = registry.by_route(href)
        assert page is not None, f"{role}: {href} is not a registered route"
        assert page.cap is None or page.cap in caps, f"{role}: {href} needs {page.cap}"
    # And every page the role may open that has a link is in its sidebar.
    expected = {p.route for p, _ in registry.sidebar() if p.cap is None or p.cap in caps}
    assert seen == expected


def test_what_each_role_sees() -> None:
    """The sidebar as people know it (a change here is a change users notice)."""
    sidebar = _sidebar_links()
    assert _visible(sidebar, ROLE_CAPS[Role.ANALYST]) == {
        "/dashboard",
        "/models",
        "/earnings",
        "/analytics",
        "/payroll",
        "/members",
        "/account",
        "/privacy-centre",
        "/support",
    }
    assert _visible(sidebar, ROLE_CAPS[Role.PERFORMER]) == {
        "/dashboard",
        "/my-schedule",
        "/my-earnings",
        "/my-analytics",
        "/my-members",
        "/account",
        "/privacy-centre",
        "/support",
    }
    assert _visible(sidebar, ROLE_CAPS[Role.MANAGER]) == {
        "/dashboard",
        "/models",
        "/rooms",
        "/schedule",
        "/requests",
        "/earnings",
        "/analytics",
        "/imports",
        "/payroll",
        "/members",
        "/team",
        "/audit",
        "/account",
        "/privacy-centre",
        "/support",
    }
    # Only an owner runs the studio itself: its name, clock and currency, billing, handing it over.
    owner_only = {"/studio", "/billing"}
    assert _visible(sidebar, ROLE_CAPS[Role.OWNER]) == _visible(sidebar, ROLE_CAPS[Role.MANAGER]) | owner_only


def test_the_phone_drawer_has_the_same_links() -> None:
    assert _links(layout.nav_links(in_drawer=True)) == _sidebar_links()


def test_every_signed_in_page_has_a_load_event_of_its_own_state() -> None:
    for page in registry.SIGNED_IN:
        assert callable(page.component), page.route
        assert page.load is not None, page.route
        assert page.page_title.endswith(" · StudioOS")


def _has_id(component: Any, wanted: str) -> bool:
    if str(getattr(component, "id", None)) == wanted:
        return True
    return any(_has_id(child, wanted) for child in getattr(component, "children", None) or [])


def _shell_caps(component: Any) -> set[str]:
    """The caps of the shell's "Not allowed" tests in a built page (none: the page shows to anyone)."""
    found: set[str] = set()
    children = getattr(component, "children", None) or []
    cond = getattr(component, "cond", None)
    if cond is not None and len(children) == 2 and _has_id(children[1], "not-allowed"):
        found |= set(_CAP_TEST.findall(str(cond)))
    for child in children:
        found |= _shell_caps(child)
    return found


@pytest.mark.parametrize("page", registry.SIGNED_IN, ids=lambda p: p.route)
def test_the_page_says_not_allowed_to_roles_without_its_registered_cap(page: registry.SignedInPage) -> None:
    assert _shell_caps(page.component()) == ({page.cap.value} if page.cap else set())


def test_every_signed_in_page_has_one_load_event_that_checks_the_session_first() -> None:
    """A page's load is one event (PageLoad.open): the session check, the shell and the page's
    data in one answer, not a chain of three."""
    from studioos.studioos import app
    from studioos.ui import page_load

    for page in registry.SIGNED_IN:
        loads = app.get_load_events(page.route.replace("[performer_id]", "7"))
        assert len(loads) == 1, page.route
        assert loads[0].handler.fn is page_load.PageLoad.open.fn, page.route
        assert f"'{page.route}'" in str(loads[0].args), page.route
        assert page_load._LOADS[page.route] is page.load
