"""The audit log as a CSV file for the studio's owner, and the platform's own log for support staff."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, delete, select

from studioos.models import AuditLog, Role, User
from studioos.services import audit, canned_replies
from studioos.services.errors import PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import (
    actor_for,
    add_member,
    add_support_user,
    make_studio,
    new_performer,
    performer_user,
)

DAY = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
FIREFOX_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
HEADER = ["Time (UTC)", "Person", "Action", "Action code", "Target", "Detail", "IP address", "Browser"]


@dataclass
class Scene:
    owner: Actor
    manager: Actor
    analyst: Actor
    model: Actor
    other_owner: Actor  # of Studio B
    agent: Actor
    sid: int
    other_sid: int
    manager_id: int


def _log(
    db: Session,
    studio_id: int | None,
    user_id: int | None,
    action: str,
    when: datetime,
    *,
    target: str = "",
    detail: str = "",
    ip: str = "",
    user_agent: str = "",
) -> None:
    db.add(
        AuditLog(
            studio_id=studio_id,
            actor_user_id=user_id,
            action=action,
            created_at=when,
            target=target,
            detail=detail,
            ip=ip,
            user_agent=user_agent,
        )
    )


@pytest.fixture
def scene(db: Session) -> Scene:
    studio, owner = make_studio(db, "Studio A")  # Europe/Bucharest: UTC+2 in winter
    manager = add_member(db, studio, Role.MANAGER, name="Mara Manager")
    analyst = add_member(db, studio, Role.ANALYST, name="Ana Analyst")
    owner_actor = actor_for(db, owner, studio)
    model = performer_user(db, studio, new_performer(db, owner_actor, "Anna"), name="Mia Model")
    other, other_owner = make_studio(db, "Studio B")
    agent = add_support_user(db)
    # Only the rows each test writes.
    db.exec(delete(AuditLog))  # type: ignore[call-overload]
    db.commit()
    return Scene(
        owner=owner_actor,
        manager=actor_for(db, manager, studio),
        analyst=actor_for(db, analyst, studio),
        model=model,
        other_owner=actor_for(db, other_owner, other),
        agent=actor_for(db, agent),
        sid=studio.id or 0,
        other_sid=other.id or 0,
        manager_id=manager.id or 0,
    )


def _rows(db: Session, actor: Actor, **filters: object) -> list[list[str]]:
    """The file's rows under its header. The download's own log row is rolled back, so that one
    export does not show in the next (that row has a test of its own)."""
    _, data = audit.export_csv(db, actor, **filters)  # type: ignore[arg-type]
    db.rollback()
    return _parse(data)[1:]


def _parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- the CSV file ------------------------------------------------------------------------------


def test_the_file_holds_the_studios_entries_with_labels_newest_first(db: Session, scene: Scene) -> None:
    s = scene
    _log(db, s.sid, s.owner.user_id, "signin.succeeded", DAY, target="owner@a.example", ip="203.0.113.10",
         user_agent=FIREFOX_UA)  # fmt: skip
    _log(db, s.sid, s.manager_id, "shift.cancelled", DAY + timedelta(hours=1), target="shift:7", detail="ill")
    _log(db, s.sid, None, "signin.burst_alert", DAY + timedelta(hours=2), detail="Zoë, Ştefan, Юлия")
    _log(db, s.other_sid, s.other_owner.user_id, "signin.succeeded", DAY, target="secret@b.example")
    _log(db, None, s.agent.user_id, "policy.published", DAY, target="platform-only")
    db.commit()

    name, data = audit.export_csv(db, s.owner, now=datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
    assert name == "audit-log-studio-a-2026-12-03.csv"
    rows = _parse(data)
    assert rows[0] == HEADER
    assert rows[1:] == [
        [
            "2026-12-10T14:00:00Z",
            "—",
            "Many failed sign-ins",
            "signin.burst_alert",
            "",
            "Zoë, Ştefan, Юлия",
            "",
            "Unknown browser",
        ],
        [
            "2026-12-10T13:00:00Z",
            "Mara Manager",
            "Shift cancelled",
            "shift.cancelled",
            "shift:7",
            "ill",
            "",
            "Unknown browser",
        ],
        [
            "2026-12-10T12:00:00Z",
            s.owner.name,
            "Signed in",
            "signin.succeeded",
            "owner@a.example",
            "",
            "203.0.113.10",
            "Firefox on Windows (computer)",
        ],
    ]
    assert b"secret@b.example" not in data and b"platform-only" not in data

    # Studio B's owner gets Studio B's rows only.
    _, theirs = audit.export_csv(db, s.other_owner)
    assert [r[4] for r in _parse(theirs)[1:]] == ["secret@b.example"]


def test_the_file_is_named_for_the_studios_local_day(db: Session, scene: Scene) -> None:
    # 23:30 UTC on the 3rd is already the 4th in Bucharest.
    name, _ = audit.export_csv(db, scene.owner, now=datetime(2026, 12, 3, 23, 30, tzinfo=UTC))
    assert name == "audit-log-studio-a-2026-12-04.csv"


def test_the_filters_apply_and_every_match_is_in_the_file(db: Session, scene: Scene) -> None:
    s = scene
    # More than any page holds: the file is every matching entry, not one page of them.
    for i in range(520):
        _log(db, s.sid, s.manager_id, "shift.cancelled", DAY + timedelta(minutes=i), target=f"shift:{i}")
    _log(db, s.sid, s.owner.user_id, "shift_series.cancelled", DAY + timedelta(days=2), target="series")
    _log(db, s.sid, s.owner.user_id, "invitation.sent", DAY + timedelta(days=3), target="nina@example.com")
    # 22:30 UTC on the 13th is the 14th, local time.
    _log(db, s.sid, s.owner.user_id, "member.role_changed", datetime(2026, 12, 13, 22, 30, tzinfo=UTC))
    db.commit()

    everything = _rows(db, s.owner)
    assert len(everything) == 523 and audit.list_entries(db, s.owner)[1] == 523
    assert everything[0][3] == "member.role_changed" and everything[-1][4] == "shift:0"
    schedule = _rows(db, s.owner, kind="schedule")
    assert len(schedule) == 521 and {r[3] for r in schedule} == {"shift.cancelled", "shift_series.cancelled"}
    mine = _rows(db, s.owner, kind="schedule", person_id=s.owner.user_id)
    assert [r[4] for r in mine] == ["series"]
    days = _rows(db, s.owner, first_day=date(2026, 12, 12), last_day=date(2026, 12, 13))
    assert [r[3] for r in days] == ["invitation.sent", "shift_series.cancelled"]
    assert [r[3] for r in _rows(db, s.owner, first_day=date(2026, 12, 14))] == ["member.role_changed"]

    with pytest.raises(ValidationFailed) as unknown_kind:
        audit.export_csv(db, s.owner, kind="everything")
    assert unknown_kind.value.errors == {"kind": "Choose a kind of action from the list."}
    with pytest.raises(ValidationFailed) as backwards:
        audit.export_csv(db, s.owner, first_day=date(2026, 12, 14), last_day=date(2026, 12, 1))
    assert set(backwards.value.errors) == {"last_day"}


def test_cells_a_spreadsheet_would_run_are_written_as_text(db: Session, scene: Scene) -> None:
    s = scene
    db.get(User, s.manager_id).name = '=HYPERLINK("http://evil.example")'  # type: ignore[union-attr]
    db.commit()
    nasty = ["=1+1", "+31 20 555", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    for i, text in enumerate(nasty):
        _log(
            db,
            s.sid,
            s.manager_id,
            "members.note_added",
            DAY + timedelta(minutes=i),
            target=text,
            detail=text,
        )
    _log(
        db, s.sid, s.owner.user_id, "members.note_added", DAY + timedelta(hours=1), target="a=b", detail="x-1"
    )
    db.commit()

    rows = _rows(db, s.owner)
    harmless, *written = rows
    assert (harmless[4], harmless[5]) == ("a=b", "x-1")  # only the first character matters
    assert sorted((r[4], r[5]) for r in written) == sorted((f"'{t}", f"'{t}") for t in nasty)
    assert {r[1] for r in written} == {'\'=HYPERLINK("http://evil.example")'}
    # The time stamps and codes are ours, and stay as they are.
    assert all(r[0].startswith("2026-12-10T") and r[3] == "members.note_added" for r in rows)


def test_who_may_download_the_log(db: Session, scene: Scene) -> None:
    s = scene
    _log(db, s.sid, s.owner.user_id, "invitation.sent", DAY, target="nina@example.com")
    db.commit()
    _, data = audit.export_csv(db, s.manager, kind="team")
    assert [r[4] for r in _parse(data)[1:]] == ["nina@example.com"]
    for actor in (s.analyst, s.model, s.agent):
        with pytest.raises(PermissionDenied):
            audit.export_csv(db, actor)


def test_downloading_the_log_is_itself_logged(db: Session, scene: Scene) -> None:
    s = scene
    _log(db, s.sid, s.owner.user_id, "invitation.sent", DAY, target="nina@example.com")
    db.commit()
    name, data = audit.export_csv(db, s.manager, kind="team", first_day=date(2026, 12, 1))
    db.commit()
    assert b"audit.exported" not in data  # the download is logged after the file is made
    row = db.exec(select(AuditLog).where(AuditLog.action == "audit.exported")).one()
    assert (row.studio_id, row.actor_user_id, row.target, row.ip) == (
        s.sid,
        s.manager.user_id,
        name,
        s.manager.ip,
    )
    assert row.detail == "1 entries; kind=team, from=2026-12-01"
    [entry], _ = audit.list_entries(db, s.owner, kind="privacy")
    assert entry.label == "Audit log downloaded"


# --- the platform's own log --------------------------------------------------------------------


def test_support_sees_only_entries_of_no_studio_paged(db: Session, scene: Scene) -> None:
    s = scene
    for i in range(5):
        _log(db, None, s.agent.user_id, "policy.published", DAY + timedelta(minutes=i), target=f"v{i}")
    _log(db, None, None, "signin.failed", DAY + timedelta(hours=1), target="stranger@example.com")
    _log(
        db, s.sid, s.owner.user_id, "support.access_granted", DAY + timedelta(hours=2), target="studio-a-row"
    )
    _log(db, s.other_sid, None, "signin.burst_alert", DAY + timedelta(hours=3), target="studio-b-row")
    db.commit()

    rows, total = audit.platform_entries(db, s.agent, per_page=4)
    assert total == 6
    assert [r.target for r in rows] == ["stranger@example.com", "v4", "v3", "v2"]
    assert rows[1].actor == "Sam Support" and rows[1].label == "Privacy policy version published"
    page2, total2 = audit.platform_entries(db, s.agent, page=2, per_page=4)
    assert total2 == 6 and [r.target for r in page2] == ["v1", "v0"]
    assert audit.platform_entries(db, s.agent, page=3, per_page=4) == ([], 6)
    assert audit.platform_entries(db, s.agent, page=0, per_page=4)[0] == rows  # page 0 is page 1

    signins, n = audit.platform_entries(db, s.agent, kind="signin")
    assert n == 1 and signins[0].target == "stranger@example.com"
    # Support-kind entries of a studio (access granted by its owner) stay in that studio's log.
    assert audit.platform_entries(db, s.agent, kind="support") == ([], 0)
    with pytest.raises(ValidationFailed):
        audit.platform_entries(db, s.agent, kind="everything")


def test_saved_replies_show_in_the_platform_log(db: Session, scene: Scene) -> None:
    canned_replies.save(db, scene.agent, "Greeting", "Hello {first_name}")
    db.commit()
    rows, total = audit.platform_entries(db, scene.agent, kind="support")
    assert total == 1 and (rows[0].label, rows[0].actor) == ("Saved reply added or changed", "Sam Support")


def test_only_support_staff_see_the_platform_log(db: Session, scene: Scene) -> None:
    _log(db, None, scene.agent.user_id, "policy.published", DAY, target="v1")
    db.commit()
    for actor in (scene.owner, scene.manager, scene.analyst, scene.model, scene.other_owner):
        with pytest.raises(PermissionDenied):
            audit.platform_entries(db, actor)
    # And an owner's own log never shows it.
    assert audit.list_entries(db, scene.owner) == ([], 0)
    assert db.exec(select(AuditLog.id).where(col(AuditLog.studio_id).is_(None))).all()
