"""Page state is a cache others can read: bind it to its session, and seal what is personal.

Reflex keeps every page state in a store (pickles on disk, Redis in production) under the
tab's client token, and a hydrate sends a token's state to whoever presents that token. So:

- each tab's states are bound to the session that filled them (a keyed fingerprint of the
  session token, which signs nobody in): an event or hydrate arriving with another session,
  or none, finds every page state blanked first;
- vars holding decrypted personal data are sealed (Fernet, the field-encryption keys) when the
  state is written to the store, and opened when it is read back.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import pickle
from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple

import reflex as rx
from reflex.middleware import Middleware

from studioos import crypto
from studioos.settings import get_settings
from studioos.ui.backend import token_of

APP_PACKAGE = "studioos."


def session_fingerprint(token: str) -> str:
    """Which session filled a state: keyed and one-way, so the store's copy signs nobody in."""
    if not token:
        return ""
    return _fingerprint(get_settings().secret_key, token)


@functools.lru_cache(maxsize=4096)
def _fingerprint(secret: str, token: str) -> str:
    # Every event of a tab asks again for the same token; the live sockets hold the tokens anyway.
    return hmac.new(secret.encode(), b"state-binding|" + token.encode(), hashlib.sha256).hexdigest()[:32]


class SessionBinding(rx.State):
    """The fingerprint of the session this tab's page states belong to."""

    _fingerprint: str = ""
    # Set by the first event of the tab. Before it no event has run, so every state still holds
    # its defaults and there is nothing to blank: a new tab skips loading and resetting every page
    # state of the app (measured: most of a page's first load on the server).
    _bound: bool = False


@functools.cache
def app_state_classes() -> tuple[type[rx.State], ...]:
    """Every page and shell state of StudioOS (not Reflex's internal ones); the tree is fixed
    once the app is imported, so it is walked once."""
    found: list[type[rx.State]] = []
    pending = list(rx.State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if cls.__module__.startswith(APP_PACKAGE) and cls is not SessionBinding:
            found.append(cls)
    return tuple(sorted(found, key=lambda c: c.get_full_name()))


async def blank_page_states(state: Any) -> None:
    """Reset every StudioOS state of this tab, loaded or not (sign-out, another session), but a
    state that holds the browser's own choice rather than anything of the session
    (`kept_across_sessions`): resetting the cookie choice would write an empty cookie and ask
    again on the next page."""
    for cls in app_state_classes():
        if getattr(cls, "kept_across_sessions", False):
            continue
        substate = await state.get_state(cls)
        substate.reset()


class SessionBindingMiddleware(Middleware):
    """Runs before every event, the hydrate included (installed first, ahead of Reflex's own)."""

    async def preprocess(self, app: Any, state: Any, event: Any) -> None:
        current = session_fingerprint(token_of(state.router))
        binding = await state.get_state(SessionBinding)
        if binding._fingerprint != current:
            if binding._bound or binding._fingerprint:
                await blank_page_states(state)
            binding._fingerprint = current
        if not binding._bound:
            binding._bound = True
        return None


async def client_token_session(app: Any, client_token: str) -> str:
    """The session fingerprint a tab's states are bound to, read from the state store."""
    from reflex.istate.manager.token import BaseStateToken

    manager = app.state_manager
    binding = await manager.get_state(BaseStateToken(ident=client_token, cls=SessionBinding))
    found = await binding.get_state(SessionBinding)
    return found._fingerprint


# --- sealed vars ------------------------------------------------------------------------------


class Sealed(NamedTuple):
    """A var's value as the state store holds it: Fernet ciphertext of its pickle."""

    blob: bytes


def seal_fields(fields: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    sealed = dict(fields)
    for name in names:
        if name in sealed and not isinstance(sealed[name], Sealed):
            sealed[name] = Sealed(crypto.fernet().encrypt(pickle.dumps(sealed[name])))
    return sealed


def unseal_fields(fields: dict[str, Any]) -> dict[str, Any]:
    opened = dict(fields)
    for name, value in fields.items():
        if isinstance(value, Sealed):
            # Authenticated by Fernet under our own key: only StudioOS wrote this pickle.
            opened[name] = pickle.loads(crypto.fernet().decrypt(value.blob))  # noqa: S301  # nosec B301  # Fernet-authenticated, ours
    return opened


class SealedVars:
    """Mix into a page state and name its personal vars in `_sealed`; they never rest in clear.

    Example: `class DocumentsTab(PerformerDetailState): _sealed = ("legal",)`; a substate names
    only its own vars (the model page's state seals "profile", its Documents tab "legal").
    """

    _sealed: ClassVar[tuple[str, ...]] = ()

    def __getstate__(self) -> dict[str, Any]:
        return seal_fields(super().__getstate__(), type(self)._sealed)  # type: ignore[misc]

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(unseal_fields(state))  # type: ignore[misc]


# --- uploads ------------------------------------------------------------------------------------


def upload_check(app: Any) -> Any:
    """studioos.api.guard's check: the upload request's own session cookie must be live and be
    the session this tab's states belong to (not just any holder of the client token)."""
    from starlette.concurrency import run_in_threadpool

    from studioos.db import session_scope
    from studioos.services import auth

    def live(token: str) -> bool:
        with session_scope() as db:
            return auth.resolve_actor(db, token, touch=False) is not None

    async def check(token: str, client_token: str) -> int:
        if not await run_in_threadpool(live, token):
            return 401
        if not client_token or not hmac.compare_digest(
            await client_token_session(app, client_token), session_fingerprint(token)
        ):
            return 403
        return 200

    return check
