"""Citizens: the SKM survey online (forms; the online answer's form, period, source, profile and time on survey_responses)

Revision ID: 0009
Revises: 0007

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0009"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_forms",
        sa.Column("form_id", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("form_id"),
    )
    with op.batch_alter_table("survey_forms", schema=None) as batch_op:
        batch_op.create_index("ux_survey_forms_unit_period", ["unit_id", "period"], unique=True)

    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_id", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("period", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("profile", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_survey_responses_form_id"), ["form_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_form_id"))
        batch_op.drop_column("submitted_at")
        batch_op.drop_column("profile")
        batch_op.drop_column("source")
        batch_op.drop_column("period")
        batch_op.drop_column("form_id")

    with op.batch_alter_table("survey_forms", schema=None) as batch_op:
        batch_op.drop_index("ux_survey_forms_unit_period")

    op.drop_table("survey_forms")
