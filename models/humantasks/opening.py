"""Opening human tasks in bulk, idempotently, and announcing a stage's tasks.

A task's key is (cycle, kind, subject, round): opening the same tasks again inserts nothing.
Tasks of someone away go to their delegate at once (:mod:`kinerja.models.humantasks.delegations`);
a stage opened chunk by chunk is announced once, one message per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.humantasks.delegations import sync_delegations
from kinerja.models.humantasks.messages import MESSAGE_TASK_COLUMNS, queue_task_messages
from kinerja.models.humantasks.states import ACTIVE, KINDS, task_key
from kinerja.models.schemas.config import CycleConfig, period_stage, stage_family
from kinerja.models.store.bulk import in_lists, insert_ignore
from kinerja.models.store.tables import Cycle, HumanTask


@dataclass(frozen=True)
class NewTask:
    """A task to open: who it is about, who must act, and what they see."""

    kind: str
    subject_nip: str
    assignee_nip: str
    payload: dict[str, Any]
    round: int = 1
    period: str | None = None  # a period's task: its stage is that period's (report-2026-03)

    @property
    def stage(self) -> str:
        family = KINDS[self.kind][0]
        if self.period is None:
            return family
        return period_stage(family.removeprefix("period_"), self.period)


def open_tasks(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    stage_due_at: datetime,
    stage_final_due_at: datetime,
    tasks: Iterable[NewTask],
    now: datetime,
    notify: bool = True,
) -> list[HumanTask]:
    """Open tasks in bulk, idempotently, and queue their ``task_opened`` notifications.

    A task whose key exists already is left as it is. Returns the tasks newly opened.
    With ``notify=False`` the caller announces them later (see :func:`announce_stage`),
    so that a stage opened chunk by chunk sends each person one message; a caller that needs
    only how many were opened takes :func:`open_task_ids`.
    """
    inserted = _insert_tasks(
        session,
        cycle=cycle,
        stage_due_at=stage_due_at,
        stage_final_due_at=stage_final_due_at,
        tasks=tasks,
        now=now,
    )
    ids = _ids_of(session, inserted)
    new: list[HumanTask] = []
    for part in in_lists(ids):
        new.extend(session.scalars(select(HumanTask).where(HumanTask.id.in_(part))))
    new.sort(key=lambda t: t.id)
    # Someone away (models/humantasks/absences.py): their new tasks go to their delegate at once.
    sync_delegations(session, cycle=cycle, now=now, task_ids=ids)
    if notify:
        queue_task_messages(
            session, cycle=cycle, config=config, tasks=new, kind="task_opened", now=now
        )
    return new


def open_task_ids(
    session: Session,
    *,
    cycle: Cycle,
    stage_due_at: datetime,
    stage_final_due_at: datetime,
    tasks: Iterable[NewTask],
    now: datetime,
) -> list[int]:
    """:func:`open_tasks` without notifications (the stage is announced once it is open,
    :func:`announce_stage`): the ids of the tasks newly opened, in order, read as plain
    values rather than as a loaded task each."""
    inserted = _insert_tasks(
        session,
        cycle=cycle,
        stage_due_at=stage_due_at,
        stage_final_due_at=stage_final_due_at,
        tasks=tasks,
        now=now,
    )
    ids = _ids_of(session, inserted)
    sync_delegations(session, cycle=cycle, now=now, task_ids=ids)
    return ids


def _ids_of(session: Session, keys: list[str]) -> list[int]:
    """The ids of the tasks with ``keys``, in order, read as plain values."""
    h = HumanTask.__table__
    ids: list[int] = []
    for part in in_lists(keys):
        ids.extend(session.execute(select(h.c.id).where(h.c.task_key.in_(part))).scalars())
    return sorted(ids)


def _insert_tasks(
    session: Session,
    *,
    cycle: Cycle,
    stage_due_at: datetime,
    stage_final_due_at: datetime,
    tasks: Iterable[NewTask],
    now: datetime,
) -> list[str]:
    """Insert the tasks whose key is new; returns those keys."""
    rows = []
    for t in tasks:
        rows.append(
            {
                "task_key": task_key(cycle.cycle_id, t.kind, t.subject_nip, t.round, t.period),
                "cycle_id": cycle.cycle_id,
                "stage": t.stage,
                "kind": t.kind,
                "subject_nip": t.subject_nip,
                "assignee_nip": t.assignee_nip,
                "state": "open",
                "round": t.round,
                "reminders_sent": 0,
                "escalation_level": 0,
                "opened_at": now,
                "due_at": max(stage_due_at, now + timedelta(days=1)),
                "final_due_at": max(stage_final_due_at, now + timedelta(days=2)),
                "late": False,
                "payload": t.payload,
            }
        )
    if not rows:
        return []
    return [
        k
        for (k,) in insert_ignore(session, table=HumanTask.__table__, rows=rows, keys=["task_key"])
    ]


FOLLOW_UPS = ("revise_targets", "acknowledge_feedback")


def announce_stage(
    session: Session, *, cycle: Cycle, config: CycleConfig, stage: str, now: datetime
) -> int:
    """Queue ``task_opened`` for every task a stage opened, one message per person.

    Idempotent: the messages' keys follow from the set of tasks, and run once per stage.
    """

    family = stage_family(stage)
    kinds = [k for k, (s, _) in KINDS.items() if s == family and k not in FOLLOW_UPS]
    h = HumanTask.__table__
    session.flush()
    # Plain rows of what a message needs, not a loaded task each: a stage opens thousands.
    tasks = session.execute(
        select(*(h.c[name] for name in MESSAGE_TASK_COLUMNS))
        .where(
            h.c.cycle_id == cycle.cycle_id,
            h.c.stage == stage,
            h.c.kind.in_(kinds),
            h.c.round == 1,
            h.c.state.in_(ACTIVE),
        )
        .order_by(h.c.id)
    ).all()
    return queue_task_messages(
        session, cycle=cycle, config=config, tasks=tasks, kind="task_opened", now=now
    )
