"""GET /api/support/attachments/{id}: the requester's and support's files, to them alone."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fpdf import FPDF
from PIL import Image
from sqlmodel import Session
from starlette.testclient import TestClient

from studioos.api.routes import build_api
from studioos.models import User
from studioos.services import auth, support
from studioos.services import support_attachments as sa
from tests.factories import (
    CLIENT,
    actor_for,
    add_member,
    add_support_user,
    image_bytes,
    make_studio,
    session_cookie,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_api(), follow_redirects=False) as c:
        yield c


def _pdf() -> bytes:
    doc = FPDF()
    doc.set_creation_date(T0)  # the same bytes every time
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(text="Statement")
    return bytes(doc.output())


def test_attachments_are_served_to_the_requester_and_support_only(db: Session, client: TestClient) -> None:
    studio, owner = make_studio(db)
    colleague = add_member(db, studio, "manager")
    other_studio, other_owner = make_studio(db, "Studio B")
    agent = add_support_user(db)
    actor, agent_actor = actor_for(db, owner, studio), actor_for(db, agent)
    rid = support.open_request(db, actor, "Wrong payout", "billing", "Screenshot and statement.").id
    mid = sa.last_message_id(db, actor, rid)
    shot, statement = sa.attach(
        db, actor, rid, mid, [("screen.png", image_bytes("PNG", (40, 30))), ("Выписка.pdf", _pdf())]
    )
    support.reply(db, agent_actor, rid, "Internal: compare with the ledger.", internal=True)
    note = sa.last_message_id(db, agent_actor, rid)
    [ledger] = sa.attach(db, agent_actor, rid, note, [("ledger.pdf", _pdf())])
    db.commit()
    mine = session_cookie(db, owner, studio)

    image = client.get(shot.url, cookies=mine)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.headers["x-content-type-options"] == "nosniff"
    assert image.headers["cache-control"] == "private, no-store"
    assert image.headers["content-disposition"].startswith("inline;")
    assert Image.open(io.BytesIO(image.content)).size == (40, 30)

    pdf = client.get(statement.url, cookies=mine)
    assert pdf.status_code == 200 and pdf.content == _pdf()
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-content-type-options"] == "nosniff"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''%D0%92%D1%8B%D0%BF%D0%B8%D1%81%D0%BA%D0%B0.pdf"
        in pdf.headers["content-disposition"]
    )

    # Signed out: 401, whatever was asked. Anyone else: 404, as if there were no such file.
    assert client.get(shot.url).status_code == 401
    assert client.get(shot.url, cookies={auth.SESSION_COOKIE: "forged"}).status_code == 401
    for stranger in (session_cookie(db, other_owner, other_studio), session_cookie(db, colleague, studio)):
        refused = client.get(shot.url, cookies=stranger)
        assert refused.status_code == 404 and refused.json()["error"]
    assert client.get(ledger.url, cookies=mine).status_code == 404  # on an internal note
    assert client.get("/api/support/attachments/nope", cookies=mine).status_code == 404
    assert client.get(f"/api/support/attachments/{ledger.id + 100}", cookies=mine).status_code == 404

    staff = {auth.SESSION_COOKIE: auth.start_session(db, db.get_one(User, agent.id), None, CLIENT)}
    db.commit()
    for view in (shot, statement, ledger):
        assert client.get(view.url, cookies=staff).status_code == 200
