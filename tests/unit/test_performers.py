"""Models (performers): validation, list, role-shaped DTOs, audit of legal views, platform accounts."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from studioos.models import AuditLog, Membership, PerformerStatus, Role, Studio, User
from studioos.services import performers, platforms
from studioos.services.errors import PermissionDenied, ValidationFailed
from studioos.services.formatting import day_text
from studioos.services.performers import LegalInput, PerformerRow, PerformerStageRow, ProfileInput
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, make_studio, new_performer, performer_user

# A fixed reference day for the age rule; it is passed to the service as "today", never compared
# with the real date.
TODAY = date(2026, 6, 15)

Owner = tuple[Studio, User, Actor]


@pytest.fixture
def owner(db: Session) -> Owner:
    studio, user = make_studio(db)
    return studio, user, actor_for(db, user, studio)


def test_create_and_read_back(db: Session, owner: Owner) -> None:
    _studio, _, actor = owner
    pid = new_performer(db, actor, "Anna", email="Anna@Example.com")
    detail = performers.get_performer(db, actor, pid)
    assert isinstance(detail, performers.PerformerDetail)
    assert detail.stage_name == "Anna"
    assert detail.email == "anna@example.com"
    assert detail.payout_split == Decimal("60.00")
    legal = performers.get_legal(db, actor, pid)
    assert legal.legal_name == "Anna Legal Surname"
    assert legal.birth_date == date(1998, 4, 23)
    assert legal.doc_country == "RO"


def test_must_be_adult_on_the_day_entered(db: Session, owner: Owner) -> None:
    _, _, actor = owner
    birth = date(TODAY.year - 18, TODAY.month, TODAY.day + 1)  # turns 18 tomorrow
    # Her document's expiry is dated from the same fixed day (the service bounds it by that day).
    expiry = TODAY + timedelta(days=365)
    with pytest.raises(ValidationFailed) as err:
        new_performer(db, actor, "Young", birth_date=birth, doc_expiry=expiry, today=TODAY)
    message = err.value.errors["birth_date"]
    assert (
        "at least 18" in message
        and "17" in message
        and day_text(birth.replace(year=birth.year + 18)) in message
        and f"17 on {day_text(TODAY)}" in message
        and "-" not in message  # no ISO dates in what people read
    )
    # Exactly 18 today is fine.
    new_performer(db, actor, "Adult", birth_date=birth - timedelta(days=1), doc_expiry=expiry, today=TODAY)


def test_field_validation_messages(db: Session, owner: Owner) -> None:
    _, _, actor = owner
    with pytest.raises(ValidationFailed) as err:
        performers.create_performer(
            db,
            actor,
            ProfileInput(stage_name="", status="retired", phone="abc", telegram="@x", payout_split="100.5"),
            LegalInput(legal_name="", birth_date="23/04/1998", doc_number="X1", doc_country="Romania"),
        )
    errors = err.value.errors
    assert set(errors) == {
        "stage_name",
        "status",
        "phone",
        "telegram",
        "payout_split",
        "legal_name",
        "birth_date",
        "doc_type",
        "doc_country",
    }
    assert errors["status"] == "Choose a status: applicant, active, paused or left."
    assert "country code" in errors["phone"]
    assert "5 to 32 letters" in errors["telegram"]
    assert "between 0 and 100" in errors["payout_split"]
    assert "like 1999-04-23" in errors["birth_date"]
    assert errors["doc_type"] == "Choose the type of the document."
    assert "2- or 3-letter code" in errors["doc_country"]
    with pytest.raises(ValidationFailed) as err:
        performers.create_performer(
            db, actor, ProfileInput(stage_name="A", payout_split="50.123"), LegalInput("A B", "1990-01-01")
        )
    assert "two decimals" in err.value.errors["payout_split"]


def test_stage_name_unique_in_studio(db: Session, owner: Owner) -> None:
    _, _, actor = owner
    new_performer(db, actor, "Anna")
    with pytest.raises(ValidationFailed) as err:
        new_performer(db, actor, "anna")
    assert "already a model called" in err.value.errors["stage_name"]


def test_list_search_filter_sort_page(db: Session, owner: Owner) -> None:
    _, _, actor = owner
    for i, name in enumerate(["Bella", "Anna", "Carla", "Dora", "Ema"]):
        new_performer(
            db,
            actor,
            name,
            status=PerformerStatus.PAUSED if i % 2 else PerformerStatus.ACTIVE,
            email=f"{name.lower()}@example.com",
        )
    page = performers.list_performers(db, actor, per_page=2)
    assert page.total == 5 and page.pages == 3
    assert [r.stage_name for r in page.rows] == ["Anna", "Bella"]
    page3 = performers.list_performers(db, actor, per_page=2, page=3)
    assert [r.stage_name for r in page3.rows] == ["Ema"]
    desc = performers.list_performers(db, actor, sort="stage_name", descending=True)
    assert desc.rows[0].stage_name == "Ema"
    paused = performers.list_performers(db, actor, status=PerformerStatus.PAUSED)
    assert {r.stage_name for r in paused.rows} == {"Anna", "Dora"}
    found = performers.list_performers(db, actor, search="carla@example")
    assert [r.stage_name for r in found.rows] == ["Carla"]
    assert isinstance(found.rows[0], PerformerRow)


def test_expired_document_flagged_on_list_rows(db: Session, owner: Owner) -> None:
    _, _, actor = owner
    today = actor.today()
    new_performer(db, actor, "Old", doc_expiry=today - timedelta(days=1))
    new_performer(db, actor, "Soon", doc_expiry=today + timedelta(days=10))
    new_performer(db, actor, "Fine", doc_expiry=today + timedelta(days=400))
    rows = {r.stage_name: r for r in performers.list_performers(db, actor).rows}
    assert rows["Old"].doc_expired and not rows["Old"].doc_expires_soon
    assert rows["Soon"].doc_expires_soon and not rows["Soon"].doc_expired
    assert not rows["Fine"].doc_expired and not rows["Fine"].doc_expires_soon


def test_analyst_gets_stage_names_only(db: Session, owner: Owner) -> None:
    studio, _, actor = owner
    pid = new_performer(db, actor, "Anna", email="anna@example.com")
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    page = performers.list_performers(db, analyst)
    assert all(isinstance(r, PerformerStageRow) for r in page.rows)
    fields = {f.name for f in dataclasses.fields(PerformerStageRow)}
    assert fields == {"id", "stage_name", "status"}
    assert performers.list_performers(db, analyst, search="anna@example").total == 0
    one = performers.get_performer(db, analyst, pid)
    assert isinstance(one, PerformerStageRow)
    assert not hasattr(one, "legal_name") and not hasattr(one, "email")
    with pytest.raises(PermissionDenied):
        performers.get_legal(db, analyst, pid)
    with pytest.raises(PermissionDenied):
        performers.update_contact(db, analyst, pid, email="x@y.z", phone="", telegram="")


def test_every_document_view_is_audited(db: Session, owner: Owner) -> None:
    _, user, actor = owner
    pid = new_performer(db, actor)
    performers.get_legal(db, actor, pid)
    performers.get_legal(db, actor, pid)
    db.commit()
    rows = db.exec(select(AuditLog).where(AuditLog.action == "performer.documents_viewed")).all()
    assert len(rows) == 2
    assert {r.target for r in rows} == {f"performer:{pid}"}
    assert {r.actor_user_id for r in rows} == {user.id}


def test_legal_edit_by_manager_audited_without_values(db: Session, owner: Owner) -> None:
    studio, _, actor = owner
    pid = new_performer(db, actor)
    manager = actor_for(db, add_member(db, studio, Role.MANAGER), studio)
    renewed = manager.today() + timedelta(days=5 * 365)
    legal = performers.update_legal(
        db,
        manager,
        pid,
        LegalInput("Anna New Name", "1998-04-23", "id_card", "ID777", "MD", renewed.isoformat()),
    )
    db.commit()
    assert legal.legal_name == "Anna New Name" and legal.doc_expiry == renewed
    entry = db.exec(select(AuditLog).where(AuditLog.action == "performer.legal_updated")).one()
    # The fields that changed (not the birth date, which did not), and never a value.
    changed = {"legal_name", "doc_type", "doc_number", "doc_country", "doc_expiry"}
    assert set(entry.detail.split(",")) == changed


def test_performer_sees_own_profile_and_edits_own_contact(db: Session, owner: Owner) -> None:
    studio, _, actor = owner
    pid = new_performer(db, actor, "Anna")
    me = performer_user(db, studio, pid)
    assert performers.my_profile(db, me).id == pid
    updated = performers.update_contact(
        db, me, pid, email="new@example.com", phone="+40 712 345 678", telegram="anna_cam"
    )
    assert updated.telegram == "@anna_cam" and updated.email == "new@example.com"
    assert performers.get_legal(db, me, pid).legal_name == "Anna Legal Surname"
    with pytest.raises(PermissionDenied):
        performers.update_legal(db, me, pid, LegalInput("X Y", "1990-01-01"))
    with pytest.raises(PermissionDenied):
        performers.update_profile(db, me, pid, ProfileInput(stage_name="Anna", payout_split="99"))


def test_link_account_requires_model_role(db: Session, owner: Owner) -> None:
    studio, _, actor = owner
    pid = new_performer(db, actor)
    analyst = add_member(db, studio, Role.ANALYST)
    with pytest.raises(ValidationFailed) as err:
        performers.link_account(db, actor, pid, analyst.id or 0)
    assert err.value.errors == {"user_id": "Only an account with the Model role can be linked to a model."}
    model = add_member(db, studio, Role.PERFORMER)
    detail = performers.link_account(db, actor, pid, model.id or 0)
    assert detail.linked_user_ids == (model.id,)
    m = db.exec(select(Membership).where(Membership.user_id == model.id)).one()
    assert m.performer_id == pid
    other = add_member(db, studio, Role.PERFORMER)
    with pytest.raises(ValidationFailed) as err:
        performers.link_account(db, actor, pid, other.id or 0)
    assert "already linked" in err.value.errors["user_id"]


def test_platform_handles_unique_per_platform_in_studio(db: Session, owner: Owner) -> None:
    _studio, _, actor = owner
    anna = new_performer(db, actor, "Anna")
    bella = new_performer(db, actor, "Bella")
    platforms.add_account(db, actor, anna, "chaturbate", "@Anna_Hot")
    with pytest.raises(ValidationFailed) as err:
        platforms.add_account(db, actor, bella, "Chaturbate", "anna_hot")
    assert err.value.errors["handle"] == "The Chaturbate handle anna_hot is already used by Anna."
    platforms.add_account(db, actor, bella, "Stripchat", "anna_hot")  # other platform: fine
    with pytest.raises(ValidationFailed) as err:
        platforms.add_account(db, actor, bella, "OnlyCams", "bella")
    assert err.value.errors == {"platform": "Choose a platform from the list (or add it to the list first)."}
    assert platforms.add_platform(db, actor, "OnlyCams") == "OnlyCams"
    assert "OnlyCams" in platforms.list_platforms(db, actor)
    platforms.add_account(db, actor, bella, "onlycams", "bella")
    rows = platforms.list_accounts(db, actor, bella)
    assert [(r.platform, r.handle) for r in rows] == [("OnlyCams", "bella"), ("Stripchat", "anna_hot")]
    # Another studio may use the same handle.
    studio_b, owner_b = make_studio(db, "Studio B")
    actor_b = actor_for(db, owner_b, studio_b)
    other = new_performer(db, actor_b, "Anna")
    platforms.add_account(db, actor_b, other, "Chaturbate", "anna_hot")


# ---------------------------------------------------------------- the forms' input and the detail's flags


def test_profile_from_form_reads_the_fields_and_names_the_unreadable_ones(db: Session, owner: Owner) -> None:
    _, _, actor = owner
    form = {
        "stage_name": " Anna ",
        "status": "paused",
        "email": "Anna@Example.com",
        "phone": "+40 712 345 678",
        "telegram": "@anna_cam",
        "payout_split": "62.5 %",
        "notes": "Prefers mornings",
        "legal_name": "not a profile field",
    }
    read = ProfileInput.from_form(form)
    assert read.status is PerformerStatus.PAUSED
    assert read.payout_split == Decimal("62.50")
    assert (read.stage_name, read.email, read.notes) == (" Anna ", "Anna@Example.com", "Prefers mornings")
    # The new-model form's defaults: a blank status is an applicant, a blank split 50 %.
    new = ProfileInput.from_form({"stage_name": "Bella", "status": "", "payout_split": ""}, new=True)
    assert (new.status, new.payout_split) == (PerformerStatus.APPLICANT, Decimal("50.00"))
    # The profile form has no defaults: both blanks are named, keyed by the form's field names.
    with pytest.raises(ValidationFailed) as err:
        ProfileInput.from_form({"stage_name": "Anna", "status": "", "payout_split": ""})
    assert err.value.errors == {
        "status": "Choose a status: applicant, active, paused or left.",
        "payout_split": "Enter the payout split as a percentage, like 60 or 62.5.",
    }
    with pytest.raises(ValidationFailed) as err:
        ProfileInput.from_form({"stage_name": "Anna", "status": "retired", "payout_split": "50.123"})
    assert set(err.value.errors) == {"status", "payout_split"}
    assert "two decimals" in err.value.errors["payout_split"]
    # What it reads is what the service saves.
    pid = new_performer(db, actor, "Anna")
    saved = performers.update_profile(db, actor, pid, read)
    assert (saved.stage_name, saved.status, saved.email, saved.telegram) == (
        "Anna",
        PerformerStatus.PAUSED,
        "anna@example.com",
        "@anna_cam",
    )
    assert saved.payout_split == Decimal("62.50") and saved.notes == "Prefers mornings"


def test_the_detail_carries_the_document_flags_without_a_documents_view(db: Session, owner: Owner) -> None:
    studio, _, actor = owner
    today = actor.today()
    expiries = {
        "Old": today - timedelta(days=1),
        "Soon": today + timedelta(days=performers.EXPIRY_WARNING_DAYS),
        "Fine": today + timedelta(days=performers.EXPIRY_WARNING_DAYS + 1),
        "None": None,
    }
    ids = {name: new_performer(db, actor, name, doc_expiry=expiry) for name, expiry in expiries.items()}
    flags = {}
    for name, pid in ids.items():
        detail = performers.get_performer(db, actor, pid)
        assert isinstance(detail, performers.PerformerDetail)
        flags[name] = (detail.doc_expiry, detail.doc_expired, detail.doc_expires_soon)
    assert flags == {
        "Old": (expiries["Old"], True, False),
        "Soon": (expiries["Soon"], False, True),
        "Fine": (expiries["Fine"], False, False),
        "None": (None, False, False),
    }
    # The flags are not a read of the documents: nothing is audited.
    db.commit()
    assert db.exec(select(AuditLog).where(AuditLog.action == "performer.documents_viewed")).all() == []
    # A model's own profile and an analyst's stage row carry no document fields at all.
    me = performers.get_performer(db, performer_user(db, studio, ids["Old"]), ids["Old"])
    assert type(me) is performers.OwnProfile and not hasattr(me, "doc_expired")
    analyst = actor_for(db, add_member(db, studio, Role.ANALYST), studio)
    assert type(performers.get_performer(db, analyst, ids["Old"])) is PerformerStageRow
