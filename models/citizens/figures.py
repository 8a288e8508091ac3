"""A unit's complaint figures for a period: received, answered within the service level,
late, still open, and the median working days to an answer (published on the cycle's public
page and in its open data; a unit indicator the pack may use).

A complaint counts in the period that holds the day it was received. It is *late* when its
answer came after the end of its service level, or when it is still unanswered after it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.citizens.calendar import holidays
from kinerja.models.rules.workdays import working_days_between
from kinerja.models.store.tables import Complaint


@dataclass(frozen=True)
class UnitComplaints:
    unit_id: str
    received: int
    answered: int
    within_level: int
    late: int
    open: int
    median_days: float | None

    @property
    def within_level_pct(self) -> float | None:
        """Share of the complaints received that were answered within the service level."""
        return None if not self.received else round(100 * self.within_level / self.received, 2)


def complaint_figures(
    session: Session, *, start: date, end: date, now: datetime
) -> list[UnitComplaints]:
    """Per unit, the complaints received from ``start`` to ``end`` (both included), at ``now``."""
    days_off = holidays(session)
    rows = session.execute(
        select(
            Complaint.unit_id, Complaint.received_at, Complaint.due_at, Complaint.replied_at
        ).where(
            Complaint.received_at >= datetime.combine(start, time.min),
            Complaint.received_at <= datetime.combine(end, time.max),
        )
    ).all()
    per_unit: dict[str, list[tuple[datetime, datetime, datetime | None]]] = {}
    for unit_id, received, due, replied in rows:
        per_unit.setdefault(unit_id, []).append((received, due, replied))
    out = []
    for unit_id in sorted(per_unit):
        items = per_unit[unit_id]
        answered = [(r, d, a) for r, d, a in items if a is not None]
        within = sum(1 for _, d, a in answered if a <= d)
        late = sum(1 for _, d, a in items if (a is not None and a > d) or (a is None and now > d))
        days = [working_days_between(r.date(), a.date(), days_off) for r, _, a in answered]
        out.append(
            UnitComplaints(
                unit_id=unit_id,
                received=len(items),
                answered=len(answered),
                within_level=within,
                late=late,
                open=len(items) - len(answered),
                median_days=float(statistics.median(days)) if days else None,
            )
        )
    return out
