"""Deleting an account: access ends at once, the data goes within the 30 days the policy promises.

`request` (the person, with their password again): every session is revoked, sign-in is refused
(the account is inactive and marked deleted), and they leave every team at once. A sole owner of a
studio cannot: the studio would be left with nobody to run it, so they first transfer it to another
member or delete it (`studio_deletion`). The request is an `AccountDeletion` row, with the model
profiles the account was linked to.

`erase_requested` (the daily `account-erasure` job) then erases, for each request, what the
personal-data registry lists (`privacy_registry`), the same list the data export reads:

- a row whose subject is the person (their account, a row pointing at it, a row under their email
  address, a row of a model profile that was theirs) is deleted, unless the registry keeps it: then
  its DELETE columns are cleared, its ANONYMISE columns get a placeholder, and its KEEP columns stay
  under their legal hold (payroll, the audit trail);
- rows where the person is only a second party (who entered a record, who decided a request) keep
  their link to the account, which now names nobody.

Emails: one when the deletion is requested, one when it is done (sent before the address goes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, and_, delete, func, or_, update
from sqlalchemy import select as table_select
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, col, select

from studioos import crypto
from studioos.models import (
    AccountDeletion,
    Membership,
    Performer,
    PlatformAccount,
    Role,
    Studio,
    User,
    utcnow,
)
from studioos.services import audit, auth, mail, privacy_registry, reauth
from studioos.services.data_export import Person, matches_subject
from studioos.services.errors import ValidationFailed
from studioos.services.permissions import Actor
from studioos.services.privacy_registry import Category, Strategy, TableEntry


def _sole_owner_of(db: Session, user_id: int) -> list[int]:
    """Studios where this person is the only owner."""
    owned = db.exec(
        select(Membership.studio_id).where(Membership.user_id == user_id, Membership.role == Role.OWNER)
    ).all()
    sole = []
    for studio_id in owned:
        owners = db.exec(
            select(func.count()).where(Membership.studio_id == studio_id, Membership.role == Role.OWNER)
        ).one()
        if owners <= 1:
            sole.append(studio_id)
    return sole


def request(db: Session, actor: Actor, password: str) -> AccountDeletion:
    user = db.get(User, actor.user_id)
    if user is None or user.deleted_at is not None:
        raise ValidationFailed({"password": "This account is already being deleted."})
    if not reauth.password_or_recent(db, actor, user, password):
        raise ValidationFailed({"password": "That is not your password."})
    sole = _sole_owner_of(db, actor.user_id)
    if sole:
        names = [s.name for s in db.exec(select(Studio).where(col(Studio.id).in_(sole))).all()]
        name = ", ".join(names) or "your studio"
        message = (
            f"You are the only owner of {name}. Transfer the studio to another member or delete the "
            "studio first (Privacy centre)."
        )
        raise ValidationFailed({"password": message}, message)
    memberships = db.exec(select(Membership).where(Membership.user_id == actor.user_id)).all()
    performer_ids = sorted({m.performer_id for m in memberships if m.performer_id is not None})
    now = utcnow()
    record = AccountDeletion(
        user_id=actor.user_id, requested_at=now, performer_ids=",".join(str(p) for p in performer_ids)
    )
    db.add(record)
    for membership in memberships:
        db.delete(membership)
    user.is_active, user.deleted_at = False, now
    db.add(user)
    auth.revoke_user_sessions(db, actor.user_id)
    audit.record_by(db, actor, "account.deletion_requested", target=f"user:{actor.user_id}")
    db.flush()
    mail.send(
        user.email,
        "Your StudioOS account is being deleted",
        f"Hello {user.name},\n\nWe received your request to delete your StudioOS account. You have been "
        "signed out everywhere and can no longer sign in. Within 30 days every record about you is deleted "
        "or made anonymous, except what the law makes us keep (payroll records, the security log), and we "
        "write to you once more when it is done.\n\n"
        "If you did not ask for this, reply to this email at once.",
    )
    return record


# ---------------------------------------------------------------- erasure


def placeholder(table: Table, column: Column[Any], pk: int) -> Any:
    """A value that names nobody, for an ANONYMISE column (unique where the column must be)."""
    if column.nullable and column.name not in ("email",):
        return None
    python_type = _python_type(column)
    if python_type is str:
        if "email" in column.name:
            return f"erased-{table.name}-{pk}@erased.invalid"
        return f"erased-{pk}"
    return cleared(column)


def _python_type(column: Column[Any]) -> type | None:
    # A decorated type (SQLModel's AutoString, the encrypted strings) answers for its storage type.
    kind = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def cleared(column: Column[Any]) -> Any:
    """What a DELETE column of a kept row becomes: NULL, or the type's empty value."""
    if column.nullable:
        return None
    if isinstance(column.type, crypto.EncryptedString):
        return None if column.nullable else ""
    python_type = _python_type(column)
    if python_type is bool:
        return False
    if python_type is int:
        return 0
    if python_type is str:
        return ""
    # No required date or time is classified DELETE in the registry today; one would fail the
    # erasure test (NOT NULL), and then needs a placeholder value here.
    return None


def erased_values(table: Table, entry: TableEntry, pk: int) -> dict[str, Any]:
    """What a kept row's personal columns become: DELETE cleared, ANONYMISE a placeholder, KEEP
    left alone (under its legal hold)."""
    values: dict[str, Any] = {}
    for c in entry.columns.values():
        column = table.columns[c.column]
        if c.strategy is Strategy.DELETE:
            values[c.column] = cleared(column)
        elif c.strategy is Strategy.ANONYMISE:
            values[c.column] = placeholder(table, column, pk)
    return values


def erase_kept_rows(db: Session, table: Table, entry: TableEntry, condition: ColumnElement[bool]) -> int:
    """Erase the personal columns of the rows matching `condition`, which stay; returns how many."""
    pk = next(iter(table.primary_key.columns))
    values = erased_values(table, entry, 0)
    if not values:
        return 0
    if values == erased_values(table, entry, 1):
        # No placeholder depends on the row (no unique one): one statement for every row.
        result = db.execute(update(table).where(condition).values(**values))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
    changed = 0
    for (row_id,) in db.connection().execute(table_select(pk).where(condition)).all():
        db.execute(update(table).where(pk == row_id).values(**erased_values(table, entry, int(row_id))))
        changed += 1
    return changed


def erase(db: Session, person: Person) -> dict[str, int]:
    """Erase every registered field of the person; returns rows touched per table."""
    tables = SQLModel.metadata.tables
    touched: dict[str, int] = {}
    # Children before parents: a deleted row is never still pointed at by one erased later.
    for table in reversed(SQLModel.metadata.sorted_tables):
        entry = privacy_registry.registry().get(table.name)
        if entry is None or not entry.subject:
            continue
        condition = matches_subject(tables[table.name], entry.subject, person)
        if condition is None:
            continue
        if not entry.row_kept:
            result = db.execute(delete(table).where(condition))
            touched[table.name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
            continue
        touched[table.name] = erase_kept_rows(db, table, entry, condition)
    return touched


def _names(db: Session, person: Person) -> tuple[list[str], list[int]]:
    """What names the person in free text (her account's name and address, her stage names and
    platform handles), and the studios of her model profiles: read before anything is erased."""
    user = db.get(User, person.user_id)
    names = [user.name, user.email] if user is not None else []
    studios: set[int] = set()
    for performer_id in person.performer_ids:
        performer = db.get(Performer, performer_id)
        if performer is not None:
            names.append(performer.stage_name)
            studios.add(performer.studio_id)
        names += [
            a.handle
            for a in db.exec(select(PlatformAccount).where(PlatformAccount.performer_id == performer_id))
        ]
    return [n for n in dict.fromkeys(names) if len(n.strip()) >= 3], sorted(studios)


def _mentions(db: Session, names: list[str], studios: list[int]) -> dict[str, int]:
    """Messages in other people's rows of her studios that name her (a notification to a manager
    about her request, a note on a colleague's shift): registered as communication to delete, they
    go as well (the row, or the text where the row is kept). Encrypted texts cannot be searched
    and are left: they are notes about members (tippers) and her own profile, erased above."""
    touched: dict[str, int] = {}
    if not names or not studios:
        return touched
    for table in reversed(SQLModel.metadata.sorted_tables):
        entry = privacy_registry.registry().get(table.name)
        if entry is None or "studio_id" not in table.columns:
            continue
        texts = [
            c.column
            for c in entry.columns.values()
            if c.category is Category.COMMUNICATION
            and c.strategy is Strategy.DELETE
            and not c.encrypted_at_rest
        ]
        if not texts:
            continue
        named = or_(
            *(
                func.lower(table.columns[t]).like(f"%{_escaped(n.lower())}%", escape="\\")
                for t in texts
                for n in names
            )
        )
        where = and_(table.columns["studio_id"].in_(studios), named)
        if not entry.row_kept:
            result = db.execute(delete(table).where(where))
            touched[table.name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        else:
            values = {t: cleared(table.columns[t]) for t in texts}
            result = db.execute(update(table).where(where).values(**values))
            touched[table.name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return touched


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def erase_requested(db: Session, now: datetime) -> int:
    """The `account-erasure` job: every request not yet done; returns how many accounts."""
    pending = db.exec(
        select(AccountDeletion)
        .where(col(AccountDeletion.erased_at).is_(None))
        .order_by(col(AccountDeletion.id))
    ).all()
    done = 0
    for record in pending:
        user = db.get(User, record.user_id)
        if user is None:
            continue
        address, name = user.email, user.name
        performer_ids = tuple(int(p) for p in record.performer_ids.split(",") if p)
        person = Person(record.user_id, address, performer_ids)
        names, studios = _names(db, person)
        erase(db, person)
        _mentions(db, names, studios)
        record.erased_at = now
        db.add(record)
        audit.record(
            db, "account.erased", studio_id=None, actor_user_id=None, target=f"user:{record.user_id}"
        )
        db.commit()
        done += 1
        mail.send(
            address,
            "Your StudioOS account has been deleted",
            f"Hello {name},\n\nYour StudioOS account and the records about you have now been deleted or made "
            "anonymous. What the law makes us keep (payroll records, the security log) stays, for as long as "
            "it must and no longer.\n\nThis is the last email we send to this address.",
        )
    return done
