"""organisation results: service populations, goal realisation

Units get the service population of their survey (Krejcie-Morgan check); a unit rating
records where it came from (unit_ratings.csv or the IKU capaian) with its derivation;
distribution findings are keyed by their group (a unit, or one rater's direct reports in
it); a qualitative cycle may leave a target's number and a realisation's value empty.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 05:40:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _findings(*, grouped: bool) -> None:
    # Findings are recomputed by every distribution check, so the table is rebuilt with its
    # new primary key rather than altered (SQLite cannot change a primary key in place).
    columns = [
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
    ]
    key = ["cycle_id", "unit_id"]
    if grouped:
        columns.append(sa.Column("rater_nip", sa.String(length=64), nullable=False))
        key.append("rater_nip")
    op.create_table(
        "distribution_findings",
        *columns,
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.cycle_id"]),
        sa.PrimaryKeyConstraint(*key, "rule"),
    )


def upgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("service_population", sa.Integer(), nullable=True))
    with op.batch_alter_table("unit_ratings") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=16), server_default="file", nullable=False)
        )
        batch.add_column(sa.Column("capaian", sa.Float(), nullable=True))
        batch.add_column(sa.Column("derivation", sa.JSON(), nullable=True))
    with op.batch_alter_table("targets") as batch:
        batch.alter_column("target_value", existing_type=sa.Float(), nullable=True)
    with op.batch_alter_table("measurements") as batch:
        batch.alter_column("value", existing_type=sa.Float(), nullable=True)
    op.drop_table("distribution_findings")
    _findings(grouped=True)


def downgrade() -> None:
    op.drop_table("distribution_findings")
    _findings(grouped=False)
    with op.batch_alter_table("measurements") as batch:
        batch.alter_column("value", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("targets") as batch:
        batch.alter_column("target_value", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("unit_ratings") as batch:
        batch.drop_column("derivation")
        batch.drop_column("capaian")
        batch.drop_column("source")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("service_population")
