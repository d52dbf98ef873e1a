"""The security headers as a browser receives them, and the app working under its
Content-Security-Policy: signing in (a full page load asked for by the backend), every owner's page,
and signing out (a form POST) run without one console error. The `new_context` fixture also fails
any browser test whose pages break the policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Error, expect

from tests.e2e.conftest import App, NewContext, make_owner, sign_in, sign_out

pytestmark = pytest.mark.e2e


def _owner_pages() -> list[str]:
    """Every page in an owner's sidebar, as the registry declares them."""
    from studioos.models import Role
    from studioos.pages import registry
    from studioos.services.permissions import ROLE_CAPS

    caps = ROLE_CAPS[Role.OWNER]
    return [page.route for page, _ in registry.sidebar() if page.cap is None or page.cap in caps]


def test_pages_carry_the_headers_and_work_under_the_policy(new_context: NewContext, app: App) -> None:
    page = new_context().new_page()
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    def crashed(error: Error) -> None:
        errors.append(f"{page.url}: {error}")

    page.on("console", console)
    page.on("pageerror", crashed)

    answer = page.goto("/signin")
    assert answer is not None
    headers = answer.headers
    policy = headers["content-security-policy"]
    assert "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    # The app is served over http here: no HSTS.
    assert "strict-transport-security" not in headers

    sign_in(page, make_owner(app, "Headers Studio"))
    pages = _owner_pages()
    assert {"/analytics", "/billing", "/account"} <= set(pages)  # the charts, the Stripe page, 2FA
    for path in pages:
        page.goto(path)
        page.locator("h1").first.wait_for()
    # The API routes answer with the same headers (a download refused: no such export).
    refused = page.request.get(app.url("/api/privacy/exports/999999.zip"))
    assert refused.status == 404
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in refused.headers["content-security-policy"]
    sign_out(page)
    assert errors == []
    # Signing out ends the session, not the browser's cookie choice: no banner asks again.
    consent = {c["name"]: c["value"] for c in page.context.cookies()}.get("studioos_consent")
    assert consent == "essential"
    expect(page.get_by_text("StudioOS uses essential cookies")).to_be_hidden()
