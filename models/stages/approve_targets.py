"""The approve-targets stage's automated work: an approval task per person whose targets
are proposed, for their rater.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.humantasks.opening import NewTask
from kinerja.models.stages.common import in_chunk, rater
from kinerja.models.store.tables import Cycle, Employee, Target

# --- approve targets ---------------------------------------------------------------------------


def approval_tasks(
    session: Session, *, cycle: Cycle, coordinator: str, lo: str, hi: str
) -> list[NewTask]:
    """An approval per employee whose targets are proposed, for their manager."""
    counts = session.execute(
        select(Target.nip, func.count(), Employee.manager_nip)
        .join(Employee, Employee.nip == Target.nip)
        .where(
            Target.cycle_id == cycle.cycle_id,
            Target.status == "proposed",
            in_chunk(Target.nip, lo, hi),
        )
        .group_by(Target.nip, Employee.manager_nip)
    ).all()
    return [
        NewTask("approve_targets", nip, rater(m, coordinator), {"targets": n})
        for nip, n, m in counts
    ]
