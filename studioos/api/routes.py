"""Starlette routes mounted in front of the Reflex app (see studioos.studioos.api_transformer)."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import quote, urlsplit

from reflex.config import get_config
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from studioos.api.cookies import clear_session_cookie, set_session_cookie, token_from_request
from studioos.db import get_engine, session_scope
from studioos.importers.template import template_csv, template_xlsx
from studioos.services import (
    analytics,
    analytics_export,
    audit,
    auth,
    billing_webhooks,
    data_export,
    payroll,
    photos,
    policy,
    statement_files,
    support_attachments,
)
from studioos.services.errors import NotFound, ServiceError
from studioos.services.formatting import for_actor
from studioos.services.permissions import Actor
from studioos.services.validation import parse_id
from studioos.settings import get_settings

log = logging.getLogger("studioos.api")


def forwarded_client_ip(peer: str, forwarded_for: str, trusted_hops: int) -> str:
    """The client's address behind `trusted_hops` reverse proxies, by the rule Reflex applies to
    the websocket (REFLEX_TRUSTED_PROXY_HOPS): X-Forwarded-For is the client's to write, except for
    the entries the trusted proxies appended; with no trusted proxy it is ignored."""
    if trusted_hops <= 0:
        return peer
    hops = [ip.strip() for ip in forwarded_for.split(",") if ip.strip()]
    return hops[-trusted_hops] if len(hops) >= trusted_hops else peer


def client_of(request: Request) -> auth.Client:
    peer = request.client.host if request.client else ""
    hops = int(getattr(get_config(), "trusted_proxy_hops", 0) or 0)
    return auth.Client(
        ip=forwarded_client_ip(peer, request.headers.get("x-forwarded-for", ""), hops)[:64],
        user_agent=request.headers.get("user-agent", "")[:512],
        browser=auth.browser_hash(request.cookies.get(auth.BROWSER_COOKIE, "")),
    )


def same_origin(request: Request) -> bool:
    """A state-changing request must come from our own pages (OWASP: verify the Origin header,
    else the Referer). Browsers send Origin on every POST, so a missing one is refused too."""
    expected = get_settings().origin
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == expected
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    return bool(parts.scheme and parts.netloc) and f"{parts.scheme}://{parts.netloc}" == expected


def safe_next(raw: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths: an open redirect would make our links a phishing tool."""
    if not raw:
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    return raw


async def complete_sign_in(request: Request) -> Response:
    code = request.query_params.get("code", "")
    target = safe_next(request.query_params.get("next"))
    with session_scope() as db:
        token = auth.redeem_handoff(db, code, client_of(request))
        actor = auth.resolve_actor(db, token, touch=False) if token is not None else None
        if actor is not None and actor.studio_id is None and not actor.is_support and target == "/dashboard":
            # No studio left (it was deleted, or they left it): their own account is what remains.
            target = "/account"
        if actor is not None and actor.must_enrol_two_factor:
            # The studio requires two-factor sign-in: set it up before anything else.
            target = "/account?two_factor=required"
        elif actor is not None and policy.pending_acknowledgement(db, actor.user_id) is not None:
            # A material change of the privacy policy is read and acknowledged at the next sign-in.
            target = f"/policy-update?next={quote(target, safe='')}"
    if token is None:
        return RedirectResponse("/signin?expired=1", status_code=303)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, token)
    return response


async def sign_out(request: Request) -> Response:
    """A POST from our own pages only: a plain link or a foreign page signs nobody out."""
    if not same_origin(request):
        return JSONResponse({"error": "Sign-out must come from StudioOS's own pages."}, status_code=403)
    form = await request.form()
    with session_scope() as db:
        auth.sign_out(db, token_from_request(request), client_of(request))
    then = "/signin?reset=1" if form.get("then") == "reset" else "/signin?signed_out=1"
    response = RedirectResponse(then, status_code=303)
    clear_session_cookie(response)
    return response


async def performer_photo(request: Request) -> Response:
    """Photos live outside the public upload folder; every read checks the session and the role."""
    try:
        performer_id = int(request.path_params["performer_id"])
    except (KeyError, ValueError):
        return JSONResponse({"error": "Unknown photo."}, status_code=404)
    try:
        with session_scope() as db:
            actor = auth.require_actor(db, token_from_request(request), client_of(request))
            photo = photos.read_photo(db, actor, performer_id)
    except ServiceError as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status_code)
    return Response(
        photo.content,
        media_type=photo.content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


# ---------------------------------------------------------------- downloads (statements, templates)

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_disposition(filename: str) -> str:
    """attachment with an ASCII name for old clients and the real one (RFC 6266 / 5987) for the rest:
    a header must be Latin-1, and a Cyrillic stage name is not."""
    ascii_name = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in filename
    )
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": content_disposition(filename),
        },
    )


def error(exc: ServiceError) -> Response:
    return JSONResponse({"error": exc.message}, status_code=exc.status_code)


# Pay periods are computed by date arithmetic: a day near year 1 or 9999 would overflow it.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _period_day(request: Request) -> date:
    try:
        day = date.fromisoformat(str(request.path_params["period_start"]))
    except (KeyError, ValueError) as exc:
        raise NotFound("Unknown pay period: give a date like 2026-11-01.") from exc
    if not FIRST_DAY <= day <= LAST_DAY:
        raise NotFound("Unknown pay period: give a date like 2026-11-01.")
    return day


def _performer_id(request: Request) -> int:
    found = parse_id(request.path_params.get("performer_id"))
    if found is None:
        raise NotFound("Unknown model.")
    return found


# The download handlers are plain functions on purpose: Starlette runs them in its thread pool, so
# the database work and the PDF rendering (a ZIP of many models takes a while) never stall the
# event loop that also carries every open page's websocket. Files are rendered after the database
# session is closed: no connection is held while a PDF is drawn.


def _statement(request: Request) -> tuple[payroll.Statement, Actor]:
    """The session is checked before the URL: without one the answer is 401, whatever was asked."""
    with session_scope() as db:
        actor = auth.require_actor(db, token_from_request(request), client_of(request))
        return payroll.statement(db, actor, _period_day(request), _performer_id(request)), actor


def download_statement_pdf(request: Request) -> Response:
    try:
        stmt, actor = _statement(request)
    except ServiceError as exc:
        return error(exc)
    pdf = statement_files.statement_pdf(stmt, for_actor(actor))
    return download(pdf, PDF, statement_files.statement_filename(stmt, "pdf"))


def download_statement_csv(request: Request) -> Response:
    try:
        stmt, actor = _statement(request)
    except ServiceError as exc:
        return error(exc)
    data = statement_files.statement_csv(stmt, for_actor(actor))
    return download(data, CSV, statement_files.statement_filename(stmt, "csv"))


def download_statements_zip(request: Request) -> Response:
    try:
        with session_scope() as db:
            actor = auth.require_actor(db, token_from_request(request), client_of(request))
            day = _period_day(request)
            stmts = payroll.statements(db, actor, day)
    except ServiceError as exc:
        return error(exc)
    fmt = for_actor(actor)
    data = statement_files.statements_zip([(s, statement_files.statement_pdf(s, fmt)) for s in stmts])
    return download(data, ZIP, statement_files.period_filename(stmts, day))


def _analytics(request: Request) -> analytics.Analytics:
    """The Analytics page's figures for the filters in the URL's query, as the session may see
    them (the same service and checks as the page): 401 without a session, 422 for bad filters."""
    with session_scope() as db:
        actor = auth.require_actor(db, token_from_request(request), client_of(request))
        params = {k: str(v)[:80] for k, v in request.query_params.items()}
        return analytics.dashboard(db, actor, analytics.parse_filters(db, actor, params))


def _analytics_name(a: analytics.Analytics, what: str, ext: str) -> str:
    f = a.filters
    return f"analytics-{what}-{f.first_day.isoformat()}-{f.last_day.isoformat()}.{ext}"


def download_analytics_csv(request: Request) -> Response:
    chart = str(request.path_params.get("chart", ""))
    if chart not in analytics_export.CHARTS:
        return JSONResponse({"error": "There is no such chart on this page."}, status_code=404)
    try:
        found = _analytics(request)
    except ServiceError as exc:
        return error(exc)
    data = analytics_export.chart_csv(found, chart).encode("utf-8")
    return download(data, CSV, _analytics_name(found, chart.replace("_", "-"), "csv"))


def download_analytics_xlsx(request: Request) -> Response:
    try:
        found = _analytics(request)
    except ServiceError as exc:
        return error(exc)
    return download(analytics_export.workbook_xlsx(found), XLSX, _analytics_name(found, "all", "xlsx"))


def _query_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def download_audit_csv(request: Request) -> Response:
    """The studio's audit log as CSV, with the page's filters in the query (every matching entry,
    not one page); the export itself is logged by the service."""
    q = request.query_params
    try:
        with session_scope() as db:
            actor = auth.require_actor(db, token_from_request(request), client_of(request))
            name, data = audit.export_csv(
                db,
                actor,
                kind=str(q.get("kind", ""))[:32],
                person_id=parse_id(q.get("person")),
                first_day=_query_day(q.get("from")),
                last_day=_query_day(q.get("to")),
            )
    except ServiceError as exc:
        return error(exc)
    return download(data, CSV, name)


def _import_rights(request: Request) -> None:
    with session_scope() as db:
        actor = auth.require_actor(db, token_from_request(request), client_of(request))
    statement_files.require_import_rights(actor)


def download_import_template_csv(request: Request) -> Response:
    try:
        _import_rights(request)
    except ServiceError as exc:
        return error(exc)
    return download(template_csv(), CSV, "studioos-earnings-template.csv")


def download_import_template_xlsx(request: Request) -> Response:
    try:
        _import_rights(request)
    except ServiceError as exc:
        return error(exc)
    return download(template_xlsx(), XLSX, "studioos-earnings-template.xlsx")


def download_data_export(request: Request) -> Response:
    """The person's own copy of their data, while its link is valid (410 after 7 days)."""
    try:
        export_id = parse_id(request.path_params.get("export_id"))
        with session_scope() as db:
            actor = auth.require_actor(db, token_from_request(request), client_of(request))
            if export_id is None:
                raise NotFound("No such copy of your data.")
            name, content = data_export.download(db, actor, export_id)
    except ServiceError as exc:
        return error(exc)
    return download(content, ZIP, name)


def download_support_attachment(request: Request) -> Response:
    """A file on a support message, for its requester (not on an internal note) or support staff.

    Only types the service checked are ever served: images inline, PDFs as a download; never as
    anything a browser would run (nosniff keeps it from guessing otherwise)."""
    try:
        attachment_id = parse_id(request.path_params.get("attachment_id"))
        with session_scope() as db:
            actor = auth.require_actor(db, token_from_request(request), client_of(request))
            if attachment_id is None:
                raise NotFound()
            name, media_type, content = support_attachments.open_attachment(db, actor, attachment_id)
    except ServiceError as exc:
        return error(exc)
    response = download(content, media_type, name)
    if media_type in support_attachments.IMAGE_TYPES:
        response.headers["Content-Disposition"] = "inline" + content_disposition(name).removeprefix(
            "attachment"
        )
    return response


async def billing_webhook(request: Request) -> Response:
    """Stripe's webhook. No session, cookie or Origin check: Stripe's signature over the raw body
    is the proof (checked by the service); the body is read as bytes, never re-encoded."""
    too_large = JSONResponse({"error": "Not a Stripe event."}, status_code=413)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > billing_webhooks.MAX_BODY_BYTES:
        return too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # a body without a length is cut off at the limit too
        size += len(chunk)
        if size > billing_webhooks.MAX_BODY_BYTES:
            return too_large
        chunks.append(chunk)
    payload = b"".join(chunks)
    header = request.headers.get(billing_webhooks.SIGNATURE_HEADER)

    def handle() -> billing_webhooks.WebhookOutcome:
        with session_scope() as db:
            return billing_webhooks.handle(db, payload, header)

    # The database work runs in the thread pool, off the event loop that carries the websockets.
    result = await run_in_threadpool(handle)
    if result.status_code != 200:
        return JSONResponse({"error": result.reason}, status_code=result.status_code)
    return JSONResponse({"received": True, "outcome": result.outcome})


async def healthz(_request: Request) -> Response:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        log.exception("health check failed")
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def build_api() -> Starlette:
    # Imported here: they read this module's helpers (client_of, error, safe_next) as attributes.
    from studioos.api import oidc_routes, two_factor_routes

    return Starlette(
        routes=[
            *oidc_routes.routes(),
            *two_factor_routes.routes(),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/api/auth/complete", complete_sign_in, methods=["GET"]),
            Route("/api/auth/signout", sign_out, methods=["POST"]),
            Route("/api/photos/{performer_id}", performer_photo, methods=["GET"]),
            Route(
                "/api/statements/{period_start}/{performer_id}.pdf", download_statement_pdf, methods=["GET"]
            ),
            Route(
                "/api/statements/{period_start}/{performer_id}.csv", download_statement_csv, methods=["GET"]
            ),
            Route("/api/statements/{period_start}.zip", download_statements_zip, methods=["GET"]),
            Route("/api/analytics/export.xlsx", download_analytics_xlsx, methods=["GET"]),
            Route("/api/audit/export.csv", download_audit_csv, methods=["GET"]),
            Route("/api/analytics/{chart}.csv", download_analytics_csv, methods=["GET"]),
            Route("/api/privacy/exports/{export_id}.zip", download_data_export, methods=["GET"]),
            Route("/api/support/attachments/{attachment_id}", download_support_attachment, methods=["GET"]),
            Route("/api/imports/template.csv", download_import_template_csv, methods=["GET"]),
            Route("/api/imports/template.xlsx", download_import_template_xlsx, methods=["GET"]),
            Route("/api/billing/webhook", billing_webhook, methods=["POST"]),
        ]
    )
