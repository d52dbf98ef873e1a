"""The QR code of a two-factor set-up in progress, as an image the account page shows.

GET /api/account/two-factor/qr.svg → the pending secret as a QR code with the key written under it.
POST /api/account/two-factor/recovery-codes.txt → ten new recovery codes, as a file to keep.
An image from a session-checked route rather than data in the page: Reflex state is readable by
others, and the secret is the second factor itself.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# routes.py mounts these routes, so this module reads its helpers as module attributes when a
# request comes (a `from ... import` here would run while routes.py is still being imported).
from studioos.api import routes as api
from studioos.api.cookies import token_from_request
from studioos.db import session_scope
from studioos.models import utcnow
from studioos.services import auth, two_factor
from studioos.services.errors import ServiceError
from studioos.services.formatting import for_actor

QR_PATH = "/api/account/two-factor/qr.svg"
CODES_PATH = "/api/account/two-factor/recovery-codes.txt"
SVG = "image/svg+xml"


def _qr(request: Request) -> bytes:
    with session_scope() as db:
        actor = auth.require_actor(db, token_from_request(request), api.client_of(request))
        return two_factor.enrolment_qr_svg(db, actor)


async def enrolment_qr(request: Request) -> Response:
    try:
        # The database work runs in the thread pool, off the event loop that carries the websockets.
        content = await run_in_threadpool(_qr, request)
    except ServiceError as exc:
        return api.error(exc)
    # Never stored by the browser or a proxy: it is the key to the person's second factor.
    return Response(content, media_type=SVG, headers={"Cache-Control": "no-store"})


def _codes(request: Request) -> bytes:
    with session_scope() as db:
        actor = auth.require_actor(db, token_from_request(request), api.client_of(request))
        codes = two_factor.issue_recovery_codes(db, actor)
        made = for_actor(actor).moment(utcnow())
        return two_factor.recovery_codes_text(actor.email, codes, made).encode()


async def recovery_codes(request: Request) -> Response:
    """POST (a form from the account page): ten new recovery codes as a text file to keep."""
    if not api.same_origin(request):
        return JSONResponse({"error": "This must come from StudioOS's own pages."}, status_code=403)
    try:
        content = await run_in_threadpool(_codes, request)
    except ServiceError as exc:
        return api.error(exc)
    return Response(
        content,
        media_type="text/plain; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": api.content_disposition("studioos-recovery-codes.txt"),
        },
    )


def routes() -> list[Route]:
    return [
        Route(QR_PATH, enrolment_qr, methods=["GET"]),
        Route(CODES_PATH, recovery_codes, methods=["POST"]),
    ]
