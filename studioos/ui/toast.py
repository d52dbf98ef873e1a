"""Toasts from event handlers, without `eval`.

`rx.toast.success(...)` returned by a handler reaches the browser as a script string that Reflex
runs through `eval`, which the Content-Security-Policy (studioos.api.security_headers) forbids. A
handler returns `toast.success(...)` from here instead: it sets `ToastState`, and the one
`ToastRelay` on every page (assets/toast_relay.jsx) shows it with the same toaster. (A toast wired
straight to a component's trigger, e.g. `on_drop_rejected=rx.toast.error(...)`, is compiled into
the page as a function and needs no eval: it may stay `rx.toast`.)
"""

from __future__ import annotations

import logging
import secrets

import reflex as rx
from reflex.event import EventSpec

log = logging.getLogger("studioos.ui")


class ToastState(rx.State):
    level: str = ""
    message: str = ""
    nonce: str = ""

    @rx.event
    def show(self, level: str, message: str) -> None:
        self.level, self.message, self.nonce = level, message, secrets.token_hex(8)


class ToastRelay(rx.Component):
    library = "$/public/toast_relay.jsx"
    tag = "ToastRelay"

    level: rx.Var[str]
    message: rx.Var[str]
    nonce: rx.Var[str]


def relay() -> rx.Component:
    s = ToastState
    return ToastRelay.create(level=s.level, message=s.message, nonce=s.nonce)


def backend_exception(exception: Exception) -> EventSpec:
    """The app's answer to a bug in an event handler (rx.App's backend_exception_handler): logged
    with its traceback, and an error toast that says nothing of the internals (Reflex's own handler
    sends its toast as a script to eval)."""
    log.error("an event handler failed", exc_info=exception)
    return error("Something went wrong on our side, and it was logged. Please try again.")


def success(message: str) -> EventSpec:
    return ToastState.show("success", message)


def error(message: str) -> EventSpec:
    return ToastState.show("error", message)


def info(message: str) -> EventSpec:
    return ToastState.show("info", message)


def warning(message: str) -> EventSpec:
    return ToastState.show("warning", message)
