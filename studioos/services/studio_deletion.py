"""An owner's way out of a studio: hand it to someone else, or delete it.

`transfer_ownership` (the policy's "business transfers"): the owner, with her password again, makes
a manager or analyst of the studio its owner and becomes a manager herself. Models are never
offered: a model's account is her own, not the business's. Roles are read from the membership on
every event (`auth.resolve_actor`), so the old owner loses an owner's powers at once.

`request_deletion` (the owner, her password and the studio's name typed again): at once nobody can
open the studio. Every membership of it goes (members keep their accounts and their other
studios), every session opened in it is revoked, its open invitations and support's access to it
are withdrawn, and every member is told by email.

`erase_deleted_studios` (the nightly `studio-erasure` job) then erases the studio's rows: every
table whose rows belong to a studio (a `studio_id` column) is read with the personal-data registry
(`privacy_registry`), children before parents:

- a table with a KEEP column (payroll, the audit trail) is under a legal hold: its rows stay, their
  DELETE columns cleared and ANONYMISE columns given placeholders, as `account_deletion.erase` does
  for a person, and the KEEP columns wait out their hold;
- a row that a kept row points at through a required foreign key (ON DELETE CASCADE would take the
  kept row with it, a NOT NULL one would not let it go) stays too, erased the same way: the model
  profile and the platform account a payout or an earning names, the pay period of a payout;
- every other row is deleted, and a kept row's optional link to it is cleared first (an earning's
  import batch: the file's name may name the model, and the payroll does not need it). Keeping a
  row only for its ANONYMISE columns serves a living studio (the schedule of a room still adds
  up); in a deleted one nothing is left to add up, so a shift goes with its room;
- a table whose `studio_id` is ON DELETE SET NULL holds rows that outlive the studio (a support
  request is its requester's; a session is its person's): only the link to the studio goes.

The studio row stays as a tombstone: named "Deleted studio", its Stripe references kept (billing
records are under a legal hold), with `erased_at` set. The model profiles' photos are deleted from
disk. The person who asked for the deletion is told when it is done.
"""

from __future__ import annotations

import logging
import shutil
import smtplib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, ForeignKey, Table, and_, delete, exists, not_, update
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, col, select

from studioos.models import (
    AuthSession,
    Invitation,
    Membership,
    Role,
    Studio,
    SupportAccessGrant,
    User,
    WeeklyReportSubscription,
    row_id,
    utcnow,
)
from studioos.services import audit, mail, privacy_registry, reauth
from studioos.services.account_deletion import erase_kept_rows
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import ROLE_LABELS, Actor, Cap, require
from studioos.services.privacy_registry import Strategy
from studioos.settings import get_settings

log = logging.getLogger("studioos.studio_deletion")

DELETED_NAME = "Deleted studio"
# Who may take a studio over: the business's people. A model's account is her own.
CANDIDATE_ROLES: tuple[str, ...] = (Role.MANAGER, Role.ANALYST)
ERASURE_DAYS = 30
WRONG_PASSWORD = "That is not your password."
NOT_A_CANDIDATE = "Choose a manager or analyst of this studio."
ALREADY_DELETED = "This studio is already being deleted."


@dataclass(frozen=True)
class _Owned:
    """The acting owner's studio, account and membership, checked against the database."""

    studio: Studio
    user: User
    membership: Membership


def _owned_studio(db: Session, actor: Actor) -> _Owned:
    studio_id = require(actor, Cap.STUDIO_DELETE)
    studio = db.get(Studio, studio_id)
    if studio is None:
        raise NotFound()
    if studio.deleted_at is not None:
        raise ValidationFailed({"confirm_name": ALREADY_DELETED}, ALREADY_DELETED)
    # The actor's role was read at the start of this event; the membership is read again here so
    # that two tabs cannot hand the studio over twice, or delete it after handing it over.
    membership = db.exec(
        select(Membership).where(Membership.studio_id == studio_id, Membership.user_id == actor.user_id)
    ).first()
    user = db.get(User, actor.user_id)
    if membership is None or membership.role != Role.OWNER or user is None:
        raise PermissionDenied()
    return _Owned(studio, user, membership)


def _password_error(db: Session, actor: Actor, user: User, password: str) -> dict[str, str]:
    return {} if reauth.password_or_recent(db, actor, user, password) else {"password": WRONG_PASSWORD}


def _send(to: str, subject: str, body: str) -> None:
    # One unreachable mail server must not undo a transfer or a deletion already decided, nor keep
    # the other members from being told.
    try:
        mail.send(to, subject, body)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send %r", subject)


def _day(now: datetime) -> str:
    return f"{now:%Y-%m-%d %H:%M} UTC"


# ---------------------------------------------------------------- transfer


def transfer_candidates(db: Session, actor: Actor) -> list[tuple[int, str]]:
    """Whom the owner can hand the studio to: (user id, "Name (email) — Manager"), managers first."""
    owned = _owned_studio(db, actor)
    rows = db.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            Membership.studio_id == row_id(owned.studio),
            col(Membership.role).in_(CANDIDATE_ROLES),
            Membership.user_id != actor.user_id,
            col(User.is_active).is_(True),
            col(User.deleted_at).is_(None),
        )
    ).all()
    ordered = sorted(rows, key=lambda r: (CANDIDATE_ROLES.index(r[0].role), r[1].name.lower(), r[1].email))
    return [(row_id(u), f"{u.name} ({u.email}) — {ROLE_LABELS.get(m.role, m.role)}") for m, u in ordered]


def transfer_ownership(
    db: Session, actor: Actor, to_user_id: int, password: str, *, now: datetime | None = None
) -> None:
    """Make a manager or analyst the studio's owner; the owner becomes a manager."""
    now = now or utcnow()
    owned = _owned_studio(db, actor)
    errors = _password_error(db, actor, owned.user, password)
    studio_id = row_id(owned.studio)
    target = db.exec(
        select(Membership).where(Membership.studio_id == studio_id, Membership.user_id == to_user_id)
    ).first()
    heir = db.get(User, to_user_id) if target is not None else None
    if (
        target is None
        or heir is None
        or target.role not in CANDIDATE_ROLES
        or to_user_id == actor.user_id
        or not heir.is_active
        or heir.deleted_at is not None
    ):
        errors["to_user_id"] = NOT_A_CANDIDATE
    if errors:
        raise ValidationFailed(errors)
    assert target is not None and heir is not None
    old_role = target.role
    target.role, owned.membership.role = Role.OWNER, Role.MANAGER
    db.add(target)
    db.add(owned.membership)
    audit.record_by(
        db,
        actor,
        "studio.transferred",
        target=heir.email,
        detail=f"{old_role} -> owner; {owned.user.email}: owner -> manager",
    )
    db.flush()
    name, when = owned.studio.name, _day(now)
    _send(
        heir.email,
        f"You are now the owner of {name} on StudioOS",
        f"Hello {heir.name},\n\n{owned.user.name} ({owned.user.email}) handed the studio {name} over to "
        f"you on {when}. You are its owner now: you manage its team and roles, its billing, and you "
        f"can delete it.\n\n{owned.user.name} stays on the team as a manager.\n\n"
        "If you did not expect this, reply to this email.",
    )
    _send(
        owned.user.email,
        f"You handed {name} over to {heir.name}",
        f"Hello {owned.user.name},\n\nOn {when} you made {heir.name} ({heir.email}) the owner of {name} "
        "on StudioOS. You are a manager of the studio now. You can leave the team, or delete your "
        "account in the Privacy centre.\n\nIf you did not do this, reply to this email at once.",
    )


# ---------------------------------------------------------------- deletion


def request_deletion(
    db: Session, actor: Actor, password: str, confirm_name: str, *, now: datetime | None = None
) -> None:
    """Delete the studio: nobody can open it from now on; its data goes within 30 days."""
    now = now or utcnow()
    owned = _owned_studio(db, actor)
    studio, studio_id = owned.studio, row_id(owned.studio)
    errors = _password_error(db, actor, owned.user, password)
    if (confirm_name or "").strip() != studio.name:
        errors["confirm_name"] = "Type the studio's name exactly as it is written, to confirm."
    if errors:
        raise ValidationFailed(errors)
    members = db.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.studio_id == studio_id)
    ).all()
    studio.deleted_at, studio.deleted_by_id = now, actor.user_id
    db.add(studio)
    for membership, _ in members:
        db.delete(membership)
    revoked = _close_doors(db, actor, studio_id, now)
    audit.record_by(
        db,
        actor,
        "studio.deletion_requested",
        target=f"studio:{studio_id}",
        detail=f"{studio.name}; {len(members)} members removed, {revoked} sessions ended",
    )
    db.flush()
    elsewhere = set(
        db.exec(
            select(Membership.user_id).where(col(Membership.user_id).in_([row_id(u) for _, u in members]))
        ).all()
    )
    for _, user in members:
        if user.deleted_at is None:
            _tell_member(user, owned.user, studio.name, now, other_studios=user.id in elsewhere)


def _close_doors(db: Session, actor: Actor, studio_id: int, now: datetime) -> int:
    """Every way into the studio other than a membership: its sessions, its invitations, support's
    access, the weekly report's mailing list. Returns how many sessions were ended."""
    sessions = db.exec(
        select(AuthSession).where(AuthSession.studio_id == studio_id, col(AuthSession.revoked_at).is_(None))
    ).all()
    for session in sessions:
        session.revoked_at = now
        db.add(session)
    for invitation in db.exec(
        select(Invitation).where(
            Invitation.studio_id == studio_id,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
    ).all():
        invitation.revoked_at = now
        db.add(invitation)
    for grant in db.exec(
        select(SupportAccessGrant).where(
            SupportAccessGrant.studio_id == studio_id, col(SupportAccessGrant.revoked_at).is_(None)
        )
    ).all():
        grant.revoked_at, grant.revoked_by_id = now, actor.user_id
        db.add(grant)
    for subscription in db.exec(
        select(WeeklyReportSubscription).where(WeeklyReportSubscription.studio_id == studio_id)
    ).all():
        db.delete(subscription)
    return len(sessions)


def _tell_member(user: User, owner: User, studio_name: str, now: datetime, *, other_studios: bool) -> None:
    afterwards = (
        "Your other studios on StudioOS are not affected."
        if other_studios
        else "Your own StudioOS account stays: you can still sign in to it, download a copy of your "
        "data or delete your account in the Privacy centre, and write to support."
    )
    _send(
        user.email,
        f"{studio_name} was deleted from StudioOS",
        f"Hello {user.name},\n\n{owner.name} ({owner.email}) deleted the studio {studio_name} on "
        f"{_day(now)}. Nobody can open it any more, and you are no longer on its team.\n\n"
        f"Within {ERASURE_DAYS} days its data is deleted or made anonymous, except the payroll and "
        "billing records that the law makes us keep for a while (what was paid to whom), and the "
        f"security log, kept for a year.\n\n{afterwards}",
    )


# ---------------------------------------------------------------- erasure


def erase_deleted_studios(db: Session, now: datetime) -> int:
    """The `studio-erasure` job: every deleted studio not yet erased; returns how many studios."""
    pending = db.exec(
        select(Studio)
        .where(
            col(Studio.deleted_at).is_not(None),
            col(Studio.deleted_at) <= now,
            col(Studio.erased_at).is_(None),
        )
        .order_by(col(Studio.id))
    ).all()
    done = 0
    for studio in pending:
        studio_id, name = row_id(studio), studio.name
        requester = db.get(User, studio.deleted_by_id) if studio.deleted_by_id else None
        touched = erase_studio(db, studio_id)
        studio.name, studio.erased_at = DELETED_NAME, now
        db.add(studio)
        audit.record(
            db,
            "studio.erased",
            studio_id=studio_id,
            actor_user_id=None,
            target=f"studio:{studio_id}",
            detail=", ".join(f"{table} {n}" for table, n in sorted(touched.items()) if n),
        )
        db.commit()
        done += 1
        # The files go once the rows naming them are gone for good (the other order could leave
        # rows pointing at nothing if the commit failed; this one at worst leaves files to retry).
        shutil.rmtree(_photos_dir(studio_id), ignore_errors=True)
        if requester is not None and requester.deleted_at is None:
            _send(
                requester.email,
                f"{name} has been erased from StudioOS",
                f"Hello {requester.name},\n\nThe data of the studio {name}, which you deleted, has now been "
                "deleted or made anonymous. What the law makes us keep (payroll and billing records, the "
                "security log) stays, for as long as it must and no longer.",
            )
    return done


def _photos_dir(studio_id: int) -> Path:
    # Where studioos.services.photos keeps a studio's model photos.
    return Path(get_settings().data_dir) / "photos" / str(studio_id)


def _studio_link(table: Table) -> str | None:
    """How a table's rows belong to a studio: the ON DELETE rule of its `studio_id` (None: not at all)."""
    column = table.columns.get("studio_id")
    if column is None or table.name == "studio":
        return None
    for fk in column.foreign_keys:
        if fk.column.table.name == "studio":
            return (fk.ondelete or "NO ACTION").upper()
    return None


def _references(table: Table) -> list[ForeignKey]:
    """Every foreign key, in any table, that points at this table."""
    return [
        fk
        for other in SQLModel.metadata.sorted_tables
        for fk in other.foreign_keys
        if fk.column.table is table
    ]


def _held(table: Table) -> bool:
    entry = privacy_registry.registry().get(table.name)
    return entry is not None and any(c.strategy is Strategy.KEEP for c in entry.columns.values())


def _doomed(table: Table, studio_id: int) -> ColumnElement[bool] | None:
    """The studio's rows of this table that go: none when the table is under a legal hold; else
    those no remaining row points at through a required foreign key."""
    if _held(table):
        return None
    required = [fk for fk in _references(table) if not fk.parent.nullable]
    return and_(
        table.columns["studio_id"] == studio_id,
        # Correlated to this table only, whichever statement the condition ends up in.
        *(not_(exists().where(fk.parent == fk.column).correlate(table)) for fk in required),
    )


def erase_studio(db: Session, studio_id: int) -> dict[str, int]:
    """Erase one studio's rows as the module docstring says; returns rows touched per table."""
    touched: dict[str, int] = {}
    # Children before parents: when a table's turn comes, every row that will point at it is final.
    for table in reversed(SQLModel.metadata.sorted_tables):
        link = _studio_link(table)
        if link is None:
            continue
        mine = table.columns["studio_id"] == studio_id
        if link == "SET NULL":
            result = db.execute(update(table).where(mine).values(studio_id=None))
            touched[table.name] = _count(result)
            continue
        changed = 0
        doomed = _doomed(table, studio_id)
        if doomed is not None:
            pk = next(iter(table.primary_key.columns))
            for fk in _references(table):
                if fk.parent.nullable:
                    going = table_select(pk).where(doomed)
                    db.execute(
                        update(fk.parent.table).where(fk.parent.in_(going)).values({fk.parent.name: None})
                    )
            changed += _count(db.execute(delete(table).where(doomed)))
        entry = privacy_registry.registry().get(table.name)
        if entry is not None:
            changed += erase_kept_rows(db, table, entry, mine)
        touched[table.name] = changed
    return touched


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
