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
from kinerja.models.humantasks.messages import queue_task_messages
from kinerja.models.humantasks.states import ACTIVE, KINDS, task_key
from kinerja.models.schemas.config import CycleConfig, period_stage, stage_family
from kinerja.models.store.bulk import insert_ignore
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
    so that a stage opened chunk by chunk sends each person one message.
    """
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
    inserted = [
        k
        for (k,) in insert_ignore(session, table=HumanTask.__table__, rows=rows, keys=["task_key"])
    ]
    new: list[HumanTask] = []
    for i in range(0, len(inserted), 1000):
        new.extend(
            session.scalars(select(HumanTask).where(HumanTask.task_key.in_(inserted[i : i + 1000])))
        )
    new.sort(key=lambda t: t.id)
    # Someone away (models/humantasks/absences.py): their new tasks go to their delegate at once.

    sync_delegations(session, cycle=cycle, now=now, task_ids=[t.id for t in new])
    if notify:
        queue_task_messages(
            session, cycle=cycle, config=config, tasks=new, kind="task_opened", now=now
        )
    return new


FOLLOW_UPS = ("revise_targets", "acknowledge_feedback")


def announce_stage(
    session: Session, *, cycle: Cycle, config: CycleConfig, stage: str, now: datetime
) -> int:
    """Queue ``task_opened`` for every task a stage opened, one message per person.

    Idempotent: the messages' keys follow from the set of tasks, and run once per stage.
    """

    family = stage_family(stage)
    kinds = [k for k, (s, _) in KINDS.items() if s == family and k not in FOLLOW_UPS]
    tasks = session.scalars(
        select(HumanTask)
        .where(
            HumanTask.cycle_id == cycle.cycle_id,
            HumanTask.stage == stage,
            HumanTask.kind.in_(kinds),
            HumanTask.round == 1,
            HumanTask.state.in_(ACTIVE),
        )
        .order_by(HumanTask.id)
    ).all()
    return queue_task_messages(
        session, cycle=cycle, config=config, tasks=tasks, kind="task_opened", now=now
    )
