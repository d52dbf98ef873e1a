"""Form controls as the browser's own elements, drawn like Radix Themes by assets/styles.css.

A Radix Themes select, segmented control, checkbox or radio group brings a Radix primitive
(popper, roving focus, portals) and a React component tree per control; on the schedule, whose
booking forms hold a dozen of them, that script cost more page-load time than the week itself.
The browser's `<select>`, radio and checkbox do the same job with no script, and on a phone a
`<select>` opens the system's own picker, which is easier to hit with a thumb.

Use these in forms and toolbars; keep Radix Themes for what has behaviour of its own (dialogs,
menus, toasts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx


@dataclass(frozen=True)
class Choice:
    """One option of a `select`: the value sent, and the words shown."""

    id: str
    name: str


def select(
    options: Any,
    *,
    id_: str,
    name: str = "",
    value: Any = None,
    on_change: Callable[..., Any] | None = None,
    default_value: Any = None,
    placeholder: str = "",
    all_label: str = "",
    aria_label: str = "",
) -> rx.Component:
    """A `<select>` of `options` (a list Var of items with `.id` and `.name`); its value is the id as text.

    Controlled with `value` and `on_change`, or left to the form with `default_value`. With a
    placeholder, an empty first choice reads it and the form sends "" until something is chosen.
    A filter's `all_label` ("Every status") is an empty first choice that can be chosen again.
    """
    props: dict[str, Any] = {"id": id_, "class_name": "control select-control"}
    if name:
        props["name"] = name
    if aria_label:
        props["aria_label"] = aria_label
    if on_change is not None:
        props["value"] = value
        props["on_change"] = on_change
    else:
        props["default_value"] = default_value if default_value is not None else ""
    first = [rx.el.option(placeholder, value="", disabled=True)] if placeholder else []
    if all_label:
        first = [rx.el.option(all_label, value="")]
    if isinstance(options, list | tuple):  # fixed choices, known when the page is built
        return rx.el.select(*first, *(rx.el.option(o.name, value=str(o.id)) for o in options), **props)
    return rx.el.select(
        *first, rx.foreach(options, lambda o: rx.el.option(o.name, value=_as_text(o.id))), **props
    )


def _as_text(value: Any) -> Any:
    """An option's value as the browser sends it: a text id as it is (`to_string` would give it
    JSON's quotes, '"5"'), a number as its digits."""
    return value if getattr(value, "_var_type", None) is str else value.to_string()


def text_input(name: str, id_: str, type_: str = "text", **props: Any) -> rx.Component:
    """An `<input>` in the look of the other controls (text, date, time, number...)."""
    extra = props.pop("class_name", "")
    return rx.el.input(name=name, id=id_, type=type_, class_name=f"control {extra}".strip(), **props)


def _radio(
    value: Any, item_value: str, on_change: Callable[..., Any], name: str, **props: Any
) -> rx.Component:
    """One radio button of a group whose chosen value is `value`."""
    return rx.el.input(
        type="radio", name=name, value=item_value, checked=value == item_value, on_change=on_change, **props
    )


def segmented(
    items: list[tuple[str, str]],
    *,
    value: Any,
    on_change: Callable[..., Any],
    id_: str,
    name: str,
) -> rx.Component:
    """A segmented choice of (label, value) items: radio buttons, so keyboards and readers know it."""
    return rx.el.div(
        *[
            rx.el.label(_radio(value, item_value, on_change, name), rx.el.span(label))
            for label, item_value in items
        ],
        role="radiogroup",
        id=id_,
        class_name="segmented",
    )


def radio_choices(
    items: list[tuple[str, str, str]],
    *,
    value: Any,
    on_change: Callable[..., Any],
    name: str,
) -> rx.Component:
    """Radio buttons in a row: (label, value, id) items."""
    return rx.el.div(
        *[
            rx.el.label(_radio(value, item_value, on_change, name, id=item_id), label, class_name="check")
            for label, item_value, item_id in items
        ],
        role="radiogroup",
        class_name="check-row",
    )


def checkbox(label: str, *, checked: Any, on_change: Callable[..., Any], id_: str, name: str) -> rx.Component:
    """A checkbox with its label; on_change receives the new checked state."""
    return rx.el.label(
        rx.el.input(type="checkbox", id=id_, name=name, checked=checked, on_change=on_change),
        label,
        class_name="check",
    )


def field(label: str, control: rx.Component, error: rx.Component) -> rx.Component:
    """A labelled control with its error under it, for the `.form-grid` of a form."""
    return rx.el.div(rx.el.label(label, class_name="field-label"), control, error, class_name="field")
