"""Retention jobs delete what the policy stops us keeping, and every job run leaves a history row.

Each job is tested at its edge: a row one minute past its period goes, one minute inside it stays,
and a second run deletes nothing. The audit log's one deletion path is held by a source scan.
"""

from __future__ import annotations

import ast
import re
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from studioos.jobs import retention, runner
from studioos.jobs.runner import JOBS, describe_error, run_all_once, run_recorded
from studioos.jobs.scheduler import run_job
from studioos.models import (
    AuditLog,
    AuthSession,
    DataExport,
    Invitation,
    JobRun,
    LoginEvent,
    RequestState,
    Role,
    Studio,
    SupportMessage,
    SupportRequest,
    User,
    UserToken,
    row_id,
    utcnow,
)
from studioos.services import job_history, support
from studioos.services.errors import PermissionDenied
from studioos.services.permissions import Actor
from studioos.services.privacy_registry import AUDIT_HOLD_YEARS
from studioos.settings import get_settings, reset_settings_cache
from tests.factories import actor_for, make_studio

ROOT = Path(__file__).resolve().parents[2]
EDGE = timedelta(minutes=1)


@pytest.fixture
def now() -> datetime:
    return utcnow()


@pytest.fixture
def owner(db: Session) -> Iterator[tuple[Studio, User]]:
    studio, user = make_studio(db)
    db.commit()
    yield studio, user


def _hash() -> str:
    return secrets.token_hex(32)


def _ids(db: Session, model: Any) -> set[int]:
    db.expire_all()
    return set(db.exec(select(model.id)).all())


# --- sessions -------------------------------------------------------------------------------------


def _session(
    db: Session, user: User, *, last_seen: datetime, expires: datetime, revoked: datetime | None
) -> int:
    row = AuthSession(
        user_id=row_id(user),
        token_hash=_hash(),
        created_at=min(last_seen, expires - timedelta(hours=12)),
        last_seen_at=last_seen,
        expires_at=expires,
        revoked_at=revoked,
    )
    db.add(row)
    db.flush()
    return row_id(row)


def test_sessions_that_ended_longer_ago_than_the_period_are_deleted(
    db: Session, owner: tuple[Studio, User], now: datetime
) -> None:
    _, user = owner
    settings = get_settings()
    cutoff = now - timedelta(days=settings.session_retention_days)
    idle = timedelta(minutes=settings.session_idle_minutes)
    assert settings.session_retention_days == 30

    def signed_out(at: datetime) -> int:
        return _session(db, user, last_seen=at, expires=at + timedelta(hours=6), revoked=at)

    def timed_out(at: datetime) -> int:
        # The absolute timeout ends it: seen a minute before its expiry, so idle comes later.
        return _session(db, user, last_seen=at - EDGE, expires=at, revoked=None)

    def idled_out(at: datetime) -> int:
        # The idle timeout ends it: last seen `idle` before `at`, long before its absolute expiry.
        return _session(db, user, last_seen=at - idle, expires=at + timedelta(hours=6), revoked=None)

    gone = {signed_out(cutoff - EDGE), timed_out(cutoff - EDGE), idled_out(cutoff - EDGE)}
    kept = {signed_out(cutoff + EDGE), timed_out(cutoff + EDGE), idled_out(cutoff + EDGE)}
    kept.add(_session(db, user, last_seen=now, expires=now + timedelta(hours=12), revoked=None))  # live
    db.commit()

    assert retention.purge_sessions(db, now) == 3
    db.commit()
    left = _ids(db, AuthSession)
    assert kept <= left and not gone & left
    assert retention.purge_sessions(db, now) == 0


def test_the_session_period_is_a_setting(
    db: Session, owner: tuple[Studio, User], now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, user = owner
    at = now - timedelta(days=3)
    row = _session(db, user, last_seen=at, expires=at + timedelta(hours=6), revoked=at)
    db.commit()
    assert retention.purge_sessions(db, now) == 0
    monkeypatch.setenv("STUDIOOS_SESSION_RETENTION_DAYS", "2")
    reset_settings_cache()
    assert retention.purge_sessions(db, now) == 1
    db.commit()
    assert row not in _ids(db, AuthSession)


# --- links ----------------------------------------------------------------------------------------


def _token(db: Session, user: User, *, expires: datetime, used: datetime | None) -> int:
    row = UserToken(
        user_id=row_id(user),
        purpose="password_reset",
        token_hash=_hash(),
        created_at=min(expires, used or expires) - timedelta(hours=1),
        expires_at=expires,
        used_at=used,
    )
    db.add(row)
    db.flush()
    return row_id(row)


def _invitation(
    db: Session,
    studio: Studio,
    *,
    expires: datetime,
    accepted: datetime | None = None,
    revoked: datetime | None = None,
) -> int:
    row = Invitation(
        studio_id=row_id(studio),
        email=f"invitee-{secrets.token_hex(4)}@example.com",
        role=Role.MANAGER,
        token_hash=_hash(),
        created_at=expires - timedelta(days=7),
        expires_at=expires,
        accepted_at=accepted,
        revoked_at=revoked,
    )
    db.add(row)
    db.flush()
    return row_id(row)


def test_links_that_stopped_working_longer_ago_than_the_period_are_deleted(
    db: Session, owner: tuple[Studio, User], now: datetime
) -> None:
    studio, user = owner
    assert get_settings().link_retention_days == 7
    cutoff = now - timedelta(days=7)
    later = timedelta(days=5)  # a used or withdrawn link would only have expired later

    tokens_gone = {
        _token(db, user, expires=cutoff - EDGE, used=None),
        _token(db, user, expires=cutoff + later, used=cutoff - EDGE),
    }
    tokens_kept = {
        _token(db, user, expires=cutoff + EDGE, used=None),
        _token(db, user, expires=cutoff + later, used=cutoff + EDGE),
        _token(db, user, expires=now + timedelta(hours=1), used=None),  # still works
    }
    invitations_gone = {
        _invitation(db, studio, expires=cutoff - EDGE),
        _invitation(db, studio, expires=cutoff + later, accepted=cutoff - EDGE),
        _invitation(db, studio, expires=cutoff + later, revoked=cutoff - EDGE),
    }
    invitations_kept = {
        _invitation(db, studio, expires=cutoff + EDGE),
        _invitation(db, studio, expires=cutoff + later, accepted=cutoff + EDGE),
        _invitation(db, studio, expires=cutoff + later, revoked=cutoff + EDGE),
        _invitation(db, studio, expires=now + timedelta(days=3)),  # open
    }
    db.commit()

    assert retention.purge_links(db, now) == 5
    db.commit()
    tokens, invitations = _ids(db, UserToken), _ids(db, Invitation)
    assert tokens_kept <= tokens and not tokens_gone & tokens
    assert invitations_kept <= invitations and not invitations_gone & invitations
    assert retention.purge_links(db, now) == 0


# --- sign-in history and the audit log ------------------------------------------------------------


def _login_event(db: Session, at: datetime) -> int:
    row = LoginEvent(email="someone@example.com", ip="203.0.113.9", success=False, created_at=at)
    db.add(row)
    db.flush()
    return row_id(row)


def _audit(db: Session, at: datetime) -> int:
    row = AuditLog(action="signin.failed", target="someone@example.com", created_at=at)
    db.add(row)
    db.flush()
    return row_id(row)


def test_sign_in_history_older_than_the_period_is_deleted(db: Session, now: datetime) -> None:
    assert get_settings().signin_retention_days == 365
    cutoff = now - timedelta(days=365)
    gone, kept = _login_event(db, cutoff - EDGE), _login_event(db, cutoff + EDGE)
    db.commit()
    assert retention.purge_signin_history(db, now) == 1
    db.commit()
    left = _ids(db, LoginEvent)
    assert kept in left and gone not in left
    assert retention.purge_signin_history(db, now) == 0


def test_finished_support_requests_go_after_their_period_with_their_threads(
    db: Session, now: datetime, owner: tuple[Studio, User]
) -> None:
    studio, user = owner
    actor = actor_for(db, user, studio)
    period = timedelta(days=get_settings().support_retention_days)

    def opened(title: str, status: RequestState, last: datetime) -> int:
        row = support.open_request(db, actor, title, "bug", "It broke.", now=last)
        req = db.get(SupportRequest, row.id)
        assert req is not None
        req.status, req.updated_at = status, last
        db.add(req)
        db.commit()
        return row.id

    old_closed = opened("Old and closed", RequestState.CLOSED, now - period - EDGE)
    old_resolved = opened("Old and resolved", RequestState.RESOLVED, now - period - EDGE)
    recent_closed = opened("Closed lately", RequestState.CLOSED, now - period + EDGE)
    old_open = opened("Old but still open", RequestState.WAITING_ON_US, now - period - timedelta(days=300))

    assert retention.purge_support_requests(db, now) == 2
    db.commit()
    left = set(db.exec(select(SupportRequest.id)).all())
    assert left == {recent_closed, old_open}
    assert old_closed not in left and old_resolved not in left
    # The thread went with its request.
    assert not db.exec(
        select(SupportMessage).where(col(SupportMessage.request_id).in_([old_closed, old_resolved]))
    ).all()
    assert retention.purge_support_requests(db, now) == 0


def test_audit_rows_older_than_the_legal_hold_are_deleted(db: Session, now: datetime) -> None:
    # One number for the registry's hold and the job's period.
    assert get_settings().audit_retention_days == AUDIT_HOLD_YEARS * 365
    cutoff = now - timedelta(days=AUDIT_HOLD_YEARS * 365)
    gone, kept = _audit(db, cutoff - EDGE), _audit(db, cutoff + EDGE)
    db.commit()
    assert retention.purge_audit_log(db, now) == 1
    db.commit()
    left = _ids(db, AuditLog)
    assert kept in left and gone not in left
    assert retention.purge_audit_log(db, now) == 0


# --- exports --------------------------------------------------------------------------------------


def _export(db: Session, user: User, expires: datetime | None, *, with_file: bool = True) -> tuple[int, Path]:
    name = f"{secrets.token_hex(16)}.zip.enc"
    path = Path(get_settings().data_dir) / "exports" / name
    if with_file:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"encrypted")
    row = DataExport(user_id=row_id(user), status="ready", file_name=name, size_bytes=9, expires_at=expires)
    db.add(row)
    db.flush()
    return row_id(row), path


def test_expired_exports_are_deleted_with_their_files(
    db: Session, owner: tuple[Studio, User], now: datetime
) -> None:
    _, user = owner
    _, expired_file = _export(db, user, now - EDGE)
    missing, _ = _export(db, user, now - EDGE, with_file=False)  # its file is already gone: fine
    current, current_file = _export(db, user, now + EDGE)
    building, _ = _export(db, user, None, with_file=False)  # no link yet
    db.commit()

    assert retention.purge_exports(db, now) == 2
    db.commit()
    db.expire_all()
    left = set(db.exec(select(DataExport.id)).all())
    assert left == {current, building}
    assert not expired_file.exists() and current_file.exists()
    assert missing not in left
    assert retention.purge_exports(db, now) == 0


def test_an_export_file_name_never_reaches_outside_the_exports_folder() -> None:
    for bad in ("", ".", "..", "../studioos.db", "/etc/passwd", "a/b.zip"):
        assert retention.export_path(bad) is None
    path = retention.export_path("abc.zip.enc")
    assert path == Path(get_settings().data_dir) / "exports" / "abc.zip.enc"


# --- the job history ------------------------------------------------------------------------------


def _runs(db: Session, job: str) -> list[JobRun]:
    db.commit()
    db.expire_all()
    return list(db.exec(select(JobRun).where(JobRun.job == job).order_by(col(JobRun.id))).all())


def test_a_run_is_recorded_with_its_rows(db: Session, now: datetime) -> None:
    _login_event(db, now - timedelta(days=400))
    _login_event(db, now - timedelta(days=401))
    db.commit()
    assert run_recorded("sign-in-history", now) == 2
    [run] = _runs(db, "sign-in-history")
    assert run.rows == 2 and run.error == ""
    assert run.finished_at is not None and run.started_at <= run.finished_at
    # The second run finds nothing, and says so.
    assert run_recorded("sign-in-history", now) == 0
    assert [r.rows for r in _runs(db, "sign-in-history")] == [2, 0]


def test_a_failing_job_is_recorded_with_its_error_and_its_work_rolled_back(
    db: Session, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails_halfway(session: Session, _now: datetime) -> int:
        session.add(LoginEvent(email="half-done@example.com", created_at=_now))
        session.flush()
        # A second line, as a database's DETAIL would carry: it must not reach the history.
        raise RuntimeError("mail server refused\nDETAIL: to=someone@example.com")

    monkeypatch.setitem(JOBS, "fails", fails_halfway)
    with pytest.raises(RuntimeError):
        run_job("fails")  # the scheduler's entry point
    [run] = _runs(db, "fails")
    assert run.error == "RuntimeError: mail server refused"
    assert run.rows == 0 and run.finished_at is not None
    assert db.exec(select(LoginEvent).where(LoginEvent.email == "half-done@example.com")).all() == []


def test_run_all_once_records_every_job_and_goes_on_after_a_failure(
    db: Session, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(_db: Session, _now: datetime) -> int:
        raise ValueError("broken")

    def works(_db: Session, _now: datetime) -> int:
        return 4

    monkeypatch.setattr(runner, "JOBS", {"first": works, "broken": fails, "last": works})
    with pytest.raises(ValueError, match="broken"):
        run_all_once(now)
    assert [(r.rows, r.error) for r in _runs(db, "first")] == [(4, "")]
    assert [(r.rows, r.error) for r in _runs(db, "broken")] == [(0, "ValueError: broken")]
    assert [(r.rows, r.error) for r in _runs(db, "last")] == [(4, "")]


def test_every_job_runs_once_and_is_recorded(db: Session, now: datetime) -> None:
    results = run_all_once(now)
    assert set(results) == set(JOBS)
    for name in JOBS:
        [run] = _runs(db, name)
        assert run.error == "" and run.finished_at is not None


def test_the_error_kept_is_short() -> None:
    assert len(describe_error(RuntimeError("x" * 5000))) == 300
    assert describe_error(KeyError()) == "KeyError"


def _support() -> Actor:
    return Actor(
        user_id=1, email="support@example.com", name="Support", studio_id=None, role=None, is_support=True
    )


def test_recent_runs_are_for_support_staff_newest_first(
    db: Session, owner: tuple[Studio, User], now: datetime
) -> None:
    studio, user = owner
    for minutes, job in [(30, "links"), (20, "sessions"), (10, "links")]:
        started = now - timedelta(minutes=minutes)
        db.add(JobRun(job=job, started_at=started, finished_at=started + EDGE, rows=minutes))
    db.commit()

    with pytest.raises(PermissionDenied):
        job_history.recent_runs(db, actor_for(db, user, studio), None, 10)

    assert [r.rows for r in job_history.recent_runs(db, _support(), None, 10)] == [10, 20, 30]
    assert [r.rows for r in job_history.recent_runs(db, _support(), "links", 10)] == [10, 30]
    assert [r.rows for r in job_history.recent_runs(db, _support(), None, 1)] == [10]


# --- the audit log's one deletion path -----------------------------------------------------------

# The only function in studioos/ that may delete audit rows; none may change one.
AUDIT_DELETE_ALLOWED = {("studioos/jobs/retention.py", "purge_audit_log")}
_MENTIONS_AUDIT = re.compile(r"\bAuditLog\b")
_RAW_SQL = re.compile(r"(?i)\b(delete\s+from|update)\s+[\"'`]?auditlog\b")


def _function_of(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node's enclosing function name ("<module>" at the top level)."""
    owner: dict[ast.AST, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else name
            owner[child] = inner
            visit(child, inner)

    visit(tree, "<module>")
    return owner


def _is_new_row(value: ast.expr) -> bool:
    # AuditLog(...) builds a row to insert: setting its fields before the insert is writing, not changing.
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "AuditLog"


def _bound(target: ast.expr) -> list[str]:
    """The names an assignment binds: `row = ...` and `a, b = ...`, not `row.detail = ...`."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _bound(element)]
    if isinstance(target, ast.Starred):
        return _bound(target.value)
    return []


def _audit_names(tree: ast.AST, owner: dict[ast.AST, str]) -> set[tuple[str, str]]:
    """(function, variable) pairs holding audit rows read from the database (followed through
    assignments and loops until nothing new is found)."""
    bindings: list[tuple[str, ast.expr, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            bindings += [(owner[node], target, node.value) for target in node.targets]
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            bindings.append((owner[node], node.target, node.value))
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            bindings.append((owner[node], node.target, node.iter))
    found: set[tuple[str, str]] = set()
    while True:
        before = len(found)
        for function, target, value in bindings:
            if _is_new_row(value):
                continue
            names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
            if "AuditLog" in names or any((function, n) in found for n in names):
                found |= {(function, name) for name in _bound(target)}
        if len(found) == before:
            return found


def audit_writes(source: str) -> list[tuple[str, int]]:
    """(function, line) of every deletion or change of audit rows in a module's source."""
    tree = ast.parse(source)
    owner = _function_of(tree)
    rows = _audit_names(tree, owner)
    hits: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        function = owner.get(node, "<module>")
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = [ast.unparse(a) for a in [*node.args, *(k.value for k in node.keywords)]]
            receiver = ast.unparse(node.func.value) if isinstance(node.func, ast.Attribute) else ""
            arg_names = {n.id for a in node.args for n in ast.walk(a) if isinstance(n, ast.Name)}
            deletes_or_updates = called in {"delete", "update"} and (
                # delete(AuditLog), update(AuditLog): the bulk statements.
                any(_MENTIONS_AUDIT.search(a) for a in args)
                # db.query(AuditLog)....delete(), AuditLog.__table__.delete()
                or bool(_MENTIONS_AUDIT.search(receiver))
                # db.delete(row) of a row read from the audit log
                or any((function, n) in rows for n in arg_names)
            )
            sets_a_field = (
                called == "setattr"
                and bool(node.args)
                and isinstance(node.args[0], ast.Name)
                and (function, node.args[0].id) in rows
            )
            if deletes_or_updates or sets_a_field:
                hits.append((function, node.lineno))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                base = target.value if isinstance(target, ast.Attribute | ast.Subscript) else None
                if isinstance(base, ast.Name) and (function, base.id) in rows:
                    hits.append((function, node.lineno))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _RAW_SQL.search(node.value):
            hits.append((function, node.lineno))
    return hits


def test_the_scan_catches_each_way_of_deleting_or_changing_an_audit_row() -> None:
    bad = {
        "bulk_delete": "def bulk_delete(db):\n    db.execute(delete(AuditLog).where(AuditLog.id == 1))\n",
        "sa_delete": "def sa_delete(db):\n    db.execute(sa.delete(AuditLog.__table__))\n",
        "query_delete": "def query_delete(db):\n    db.query(AuditLog).filter(AuditLog.id == 1).delete()\n",
        "row_delete": "def row_delete(db):\n    row = db.get(AuditLog, 1)\n    db.delete(row)\n",
        "loop_delete": (
            "def loop_delete(db):\n    rows = db.exec(select(AuditLog)).all()\n"
            "    for r in rows:\n        db.delete(r)\n"
        ),
        "bulk_update": "def bulk_update(db):\n    db.execute(update(AuditLog).values(detail=''))\n",
        "row_update": "def row_update(db):\n    entry = db.get(AuditLog, 1)\n    entry.detail = ''\n",
        "row_setattr": (
            "def row_setattr(db):\n    entry = db.get(AuditLog, 1)\n    setattr(entry, 'ip', '')\n"
        ),
        "raw_sql": "def raw_sql(db):\n    db.execute(text('DELETE FROM auditlog'))\n",
    }
    for name, source in bad.items():
        assert [f for f, _ in audit_writes(source)] == [name], name
    # Writing a new row, and reading old ones, is what the services do: not flagged.
    fine = (
        "def fine(db, user):\n    entry = AuditLog(action='x')\n    entry.detail = 'y'\n    db.add(entry)\n"
        "    rows = db.exec(select(AuditLog)).all()\n    user.name = rows[0].target\n    db.delete(user)\n"
    )
    assert audit_writes(fine) == []


def test_only_the_retention_job_deletes_audit_rows_and_nothing_changes_them() -> None:
    found: set[tuple[str, str]] = set()
    offending: list[str] = []
    for path in sorted((ROOT / "studioos").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for function, line in audit_writes(path.read_text(encoding="utf-8")):
            found.add((relative, function))
            if (relative, function) not in AUDIT_DELETE_ALLOWED:
                offending.append(f"{relative}:{line} in {function}()")
    assert not offending, (
        "Audit rows are deleted or changed outside the audit-retention job: "
        + ", ".join(offending)
        + ". The audit log is append-only; only studioos/jobs/retention.py:purge_audit_log deletes, "
        "after the legal hold (AUDIT_HOLD_YEARS)."
    )
    # The scan sees the one allowed deletion: it is looking in the right place.
    assert found == AUDIT_DELETE_ALLOWED
