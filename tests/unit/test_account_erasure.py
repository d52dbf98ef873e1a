"""Deleting an account: access ends at once, and after the erasure job nothing names the person
outside the rows the law makes us keep (and there, only the columns the registry keeps)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, select

from studioos.jobs.runner import JOBS
from studioos.models import AccountDeletion, AuthSession, Membership, User
from studioos.services import (
    account_deletion,
    auth,
    consent,
    data_export,
    earnings,
    notifications,
    payroll,
    platforms,
    privacy_choices,
    privacy_registry,
    privacy_requests,
    rooms,
    shift_requests,
    support,
    support_attachments,
    usage,
)
from studioos.services.errors import ServiceError, ValidationFailed
from studioos.services.privacy_registry import Strategy
from tests.factories import (
    CLIENT,
    PASSWORD,
    actor_for,
    book,
    image_bytes,
    make_studio,
    new_performer,
    performer_user,
    sign_in,
)

STAGE, HANDLE, LEGAL = "Zorya", "zorya_cb_77", "Zorya Legal Surname"
ACCOUNT_NAME = "Zorya Account-Holder"


def _world(db: Session) -> dict[str, Any]:
    """A model with data in every kind of table that can name her: account, sessions, sign-ins,
    consent, usage, exports, notifications, model profile, platform account, shifts, a request,
    earnings (with members who tipped her), an adjustment, and the audit trail."""
    studio, owner_user = make_studio(db)
    owner = actor_for(db, owner_user, studio)
    performer_id = new_performer(db, owner, STAGE)
    room = rooms.create_room(db, owner, "Room Z")
    account = platforms.add_account(db, owner, performer_id, "Chaturbate", HANDLE)
    day = owner.today() - timedelta(days=3)
    earnings.enter_running_total(db, owner, account.id or 0, day, "500", "", "")
    payroll.add_adjustment(db, owner, day, performer_id, "bonus", "10", f"Bonus for {STAGE}")
    shift = book(
        db,
        owner,
        {STAGE: performer_id, "Room Z": room.id or 0},
        STAGE,
        "Room Z",
        owner.today() + timedelta(days=7),
        "18:00",
        "22:00",
    )
    db.commit()
    model = performer_user(db, studio, performer_id, name=ACCOUNT_NAME)
    user = db.get_one(User, model.user_id)
    sign_in(db, user)
    shift_requests.request_time_off(db, model, shift.id, f"{STAGE} has an exam")
    browser = CLIENT
    consent.choose(db, browser, analytics=True, user_id=user.id)
    usage.record(db, browser, model, "page_view", "/my-schedule")
    notifications.notify(
        db, studio_id=studio.id or 0, user_ids=[user.id or 0], kind="info", title=f"Hi {ACCOUNT_NAME}"
    )
    export = data_export.request(db, model)
    data_export.build(db, model, export.id or 0)
    # Support: a request naming her with a file named after her, a privacy request, her objection.
    asked = support.open_request(db, model, f"{STAGE} payout", "billing", f"I am {ACCOUNT_NAME}, {HANDLE}.")
    message_id = support_attachments.last_message_id(db, model, asked.id)
    payslip = (f"{STAGE}-payslip.png", image_bytes("PNG"))
    support_attachments.attach(db, model, asked.id, message_id, [payslip])
    privacy_requests.open_privacy_request(db, model, "objection", f"{ACCOUNT_NAME} objects to profiling.")
    privacy_choices.set_analytics_objection(db, model, True)
    db.commit()
    return {"studio": studio, "owner": owner, "model": model, "user": user, "performer_id": performer_id}


def _needles(world: dict[str, Any]) -> list[str]:
    return [world["user"].email, ACCOUNT_NAME, LEGAL, HANDLE, STAGE]


def _leftovers(db: Session, needles: list[str]) -> list[str]:
    """Every table.column whose value still holds one of the needles, outside KEEP columns."""
    found: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        entry = privacy_registry.registry()[table.name]
        for row in db.connection().execute(table_select(table)).mappings().all():
            for name, value in row.items():
                if not isinstance(value, str):
                    continue
                if any(n.lower() in value.lower() for n in needles):
                    kept = entry.columns[name].strategy is Strategy.KEEP
                    if not kept:
                        found.append(f"{table.name}.{name}={value!r}")
    return found


def test_the_erasure_leaves_nothing_that_names_her(db: Session) -> None:
    world = _world(db)
    needles = _needles(world)
    assert _leftovers(db, needles), "the scan must find her before the erasure (or it proves nothing)"

    account_deletion.request(db, world["model"], PASSWORD)
    db.commit()
    # At once: signed out everywhere, sign-in refused, off the team.
    sessions = db.exec(select(AuthSession).where(AuthSession.user_id == world["user"].id)).all()
    assert sessions and all(s.revoked_at is not None for s in sessions)
    with pytest.raises(ServiceError):
        auth.authenticate(db, email=world["user"].email, password=PASSWORD, client=CLIENT)
    assert db.exec(select(Membership).where(Membership.user_id == world["user"].id)).all() == []

    later = datetime.now(UTC) + timedelta(days=30)
    assert JOBS["account-erasure"](db, later) == 1
    db.commit()
    assert _leftovers(db, needles) == []
    # What the law keeps is still there: her earnings and her pay adjustment, under legal hold.
    assert earnings.summary(db, world["owner"], date(2000, 1, 1), world["owner"].today()).tokens == 500
    record = db.exec(select(AccountDeletion)).one()
    assert record.erased_at is not None
    # Run again: nothing more to do.
    assert JOBS["account-erasure"](db, later) == 0


def test_a_wrong_password_or_a_sole_owner_is_refused(db: Session) -> None:
    world = _world(db)
    with pytest.raises(ValidationFailed):
        account_deletion.request(db, world["model"], "not my password")
    with pytest.raises(ValidationFailed) as refused:
        account_deletion.request(db, world["owner"], PASSWORD)
    assert "only owner" in str(refused.value.errors)
    assert db.exec(select(AccountDeletion)).all() == []
