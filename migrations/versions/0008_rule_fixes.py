"""Rule fixes: a result names a rater outside the organisation and who recorded a rating on
a rater's behalf (the HR coordinator is never the rater)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 13:30:00.000000

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_rater', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('external_rater')
