"""outbox delivery: who holds a claim, when the last attempt began, ops told of a dead row

A ``sending`` row names the process that claimed it (host, pid, start token), so that a
claim of a process known dead on the same host is taken again at once; ``last_attempt_at``
is when the latest attempt began; ``dead_alerted_at`` records that ops were told.

Leases and retry times are now on the wall clock. Rows waiting before this revision may
carry times of a simulated cycle's clock, which the wall clock might not reach for months:
they become due at once (a ``sending`` row's sender is gone by the time a database is
upgraded, so it is sent again: at-least-once).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 11:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("last_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("claimed_host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("claimed_pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claimed_start", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("dead_alerted_at", sa.DateTime(), nullable=True))
    notifications = sa.table(
        "notifications",
        sa.column("status", sa.String()),
        sa.column("next_attempt_at", sa.DateTime()),
    )
    op.execute(
        notifications.update()
        .where(notifications.c.status.in_(("pending", "sending")))
        .values(status="pending", next_attempt_at=None)
    )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("dead_alerted_at")
        batch.drop_column("claimed_start")
        batch.drop_column("claimed_pid")
        batch.drop_column("claimed_host")
        batch.drop_column("last_attempt_at")
