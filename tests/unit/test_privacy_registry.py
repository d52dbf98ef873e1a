"""The personal-data registry: every column classified, nothing stale, and its rules hold together.

Export and erasure read this one registry, so a column it does not know is a column neither of
them would handle: the first test is the promise that a new column cannot slip through.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlmodel import SQLModel

import studioos.models  # noqa: F401  (registers every table)
from studioos.crypto import EncryptedString
from studioos.services import privacy_registry as reg
from studioos.services.privacy_registry import Category, Classification, Strategy

REGISTRY_FILE = "studioos/services/privacy_registry.py"
PERSON_TABLES = {"user", "performer", "member"}


def _all() -> list[Classification]:
    return [c for entry in reg.registry().values() for c in entry.columns.values()]


def test_every_column_of_every_table_is_classified() -> None:
    missing = reg.unclassified(SQLModel.metadata)
    assert not missing, (
        f"{len(missing)} column(s) not in the personal-data registry: {', '.join(missing)}. "
        f"Classify each in {REGISTRY_FILE} (a category and strategy if it is personal data, "
        "NOT_PERSONAL otherwise, with a reason), so export and erasure know what to do with it."
    )


def test_the_registry_names_no_table_or_column_that_does_not_exist() -> None:
    stale = reg.unknown(SQLModel.metadata)
    assert not stale, f"{REGISTRY_FILE} names what the models no longer have: {', '.join(stale)}"


def test_the_checks_catch_a_new_column_and_a_missing_one() -> None:
    metadata = MetaData()
    # A known table that gained a column, and a table nobody classified.
    Table(
        "platform",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("studio_id", Integer),
        Column("name", String),
        Column("created_at", String),
        Column("owner_phone", String),
    )
    Table("pet", metadata, Column("id", Integer, primary_key=True), Column("owner_name", String))
    assert reg.unclassified(metadata) == ["pet.id", "pet.owner_name", "platform.owner_phone"]
    # Every other registered table is absent from this metadata, and reported as such.
    stale = reg.unknown(metadata)
    assert "user" in stale
    assert "platform" not in stale


def test_unknown_reports_a_dropped_column_and_a_dangling_subject() -> None:
    metadata = MetaData()
    Table("membership", metadata, Column("id", Integer, primary_key=True), Column("studio_id", Integer))
    stale = reg.unknown(metadata)
    assert "membership.user_id" in stale
    assert "membership subject membership.user_id" in stale


def test_legal_holds_and_categories_are_consistent() -> None:
    for c in _all():
        if c.strategy is Strategy.KEEP:
            assert c.hold_years is not None and c.hold_years > 0, f"{c.name}: KEEP needs hold_years"
        else:
            assert c.hold_years is None, f"{c.name}: only a KEEP column has hold_years"
        if c.personal:
            assert isinstance(c.category, Category), f"{c.name}: personal data needs a category"
        else:
            assert c.category is None, f"{c.name}: NOT_PERSONAL has no category"
            assert not c.encrypted_at_rest, f"{c.name}: an encrypted column is personal data"
        assert c.reason.strip(), f"{c.name}: say why"


def test_encrypted_at_rest_matches_the_column_types() -> None:
    stored_encrypted = {
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, EncryptedString)
    }
    marked = {c.name for c in _all() if c.encrypted_at_rest}
    assert stored_encrypted, "expected the models to encrypt some columns"
    assert marked == stored_encrypted, (
        f"marked but stored in clear: {sorted(marked - stored_encrypted)}; "
        f"stored encrypted but not marked: {sorted(stored_encrypted - marked)}"
    )


def test_what_obviously_names_or_reaches_a_person_is_personal() -> None:
    obvious = [
        "user.email",
        "user.name",
        "user.password_hash",
        "signuprequest.email",
        "signuprequest.name",
        "invitation.email",
        "loginevent.email",
        "loginevent.ip",
        "authsession.ip",
        "authsession.user_agent",
        "auditlog.ip",
        "auditlog.user_agent",
        "performer.stage_name",
        "performer.legal_name",
        "performer.email",
        "performer.phone",
        "performer.telegram",
        "performer.birth_date",
        "performer.doc_number",
        "performer.photo_file",
        "platformaccount.handle",
        "member.handle",
        "membernote.body",
        "earningrecord.note",
    ]
    not_personal = [
        name for name in obvious if not (c := reg.classification(*name.split("."))) or not c.personal
    ]
    assert not not_personal, f"these name or reach a person, so they are personal data: {not_personal}"
    assert {c.name for c in reg.personal_columns("user")} >= {"user.email", "user.name"}
    assert reg.personal_columns("no_such_table") == []


def test_payroll_records_are_on_the_tax_hold() -> None:
    for name in (
        "payout.net_cents",
        "payout.gross_cents",
        "payrolladjustment.amount_cents",
        "earningrecord.usd_cents",
    ):
        c = reg.classification(*name.split("."))
        assert c is not None and c.strategy is Strategy.KEEP and c.category is Category.FINANCIAL, name
        assert c.hold_years == reg.PAYROLL_HOLD_YEARS, name


def test_every_subject_leads_to_a_person() -> None:
    """A subject is a person's own id, a foreign key to one, or an email address."""
    for name, entry in reg.registry().items():
        table = SQLModel.metadata.tables[name]
        for path in reg.subject_columns(name):
            column = table.columns[path.split(".", 1)[1]]
            targets = {fk.column.table.name for fk in column.foreign_keys}
            own_id = name in PERSON_TABLES and column.primary_key
            assert own_id or targets & PERSON_TABLES or column.name == "email", f"{name}: {path}"
        if entry.subject == "":
            assert not entry.also, f"{name}: a studio's own table has no other subjects"


def test_erasure_never_cascades_into_a_legal_hold() -> None:
    """A row on hold must not be deleted by ON DELETE CASCADE when the person it points at is
    erased: the person's row has to stay (anonymised) while the hold lasts."""
    entries = reg.registry()
    for name, entry in entries.items():
        if not any(c.strategy is Strategy.KEEP for c in entry.columns.values()):
            continue
        for fk in SQLModel.metadata.tables[name].foreign_keys:
            parent = entries[fk.column.table.name]
            if fk.ondelete == "CASCADE" and parent.subject:
                assert parent.row_kept, (
                    f"{name} is on hold, but erasing a {parent.table} row would delete it by ON DELETE "
                    f"CASCADE: anonymise or keep a column of {parent.table} so its row stays"
                )


def test_row_kept_follows_the_strategies() -> None:
    entries = reg.registry()
    assert entries["performer"].row_kept  # the payroll on hold points at her
    assert entries["member"].row_kept  # the totals on hold point at the tipper
    assert not entries["authsession"].row_kept  # a session goes with the person
    assert not entries["membership"].row_kept
