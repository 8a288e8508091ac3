"""The feedback stage's automated work: a feedback task per person for their rater, and the
counts of feedback written and acknowledged.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.humantasks.opening import NewTask
from kinerja.models.stages.common import in_chunk, rater
from kinerja.models.store.tables import Cycle, Employee, Feedback, Result

# --- feedback ----------------------------------------------------------------------------------


def feedback_tasks(
    session: Session, *, cycle: Cycle, coordinator: str, lo: str, hi: str
) -> list[NewTask]:
    rows = session.execute(
        select(Result.nip, Employee.manager_nip)
        .join(Employee, Employee.nip == Result.nip)
        .where(Result.cycle_id == cycle.cycle_id, in_chunk(Result.nip, lo, hi))
    ).all()
    return [NewTask("write_feedback", nip, rater(m, coordinator), {}) for nip, m in rows]


def feedback_counts(session: Session, *, cycle: Cycle) -> dict[str, int]:
    written = (
        session.scalar(
            select(func.count())
            .select_from(Feedback)
            .where(Feedback.cycle_id == cycle.cycle_id, Feedback.text.is_not(None))
        )
        or 0
    )
    acked = (
        session.scalar(
            select(func.count())
            .select_from(Feedback)
            .where(Feedback.cycle_id == cycle.cycle_id, Feedback.acknowledged_at.is_not(None))
        )
        or 0
    )
    return {"written": written, "acknowledged": acked}
