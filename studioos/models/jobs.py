"""The background jobs' own history: one row per run, so "did retention run?" has an answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from studioos.models.types import utc_field

# Long enough for an exception's class and the first line of its message, short enough that a
# traceback (with the values it was called with) can never be stored here.
ERROR_MAX = 300


class JobRun(SQLModel, table=True):
    """One run of one job. Written before the job starts and finished after it, each in a
    transaction of its own: a run that failed keeps its error, one that never finished (the
    process died) keeps `finished_at` empty."""

    # The history is read per job, newest first.
    __table_args__ = (Index("ix_jobrun_job_started_at", "job", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    started_at: datetime = utc_field()
    finished_at: datetime | None = utc_field(nullable=True)
    rows: int = 0
    # Empty on success. Never personal data: the exception's class and message, first line only.
    error: str = Field(default="", max_length=ERROR_MAX)
