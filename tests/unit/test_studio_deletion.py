"""Handing a studio over and deleting it: powers move at once, a deleted studio cannot be opened
from the next click on, and after the erasure job nothing of it names anyone outside the rows the
law makes us keep, while every other studio stays exactly as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, col, func, select

from studioos.jobs.compliance import send_document_reminders
from studioos.jobs.runner import JOBS, run_recorded
from studioos.models import (
    AuditLog,
    AuthSession,
    EarningRecord,
    Invitation,
    JobRun,
    Member,
    Membership,
    Payout,
    PayrollAdjustment,
    PayrollPeriod,
    Performer,
    PlatformAccount,
    Role,
    Shift,
    Studio,
    SupportAccessGrant,
    SupportRequest,
    User,
    WeeklyReportSubscription,
    utcnow,
)
from studioos.services import (
    account_deletion,
    auth,
    consent,
    data_export,
    earnings,
    imports,
    members,
    notifications,
    pay_periods,
    payroll,
    performers,
    platforms,
    privacy_registry,
    rates,
    rooms,
    shift_requests,
    studio_deletion,
    support,
    team,
    usage,
)
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.performers import LegalInput, ProfileInput
from studioos.services.permissions import Actor, Cap
from studioos.services.privacy_registry import Strategy
from tests.factories import (
    CLIENT,
    PASSWORD,
    actor_for,
    actor_of,
    add_member,
    book,
    make_studio,
    new_performer,
    performer_user,
    sign_in,
)
from tests.foundation_helpers import body_of, db_snapshot, mails_to, token_in


def _mail(address: str, subject_part: str) -> str:
    """The one mail to `address` whose subject has `subject_part`: its body."""
    found = [m for m in mails_to(address) if subject_part in m["Subject"]]
    assert len(found) == 1, [m["Subject"] for m in mails_to(address)]
    return body_of(found[0])


def _roles(db: Session, studio: Studio) -> dict[int, str]:
    rows = db.exec(select(Membership).where(Membership.studio_id == studio.id)).all()
    return {m.user_id: m.role for m in rows}


# ---------------------------------------------------------------- transfer


def test_the_owner_hands_the_studio_over_and_loses_its_powers_at_once(db: Session) -> None:
    studio, owner_user = make_studio(db, "Studio T")
    manager = add_member(db, studio, Role.MANAGER, name="Mara Manager")
    analyst = add_member(db, studio, Role.ANALYST, name="Ana Analyst")
    model = performer_user(db, studio, new_performer(db, actor_for(db, owner_user, studio), "Tessa"))
    _, stranger = make_studio(db, "Studio X")
    owner_token, manager_token = sign_in(db, owner_user), sign_in(db, manager)
    owner = actor_of(db, owner_token)
    assert owner.can(Cap.STUDIO_DELETE)

    # Managers first, then analysts; never a model, never the owner herself.
    assert studio_deletion.transfer_candidates(db, owner) == [
        (manager.id, f"Mara Manager ({manager.email}) — Manager"),
        (analyst.id, f"Ana Analyst ({analyst.email}) — Analyst"),
    ]
    as_manager = actor_of(db, manager_token)
    with pytest.raises(PermissionDenied):
        studio_deletion.transfer_candidates(db, as_manager)
    with pytest.raises(PermissionDenied):
        studio_deletion.transfer_ownership(db, as_manager, analyst.id or 0, PASSWORD)
    with pytest.raises(ValidationFailed) as refused:
        studio_deletion.transfer_ownership(db, owner, manager.id or 0, "not my password")
    assert set(refused.value.errors) == {"password"}
    # A model, another studio's owner, herself, nobody: refused alike, with no hint who exists.
    for target in (model.user_id, stranger.id or 0, owner_user.id or 0, 987654):
        with pytest.raises(ValidationFailed) as refused:
            studio_deletion.transfer_ownership(db, owner, target, PASSWORD)
        assert refused.value.errors == {"to_user_id": studio_deletion.NOT_A_CANDIDATE}
    assert _roles(db, studio)[owner_user.id or 0] == Role.OWNER

    studio_deletion.transfer_ownership(db, owner, manager.id or 0, PASSWORD)
    db.commit()
    roles = _roles(db, studio)
    assert roles[manager.id or 0] == Role.OWNER and roles[owner_user.id or 0] == Role.MANAGER
    # The old owner's open browser is a manager's from its next click on; the new owner's an owner's.
    now_manager = actor_of(db, owner_token)
    assert now_manager.studio_id == studio.id and now_manager.role == Role.MANAGER
    assert not now_manager.can(Cap.STUDIO_DELETE)
    assert actor_of(db, manager_token).can(Cap.STUDIO_DELETE)
    with pytest.raises(PermissionDenied):
        studio_deletion.request_deletion(db, now_manager, PASSWORD, "Studio T")
    # An actor read before the transfer (a second tab's event) is checked against the membership.
    with pytest.raises(PermissionDenied):
        studio_deletion.transfer_ownership(db, owner, analyst.id or 0, PASSWORD)

    assert "Mara Manager" in _mail(owner_user.email, "You handed Studio T over")
    assert owner_user.name in _mail(manager.email, "You are now the owner of Studio T")
    assert mails_to(analyst.email) == []
    row = db.exec(select(AuditLog).where(AuditLog.action == "studio.transferred")).one()
    assert (row.studio_id, row.actor_user_id, row.target) == (studio.id, owner_user.id, manager.email)
    # No longer the only owner: she may now leave, account and all.
    account_deletion.request(db, now_manager, PASSWORD)


def test_a_sole_owner_deleting_her_account_is_told_the_way_out(db: Session) -> None:
    studio, owner_user = make_studio(db, "Studio S")
    with pytest.raises(ValidationFailed) as refused:
        account_deletion.request(db, actor_for(db, owner_user, studio), PASSWORD)
    assert refused.value.errors == {
        "password": "You are the only owner of Studio S. Transfer the studio to another member or "
        "delete the studio first (Privacy centre)."
    }


# ---------------------------------------------------------------- deletion


def test_deleting_needs_the_owner_her_password_and_the_exact_name(db: Session) -> None:
    studio, owner_user = make_studio(db, "Studio D")
    manager = add_member(db, studio, Role.MANAGER)
    owner = actor_for(db, owner_user, studio)
    with pytest.raises(PermissionDenied):
        studio_deletion.request_deletion(db, actor_for(db, manager, studio), PASSWORD, "Studio D")
    with pytest.raises(ValidationFailed) as refused:
        studio_deletion.request_deletion(db, owner, "not my password", "Studio D")
    assert set(refused.value.errors) == {"password"}
    for typed in ("studio d", "Studio", "Studio D!", ""):
        with pytest.raises(ValidationFailed) as refused:
            studio_deletion.request_deletion(db, owner, PASSWORD, typed)
        assert set(refused.value.errors) == {"confirm_name"}
    db.refresh(studio)
    assert studio.deleted_at is None and len(_roles(db, studio)) == 2

    studio_deletion.request_deletion(db, owner, PASSWORD, "  Studio D ")
    db.commit()
    with pytest.raises(ValidationFailed) as refused:
        studio_deletion.request_deletion(db, owner, PASSWORD, "Studio D")
    assert refused.value.errors == {"confirm_name": studio_deletion.ALREADY_DELETED}


def test_a_deleted_studio_cannot_be_entered_from_the_next_click_on(db: Session) -> None:
    studio, owner_user = make_studio(db, "Studio D")
    other, other_owner = make_studio(db, "Studio E")
    manager = add_member(db, studio, Role.MANAGER, name="Mara Manager")
    db.add(Membership(user_id=manager.id, studio_id=other.id, role=Role.ANALYST))
    analyst = add_member(db, studio, Role.ANALYST, name="Ana Analyst")
    model = performer_user(db, studio, new_performer(db, actor_for(db, owner_user, studio), "Dora"))
    model_user = db.get_one(User, model.user_id)
    tokens = {
        "owner": sign_in(db, owner_user),
        "manager": sign_in(db, manager, studio_id=studio.id),
        "analyst": sign_in(db, analyst),
        "model": sign_in(db, model_user),
    }
    other_token = sign_in(db, other_owner)
    owner = actor_of(db, tokens["owner"])
    team.invite(db, owner, email="dana.invitee@example.com", role=Role.ANALYST)
    invite_link = token_in(mails_to("dana.invitee@example.com")[0], "/invite/")
    # A sign-in under way in another tab: its one-minute code names the studio.
    code = auth.create_handoff(db, analyst, studio.id, client=CLIENT)
    db.commit()

    studio_deletion.request_deletion(db, owner, PASSWORD, "Studio D")
    db.commit()
    for who, token in tokens.items():
        assert auth.resolve_actor(db, token, CLIENT) is None, who
    assert actor_of(db, other_token).studio_id == other.id
    assert _roles(db, studio) == {}
    assert _roles(db, other) == {other_owner.id: Role.OWNER, manager.id: Role.ANALYST}
    db.refresh(studio)
    assert studio.deleted_at is not None and studio.deleted_by_id == owner_user.id
    row = db.exec(select(AuditLog).where(AuditLog.action == "studio.deletion_requested")).one()
    assert (row.studio_id, row.actor_user_id) == (studio.id, owner_user.id)
    with pytest.raises(NotFound):
        team.invitation_info(db, invite_link)
    assert db.exec(select(Invitation).where(Invitation.studio_id == studio.id)).one().revoked_at is not None

    # Every member is told who deleted it and what is kept.
    for user in (owner_user, manager, analyst, model_user):
        body = _mail(user.email, "Studio D was deleted")
        assert f"{owner_user.name} ({owner_user.email}) deleted the studio Studio D" in body
        assert "Within 30 days" in body and "payroll" in body
    assert "Your other studios" in _mail(manager.email, "Studio D was deleted")
    assert "Privacy centre" in _mail(analyst.email, "Studio D was deleted")
    assert mails_to(other_owner.email) == []

    # Signing in again: the manager lands in her other studio...
    again = actor_of(db, sign_in(db, manager))
    assert (again.studio_id, again.role) == (other.id, Role.ANALYST)
    # ...the analyst, with no studio left, in her own account: no studio, no studio powers, but her
    # privacy centre and support work.
    alone = actor_of(db, sign_in(db, analyst))
    assert (alone.studio_id, alone.role, alone.caps) == (None, None, frozenset())
    with pytest.raises(PermissionDenied):
        team.list_members(db, alone)
    data_export.request(db, alone)
    assert support.open_request(db, alone, "My studio is gone", "account", "What about my data?")
    # The sign-in begun before the deletion opens no studio either.
    late = auth.redeem_handoff(db, code, CLIENT)
    assert late is not None and actor_of(db, late).studio_id is None
    # A membership added since (an operator's command, an invitation accepted in the same instant)
    # opens nothing: the studio is deleted.
    db.add(Membership(user_id=analyst.id, studio_id=studio.id, role=Role.MANAGER))
    db.commit()
    assert actor_of(db, sign_in(db, analyst, studio_id=studio.id)).studio_id is None
    # The owner is nobody's sole owner any more: she may delete her own account.
    account_deletion.request(db, actor_of(db, sign_in(db, owner_user)), PASSWORD)


# ---------------------------------------------------------------- erasure


@dataclass(frozen=True)
class World:
    studio: Studio
    owner: Actor
    model: Actor
    performer_id: int
    phone: str
    past_day: date


def _csv(lines: list[tuple[str, int, datetime, str]]) -> bytes:
    rows = ["User,Token change,Timestamp,Note,Transaction type"]
    rows += [f"{who},{tokens},{at.isoformat()},{kind},{kind}" for who, tokens, at, kind in lines]
    return "\r\n".join(rows).encode()


def _world(db: Session, tag: str, studio_name: str, phone: str) -> World:
    """A studio with rows in every kind of table a studio has, each personal value holding `tag`:
    a model (contacts, notes, legal details, an ID document about to expire), her platform account,
    a room and a shift, her time-off request, imported tips from two members (fans) with tags and a
    note, manual earnings, a token value, her pay tiers, a bonus, a locked and a current pay period,
    an open invitation, notifications, usage events, a support request with support's access to the
    studio, and a weekly report subscription."""
    stage = tag.title()
    studio, owner_user = make_studio(db, studio_name)
    owner = actor_for(db, owner_user, studio)
    today = owner.today()
    performer_id = performers.create_performer(
        db,
        owner,
        ProfileInput(
            stage_name=stage,
            status="active",
            email=f"{tag}.model@example.com",
            phone=phone,
            telegram=f"@{tag}_tg",
            payout_split="60",
            notes=f"{stage} prefers late shifts",
        ),
        LegalInput(
            legal_name=f"{stage} Legalname",
            birth_date=date(1998, 4, 23),
            doc_type="passport",
            doc_number="P12345678",
            doc_country="RO",
            doc_expiry=today + timedelta(days=5),
        ),
    ).id
    handle = f"{tag}_cb"
    account = platforms.add_account(db, owner, performer_id, "Chaturbate", handle)
    room = rooms.create_room(db, owner, f"{stage} Suite", notes=f"{stage}'s own room")
    shift = book(
        db,
        owner,
        {stage: performer_id, "room": room.id or 0},
        stage,
        "room",
        today + timedelta(days=7),
        "18:00",
        "22:00",
    )
    rule = pay_periods.rule_for(db, studio.id or 0)
    past = rule.previous(rule.containing(today))
    rates.set_rate(db, owner, "Chaturbate", past.starts_on - timedelta(days=60), "0.05")
    db.commit()

    def at(day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)

    tips = _csv(
        [
            (f"{tag}_fan1", 100, at(past.starts_on, 8), "Tip"),
            (f"{tag}_fan1", 40, at(past.starts_on, 9), "Tip"),
            (f"{tag}_fan2", 30, at(past.starts_on + timedelta(days=1), 10), "Tip"),
        ]
    )
    report = imports.confirm(db, owner, tips, filename=f"{handle}_tokens.csv")
    assert report.rows_refused == 0, report.refused
    fan = db.exec(select(Member).where(Member.studio_id == studio.id, Member.handle == f"{tag}_fan1")).one()
    members.set_tags(db, owner, fan.id, f"{tag}-vip")
    members.add_note(db, owner, fan.id, f"{stage}'s biggest fan")
    earnings.enter_day(db, owner, account.id or 0, past.starts_on + timedelta(days=2), "500", "", "120")
    payroll.set_tiers(db, owner, performer_id, [("0", "55")])
    payroll.add_adjustment(db, owner, past.starts_on, performer_id, "bonus", "10", f"Bonus for {stage}")
    db.commit()
    payroll.lock(db, owner, past.starts_on)
    payroll.add_adjustment(db, owner, today, performer_id, "advance", "5", f"Advance for {stage}")
    team.invite(db, owner, email=f"{tag}.invitee@example.com", role=Role.ANALYST)
    db.commit()

    model = performer_user(db, studio, performer_id, name=f"{studio_name} Model Account")
    shift_requests.request_time_off(db, model, shift.id, f"{stage} has an exam")
    consent.choose(db, CLIENT, analytics=True, user_id=model.user_id)
    usage.record(db, CLIENT, model, "page_view", "/my-schedule")
    notifications.notify(
        db, studio_id=studio.id or 0, user_ids=[model.user_id], kind="info", title=f"Hi {stage}"
    )
    request = support.open_request(db, model, "Payout question", "billing", "When is payday?")
    now = utcnow()
    db.add(
        SupportAccessGrant(
            request_id=request.id,
            studio_id=studio.id or 0,
            granted_by_id=owner.user_id,
            created_at=now,
            expires_at=now + timedelta(days=3),
        )
    )
    db.add(WeeklyReportSubscription(studio_id=studio.id or 0, user_id=owner.user_id))
    db.commit()
    return World(studio, owner, model, performer_id, phone, past.starts_on)


# What only a living studio needs: none of it is left after the erasure.
ERASED = (
    "shift",
    "shiftrequest",
    "room",
    "membernote",
    "importbatch",
    "invitation",
    "notification",
    "membership",
    "supportaccessgrant",
    "weeklyreportsubscription",
    "usageevent",
    "documentreminder",
    "tokenrate",
)


def _studio_tables() -> list[str]:
    return [
        t.name for t in SQLModel.metadata.sorted_tables if "studio_id" in t.columns and t.name != "studio"
    ]


def _rows_of(db: Session, studio_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that belongs to the studio, as plain tuples."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for name in _studio_tables():
        table = SQLModel.metadata.tables[name]
        rows = db.connection().execute(table_select(table).where(table.c.studio_id == studio_id)).all()
        out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def _leftovers(db: Session, needles: list[str]) -> list[str]:
    """Every table.column whose value still holds one of the needles, outside KEEP columns."""
    found: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        entry = privacy_registry.registry()[table.name]
        for row in db.connection().execute(table_select(table)).mappings().all():
            for name, value in row.items():
                if not isinstance(value, str) or entry.columns[name].strategy is Strategy.KEEP:
                    continue
                if any(n.lower() in value.lower() for n in needles):
                    found.append(f"{table.name}.{name}={value!r}")
    return found


def _payroll_figures(db: Session, studio_id: int) -> dict[str, Any]:
    return {
        "payouts": sorted(
            (p.gross_cents, p.model_share_cents, p.adjustments_cents, p.net_cents)
            for p in db.exec(select(Payout).where(Payout.studio_id == studio_id))
        ),
        "adjustments": sorted(
            (a.kind, a.amount_cents)
            for a in db.exec(select(PayrollAdjustment).where(PayrollAdjustment.studio_id == studio_id))
        ),
        "periods": len(db.exec(select(PayrollPeriod).where(PayrollPeriod.studio_id == studio_id)).all()),
        "tokens": db.exec(
            select(func.sum(EarningRecord.tokens)).where(EarningRecord.studio_id == studio_id)
        ).one(),
    }


def test_the_erasure_job_leaves_nothing_of_the_studio_but_what_the_law_keeps(db: Session) -> None:
    gone = _world(db, "zorya", "Studio Z", "+40 721 555 019")
    kept = _world(db, "bozena", "Studio B", "+40 721 555 028")
    # The daily reminder job: her ID document expires in 5 days, her managers are told.
    assert send_document_reminders(db, gone.owner.today()) == 2
    db.commit()
    needles = ["zorya", gone.phone]
    assert len(_leftovers(db, needles)) > 10, "the scan must find her before the erasure"
    figures = _payroll_figures(db, gone.studio.id or 0)
    assert figures["payouts"] and figures["adjustments"] and figures["periods"] == 2
    others = _rows_of(db, kept.studio.id or 0)
    assert all(others[t] for t in (*ERASED, "performer", "member", "payout", "earningrecord", "auditlog"))

    studio_deletion.request_deletion(db, gone.owner, PASSWORD, "Studio Z")
    db.commit()
    grant = db.exec(select(SupportAccessGrant).where(SupportAccessGrant.studio_id == gone.studio.id)).one()
    assert grant.revoked_at is not None
    later = datetime.now(UTC) + timedelta(days=30)
    assert run_recorded("studio-erasure", later) == 1
    db.expire_all()
    run = db.exec(select(JobRun).where(JobRun.job == "studio-erasure")).one()
    assert (run.rows, run.error) == (1, "")

    assert _leftovers(db, needles) == []
    studio = db.get_one(Studio, gone.studio.id)
    assert studio.name == studio_deletion.DELETED_NAME and studio.erased_at is not None
    # What the law keeps is there, with its amounts: payouts, adjustments, earnings, the periods,
    # and the payee's legal name (encrypted, so the scan cannot read it) on her kept profile.
    assert _payroll_figures(db, gone.studio.id or 0) == figures
    performer = db.get_one(Performer, gone.performer_id)
    assert performer.legal_name == "Zorya Legalname" and performer.payout_split == 60
    assert (performer.notes, performer.email, performer.phone, performer.doc_number) == ("", None, None, None)
    assert db.exec(select(PlatformAccount).where(PlatformAccount.studio_id == gone.studio.id)).all()
    # What only the living studio needed is gone: the schedule, notes on fans, the import files'
    # records, invitations, notifications, memberships, support's access.
    gone_rows = _rows_of(db, gone.studio.id or 0)
    assert {t: gone_rows[t] for t in ERASED} == {t: [] for t in ERASED}
    # Rows that outlive the studio lose only their link to it: her support request, her sessions.
    request = db.exec(select(SupportRequest).where(SupportRequest.requester_id == gone.model.user_id)).one()
    assert request.studio_id is None
    assert db.exec(select(AuthSession).where(AuthSession.studio_id == gone.studio.id)).all() == []
    # The audit trail stays (a year), and says the erasure happened.
    erased = db.exec(select(AuditLog).where(AuditLog.action == "studio.erased")).one()
    assert erased.studio_id == gone.studio.id
    assert db.exec(
        select(AuditLog).where(AuditLog.studio_id == gone.studio.id, AuditLog.action == "performer.created")
    ).all()
    # The member accounts stay: they are people's own.
    assert db.get_one(User, gone.model.user_id).deleted_at is None
    # The owner who asked is told it is done.
    assert "Studio Z" in _mail(gone.owner.email, "Studio Z has been erased")

    # The other studio is exactly as it was, row for row.
    assert _rows_of(db, kept.studio.id or 0) == others
    assert db.get_one(Studio, kept.studio.id).name == "Studio B"
    # A second run finds nothing to do and changes nothing.
    before = db_snapshot(db)
    assert JOBS["studio-erasure"](db, later) == 0
    assert db_snapshot(db) == before


def test_a_studio_is_erased_only_once_deleted(db: Session) -> None:
    world = _world(db, "kasia", "Studio K", "+40 721 555 037")
    assert JOBS["studio-erasure"](db, datetime.now(UTC) + timedelta(days=30)) == 0
    assert db.get_one(Studio, world.studio.id).name == "Studio K"
    assert db.exec(select(Shift).where(col(Shift.studio_id) == world.studio.id)).all()
