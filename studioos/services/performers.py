"""Models (cam performers): profiles, legal identity, and who may see which part of them.

Three views of a model, each its own DTO so nothing leaks by accident:
- PerformerStageRow: stage name and status only (analysts).
- PerformerRow / PerformerDetail: profile, contact data and staff notes (owners, managers).
- OwnProfile: what a model gets of her own profile: PerformerDetail without the staff's notes.
- LegalDetails: legal name, birth date and ID document; every read is written to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from studioos.models import (
    DocumentType,
    Membership,
    Performer,
    PerformerStatus,
    Role,
    Studio,
    utcnow,
)
from studioos.services import audit, billing
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.formatting import day_text as format_day
from studioos.services.permissions import Actor, Cap, require, require_studio
from studioos.services.validation import (
    EARLIEST_DAY,
    FormErrors,
    add_years,
    check_day,
    clean_name,
    clean_text,
    normalize_email,
    require_id,
)

MIN_AGE = 18
EXPIRY_WARNING_DAYS = 30
# An ID document is valid for ten years at most in most countries; twenty leaves room for typos no
# more than a date picker's 9999-12-31 does.
MAX_EXPIRY_YEARS = 20
STAGE_NAME_MAX = 80
LEGAL_NAME_MAX = 160
DOC_NUMBER_MAX = 40
NOTES_MAX = 4000
MAX_PAGE = 100_000
# Sort keys per view: a role sorts only by fields its own rows carry, so the order of the list can
# never reveal a hidden value (an analyst sorting by payout split would learn who earns more).
STAGE_SORTS = {"stage_name": Performer.stage_name, "status": Performer.status}
FULL_SORTS = {**STAGE_SORTS, "payout_split": Performer.payout_split}
DEFAULT_SORT = "stage_name"
DOCUMENT_LABELS = {
    DocumentType.PASSPORT: "Passport",
    DocumentType.ID_CARD: "ID card",
    DocumentType.DRIVING_LICENCE: "Driving licence",
    DocumentType.RESIDENCE_PERMIT: "Residence permit",
}
STATUS_LABELS = {
    PerformerStatus.APPLICANT: "Applicant",
    PerformerStatus.ACTIVE: "Active",
    PerformerStatus.PAUSED: "Paused",
    PerformerStatus.LEFT: "Left",
}


# ---------------------------------------------------------------- inputs and DTOs


@dataclass(frozen=True)
class ProfileInput:
    """The non-legal part of a model (strings are cleaned by the service that saves it)."""

    stage_name: str
    status: str = PerformerStatus.APPLICANT
    email: str = ""
    phone: str = ""
    telegram: str = ""
    payout_split: str | Decimal = "50"
    notes: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, object], *, new: bool = False) -> ProfileInput:
        """The profile fields of a submitted form (the form's field names are this class's).

        new: the new-model form, where a blank status means applicant and a blank split 50 %.
        Raises ValidationFailed, keyed by field name, when the status or the payout split cannot be
        read; the other rules (names, contact formats) are checked by the service with the legal
        fields, so a form shows all of those at once.
        """
        raw = {name: str(form.get(name, "") or "") for name in _PROFILE_FIELDS}
        if new:
            raw["status"] = raw["status"] or PerformerStatus.APPLICANT
            raw["payout_split"] = raw["payout_split"] or "50"
        errors = FormErrors()
        status = errors.check("status", _clean_status, raw["status"])
        split = errors.check("payout_split", _clean_split, raw["payout_split"])
        errors.raise_if_any()
        assert status is not None and split is not None  # raise_if_any() named them otherwise
        return cls(
            stage_name=raw["stage_name"],
            status=status,
            email=raw["email"],
            phone=raw["phone"],
            telegram=raw["telegram"],
            payout_split=split,
            notes=raw["notes"],
        )


@dataclass(frozen=True)
class LegalInput:
    legal_name: str
    birth_date: date | str | None
    doc_type: str = ""
    doc_number: str = ""
    doc_country: str = ""
    doc_expiry: date | str | None = None

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> LegalInput:
        """The identity fields of a submitted form, as strings (cleaned and validated later)."""
        return cls(**{name: str(form.get(name, "") or "") for name in _LEGAL_FIELDS})


_PROFILE_FIELDS = ("stage_name", "status", "email", "phone", "telegram", "payout_split", "notes")
_LEGAL_FIELDS = ("legal_name", "birth_date", "doc_type", "doc_number", "doc_country", "doc_expiry")


@dataclass(frozen=True)
class PerformerStageRow:
    """All an analyst ever gets: no legal, document or contact fields exist on this type."""

    id: int
    stage_name: str
    status: str


@dataclass(frozen=True)
class PerformerRow:
    id: int
    stage_name: str
    status: str
    email: str
    phone: str
    telegram: str
    payout_split: Decimal
    has_photo: bool
    doc_expiry: date | None
    doc_expired: bool
    doc_expires_soon: bool


@dataclass(frozen=True)
class OwnProfile:
    """A model's own profile (her split is her own earnings' terms); the staff's notes are not on it."""

    id: int
    stage_name: str
    status: str
    email: str
    phone: str
    telegram: str
    payout_split: Decimal
    has_photo: bool
    created_at: datetime
    linked_user_ids: tuple[int, ...]


@dataclass(frozen=True)
class PerformerDetail(OwnProfile):
    """Owners' and managers' view: the profile, the staff's internal notes and the ID document's
    expiry with its flags (as on the list's rows; reading them is not a documents view)."""

    notes: str
    doc_expiry: date | None
    doc_expired: bool
    doc_expires_soon: bool


@dataclass(frozen=True)
class LegalDetails:
    performer_id: int
    legal_name: str
    birth_date: date | None
    doc_type: str
    doc_number: str
    doc_country: str
    doc_expiry: date | None
    doc_expired: bool


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    page: int
    per_page: int
    sort: str = DEFAULT_SORT  # the sort key actually used (an unknown or forbidden one falls back)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# ---------------------------------------------------------------- access helpers


def own_performer_id(db: Session, actor: Actor) -> int | None:
    """The model profile linked to the acting user's membership, if any."""
    if actor.studio_id is None:
        return None
    return db.exec(
        select(Membership.performer_id).where(
            Membership.user_id == actor.user_id, Membership.studio_id == actor.studio_id
        )
    ).first()


def get_row(db: Session, studio_id: int, performer_id: int) -> Performer:
    """The performer if it belongs to this studio; NotFound otherwise (never reveal other studios)."""
    found = db.exec(
        select(Performer).where(Performer.id == require_id(performer_id), Performer.studio_id == studio_id)
    ).first()
    if found is None:
        raise NotFound()
    return found


def access_performer(db: Session, actor: Actor, performer_id: int, staff_cap: Cap) -> Performer:
    """Staff with `staff_cap` reach any model of the studio; a model reaches only her own profile.

    Anyone else gets NotFound rather than PermissionDenied, so ids cannot be probed.
    """
    studio_id = require_studio(actor)
    if actor.can(staff_cap):
        return get_row(db, studio_id, performer_id)
    if actor.can(Cap.SCHEDULE_OWN) and own_performer_id(db, actor) == performer_id:
        return get_row(db, studio_id, performer_id)
    if actor.can(Cap.SCHEDULE_OWN):
        raise NotFound()
    raise PermissionDenied()


def studio_today(db: Session, studio_id: int) -> date:
    """The studio's day for callers with no actor (jobs, the demo seed); with one, `actor.today()`."""
    studio = db.get(Studio, studio_id)
    zone = ZoneInfo(studio.timezone if studio else "UTC")
    return utcnow().astimezone(zone).date()


# ---------------------------------------------------------------- cleaning


def _opt(raw: str | None) -> str | None:
    value = " ".join((raw or "").split())
    return value or None


def _clean_status(raw: str) -> PerformerStatus:
    value = (raw or "").strip().lower()
    if value not in set(PerformerStatus):
        raise ValueError("Choose a status: applicant, active, paused or left.")
    return PerformerStatus(value)


def _clean_split(raw: str | Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("Enter the payout split as a percentage, like 60 or 62.5.") from exc
    if not value.is_finite() or value < 0 or value > 100:
        raise ValueError("The payout split is a percentage between 0 and 100.")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("The payout split has at most two decimals.")
    return value.quantize(Decimal("0.01"))


def _clean_phone(raw: str) -> str | None:
    value = _opt(raw)
    if value is None:
        return None
    if not re.fullmatch(r"\+?[0-9 ()./-]{6,32}", value) or sum(c.isdigit() for c in value) < 6:
        raise ValueError("Enter a phone number with its country code, like +40 712 345 678.")
    return value


def _clean_telegram(raw: str) -> str | None:
    value = (raw or "").strip().removeprefix("https://t.me/").lstrip("@")
    if not value:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_]{5,32}", value):
        raise ValueError("A Telegram handle has 5 to 32 letters, digits or underscores, like @anna_cam.")
    return "@" + value


def _clean_email(raw: str) -> str | None:
    return normalize_email(raw) if (raw or "").strip() else None


def _clean_date(raw: date | str | None, label: str, required: bool) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    value = (raw or "").strip()
    if not value:
        if required:
            raise ValueError(f"Enter the {label}.")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"Enter the {label} as a date, like 1999-04-23.") from exc


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _clean_profile(profile: ProfileInput, errors: FormErrors) -> dict[str, object]:
    return {
        "stage_name": errors.check(
            "stage_name", clean_name, profile.stage_name, "Stage name", STAGE_NAME_MAX
        ),
        "status": errors.check("status", _clean_status, profile.status),
        "email": errors.check("email", _clean_email, profile.email),
        "phone": errors.check("phone", _clean_phone, profile.phone),
        "telegram": errors.check("telegram", _clean_telegram, profile.telegram),
        "payout_split": errors.check("payout_split", _clean_split, profile.payout_split),
        "notes": errors.check("notes", clean_text, profile.notes, "Notes", NOTES_MAX),
    }


def _clean_legal(
    legal: LegalInput, errors: FormErrors, *, entered_on: date, today: date
) -> dict[str, object]:
    birth = errors.check("birth_date", _clean_date, legal.birth_date, "birth date", True)
    if isinstance(birth, date):
        if birth < EARLIEST_DAY:
            errors.add("birth_date", f"Check the birth date: it cannot be before {EARLIEST_DAY.year}.")
        elif birth > entered_on:
            errors.add("birth_date", "The birth date cannot be in the future.")
        elif age_on(birth, entered_on) < MIN_AGE:
            adult_on = date(birth.year + MIN_AGE, birth.month, 1) + timedelta(days=birth.day - 1)
            errors.add(
                "birth_date",
                f"A model must be at least {MIN_AGE} years old on the day she is entered; "
                f"this birth date makes her {age_on(birth, entered_on)} on {format_day(entered_on)} "
                f"(she turns {MIN_AGE} on {format_day(adult_on)}).",
            )
    doc_type = (legal.doc_type or "").strip().lower() or None
    if doc_type is not None and doc_type not in set(DocumentType):
        errors.add("doc_type", "Choose a document type from the list.")
    country = (legal.doc_country or "").strip().upper() or None
    if country is not None and not re.fullmatch(r"[A-Z]{2,3}", country):
        errors.add("doc_country", "Enter the issuing country as a 2- or 3-letter code, like RO or COL.")
    number = _opt(legal.doc_number)
    if number is not None and len(number) > DOC_NUMBER_MAX:
        errors.add(
            "doc_number",
            f"A document number can be at most {DOC_NUMBER_MAX} characters (you typed {len(number)}).",
        )
    expiry = errors.check("doc_expiry", _clean_date, legal.doc_expiry, "expiry date", False)
    if isinstance(expiry, date):
        latest = add_years(today, MAX_EXPIRY_YEARS)
        errors.check("doc_expiry", check_day, expiry, EARLIEST_DAY, latest, "The expiry date")
    if number and doc_type is None:
        errors.add("doc_type", "Choose the type of the document.")
    return {
        "legal_name": errors.check("legal_name", clean_name, legal.legal_name, "Legal name", LEGAL_NAME_MAX),
        "birth_date": birth,
        "doc_type": doc_type,
        "doc_number": number,
        "doc_country": country,
        "doc_expiry": expiry,
    }


def _stage_name_taken(db: Session, studio_id: int, name: str, exclude_id: int | None = None) -> bool:
    query = select(Performer.id).where(
        Performer.studio_id == studio_id, func.lower(Performer.stage_name) == name.lower()
    )
    if exclude_id is not None:
        query = query.where(Performer.id != exclude_id)
    return db.exec(query).first() is not None


# ---------------------------------------------------------------- DTO builders


def _expiry_flags(expiry: date | None, today: date) -> tuple[bool, bool]:
    if expiry is None:
        return False, False
    return expiry < today, today <= expiry <= today + timedelta(days=EXPIRY_WARNING_DAYS)


def _row(p: Performer, today: date) -> PerformerRow:
    expired, soon = _expiry_flags(p.doc_expiry, today)
    return PerformerRow(
        id=p.id or 0,
        stage_name=p.stage_name,
        status=p.status,
        email=p.email or "",
        phone=p.phone or "",
        telegram=p.telegram or "",
        payout_split=Decimal(p.payout_split),
        has_photo=p.photo_file is not None,
        doc_expiry=p.doc_expiry,
        doc_expired=expired,
        doc_expires_soon=soon,
    )


def _own(db: Session, p: Performer) -> OwnProfile:
    linked = db.exec(
        select(Membership.user_id).where(Membership.studio_id == p.studio_id, Membership.performer_id == p.id)
    ).all()
    return OwnProfile(
        id=p.id or 0,
        stage_name=p.stage_name,
        status=p.status,
        email=p.email or "",
        phone=p.phone or "",
        telegram=p.telegram or "",
        payout_split=Decimal(p.payout_split),
        has_photo=p.photo_file is not None,
        created_at=p.created_at,
        linked_user_ids=tuple(linked),
    )


def _detail(db: Session, p: Performer, today: date) -> PerformerDetail:
    own = _own(db, p)
    expired, soon = _expiry_flags(p.doc_expiry, today)
    return PerformerDetail(
        **{f: getattr(own, f) for f in own.__dataclass_fields__},
        notes=p.notes or "",
        doc_expiry=p.doc_expiry,
        doc_expired=expired,
        doc_expires_soon=soon,
    )


def _view(db: Session, actor: Actor, p: Performer) -> PerformerDetail | OwnProfile:
    """Staff get the notes and document flags; a model reading her own profile gets neither."""
    return _detail(db, p, actor.today()) if actor.can(Cap.PERFORMERS_MANAGE) else _own(db, p)


def _legal(p: Performer, today: date) -> LegalDetails:
    return LegalDetails(
        performer_id=p.id or 0,
        legal_name=p.legal_name or "",
        birth_date=p.birth_date,
        doc_type=p.doc_type or "",
        doc_number=p.doc_number or "",
        doc_country=p.doc_country or "",
        doc_expiry=p.doc_expiry,
        doc_expired=_expiry_flags(p.doc_expiry, today)[0],
    )


# ---------------------------------------------------------------- reading


def list_performers(
    db: Session,
    actor: Actor,
    *,
    search: str = "",
    status: str | None = None,
    sort: str = "stage_name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[PerformerRow] | Page[PerformerStageRow]:
    """The model list. Analysts get PerformerStageRow (stage name + status) and search stage names only."""
    studio_id = require(actor, Cap.PERFORMERS_VIEW)
    full = actor.can(Cap.PERFORMERS_MANAGE)
    where: list[ColumnElement[bool]] = [col(Performer.studio_id) == studio_id]
    if status:
        where.append(col(Performer.status) == status)
    term = " ".join((search or "").split()).lower()
    if term:
        like = f"%{term}%"
        fields = [func.lower(Performer.stage_name).like(like)]
        if full:  # contact data is searchable only by those who may see it
            fields += [func.lower(Performer.email).like(like), func.lower(Performer.telegram).like(like)]
        where.append(or_(*fields))
    per_page = min(max(per_page, 1), 200)
    page = min(max(page, 1), MAX_PAGE)
    total = int(db.exec(select(func.count()).select_from(Performer).where(*where)).one())
    allowed = FULL_SORTS if full else STAGE_SORTS
    if sort not in allowed:
        sort = DEFAULT_SORT
    order = allowed[sort]
    rows = db.exec(
        select(Performer)
        .where(*where)
        .order_by(col(order).desc() if descending else col(order), col(Performer.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    if not full:
        return Page(
            [PerformerStageRow(p.id or 0, p.stage_name, p.status) for p in rows], total, page, per_page, sort
        )
    today = actor.today()
    return Page([_row(p, today) for p in rows], total, page, per_page, sort)


def sort_keys(actor: Actor) -> frozenset[str]:
    """The sort keys of the model list this actor may use (the fields of the rows she gets)."""
    return frozenset(FULL_SORTS if actor.can(Cap.PERFORMERS_MANAGE) else STAGE_SORTS)


def get_performer(
    db: Session, actor: Actor, performer_id: int
) -> PerformerDetail | OwnProfile | PerformerStageRow:
    """One model's profile: with notes for staff, without them for the model herself, stage name only
    for analysts."""
    studio_id = require_studio(actor)
    if actor.can(Cap.PERFORMERS_VIEW) and not actor.can(Cap.PERFORMERS_MANAGE):
        p = get_row(db, studio_id, performer_id)
        return PerformerStageRow(p.id or 0, p.stage_name, p.status)
    return _view(db, actor, access_performer(db, actor, performer_id, Cap.PERFORMERS_MANAGE))


def find_performer(
    db: Session, actor: Actor, performer_id: int | None
) -> PerformerDetail | OwnProfile | PerformerStageRow | None:
    """get_performer for a page's address: None when this actor has no such model (another studio's,
    a deleted one, or an id that is no id), which the page says as "no such model"."""
    require_studio(actor)
    if performer_id is None:
        return None
    try:
        return get_performer(db, actor, performer_id)
    except NotFound:
        return None


def my_profile(db: Session, actor: Actor) -> OwnProfile:
    own = own_performer_id(db, actor)
    if own is None:
        raise NotFound("Your account is not linked to a model profile yet.")
    return _own(db, access_performer(db, actor, own, Cap.PERFORMERS_MANAGE))


def get_legal(db: Session, actor: Actor, performer_id: int) -> LegalDetails:
    """Legal name, birth date and ID document; each view is audited (who, whose, when, from where)."""
    p = access_performer(db, actor, performer_id, Cap.LEGAL_FIELDS)
    audit.record_by(db, actor, "performer.documents_viewed", target=f"performer:{p.id}")
    db.flush()
    return _legal(p, actor.today())


# ---------------------------------------------------------------- writing


def create_performer(
    db: Session, actor: Actor, profile: ProfileInput, legal: LegalInput, *, today: date | None = None
) -> PerformerDetail:
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    require(actor, Cap.LEGAL_FIELDS)
    entered_on = today or actor.today()
    errors = FormErrors()
    values = _clean_profile(profile, errors)
    values.update(_clean_legal(legal, errors, entered_on=entered_on, today=entered_on))
    name = values["stage_name"]
    if isinstance(name, str) and _stage_name_taken(db, studio_id, name):
        errors.add("stage_name", f"There is already a model called {name} in this studio.")
    errors.raise_if_any()
    if values["status"] == PerformerStatus.ACTIVE:
        billing.check_model_limit(db, studio_id)  # the plan's limit counts active models
    # The cleaned values are one dict of mixed types (dict[str, object]); mypy cannot match them to the
    # columns, and the form rules above are what type each one.
    p = Performer(studio_id=studio_id, **values)  # type: ignore[arg-type]
    db.add(p)
    db.flush()
    audit.record_by(db, actor, "performer.created", target=f"performer:{p.id}", detail=p.stage_name)
    db.flush()
    return _detail(db, p, actor.today())


def update_profile(db: Session, actor: Actor, performer_id: int, profile: ProfileInput) -> PerformerDetail:
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    p = get_row(db, studio_id, performer_id)
    errors = FormErrors()
    values = _clean_profile(profile, errors)
    name = values["stage_name"]
    if isinstance(name, str) and _stage_name_taken(db, studio_id, name, exclude_id=p.id):
        errors.add("stage_name", f"There is already a model called {name} in this studio.")
    errors.raise_if_any()
    if values["status"] == PerformerStatus.ACTIVE and p.status != PerformerStatus.ACTIVE:
        billing.check_model_limit(db, studio_id)
    for key, value in values.items():
        setattr(p, key, value)
    p.updated_at = utcnow()
    db.add(p)
    db.flush()
    return _detail(db, p, actor.today())


def update_contact(
    db: Session, actor: Actor, performer_id: int, *, email: str, phone: str, telegram: str
) -> PerformerDetail | OwnProfile:
    """Contact data: staff for any model, a model for herself."""
    p = access_performer(db, actor, performer_id, Cap.PERFORMERS_MANAGE)
    errors = FormErrors()
    clean_email = errors.check("email", _clean_email, email)
    clean_phone = errors.check("phone", _clean_phone, phone)
    clean_tg = errors.check("telegram", _clean_telegram, telegram)
    errors.raise_if_any()
    p.email, p.phone, p.telegram = clean_email, clean_phone, clean_tg
    p.updated_at = utcnow()
    db.add(p)
    audit.record_by(db, actor, "performer.contact_updated", target=f"performer:{p.id}")
    db.flush()
    return _view(db, actor, p)


def update_legal(db: Session, actor: Actor, performer_id: int, legal: LegalInput) -> LegalDetails:
    """Owners and managers only; the audit row names the fields changed, never their values."""
    studio_id = require(actor, Cap.LEGAL_FIELDS)
    p = get_row(db, studio_id, performer_id)
    entered_on = actor.today(p.created_at)
    errors = FormErrors()
    values = _clean_legal(legal, errors, entered_on=entered_on, today=actor.today())
    errors.raise_if_any()
    changed = [key for key, value in values.items() if getattr(p, key) != value]
    for key in changed:
        setattr(p, key, values[key])
    if changed:
        p.updated_at = utcnow()
        db.add(p)
        audit.record_by(
            db, actor, "performer.legal_updated", target=f"performer:{p.id}", detail=",".join(changed)
        )
    db.flush()
    return _legal(p, actor.today())


def link_membership(db: Session, *, studio_id: int, user_id: int, performer_id: int) -> None:
    """Link an account to a model profile (called when a model accepts her invitation)."""
    get_row(db, studio_id, performer_id)
    user_id = require_id(user_id)
    membership = db.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.studio_id == studio_id)
    ).first()
    if membership is None:
        raise NotFound()
    if membership.role != Role.PERFORMER:
        raise ValidationFailed({"user_id": "Only an account with the Model role can be linked to a model."})
    other = db.exec(
        select(Membership.id).where(
            Membership.studio_id == studio_id,
            Membership.performer_id == performer_id,
            Membership.user_id != user_id,
        )
    ).first()
    if other is not None:
        raise ValidationFailed({"user_id": "This model is already linked to another account."})
    membership.performer_id = performer_id
    db.add(membership)
    db.flush()


def link_account(db: Session, actor: Actor, performer_id: int, user_id: int) -> PerformerDetail:
    """A manager links a member with the Model role to a model profile."""
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    link_membership(db, studio_id=studio_id, user_id=user_id, performer_id=performer_id)
    audit.record_by(
        db, actor, "performer.account_linked", target=f"performer:{performer_id}", detail=f"user:{user_id}"
    )
    db.flush()
    return _detail(db, get_row(db, studio_id, performer_id), actor.today())


def stage_names(db: Session, actor: Actor) -> dict[int, str]:
    """id -> stage name for pickers (any role that sees the schedule or the model list)."""
    studio_id = require_studio(actor)
    if not (actor.can(Cap.PERFORMERS_VIEW) or actor.can(Cap.SCHEDULE_MANAGE)):
        own = own_performer_id(db, actor)
        if own is None:
            return {}
        p = get_row(db, studio_id, own)
        return {own: p.stage_name}
    rows = db.exec(
        select(Performer.id, Performer.stage_name)
        .where(Performer.studio_id == studio_id)
        .order_by(col(Performer.stage_name))
    ).all()
    return {i: n for i, n in rows if i is not None}


@dataclass(frozen=True)
class ComplianceSummary:
    active: int
    expired: int
    expiring_soon: int


def compliance_summary(db: Session, actor: Actor) -> ComplianceSummary:
    """Counts for the dashboard; expiry dates are encrypted, so they are compared here, not in SQL."""
    studio_id = require(actor, Cap.PERFORMERS_MANAGE)
    today = actor.today()
    rows = db.exec(
        select(Performer).where(Performer.studio_id == studio_id, Performer.status != PerformerStatus.LEFT)
    ).all()
    flags = [_expiry_flags(p.doc_expiry, today) for p in rows]
    return ComplianceSummary(
        active=sum(1 for p in rows if p.status == PerformerStatus.ACTIVE),
        expired=sum(1 for expired, _ in flags if expired),
        expiring_soon=sum(1 for expired, soon in flags if soon and not expired),
    )
