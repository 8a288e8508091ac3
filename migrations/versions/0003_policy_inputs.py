"""policy inputs: attendance, discipline, functional positions, competency gaps, training completion

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 05:40:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _per_cycle(name: str, *columns: sa.Column, keys: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("nip", sa.String(length=64), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.cycle_id"]),
        sa.PrimaryKeyConstraint("cycle_id", "nip", *keys),
    )


def upgrade() -> None:
    _per_cycle(
        "attendance",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        keys=("code",),
    )
    _per_cycle(
        "discipline_sanctions",
        sa.Column("sanction", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        keys=("sanction",),
    )
    _per_cycle(
        "functional_positions",
        sa.Column("jenjang", sa.String(length=64), nullable=False),
        sa.Column("months", sa.Numeric(precision=5, scale=2), nullable=False),
        keys=(),
    )
    _per_cycle(
        "competency_levels",
        sa.Column("competency", sa.String(length=64), nullable=False),
        sa.Column("required_level", sa.Integer(), nullable=False),
        sa.Column("actual_level", sa.Integer(), nullable=False),
        keys=("competency",),
    )
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("credit_points", sa.Numeric(precision=10, scale=2)))
    with op.batch_alter_table("jp_ledger") as batch:
        batch.add_column(sa.Column("completed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jp_ledger") as batch:
        batch.drop_column("completed_on")
    with op.batch_alter_table("results") as batch:
        batch.drop_column("credit_points")
    for name in ("competency_levels", "functional_positions", "discipline_sanctions", "attendance"):
        op.drop_table(name)
