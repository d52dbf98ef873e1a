"""existing studios start a trial

Studios made before billing had no trial end: counted from their creation, most would be read-only
the moment billing's gate arrives. Each gets the trial a new studio gets, from the upgrade on.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 20:40:00

"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIAL_DAYS = 14  # studioos.services.billing.TRIAL_DAYS when this was written


def upgrade() -> None:
    studio = sa.table(
        "studio",
        sa.column("trial_ends_at", sa.DateTime(timezone=True)),
        sa.column("stripe_subscription_id", sa.String()),
    )
    ends = datetime.now(UTC) + timedelta(days=TRIAL_DAYS)
    op.execute(
        studio.update()
        .where(studio.c.trial_ends_at.is_(None), studio.c.stripe_subscription_id.is_(None))
        .values(trial_ends_at=ends)
    )


def downgrade() -> None:
    """Nothing to undo: a trial end is kept (0015's downgrade drops the column)."""
