"""The product's privacy policy, public."""

from __future__ import annotations

import reflex as rx

from studioos.privacy_text import LAST_UPDATED, SECTIONS
from studioos.ui.layout import public_page


def _section(title: str, paragraphs: list[str]) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4"),
        *[rx.text(p, size="2") for p in paragraphs],
        spacing="2",
        align="start",
        width="100%",
    )


def page() -> rx.Component:
    return public_page(
        rx.heading("Privacy policy", size="7"),
        rx.text(f"Last updated: {LAST_UPDATED}", color_scheme="gray", size="2", id="policy-updated"),
        *[_section(title, paras) for title, paras in SECTIONS],
        rx.link("Back to StudioOS", href="/", size="2"),
        width="48rem",
    )
