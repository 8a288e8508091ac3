"""A subject's targets in people's words: what each serves (the unit goal's or the manager's
target's statement instead of its id), the subject's unit by name, and the weight total
against what the cycle's pack requires. Read-only, like portal/views.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from kinerja.models.cycles.cascade import serves_statements as serves_texts
from kinerja.models.store.tables import Unit

__all__ = ["serves_texts", "unit_name", "weight_total"]


def unit_name(session: Session, unit_id: str | None) -> str | None:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else unit_id


def weight_total(targets: Sequence[Any], pack: Any) -> dict[str, Any]:
    """The sum of the targets' weights, and the sum the pack requires (None when the pack
    uses no weights): ``{"total": 100.0, "required": 100.0}``."""
    total = sum(t.weight for t in targets if t.weight is not None)
    return {"total": total, "required": pack.targets.required_weights_sum}
