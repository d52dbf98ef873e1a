"""Read-only studios: a studio whose trial ended or whose subscription lapsed keeps every record
and can still be read, but its data takes no change until the owner sorts out billing.

Enforced at one point, so that no write path can forget it: before a person's unit of work
flushes, every row it adds, changes or deletes that belongs to a studio is checked against that
studio's billing state (`billing.is_read_only`); one read-only studio among them and the whole unit
of work is refused with `StudioReadOnly`, whose message is the banner's sentence.

What is never gated:
- the privacy rights and the support desk (a copy of one's data, account deletion, consent, support
  and privacy requests, their files and access grants): the policy promises them whatever the
  subscription;
- sign-in traces, the audit log and notifications (written as people use the app, read-only or not);
- the studio's own row (billing itself, the studio's deletion) and billing's records;
- leaving a team (a membership deleted), so a person can always go.

A "person's unit of work" is one opened for a signed-in person's request (`guard`, called by
`ui.backend.acting`). Jobs, webhooks and the command line are not gated: a no-show is still marked
and a lapsed studio's data still erased on schedule.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from studioos.models import (
    AccountDeletion,
    AuditLog,
    AuthSession,
    BillingEvent,
    CannedReply,
    ConsentRecord,
    DataExport,
    Invoice,
    JobRun,
    LoginEvent,
    Membership,
    Notification,
    PolicyAcceptance,
    PrivacyRequest,
    Studio,
    SupportAccessGrant,
    SupportAttachment,
    SupportMessage,
    SupportRequest,
    UsageEvent,
)
from studioos.services import billing
from studioos.services.permissions import Actor, Cap

GATED = "billing_gate"  # session.info key (not "studioos.": those end with each transaction)

NEVER_GATED: tuple[type, ...] = (
    # privacy rights and the support desk
    AccountDeletion,
    ConsentRecord,
    DataExport,
    PrivacyRequest,
    SupportAccessGrant,
    SupportAttachment,
    SupportMessage,
    SupportRequest,
    CannedReply,
    PolicyAcceptance,
    UsageEvent,
    # traces of people using the app
    AuditLog,
    AuthSession,
    LoginEvent,
    Notification,
    JobRun,
    # billing and the studio's own row
    BillingEvent,
    Invoice,
    Studio,
)


def guard(db: Session, actor: Actor) -> None:
    """Gate this unit of work: it is a signed-in person's request. The refusal is worded for them
    (an owner is sent to Billing; the rest of the team is told the owner can act)."""
    db.info[GATED] = {"owner": actor.can(Cap.BILLING)}


def _studios_written(db: Session) -> set[int]:
    ids: set[int] = set()
    for obj in (*db.new, *db.dirty, *db.deleted):
        if isinstance(obj, NEVER_GATED):
            continue
        if isinstance(obj, Membership) and obj in db.deleted:
            continue  # leaving a team is always allowed
        if obj in db.dirty and not db.is_modified(obj):
            continue
        studio_id = getattr(obj, "studio_id", None)
        if isinstance(studio_id, int):
            ids.add(studio_id)
    return ids


@event.listens_for(Session, "before_flush")
def _refuse_read_only(db: Session, _flush: UOWTransaction, _instances: Any) -> None:
    gate = db.info.get(GATED)
    if not gate:
        return
    studios = _studios_written(db)
    if not studios:
        return
    with db.no_autoflush:
        for studio_id in sorted(studios):
            state = billing.billing_state(db, studio_id, owner=gate["owner"])  # type: ignore[arg-type]
            if state.read_only:
                raise billing.StudioReadOnly(state.banner or "The studio is read-only: see Billing.")
