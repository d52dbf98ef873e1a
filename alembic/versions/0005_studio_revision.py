"""studio.revision: the counter the per-studio caches are keyed by

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:40:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('studio') as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('studio') as batch_op:
        batch_op.drop_column('revision')
