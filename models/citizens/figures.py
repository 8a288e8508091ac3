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

from kinerja.models.audit.chain import append_many
from kinerja.models.citizens.calendar import holidays
from kinerja.models.cycles.cycle import cycle_config, pack_of
from kinerja.models.cycles.measurements import record
from kinerja.models.rules.workdays import working_days_between
from kinerja.models.store.tables import Complaint, Cycle, Goal


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


def feed_goals(session: Session, *, cycle: Cycle, now: datetime) -> list[tuple[str, float]]:
    """The complaint indicator into the unit's evaluation: every goal of ``cycle`` whose
    indicator is the pack's ``complaints.goal_indicator`` gets, for the cycle's year, the
    share of its unit's complaints answered on time (%) as its realisation, through the same
    measurement history as an import (a changed value keeps the earlier one). A unit without
    complaints in the period gets nothing. Returns ``[(goal_id, value)]`` written.
    """
    rules = pack_of(cycle).complaints
    if rules is None or not rules.goal_indicator:
        return []
    config = cycle_config(cycle)
    key = rules.goal_indicator.strip().lower()
    goals = [
        g
        for g in session.scalars(select(Goal).where(Goal.cycle_id == cycle.cycle_id))
        if g.indicator.strip().lower() == key
    ]
    if not goals:
        return []
    end = datetime.combine(config.period_end, time.max)
    figures = {
        f.unit_id: f
        for f in complaint_figures(
            session, start=config.period_start, end=config.period_end, now=min(now, end)
        )
    }
    rows = []
    for goal in sorted(goals, key=lambda g: g.goal_id):
        found = figures.get(goal.unit_id)
        if found is None or found.within_level_pct is None:
            continue
        rows.append(
            {
                "target_id": goal.goal_id,
                "period": str(config.period_end.year),
                "value": found.within_level_pct,
                "evidence": (
                    f"{found.within_level}/{found.received} pengaduan dijawab tepat waktu, "
                    f"{found.late} terlambat / {found.within_level} of {found.received} "
                    f"complaints answered on time, {found.late} late"
                ),
            }
        )
    events = record(
        session, cycle_id=cycle.cycle_id, rows=rows, source="complaints", by=None, now=now
    )
    append_many(session, events=events, at=now)
    return [(r["target_id"], r["value"]) for r in rows]
