"""task administration: absences with delegates, deadline extensions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:40:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nip", sa.String(length=64), nullable=False),
        sa.Column("delegate_nip", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_absences_nip"), "absences", ["nip"], unique=False)
    op.create_table(
        "task_delegations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("absence_id", sa.Integer(), nullable=False),
        sa.Column("delegate_nip", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("delegated_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["absence_id"], ["absences.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["human_tasks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_task_delegations_task_id"), "task_delegations", ["task_id"], unique=False
    )
    op.create_index(
        "ux_task_delegations_task_absence",
        "task_delegations",
        ["task_id", "absence_id"],
        unique=True,
    )
    op.create_table(
        "task_extensions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("days", sa.Float(), nullable=False),
        sa.Column("old_due_at", sa.DateTime(), nullable=False),
        sa.Column("new_due_at", sa.DateTime(), nullable=False),
        sa.Column("old_final_due_at", sa.DateTime(), nullable=False),
        sa.Column("new_final_due_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_nip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["human_tasks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_task_extensions_cycle_id"), "task_extensions", ["cycle_id"], unique=False
    )
    op.create_index(
        op.f("ix_task_extensions_task_id"), "task_extensions", ["task_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_task_extensions_task_id"), table_name="task_extensions")
    op.drop_index(op.f("ix_task_extensions_cycle_id"), table_name="task_extensions")
    op.drop_table("task_extensions")
    op.drop_index("ux_task_delegations_task_absence", table_name="task_delegations")
    op.drop_index(op.f("ix_task_delegations_task_id"), table_name="task_delegations")
    op.drop_table("task_delegations")
    op.drop_index(op.f("ix_absences_nip"), table_name="absences")
    op.drop_table("absences")
