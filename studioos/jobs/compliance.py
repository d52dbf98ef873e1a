"""Compliance job: remind owners and managers before a model's ID document expires."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from sqlmodel import Session, col, select

from studioos.models import DocumentReminder, Performer, PerformerStatus, Studio, row_id
from studioos.services.formatting import for_studio
from studioos.services.notifications import notify, staff_user_ids
from studioos.settings import get_settings

THRESHOLDS = (30, 7)


def doc_key(performer: Performer) -> str:
    """Identifies one document (number + expiry) without storing either in clear."""
    material = f"{performer.id}|{performer.doc_number or ''}|{performer.doc_expiry}".encode()
    return hmac.new(get_settings().secret_key.encode(), material, hashlib.sha256).hexdigest()


def send_document_reminders(db: Session, today: date) -> int:
    """Notify staff 30 and 7 days before expiry; never twice for the same document and threshold.

    `today` is the job's date. If the job missed days, the nearest threshold still due is sent
    once (so a document found 5 days from expiry gets the 7-day reminder, not both).
    Expiry dates are encrypted, so candidates are read and compared here, not in SQL; a studio has
    at most a few hundred models, and this runs once a day.
    """
    candidates = db.exec(
        select(Performer).where(
            col(Performer.doc_expiry).is_not(None), Performer.status != PerformerStatus.LEFT
        )
    ).all()
    sent = 0
    for performer in candidates:
        expiry = performer.doc_expiry
        if expiry is None:
            continue
        days_left = (expiry - today).days
        due = [t for t in THRESHOLDS if 0 <= days_left <= t]
        if not due:
            continue
        threshold = min(due)
        key = doc_key(performer)
        already = db.exec(
            select(DocumentReminder.id).where(
                DocumentReminder.performer_id == performer.id,
                DocumentReminder.doc_key == key,
                DocumentReminder.threshold_days == threshold,
            )
        ).first()
        if already is not None:
            continue
        db.add(
            DocumentReminder(
                studio_id=performer.studio_id,
                performer_id=row_id(performer),
                doc_key=key,
                threshold_days=threshold,
            )
        )
        when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
        notify(
            db,
            studio_id=performer.studio_id,
            user_ids=staff_user_ids(db, performer.studio_id),
            kind="document_expiring",
            title=f"{performer.stage_name}'s ID document expires {when}",
            body=f"It expires on {for_studio(db.get(Studio, performer.studio_id)).day(expiry)}. "
            "Ask her for a renewed document.",
            link=f"/models/{performer.id}",
        )
        sent += 1
    db.flush()
    return sent
