"""Models (cam performers) and their accounts on cam platforms."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from studioos.crypto import EncryptedDate, EncryptedString
from studioos.models.types import utc_field


class PerformerStatus(StrEnum):
    APPLICANT = "applicant"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class DocumentType(StrEnum):
    PASSPORT = "passport"
    ID_CARD = "id_card"
    DRIVING_LICENCE = "driving_licence"
    RESIDENCE_PERMIT = "residence_permit"


class Performer(SQLModel, table=True):
    """A cam model. Legal identity and ID document are encrypted at rest (see studioos.crypto)."""

    __table_args__ = (UniqueConstraint("studio_id", "stage_name"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    stage_name: str = Field(max_length=80)
    status: str = Field(default=PerformerStatus.APPLICANT, max_length=16, index=True)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    telegram: str | None = Field(default=None, max_length=64)
    payout_split: Decimal = Field(default=Decimal("50.00"), sa_type=Numeric(5, 2))
    # Staff notes about a person are as private as her legal identity: encrypted at rest.
    notes: str = Field(default="", sa_type=EncryptedString)
    legal_name: str | None = Field(default=None, sa_type=EncryptedString)
    birth_date: date | None = Field(default=None, sa_type=EncryptedDate)
    doc_type: str | None = Field(default=None, sa_type=EncryptedString)
    doc_number: str | None = Field(default=None, sa_type=EncryptedString)
    doc_country: str | None = Field(default=None, sa_type=EncryptedString)
    doc_expiry: date | None = Field(default=None, sa_type=EncryptedDate)
    # The photo lives on disk under settings.data_dir/photos; only its random file name is kept here.
    photo_file: str | None = Field(default=None, max_length=64)
    photo_type: str | None = Field(default=None, max_length=32)
    # She objected to analytics beyond what payroll needs: analysts' charts leave her out.
    analytics_objected_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class Platform(SQLModel, table=True):
    """A cam platform a studio added beyond the built-in list."""

    __table_args__ = (UniqueConstraint("studio_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=60)
    created_at: datetime = utc_field(default_now=True)


class PlatformAccount(SQLModel, table=True):
    """A model's handle on a platform; `handle_key` (lower-cased) is unique per platform per studio."""

    __table_args__ = (UniqueConstraint("studio_id", "platform", "handle_key"),)

    id: int | None = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id", index=True, ondelete="CASCADE")
    performer_id: int = Field(foreign_key="performer.id", index=True, ondelete="CASCADE")
    platform: str = Field(max_length=60)
    handle: str = Field(max_length=80)
    handle_key: str = Field(max_length=80)
    created_at: datetime = utc_field(default_now=True)
