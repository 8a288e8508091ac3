"""Human tasks: drop the single-column cycle index, which the (cycle, stage, state) index
covers. Without statistics SQLite took it for the sweeper's and the stage's queries (it
gives rows in id order) and read every task of the cycle for each of them.

Revision ID: 0011
Revises: 0010

"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_human_tasks_cycle_id")


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_human_tasks_cycle_id", ["cycle_id"], unique=False)
