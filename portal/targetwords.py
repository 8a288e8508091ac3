"""A subject's targets in people's words: what each serves (the unit goal's or the manager's
target's statement instead of its id), the subject's unit by name, and the weight total
against what the cycle's pack requires. Read-only, like portal/views.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.store.tables import Goal, Target, Unit


def serves_texts(session: Session, *, cycle_id: str, codes: Sequence[str]) -> dict[str, str]:
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


def unit_name(session: Session, unit_id: str | None) -> str | None:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else unit_id


def weight_total(targets: Sequence[Any], pack: Any) -> dict[str, Any]:
    """The sum of the targets' weights, and the sum the pack requires (None when the pack
    uses no weights): ``{"total": 100.0, "required": 100.0}``."""
    total = sum(t.weight for t in targets if t.weight is not None)
    return {"total": total, "required": pack.targets.required_weights_sum}
