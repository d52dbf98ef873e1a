"""Building blocks every page uses: headers, form fields, empty states, tables, pager."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studioos.ui.format import date_echo, date_echo_handler


def page_header(
    title: str | rx.Var[str], subtitle: str | rx.Var[str] = "", *actions: rx.Component
) -> rx.Component:
    # The building blocks every page draws are plain elements with the stylesheet's classes
    # (assets/styles.css): a Radix Themes layout component is several React components and an
    # emotion style each, and a page load mounts dozens of them.
    return rx.el.div(
        rx.el.div(
            rx.el.h1(title, class_name="page-title"),
            rx.cond(subtitle != "", rx.el.p(subtitle, class_name="page-subtitle"), rx.fragment()),
            class_name="page-title-block",
        ),
        *actions,
        class_name="page-header",
    )


def field_error(errors: Any, name: str, field_id: str | None = None) -> rx.Component:
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], color_scheme="red", size="1", id=f"error-{field_id or name}", role="alert"),
        rx.fragment(),
    )


def form_field(
    label: str,
    name: str,
    errors: Any,
    *,
    type: str = "text",
    placeholder: str = "",
    default_value: Any = None,
    hint: str = "",
    max_length: int | None = None,
    auto_complete: str | None = None,
    field_id: str | None = None,
) -> rx.Component:
    # field_id: when two forms on one page post the same field name, their ids must still differ.
    field_id = field_id or name
    props: dict[str, Any] = {"name": name, "id": field_id, "type": type, "placeholder": placeholder}
    if default_value is not None:
        props["default_value"] = default_value
    if max_length is not None:
        props["max_length"] = max_length
    if auto_complete is not None:
        props["auto_complete"] = auto_complete
    if type == "date":
        # The browser draws the picker in its own language; the studio's way is written under it.
        props["on_change"] = date_echo_handler(field_id)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.input(**props, width="100%", size="3", color_scheme=rx.cond(errors.contains(name), "red", "gray")),
        date_echo(field_id) if type == "date" else rx.fragment(),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray"), rx.fragment()),
        field_error(errors, name, field_id),
        spacing="1",
        width="100%",
        align="start",
    )


def select_field(label: str, name: str, options: Any, errors: Any, default_value: Any = None) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="field-label"),
        rx.select(options, name=name, id=name, default_value=default_value, width="100%", size="3"),
        field_error(errors, name),
        spacing="1",
        width="100%",
        align="start",
    )


def form_message(message: Any, kind: str = "red") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle-alert" if kind == "red" else "info",
            color_scheme=kind,
            width="100%",
            id="form-message",
        ),
        rx.fragment(),
    )


def empty_state(icon: str, title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.el.div(
        rx.icon(icon, size=36, class_name="empty-icon"),
        rx.el.h2(title, class_name="empty-title"),
        rx.el.p(text, class_name="empty-text"),
        *actions,
        class_name="empty-state",
    )


def card(*children: rx.Component, **props: Any) -> rx.Component:
    class_name = f"card {props.pop('class_name', '')}".strip()
    return rx.el.div(*children, class_name=class_name, **props)


def stat_card(label: str, value: Any, icon: str, hint: Any = "") -> rx.Component:
    return rx.el.div(
        rx.el.div(rx.icon(icon, size=22), class_name="stat-icon"),
        rx.el.div(
            rx.el.span(label, class_name="stat-label"),
            rx.el.span(value, class_name="stat-value"),
            rx.cond(hint != "", rx.el.span(hint, class_name="stat-hint"), rx.fragment()),
            class_name="stat-text",
        ),
        class_name="card stat-card",
    )


def sort_header(label: str, key: str, state: Any) -> rx.Component:
    """A column header that sorts by `key` and shows the direction."""
    return rx.table.column_header_cell(
        rx.hstack(
            rx.text(label),
            rx.cond(
                state.sort_key == key,
                # Two fixed icons, not one icon whose name is a var: a var name makes the page load
                # the map of every Lucide icon (240 KB of JavaScript) to pick one at run time.
                rx.cond(state.sort_desc, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
                rx.icon("arrow-up-down", size=14, opacity="0.35"),
            ),
            spacing="1",
            align="center",
            cursor="pointer",
            on_click=state.sort_by(key),
        ),
        # A phone's stacked table keeps this header row: it is how the list is sorted there.
        class_name="sort-header",
    )


def pager(state: Any) -> rx.Component:
    return rx.hstack(
        rx.text(state.page_label, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            variant="soft",
            size="1",
            disabled=state.page <= 0,
            on_click=state.prev_page,
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            variant="soft",
            size="1",
            disabled=~state.has_next,
            on_click=state.next_page,
        ),
        width="100%",
        align="center",
        padding_top="0.75rem",
    )


def notice_panel(
    *, icon: str, color: str, title: str, title_id: str, text: str, action: rx.Component
) -> rx.Component:
    """A page-wide message inside the shell: what happened, and the way on."""
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=44, color=rx.color(color, 9)),
            rx.heading(title, size="6", id=title_id),
            rx.text(text, color_scheme="gray", text_align="center", max_width="26rem"),
            action,
            align="center",
            spacing="3",
        ),
        padding=rx.breakpoints(initial="2rem 0.5rem", sm="4rem"),
        width="100%",
    )


def not_allowed() -> rx.Component:
    return notice_panel(
        icon="shield-x",
        color="red",
        title="Not allowed",
        title_id="not-allowed",
        text="Your role does not give access to this page. Ask an owner of your studio if you need it.",
        action=rx.link(rx.button("Back to the dashboard", variant="soft"), href="/dashboard"),
    )


def confirm_dialog(
    trigger: rx.Component | None,
    title: Any,
    description: Any,
    confirm_label: Any,
    on_confirm: Any,
    *,
    details: rx.Component | None = None,
    color_scheme: str = "red",
    cancel_label: Any = "Cancel",
    open_: Any = None,
    on_open_change: Any = None,
    id_: str = "confirm-dialog",
    submits: str = "",
) -> rx.Component:
    """Ask before a destructive action: what will happen, Cancel, and a (red) confirm button.

    `submits` names a form (its id) that the confirm button submits, by the HTML `form` attribute:
    the form's own on_submit runs with its fields, and no script is needed (the CSP allows none
    that is evaluated at run time). `on_confirm` is then None.

    With a `trigger` (the button the user clicks) the dialog opens by itself; without one the state
    opens it (`open_`, `on_open_change`), e.g. after a service asked for a confirmation. Nothing
    happens unless the confirm button is pressed; Cancel, Escape and the overlay just close it.
    """
    control = {} if open_ is None else {"open": open_, "on_open_change": on_open_change}
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger) if trigger is not None else rx.fragment(),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            details if details is not None else rx.fragment(),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(cancel_label, variant="soft", color_scheme="gray", id=f"{id_}-cancel")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        confirm_label,
                        color_scheme=color_scheme,
                        id=f"{id_}-confirm",
                        **(
                            {"type": "submit", "custom_attrs": {"form": submits}}
                            if submits
                            else {"on_click": on_confirm}
                        ),
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="30rem",
            id=id_,
        ),
        **control,
    )


def download_link(child: Any, href: Any, **props: Any) -> rx.Component:
    """A link to a file the server sends (a statement, a template): the browser fetches it
    (`reload_document`), instead of the router treating the path as a page of the app."""
    return rx.link(rx.el.a(child, href=href, download="", reload_document=True), as_child=True, **props)
