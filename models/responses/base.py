"""What every answer shares: its typed input, closing the task it answers, and opening the task
it leads to.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_dict

from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.humantasks.states import (
    ACTIVE,
    AlreadyClosed,
    TaskError,
)
from kinerja.models.responses.rows import TaskRow
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import (
    INPUT_FOR_KIND,
    validation_problems,
)
from kinerja.models.store.bulk import executemany
from kinerja.models.store.tables import (
    Cycle,
    CycleStage,
    HumanTask,
)


def parse_input(kind: str, data: dict[str, Any] | BaseModel) -> BaseModel:
    model = INPUT_FOR_KIND[kind]
    if isinstance(data, model):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, root="input")
        raise TaskError(f"Jawaban tidak valid / invalid response: {problems}") from exc


@contextmanager
def claimed(session: Session, *, task: HumanTask, state: str) -> Iterator[None]:
    """Hold ``task`` moved from an active state to ``state`` while the block applies the
    answer: a compare-and-set that exactly one caller wins; the others raise
    :class:`AlreadyClosed` before anything is written.

    One conditional UPDATE, before any effect of the answer. On PostgreSQL a concurrent
    caller's UPDATE waits for the winner's row lock and then finds the task closed; on
    SQLite the write lock serialises them the same way (a transaction begins at its first
    write, so it reads the winner's commit). A loser's transaction rolls back. A block that
    refuses the answer (:class:`TaskError`) gives the claim back, so a refusal changes
    nothing even if the caller commits. The ORM object is set by :func:`close_task`.
    """
    previous = task.state
    won = session.execute(
        update(HumanTask)
        .where(HumanTask.id == task.id, HumanTask.state.in_(ACTIVE))
        .values(state=state)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        raise AlreadyClosed(
            f"Tugas {task.id} sudah dijawab atau ditutup / task {task.id} was already answered"
            " or closed"
        )
    try:
        yield
    except TaskError:
        # Still ours: the row is locked (PostgreSQL) or the database is (SQLite).
        session.execute(
            update(HumanTask)
            .where(HumanTask.id == task.id, HumanTask.state == state)
            .values(state=previous)
            .execution_options(synchronize_session=False)
        )
        raise


def close_task(
    task: HumanTask | TaskRow,
    *,
    state: str,
    by: str,
    reason: str | None,
    now: datetime,
    late: bool,
    response: dict[str, Any],
    action: str,
    payload: dict[str, Any],
    written: bool = False,
) -> dict[str, Any]:
    """Close ``task`` in ``state``; returns the audit event that records it.

    With ``written=True`` the caller writes the row itself (see :func:`write_closed`): the
    object only takes the values as loaded, so the session flushes nothing for it.
    """
    values = {
        "state": state,
        "closed_at": now,
        "closed_by": by,
        "close_reason": reason,
        "late": late,
        "response": response,
    }
    if written and isinstance(task, HumanTask):
        # The values the caller's UPDATE writes, as if loaded: no history, nothing to flush.
        instance_dict(task).update(values)
    else:
        for name, value in values.items():
            setattr(task, name, value)
    return {
        "actor": by,
        "action": action,
        "cycle_id": task.cycle_id,
        "entity": "human_task",
        "entity_id": str(task.id),
        "payload": {"kind": task.kind, "subject": task.subject_nip, **payload},
    }


_CLOSE = (
    update(HumanTask.__table__)
    .where(HumanTask.__table__.c.id == bindparam("task_id"))
    .values(
        {
            name: bindparam(name)
            for name in ("state", "closed_at", "closed_by", "close_reason", "late", "response")
        }
    )
)


def write_closed(session: Session, tasks: Sequence[HumanTask | TaskRow]) -> None:
    """Write tasks closed with ``close_task(..., written=True)``: one executemany UPDATE."""
    executemany(
        session,
        _CLOSE,
        [
            {
                "task_id": t.id,
                "state": t.state,
                "closed_at": t.closed_at,
                "closed_by": t.closed_by,
                "close_reason": t.close_reason,
                "late": t.late,
                "response": t.response,
            }
            for t in tasks
        ],
    )


def open_follow_up(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    task: NewTask | None = None,
    tasks: list[NewTask] | None = None,
    now: datetime,
    notify: bool = True,
) -> list[HumanTask]:
    """Open the task (or tasks) answers lead to, due with the rest of their stage, in bulk."""
    opened: list[HumanTask] = []
    by_stage: dict[str, list[NewTask]] = {}
    for new in [task] if task is not None else tasks or []:
        by_stage.setdefault(new.stage, []).append(new)  # a period's task: that period's
    for name, group in by_stage.items():
        stage = session.get(CycleStage, (cycle.cycle_id, name))
        assert stage is not None and stage.due_at and stage.final_due_at
        opened += open_tasks(
            session,
            cycle=cycle,
            config=config,
            stage_due_at=stage.due_at,
            stage_final_due_at=stage.final_due_at,
            tasks=group,
            now=now,
            notify=notify,
        )
    return opened
