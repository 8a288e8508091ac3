"""Citizens: the SKM survey online (forms; the online answer's form, period, source, profile and time on survey_responses), complaints, public holidays, each unit's complaint officer

Revision ID: 0009
Revises: 0008

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tracking_code', sa.String(length=16), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=254), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('replied_by', sa.String(length=64), nullable=True),
    sa.Column('close_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tracking_code')
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ux_complaints_source_external', ['source', 'external_id'], unique=True)

    op.create_table('holidays',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complaint_officer_nip', sa.String(length=64), nullable=True))

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
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('complaint_officer_nip')
    op.drop_table('holidays')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ux_complaints_source_external')
        batch_op.drop_index(batch_op.f('ix_complaints_unit_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_cycle_id'))
    op.drop_table('complaints')
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
