"""policy inputs: attendance, discipline, functional positions, competency gaps, training completion

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 05:40:00

"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
