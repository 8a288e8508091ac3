"""The cascade in words: the statement of the unit goal (IKU) or the superior's target (RHK
pimpinan yang diintervensi) that each target serves, instead of its id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.store.tables import Goal, Target


def serves_statements(session: Session, *, cycle_id: str, codes: Sequence[str]) -> dict[str, str]:
    """The statement of each goal or target in ``codes`` that the cycle has, by its id."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    goals = session.execute(
        select(Goal.goal_id, Goal.statement).where(
            Goal.cycle_id == cycle_id, Goal.goal_id.in_(wanted)
        )
    )
    targets = session.execute(
        select(Target.target_id, Target.statement).where(
            Target.cycle_id == cycle_id, Target.target_id.in_(wanted)
        )
    )
    return {code: statement for code, statement in [*goals, *targets]}
