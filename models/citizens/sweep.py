"""Reminders and escalations of complaint tasks, counted in working days. Set-based and
idempotent, like the cycle's sweeper (models/responses/sweeper.py), which runs it.

On a day that is not a working day (a weekend, a public holiday) nothing fires: the
service level does not run on those days, so neither do its reminders. On a working day:

- a reminder to whoever acts (the delegate of someone away, else the officer) once the due
  day is at most ``remind_working_days_before`` working days away, once per offset;
- escalation level 1 once the due day is ``escalate_after_working_days[0]`` working days
  past, to the unit head (or, when the head is the officer, the officer's manager, else the
  HR coordinator); level 2 and beyond to the HR coordinator. The task stays open: a
  complaint is closed by an answer, never by the clock.

Counters on the task row (``reminders_sent``, ``escalation_level``) say what has fired and
every message has an idempotency key, so sweeping twice at one moment changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.citizens.calendar import holidays
from kinerja.models.citizens.complaints import KIND, complaint_rules
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.messages import escalate, remind
from kinerja.models.humantasks.states import ACTIVE, manager_of
from kinerja.models.rules.workdays import is_working_day, working_days_between
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.tables import Cycle, HumanTask, Unit


@dataclass
class ComplaintSweep:
    working_day: bool
    reminders: int = 0
    escalations: int = 0


def complaint_cycles(session: Session) -> list[str]:
    """The cycles that hold open complaint tasks."""
    return list(
        session.scalars(
            select(HumanTask.cycle_id)
            .where(HumanTask.kind == KIND, HumanTask.state.in_(ACTIVE))
            .distinct()
            .order_by(HumanTask.cycle_id)
        )
    )


def sweep_complaints(
    session: Session, *, now: datetime, cycle_id: str | None = None
) -> ComplaintSweep:
    """Fire the complaint tasks' due reminders and escalations at ``now`` (of one cycle's
    tasks when ``cycle_id`` is given)."""
    today = now.date()
    days_off = holidays(session)
    report = ComplaintSweep(working_day=is_working_day(today, days_off))
    if not report.working_day:
        return report
    tasks = session.scalars(
        select(HumanTask)
        .where(
            HumanTask.kind == KIND,
            HumanTask.state.in_(ACTIVE),
            *([HumanTask.cycle_id == cycle_id] if cycle_id else []),
        )
        .order_by(HumanTask.id)
    ).all()
    by_cycle: dict[str, list[HumanTask]] = defaultdict(list)
    for task in tasks:
        by_cycle[task.cycle_id].append(task)
    for cycle_id, group in by_cycle.items():
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        config = cycle_config(cycle)
        rules = complaint_rules(cycle)
        left = {t.id: working_days_between(today, t.due_at.date(), days_off) for t in group}
        past = {t.id: working_days_between(t.due_at.date(), today, days_off) for t in group}
        offsets = sorted(rules.remind_working_days_before, reverse=True)  # e.g. 3, then 1
        for slot in range(len(offsets) - 1, -1, -1):
            due = [
                t
                for t in group
                if t.reminders_sent <= slot
                and today <= t.due_at.date()
                and left[t.id] <= offsets[slot]
            ]
            report.reminders += remind(
                session, cycle=cycle, config=config, tasks=due, slot=slot + 1, now=now
            )
        levels = rules.escalate_after_working_days
        for level in range(len(levels), 0, -1):
            due = [
                t
                for t in group
                if t.escalation_level < level
                and t.state in ACTIVE
                and past[t.id] >= levels[level - 1]
            ]
            if due:
                to = {t.id: (t, _target(session, t, level, config)) for t in due}
                moved = escalate(
                    session,
                    cycle=cycle,
                    config=config,
                    to=to,
                    level=level,
                    chain="complaints",
                    now=now,
                )
                report.escalations += len(moved)
    session.flush()
    return report


def _target(session: Session, task: HumanTask, level: int, config: CycleConfig) -> str:
    if level == 1:
        unit = session.get(Unit, (task.payload or {}).get("unit_id", ""))
        if unit is not None and unit.head_nip and unit.head_nip != task.assignee_nip:
            return unit.head_nip
        manager = manager_of(session, [task.assignee_nip]).get(task.assignee_nip)
        if manager:
            return manager
    return config.coordinator.nip
