"""The product's privacy policy, public: the version in force, and every earlier one by its date."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from studioos.services import policy
from studioos.services.errors import NotFound
from studioos.services.validation import DB_INT_MAX, parse_int
from studioos.ui.backend import anonymous
from studioos.ui.layout import public_page


@dataclass
class VersionLink:
    id: int
    label: str
    current: bool


class PrivacyState(rx.State):
    label: str = policy.builtin_label()
    body: str = policy.builtin_markdown()
    shown_id: int = -1  # -1: the current version
    is_current: bool = True
    current_label: str = ""
    versions: list[VersionLink] = []

    @rx.event
    def on_load(self) -> None:
        # 0 is the first version (the text the app was built with).
        asked = parse_int(self.router.url.query_parameters.get("version"), 0, DB_INT_MAX)
        with anonymous() as db:
            every = policy.versions(db)
            try:
                shown = policy.get(db, asked) if asked is not None else every[0]
            except NotFound:
                shown = every[0]
        self.label, self.body, self.shown_id = shown.label, shown.body, shown.id
        self.is_current = shown.id == every[0].id
        self.current_label = every[0].label
        self.versions = [VersionLink(v.id, v.label, i == 0) for i, v in enumerate(every)]


def page() -> rx.Component:
    s = PrivacyState
    return public_page(
        rx.heading("Privacy policy", size="7"),
        rx.text("Last updated: " + s.label, color_scheme="gray", size="2", id="policy-updated"),
        rx.cond(
            s.is_current,
            rx.fragment(),
            rx.callout(
                "This is an earlier version. The version in force is of " + s.current_label + ".",
                icon="history",
                color_scheme="orange",
                id="policy-earlier",
            ),
        ),
        rx.box(rx.markdown(s.body), class_name="policy-text", id="policy-text", width="100%"),
        rx.cond(
            s.versions.length() > 1,
            rx.vstack(
                rx.heading("Versions", size="3"),
                rx.el.ul(
                    rx.foreach(
                        s.versions,
                        lambda v: rx.el.li(
                            rx.link(v.label, href="/privacy?version=" + v.id.to_string()),
                            rx.cond(v.current, " (in force)", ""),
                        ),
                    ),
                    class_name="plain-list",
                    id="policy-versions",
                ),
                spacing="2",
                width="100%",
            ),
            rx.fragment(),
        ),
        rx.link("Back to StudioOS", href="/", size="2"),
        width="48rem",
    )
