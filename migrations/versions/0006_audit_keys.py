"""audit keys: each audit event records the key that signed it

``audit_events.key_id`` names the key whose HMAC the event's hash is; events already stored
keep NULL there (they were hashed without a key, and verify as such). An index on (cycle,
entity, entity id) serves the comparison of the results with their audit events.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_audit_events_entity",
        "audit_events",
        ["cycle_id", "entity", "entity_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_entity", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("key_id")
