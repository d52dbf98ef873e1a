"""Login CSRF and sign-out CSRF, in real browsers.

- The one-minute hand-off link (/api/auth/complete?code=...) is bound to the browser that
  signed in: sent to a victim, it signs the victim in to nothing.
- Sign-out is a POST from StudioOS's own pages: a plain link or a form on another site signs
  nobody out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.conftest import PASSWORD, App, make_owner, session_cookie, sign_in, wait_hydrated
from tests.local_servers import free_port

pytestmark = pytest.mark.e2e


def test_a_handoff_link_opened_in_another_browser_signs_nobody_in(new_context, app: App) -> None:
    attacker = new_context()
    page = attacker.new_page()
    email = make_owner(app, "Attacker Studio")
    # The attacker signs in to her own account but keeps the hand-off link instead of following it.
    page.route("**/api/auth/complete**", lambda route: route.abort())
    page.goto("/signin")
    wait_hydrated(page)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_request("**/api/auth/complete**") as request:
        page.click("#signin-submit")
    link = request.value.url

    victim = new_context()
    vpage = victim.new_page()
    vpage.goto(link)
    vpage.wait_for_url("**/signin**")
    assert session_cookie(victim) is None
    vpage.goto("/dashboard")
    vpage.wait_for_url("**/signin**")


class _ForeignSite(BaseHTTPRequestHandler):
    """Another origin whose page auto-submits a sign-out form to StudioOS."""

    target = ""

    def do_GET(self) -> None:
        body = (
            f"<html><body><form id=f method=post action='{self.target}/api/auth/signout'></form>"
            "<script>document.getElementById('f').submit()</script></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def foreign_site(app: App) -> Iterator[str]:
    port = free_port()
    handler = type("Handler", (_ForeignSite,), {"target": app.base_url})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}/"
    finally:
        server.shutdown()


def test_a_link_or_a_foreign_page_cannot_sign_anyone_out(new_context, app: App, foreign_site: str) -> None:
    ctx = new_context()
    page = ctx.new_page()
    sign_in(page, make_owner(app, "Victim Studio"))
    cookie = session_cookie(ctx)
    assert cookie

    # A plain link (an <img>, a chat message) to the old GET route.
    page.goto("/api/auth/signout")
    assert session_cookie(ctx) == cookie

    # A foreign page posting a form to StudioOS.
    other = ctx.new_page()
    with other.expect_response("**/api/auth/signout") as answer:
        other.goto(foreign_site)
    assert answer.value.status == 403
    assert session_cookie(ctx) == cookie
    page.goto("/dashboard")
    page.locator("#user-menu").wait_for()
    assert "/dashboard" in page.url
