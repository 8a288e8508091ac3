"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 02:46:37.179258

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('cycle_id', sa.String(length=64), nullable=True),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=255), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index(op.f('ix_audit_events_cycle_id'), 'audit_events', ['cycle_id'], unique=False)
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('cycles',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('pack_name', sa.String(length=64), nullable=False),
    sa.Column('pack_version', sa.String(length=64), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('config_hash', sa.String(length=64), nullable=False),
    sa.Column('pack', sa.JSON(), nullable=False),
    sa.Column('pack_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('current_stage', sa.String(length=32), nullable=True),
    sa.Column('clock_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('cycle_id')
    )
    op.create_table('employees',
    sa.Column('nip', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.String(length=255), nullable=False),
    sa.Column('grade', sa.String(length=32), nullable=True),
    sa.Column('manager_nip', sa.String(length=64), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('channels', sa.String(length=255), nullable=True),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('nip')
    )
    op.create_index(op.f('ix_employees_manager_nip'), 'employees', ['manager_nip'], unique=False)
    op.create_index(op.f('ix_employees_unit_id'), 'employees', ['unit_id'], unique=False)
    op.create_table('jp_ledger',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('nip', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('jp', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_index(op.f('ix_jp_ledger_nip'), 'jp_ledger', ['nip'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('cycle_id', sa.String(length=64), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('recipient_nip', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_index(op.f('ix_notifications_cycle_id'), 'notifications', ['cycle_id'], unique=False)
    op.create_index('ix_notifications_status_next', 'notifications', ['status', 'next_attempt_at'], unique=False)
    op.create_table('survey_responses',
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('respondent_id', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('unit_id', 'respondent_id')
    )
    op.create_table('units',
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('head_nip', sa.String(length=64), nullable=True),
    sa.Column('is_service_unit', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('unit_id')
    )
    op.create_index(op.f('ix_units_parent_id'), 'units', ['parent_id'], unique=False)
    op.create_table('cycle_stages',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('final_due_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'stage')
    )
    op.create_table('distribution_findings',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.String(length=128), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'unit_id', 'rule')
    )
    op.create_table('feedback',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('nip', sa.String(length=64), nullable=False),
    sa.Column('manager_nip', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('written_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'nip')
    )
    op.create_table('goals',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('goal_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('indicator', sa.Text(), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('target_high', sa.Float(), nullable=True),
    sa.Column('unit_of_measure', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('parent_goal_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'goal_id')
    )
    op.create_index(op.f('ix_goals_unit_id'), 'goals', ['unit_id'], unique=False)
    op.create_table('human_tasks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('task_key', sa.String(length=255), nullable=False),
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject_nip', sa.String(length=64), nullable=False),
    sa.Column('assignee_nip', sa.String(length=64), nullable=False),
    sa.Column('delegate_nip', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('escalated_to', sa.String(length=64), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('final_due_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_key')
    )
    op.create_index(op.f('ix_human_tasks_assignee_nip'), 'human_tasks', ['assignee_nip'], unique=False)
    op.create_index(op.f('ix_human_tasks_cycle_id'), 'human_tasks', ['cycle_id'], unique=False)
    op.create_index('ix_human_tasks_cycle_stage_state', 'human_tasks', ['cycle_id', 'stage', 'state'], unique=False)
    op.create_table('measurements',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'target_id', 'period')
    )
    op.create_table('publications',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'unit_id')
    )
    op.create_table('results',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('nip', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('rater_nip', sa.String(length=64), nullable=True),
    sa.Column('achievement', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('proposed_hasil_kerja', sa.String(length=32), nullable=True),
    sa.Column('hasil_kerja', sa.String(length=32), nullable=True),
    sa.Column('perilaku', sa.String(length=32), nullable=True),
    sa.Column('perilaku_values', sa.JSON(), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('predikat', sa.String(length=32), nullable=True),
    sa.Column('training_jp', sa.Float(), nullable=True),
    sa.Column('incentive', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('rule_version', sa.String(length=128), nullable=True),
    sa.Column('derivation', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'nip')
    )
    op.create_index(op.f('ix_results_unit_id'), 'results', ['unit_id'], unique=False)
    op.create_table('scripted_reviews',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('nip', sa.String(length=64), nullable=False),
    sa.Column('hasil_kerja', sa.String(length=32), nullable=True),
    sa.Column('perilaku', sa.String(length=32), nullable=True),
    sa.Column('perilaku_values', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'nip')
    )
    op.create_table('targets',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('nip', sa.String(length=64), nullable=False),
    sa.Column('serves', sa.String(length=64), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('indicator', sa.Text(), nullable=False),
    sa.Column('aspect', sa.String(length=32), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('target_high', sa.Float(), nullable=True),
    sa.Column('unit_of_measure', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('realisation', sa.Float(), nullable=True),
    sa.Column('achievement', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'target_id')
    )
    op.create_index('ix_targets_cycle_nip', 'targets', ['cycle_id', 'nip'], unique=False)
    op.create_index(op.f('ix_targets_nip'), 'targets', ['nip'], unique=False)
    op.create_table('training_assignments',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('nip', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('jp', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'nip', 'course')
    )
    op.create_table('unit_indices',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('respondents', sa.Integer(), nullable=False),
    sa.Column('ikm', sa.Float(), nullable=True),
    sa.Column('mutu', sa.String(length=4), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'unit_id')
    )
    op.create_table('unit_ratings',
    sa.Column('cycle_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('predikat_organisasi', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.cycle_id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'unit_id')
    )


def downgrade() -> None:
    op.drop_table('unit_ratings')
    op.drop_table('unit_indices')
    op.drop_table('training_assignments')
    op.drop_index(op.f('ix_targets_nip'), table_name='targets')
    op.drop_index('ix_targets_cycle_nip', table_name='targets')
    op.drop_table('targets')
    op.drop_table('scripted_reviews')
    op.drop_index(op.f('ix_results_unit_id'), table_name='results')
    op.drop_table('results')
    op.drop_table('publications')
    op.drop_table('measurements')
    op.drop_index('ix_human_tasks_cycle_stage_state', table_name='human_tasks')
    op.drop_index(op.f('ix_human_tasks_cycle_id'), table_name='human_tasks')
    op.drop_index(op.f('ix_human_tasks_assignee_nip'), table_name='human_tasks')
    op.drop_table('human_tasks')
    op.drop_index(op.f('ix_goals_unit_id'), table_name='goals')
    op.drop_table('goals')
    op.drop_table('feedback')
    op.drop_table('distribution_findings')
    op.drop_table('cycle_stages')
    op.drop_index(op.f('ix_units_parent_id'), table_name='units')
    op.drop_table('units')
    op.drop_table('survey_responses')
    op.drop_index('ix_notifications_status_next', table_name='notifications')
    op.drop_index(op.f('ix_notifications_cycle_id'), table_name='notifications')
    op.drop_table('notifications')
    op.drop_index(op.f('ix_jp_ledger_nip'), table_name='jp_ledger')
    op.drop_table('jp_ledger')
    op.drop_index(op.f('ix_employees_unit_id'), table_name='employees')
    op.drop_index(op.f('ix_employees_manager_nip'), table_name='employees')
    op.drop_table('employees')
    op.drop_table('cycles')
    op.drop_table('audit_head')
    op.drop_index(op.f('ix_audit_events_cycle_id'), table_name='audit_events')
    op.drop_table('audit_events')
