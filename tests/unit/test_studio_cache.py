"""The per-studio cache of the dashboard's figures: served while the studio is unchanged, and never
one studio's or one role's figures to another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from studioos.models import AuditLog, AuthSession, Invitation, Role, Studio, User, utcnow
from studioos.services import attendance, auth, dashboard, performers, shifts, studio_cache, team
from studioos.services.errors import NotFound, PermissionDenied
from studioos.services.permissions import Actor
from tests.factories import (
    actor_for,
    actor_of,
    add_member,
    book,
    make_studio,
    new_performer,
    performer_user,
    setup_studio,
    sign_in,
)


def revision(engine: Engine, studio: Studio) -> int:
    with Session(engine) as fresh:
        found = fresh.exec(select(Studio.revision).where(Studio.id == studio.id)).one()
    return found


def test_a_change_to_the_studio_data_raises_its_revision_and_nobody_elses(
    db: Session, engine: Engine
) -> None:
    a, _, _ = setup_studio(db)
    b, b_owner = make_studio(db, "Studio B")
    before_a, before_b = revision(engine, a), revision(engine, b)
    new_performer(db, actor_for(db, b_owner, b), "Zoe")
    assert revision(engine, b) == before_b + 1
    assert revision(engine, a) == before_a


def test_activity_rows_do_not_empty_the_caches(db: Session, engine: Engine) -> None:
    studio, owner = make_studio(db)
    token = sign_in(db, owner)
    before = revision(engine, studio)
    db.add(AuditLog(studio_id=studio.id, action="test", actor_user_id=owner.id))
    db.commit()
    found = db.exec(select(AuthSession)).first()
    assert found is not None and token
    found.last_seen_at = utcnow()
    db.add(found)
    db.commit()
    assert revision(engine, studio) == before


def test_a_members_sign_in_shows_on_the_dashboard_at_once(db: Session) -> None:
    studio, owner_user = make_studio(db)
    owner = actor_for(db, owner_user, studio)
    manager = add_member(db, studio, Role.MANAGER, name="Mara Manager")
    assert "Mara Manager" not in [s.name for s in dashboard.figures(db, owner).recent_sign_ins]
    sign_in(db, manager)
    db.commit()
    assert dashboard.figures(db, owner).recent_sign_ins[0].name == "Mara Manager"
    # A rename shows too: the person's studios change with them.
    renamed = db.get(User, manager.id)
    assert renamed is not None
    renamed.name = "Mara Renamed"
    db.add(renamed)
    db.commit()
    assert dashboard.figures(db, owner).recent_sign_ins[0].name == "Mara Renamed"


def test_a_rolled_back_change_leaves_the_revision(db: Session, engine: Engine) -> None:
    studio, owner = make_studio(db)
    before = revision(engine, studio)
    add_member(db, studio, Role.ANALYST)
    assert revision(engine, studio) == before + 1
    actor = actor_for(db, owner, studio)
    new = User(email="x@example.com", name="X", password_hash="x")
    db.add(new)
    db.flush()
    studio_row = db.get(Studio, studio.id)
    assert studio_row is not None
    studio_row.name = "Renamed"
    db.flush()
    db.rollback()
    assert revision(engine, studio) == before + 1
    assert actor.studio_id == studio.id


def test_the_session_check_reads_the_revision(db: Session, engine: Engine) -> None:
    studio, owner = make_studio(db)
    actor = actor_of(db, sign_in(db, owner))
    assert actor.studio_revision == revision(engine, studio)


def test_figures_are_served_from_the_cache_until_the_studio_changes(db: Session) -> None:
    _, owner, ids = setup_studio(db)
    today = owner.today()
    first = dashboard.operations(db, owner)
    again = dashboard.operations(db, owner)
    assert first is not None and again is first  # the same object: no recount, no decryption
    assert studio_cache.stats()["hits"] >= 1

    book(db, owner, ids, "Anna", "Room 1", today, "10:00", "16:00")
    db.commit()
    after = dashboard.operations(db, owner)
    assert after is not None and after.shifts_today == first.shifts_today + 1

    new_performer(db, owner, "Dana", doc_expiry=today - timedelta(days=2), today=today - timedelta(days=300))
    later = dashboard.operations(db, owner)
    assert later is not None and later.docs_expired == after.docs_expired + 1


def test_a_check_in_shows_at_once(db: Session) -> None:
    _, owner, ids = setup_studio(db)
    today = owner.today()
    shift = book(db, owner, ids, "Anna", "Room 1", today, "08:00", "20:00")
    db.commit()
    assert (ops := dashboard.operations(db, owner)) is not None and ops.checked_in_today == 0
    attendance.check_in(
        db, owner, shift.id, now=shift.starts_local.replace(tzinfo=owner.zone) + timedelta(minutes=5)
    )
    db.commit()
    assert (ops := dashboard.operations(db, owner)) is not None and ops.checked_in_today == 1


def test_one_studio_never_gets_another_studios_figures(db: Session) -> None:
    a, a_owner, _ = setup_studio(db)
    b, b_user = make_studio(db, "Studio B")
    b_owner = actor_for(db, b_user, b)
    # Fresh studios can share a revision number: the studio is part of the key.
    ops_a = dashboard.operations(db, a_owner)
    ops_b = dashboard.operations(db, b_owner)
    assert ops_a is not None and ops_b is not None
    assert (ops_a.active_models, ops_b.active_models) == (3, 0)
    figs_b = dashboard.figures(db, b_owner)
    assert figs_b.studio_name == "Studio B" and figs_b.team_size == 1
    assert dashboard.figures(db, a_owner).studio_name == a.name


def test_a_role_without_the_right_gets_nothing_from_a_cache_another_role_filled(db: Session) -> None:
    studio, owner, _ = setup_studio(db)
    team.invite(db, owner, email="new.manager@example.com", role=Role.MANAGER)
    db.commit()
    assert dashboard.operations(db, owner) is not None
    owner_figs = dashboard.figures(db, owner)
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    assert dashboard.operations(db, analyst) is None
    figs = dashboard.figures(db, analyst)
    assert figs.pending_invitations is None
    assert all(s.name == analyst.name for s in figs.recent_sign_ins)
    assert owner_figs.pending_invitations == 1


def test_an_uncommitted_change_neither_reads_nor_fills_the_cache(db: Session, engine: Engine) -> None:
    _, owner, _ = setup_studio(db)
    before = dashboard.operations(db, owner)
    assert before is not None
    with Session(engine, expire_on_commit=False) as other:
        new_performer_uncommitted(other, owner, "Uma")
        inside = dashboard.operations(other, owner)
        assert inside is not None and inside.active_models == before.active_models + 1
        other.rollback()
    after = dashboard.operations(db, owner)
    assert after is not None and after.active_models == before.active_models


def new_performer_uncommitted(db: Session, actor: Actor, name: str) -> None:
    from studioos.services.performers import LegalInput, ProfileInput

    performers.create_performer(
        db,
        actor,
        ProfileInput(stage_name=name, status="active", email="", payout_split="60"),
        LegalInput(
            legal_name=f"{name} Surname",
            birth_date=utcnow().date().replace(year=1995),
            doc_type="passport",
            doc_number="P12345678",
            doc_country="RO",
            doc_expiry=utcnow().date() + timedelta(days=900),
        ),
    )
    db.flush()


def test_an_invitation_that_lapses_leaves_the_count_without_any_change(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio, owner = make_studio(db)
    actor = actor_for(db, owner, studio)
    db.add(
        Invitation(
            studio_id=studio.id,
            email="late@example.com",
            role=Role.MANAGER,
            token_hash="h" * 64,
            invited_by_id=owner.id,
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    db.commit()
    assert dashboard.figures(db, actor).pending_invitations == 1
    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(dashboard, "utcnow", lambda: later)
    assert dashboard.figures(db, actor).pending_invitations == 0


def test_a_person_deleted_outright_changes_their_studios(db: Session, engine: Engine) -> None:
    studio, _ = make_studio(db)
    gone = add_member(db, studio, Role.ANALYST)
    before = revision(engine, studio)
    db.delete(db.get(User, gone.id))
    db.commit()
    assert revision(engine, studio) == before + 1


def test_a_session_resolved_actor_uses_the_cache_and_sees_changes(db: Session) -> None:
    studio, owner_user = make_studio(db)
    token = sign_in(db, owner_user)
    first = dashboard.figures(db, actor_of(db, token))
    add_member(db, studio, Role.MANAGER)
    second = dashboard.figures(db, auth.require_actor(db, token))
    assert second.team_size == first.team_size + 1


# ---------------------------------------------------------------- the calendar's rows


def test_the_week_is_served_again_until_a_booking_changes_it(db: Session) -> None:
    _, owner, ids = setup_studio(db)
    today = owner.today()
    book(db, owner, ids, "Anna", "Room 1", today, "10:00", "16:00")
    db.commit()
    first = shifts.room_week(db, owner, ids["Room 1"], today)
    hits = studio_cache.stats()["hits"]
    assert shifts.room_week(db, owner, ids["Room 1"], today).shifts == first.shifts
    assert studio_cache.stats()["hits"] == hits + 1
    book(db, owner, ids, "Bella", "Room 1", today, "17:00", "20:00")
    db.commit()
    names = [s.stage_name for s in shifts.room_week(db, owner, ids["Room 1"], today).shifts]
    assert names == ["Anna", "Bella"]


def test_an_analyst_never_gets_the_document_flag_an_owner_filled(db: Session) -> None:
    studio, owner, ids = setup_studio(db)
    today = owner.today()
    dana = new_performer(
        db, owner, "Dana", doc_expiry=today - timedelta(days=1), today=today - timedelta(days=200)
    )
    ids["Dana"] = dana
    book(db, owner, ids, "Dana", "Room 1", today, "10:00", "16:00")
    db.commit()
    seen_by_owner = shifts.room_week(db, owner, ids["Room 1"], today).shifts
    assert [s.blocked for s in seen_by_owner] == ["Document expired"]
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    seen_by_analyst = shifts.room_week(db, analyst, ids["Room 1"], today).shifts
    assert [s.blocked for s in seen_by_analyst] == [""]


def test_a_model_never_gets_another_models_week_from_the_cache(db: Session) -> None:
    studio, owner, ids = setup_studio(db)
    today = owner.today()
    book(db, owner, ids, "Anna", "Room 1", today, "10:00", "16:00")
    book(db, owner, ids, "Bella", "Room 2", today, "10:00", "16:00")
    db.commit()
    assert [s.stage_name for s in shifts.performer_week(db, owner, ids["Anna"], today).shifts] == ["Anna"]
    bella = performer_user(db, studio, ids["Bella"], name="Bella User")
    # She asks for Anna's week: the service answers with her own, never the cached one of Anna.
    with pytest.raises(NotFound):
        shifts.performer_week(db, bella, ids["Anna"], today)
    assert [s.stage_name for s in shifts.my_week(db, bella, today).shifts] == ["Bella"]
    with pytest.raises(PermissionDenied):
        shifts.room_week(db, bella, ids["Room 1"], today)


def test_another_studio_with_the_same_ids_gets_its_own_week(db: Session) -> None:
    _, owner, ids = setup_studio(db)
    today = owner.today()
    book(db, owner, ids, "Anna", "Room 1", today, "10:00", "16:00")
    db.commit()
    assert len(shifts.room_week(db, owner, ids["Room 1"], today).shifts) == 1
    b, b_user = make_studio(db, "Studio B")
    b_owner = actor_for(db, b_user, b)
    with pytest.raises(NotFound):
        shifts.room_week(db, b_owner, ids["Room 1"], today)


def test_what_was_kept_for_an_older_revision_is_let_go(db: Session) -> None:
    _, owner, ids = setup_studio(db)
    dashboard.operations(db, owner)
    kept = studio_cache.stats()["entries"]
    for hour in ("10:00", "12:00", "14:00"):
        book(db, owner, ids, "Anna", "Room 1", owner.today(), hour, f"{int(hour[:2]) + 1}:00")
        db.commit()
        dashboard.operations(db, owner)
    assert studio_cache.stats()["entries"] == kept


# ---------------------------------------------------------------- earnings and payroll


def _money_studio(db: Session) -> tuple[Studio, Actor, dict[str, int]]:
    from studioos.services import platforms

    studio, owner, ids = setup_studio(db)
    for name, handle in (("Anna", "anna_cb"), ("Bella", "bella_cb")):
        ids[handle] = platforms.add_account(db, owner, ids[name], "Chaturbate", handle).id
    db.commit()
    return studio, owner, ids


def test_earnings_are_served_again_until_a_record_changes_them(db: Session) -> None:
    from studioos.services import earnings

    _, owner, ids = _money_studio(db)
    day = owner.today() - timedelta(days=1)
    earnings.enter_day(db, owner, ids["anna_cb"], day, "100", "", "")
    db.commit()
    first = earnings.summary(db, owner, day, day)
    records = earnings.list_records(db, owner, first=day, last=day)
    assert earnings.summary(db, owner, day, day) is first
    assert earnings.list_records(db, owner, first=day, last=day) is records
    earnings.enter_day(db, owner, ids["bella_cb"], day, "50", "", "")
    db.commit()
    assert earnings.summary(db, owner, day, day).tokens == 150
    assert earnings.list_records(db, owner, first=day, last=day).total == 2


def test_a_model_never_gets_the_studios_earnings_or_payroll_from_the_cache(db: Session) -> None:
    from studioos.services import earnings, payroll

    studio, owner, ids = _money_studio(db)
    day = owner.today() - timedelta(days=1)
    earnings.enter_day(db, owner, ids["anna_cb"], day, "100", "", "")
    earnings.enter_day(db, owner, ids["bella_cb"], day, "50", "", "")
    payroll.add_adjustment(db, owner, day, ids["Bella"], "bonus", "5", "For Bella only")
    db.commit()
    assert earnings.summary(db, owner, day, day).tokens == 150  # the owner fills the caches first
    assert {line.stage_name for line in payroll.payroll(db, owner, day).lines} == {"Anna", "Bella"}
    assert earnings.list_records(db, owner, first=day, last=day).total == 2
    anna = performer_user(db, studio, ids["Anna"])
    assert earnings.summary(db, anna, day, day).tokens == 100
    assert [line.stage_name for line in payroll.payroll(db, anna, day).lines] == ["Anna"]
    assert {r.stage_name for r in earnings.list_records(db, anna, first=day, last=day).rows} == {"Anna"}
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    lines = payroll.payroll(db, analyst, day).lines
    assert [a.note for line in lines for a in line.adjustments] == [""]  # the owner's view had the note
    b, b_user = make_studio(db, "Studio B")
    b_owner = actor_for(db, b_user, b)
    assert earnings.summary(db, b_owner, day, day).tokens == 0
    assert payroll.payroll(db, b_owner, day).lines == []
    assert earnings.list_records(db, b_owner, first=day, last=day).total == 0


def test_each_studio_gets_its_own_accounts_and_pay_periods_from_the_cache(db: Session) -> None:
    from studioos.services import earnings, pay_periods, payroll

    _, owner, _ids = _money_studio(db)
    b, b_user = make_studio(db, "Studio B")
    b_owner = actor_for(db, b_user, b)
    pay_periods.update_settings(db, b_owner, "weekly", "USD")
    db.commit()
    assert {a.handle for a in earnings.entry_accounts(db, owner)} == {"anna_cb", "bella_cb"}
    assert earnings.entry_accounts(db, b_owner) == []
    a_periods, b_periods = payroll.recent_periods(db, owner), payroll.recent_periods(db, b_owner)
    assert all(p.ends_on - p.starts_on == timedelta(days=6) for p in b_periods)
    assert a_periods != b_periods
    today = owner.today()
    assert payroll.period_of(db, b_owner, today).starts_on == today - timedelta(days=today.weekday())
    analyst = actor_for(db, add_member(db, b, Role.ANALYST), b)
    with pytest.raises(PermissionDenied):
        earnings.entry_accounts(db, analyst)
