"""The one way a page's event handler calls the services.

A page state inherits `ServicePage` and marks each handler that reaches the services with
`@service_event` instead of `@rx.event`:

    class RoomsState(ServicePage, rx.State):
        new_errors: dict[str, str] = {}

        def _reload(self) -> None:
            self.rooms = [RoomRow.of(r) for r in self._call(rooms.list_rooms, include_inactive=True)]

        @service_event(errors="new_errors")
        def create(self, form: dict) -> Answer:
            room = self._call(rooms.create_room, form.get("name"), form.get("notes"))
            self._reload()
            return toast.success(f"{room.name} added.")

- `self._call(fn, *args)` runs `fn(db, actor, *args)` in its own unit of work with the actor
  re-checked from the live session (commit on success, roll back on any error); several calls that
  must land together use `with self._acting() as (db, actor):` instead.
- `@service_event` turns what the services raise into what the user sees, the same on every page:
  `ValidationFailed` becomes the form's inline errors (the state var named by `errors`, which is
  cleared when the handler starts) or, for a handler without a form, an error toast;
  `NotSignedIn` sends the tab to the sign-in page and back; `PermissionDenied` and every other
  `ServiceError` become an error toast. Nothing else is caught: a bug still reaches Reflex's
  error handler and the log.
- The guarded reload: a page defines `_reload()` and calls it from decorated handlers only, so a
  reload that fails (signed out meanwhile, the row gone) is reported like any other refusal.
  `PagedTable` and `WeekNav` are built on this mixin, so their paging and week handlers are too.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from studioos.services.errors import NotFound, NotSignedIn, PermissionDenied, ServiceError, ValidationFailed
from studioos.services.permissions import Actor
from studioos.services.reauth import ReauthRequired
from studioos.ui import toast
from studioos.ui.backend import acting, feature_used, sign_in_redirect

log = logging.getLogger("studioos.ui")
P = ParamSpec("P")
R = TypeVar("R")

# What a handler gives back to Reflex: nothing, one event, or several in order.
Answer = EventSpec | Sequence[EventSpec] | None


def service_error_event(exc: ServiceError, path: str = "/dashboard") -> EventSpec:
    """How a page reports a service refusal it did not show inline."""
    if isinstance(exc, NotSignedIn):
        return sign_in_redirect(path)
    if isinstance(exc, ReauthRequired):
        from studioos.ui.reauth import ReauthState  # the dialog's state is built on this module

        return ReauthState.ask()
    if isinstance(exc, PermissionDenied):
        return toast.error("You are not allowed to do that.")
    return toast.error(exc.message)


def form_errors(
    exc: ValidationFailed, *, prefix: str = "", fields: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The refusal's messages keyed by the form's field names (`prefix` + the service's key, or the
    name `fields` maps it to)."""
    rename = fields or {}
    return {prefix + rename.get(key, key): message for key, message in exc.errors.items()}


class ServicePage(rx.State, mixin=True):
    """A page state whose handlers call the services (see the module docstring)."""

    @contextmanager
    def _acting(self) -> Iterator[tuple[Session, Actor]]:
        with acting(self.router) as unit:
            yield unit

    def _call(self, fn: Callable[Concatenate[Session, Actor, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        with acting(self.router) as (db, actor):
            return fn(db, actor, *args, **kwargs)

    def _reload(self) -> None:
        """Refill the page's data from the services; pages with data override it."""


def _answer_for(
    state: rx.State, exc: ServiceError, errors: str | None, prefix: str, fields: Mapping[str, str] | None
) -> Answer:
    if isinstance(exc, ValidationFailed):
        if errors is not None:
            setattr(state, errors, form_errors(exc, prefix=prefix, fields=fields))
            return None
        return toast.error(next(iter(exc.errors.values()), exc.message))
    return service_error_event(exc, state.router.url.path or "/dashboard")


def _guarded(
    handler: Callable[..., Any],
    clear: Callable[[rx.State], None],
    refused: Callable[[rx.State, ServiceError], Answer],
    feature: str = "",
) -> Any:
    """The event function Reflex calls: `clear`, then the handler; a ServiceError goes to `refused`;
    a use of a named `feature` that succeeded is counted (`feature_used`).

    A synchronous handler (every page handler that reaches the services) runs in the database
    thread pool (`_POOL`), never on the worker's event loop: while one tab's unit of work waits on
    the database, the loop goes on answering every other tab. Reflex holds the tab's state lock
    for the whole event, so only this thread touches the state meanwhile. docs/performance.md has
    the measurements behind this choice."""

    def body(self: rx.State, *args: Any, **kwargs: Any) -> Any:
        clear(self)
        try:
            answer = handler(self, *args, **kwargs)
        except ServiceError as exc:
            return refused(self, exc)
        if feature:
            _count_use(self, feature)
        return answer

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def run_async(self: rx.State, *args: Any, **kwargs: Any) -> Any:
            clear(self)
            try:
                answer = await handler(self, *args, **kwargs)
            except ServiceError as exc:
                return await off_loop(refused, self, exc)
            if feature:
                await off_loop(_count_use, self, feature)
            return answer

        return rx.event(run_async)

    @functools.wraps(handler)
    async def run(self: rx.State, *args: Any, **kwargs: Any) -> Any:
        return await off_loop(body, self, *args, **kwargs)

    return rx.event(run)


def _count_use(state: rx.State, feature: str) -> None:
    try:
        feature_used(state.router, feature)
    except Exception:  # counting a use must never turn a done action into an error
        log.exception("usage event for %s not recorded", feature)


# A few threads: the work is short (the caches keep it so) and mostly Python, which holds the
# GIL, so more threads would only take turns; enough that one slow report does not hold the rest.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="studioos-db")


async def off_loop(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """`fn(*args, **kwargs)` in the database thread pool, with the event's context variables."""
    context = contextvars.copy_context()
    call = functools.partial(context.run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_POOL, call)


def db_event(handler: Callable[..., Any]) -> Any:
    """`@rx.event` for a handler that reads the database but reports nothing itself (the session
    check of every page load): run in the database thread pool like the service events."""

    def nothing(_state: rx.State) -> None:
        return None

    def reraise(_state: rx.State, exc: ServiceError) -> Answer:
        raise exc

    return _guarded(handler, nothing, reraise)


def service_event(
    fn: Callable[..., Any] | None = None,
    *,
    errors: str | None = None,
    prefix: str = "",
    fields: Mapping[str, str] | None = None,
    refresh: bool = False,
    feature: str = "",
) -> Any:
    """`@rx.event` for a handler that calls services: refusals become inline errors or a toast.

    errors: the state var (dict[str, str]) that holds this form's inline errors; cleared when the
        handler starts and filled from a ValidationFailed. Without it a ValidationFailed is a toast.
    prefix / fields: how the service's error keys become the form's field names.
    refresh: after a refusal, reload the page's data as well: for actions on rows that someone
        else may have changed meanwhile (a request already decided, a shift cancelled), so the
        screen stops offering what was just refused.
    feature: a feature's name: each use that succeeds is a usage event (with analytics consent).
    """

    def refused(self: rx.State, exc: ServiceError) -> Answer:
        answer = _answer_for(self, exc, errors, prefix, fields)
        if refresh and not isinstance(exc, NotSignedIn):
            with contextlib.suppress(ServiceError):
                self._reload()  # type: ignore[attr-defined]  # every ServicePage has one
        return answer

    def clear(self: rx.State) -> None:
        if errors is not None:
            setattr(self, errors, {})

    def decorate(handler: Callable[..., Any]) -> Any:
        return _guarded(handler, clear, refused, feature)

    return decorate(fn) if fn is not None else decorate


def public_event(
    fn: Callable[..., Any] | None = None,
    *,
    errors: str | None = None,
    message: str = "message",
    summary: bool = False,
    link: str | None = None,
) -> Any:
    """`@rx.event` for a page seen before signing in (sign-in, sign-up, an emailed link), whose
    handler acts as nobody (`anonymous()`): a refusal is written on the page itself, never a toast
    or a trip to the sign-in page, which is where the visitor already is.

    errors: the state var (dict[str, str]) of the form's inline errors, filled from a
        ValidationFailed's field messages.
    message: the state var (str) of the message above the form: the refusal's own words when they
        name no field (throttled, wrong email or password, a browser without cookies, a link that
        no longer works); with `summary`, also above a form whose fields were refused.
    link: the state var (bool) that says the page's emailed link still works; a NotFound clears it.
    The errors and the message are cleared when the handler starts.
    """

    def clear(self: rx.State) -> None:
        if errors is not None:
            setattr(self, errors, {})
        setattr(self, message, "")

    def refused(self: rx.State, exc: ServiceError) -> Answer:
        _write_refusal(self, exc, errors, message, summary, link)
        return None

    def decorate(handler: Callable[..., Any]) -> Any:
        return _guarded(handler, clear, refused)

    return decorate(fn) if fn is not None else decorate


def _write_refusal(
    state: rx.State, exc: ServiceError, errors: str | None, message: str, summary: bool, link: str | None
) -> None:
    # A field message that only repeats the refusal's own words (wrong email or password) is said
    # once, above the form.
    fields = (
        {k: v for k, v in exc.errors.items() if v != exc.message} if isinstance(exc, ValidationFailed) else {}
    )
    if fields and errors is not None:
        setattr(state, errors, fields)
        if summary:
            setattr(state, message, exc.message)
    elif fields:
        setattr(state, message, next(iter(fields.values())))
    else:
        setattr(state, message, exc.message)
    if link is not None and isinstance(exc, NotFound):
        setattr(state, link, False)
