"""Audit checkpoints written by the cycle's own tasks (see models/audit/checkpoints.py).

Called after the transaction that appended events has committed: when a stage closes, when
a gate decision is recorded, after each sweep of a cycle. A plain function, not a Prefect
task: it runs inside the task whose work it pins, and fails that task (to be retried) when
the checkpoint file cannot be written, as the results files do.
"""

from __future__ import annotations

from datetime import datetime

from kinerja.models.audit.checkpoints import write_checkpoint
from kinerja.models.store.db import get_engine, session_scope


def audit_checkpoint(db_url: str | None, *, reason: str, at: datetime) -> str | None:
    """Pin the chain's committed head outside the database; returns ``"seq N, hash H..."``
    for a report (None while the log is empty)."""
    with session_scope(get_engine(db_url)) as session:
        checkpoint = write_checkpoint(session, reason=reason, at=at)
    if checkpoint is None:
        return None
    return f"seq {checkpoint.seq}, hash {checkpoint.hash[:16]}"
