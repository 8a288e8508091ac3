"""Human tasks: an index on (subject, cycle), for finding a person's tasks of a kind.

A revision of returned targets looks up the subject's latest approval task; without this
index that read every task of the cycle, once per answer, so the cost of the approve stage
grew with the square of the cycle's size. The subject leads, so that no query by cycle
alone takes this index instead of the (cycle, stage, state) one.

Revision ID: 0012
Revises: 0011

"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_human_tasks_subject_cycle", "human_tasks", ["subject_nip", "cycle_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_human_tasks_subject_cycle", table_name="human_tasks")
