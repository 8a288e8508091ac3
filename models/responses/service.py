"""The one response service: how a person's answer to a human task changes the cycle.

Used by ``kinerja respond``, the portal and the simulator. A response is one database
transaction: validate the typed input, check the transition and the actor, apply the
effects, queue the messages they cause, and append an audit event. Idempotent: the same
response twice is one response; a different response to a closed task is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.cycles.cycle import active_task_count, cycle_config
from kinerja.models.humantasks.states import (
    Actor,
    AlreadyClosed,
    NotAllowed,
    TaskError,
    check_actor,
    check_transition,
)
from kinerja.models.responses.base import claimed, close_task, parse_input
from kinerja.models.responses.effects import EFFECTS
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import (
    TargetDecision,
)
from kinerja.models.store.tables import (
    Cycle,
    HumanTask,
)

__all__ = ["Outcome", "respond", "apply_response", "AlreadyClosed", "NotAllowed", "TaskError"]


@dataclass
class Outcome:
    """What a response did: the task, whether it was new, and whether its stage is complete."""

    task_id: int
    state: str
    recorded: bool
    stage: str
    stage_complete: bool
    audit: list[dict[str, Any]] = field(default_factory=list)


def respond(
    session: Session,
    *,
    task_id: int,
    actor: Actor,
    data: dict[str, Any] | BaseModel,
    now: datetime,
) -> Outcome:
    """Record one person's response to one task, in the caller's transaction.

    Raises :class:`NotAllowed` (wrong person) or :class:`TaskError` (bad input, closed
    task); in both cases nothing has changed.
    """
    # populate_existing: a task this session loaded earlier may be stale by now.
    task = session.get(HumanTask, task_id, populate_existing=True)
    if task is None:
        raise TaskError(f"Tugas tidak dikenal / unknown task: {task_id}")
    cycle = session.get(Cycle, task.cycle_id)
    assert cycle is not None
    config = cycle_config(cycle)
    role = check_actor(task, actor, coordinator_nip=config.coordinator.nip)
    parsed = parse_input(task.kind, data)
    answer = parsed.model_dump(mode="json")
    repeated = _repeated(task, answer)
    if repeated is not None:
        return repeated
    try:
        events = apply_response(
            session,
            task=task,
            cycle=cycle,
            config=config,
            actor=actor,
            role=role,
            data=parsed,
            now=now,
        )
    except AlreadyClosed:
        # Another caller won the compare-and-set meanwhile: the same answer is a repeat,
        # anything else is refused. Nothing of this call was written.
        session.refresh(task)
        repeated = _repeated(task, answer)
        if repeated is not None:
            return repeated
        raise
    for event in events:
        append_event(session, at=now, **event)
    session.flush()
    complete = active_task_count(session, cycle_id=cycle.cycle_id, stage=task.stage) == 0
    return Outcome(task.id, task.state, True, task.stage, complete)


def _repeated(task: HumanTask, answer: dict[str, Any]) -> Outcome | None:
    """The outcome of answering a closed task again: the same answer is one response
    (recorded once); a different one is refused."""
    if task.state not in ("done", "returned") or task.response is None:
        return None
    if task.response.get("input") == answer:
        return Outcome(task.id, task.state, False, task.stage, False)
    raise AlreadyClosed(
        f"Tugas {task.id} sudah dijawab dengan isi lain / "
        f"task {task.id} was already answered differently"
    )


def apply_response(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    role: str,
    data: BaseModel,
    now: datetime,
) -> list[dict[str, Any]]:
    """Apply a validated response to a task already checked for its actor.

    The task is claimed first (:func:`~kinerja.models.responses.base.claimed`): of
    concurrent callers exactly one applies its answer, the others raise
    :class:`AlreadyClosed`. Returns the audit events to append (the caller appends them, one
    by one or in bulk).
    """
    transition = "respond"
    if isinstance(data, TargetDecision) and data.decision == "return":
        transition = "return"
    new_state = check_transition(task, transition)
    with claimed(session, task=task, state=new_state):
        effect = EFFECTS[task.kind]
        effect(session, task=task, cycle=cycle, config=config, actor=actor, data=data, now=now)
    answer = data.model_dump(mode="json")
    return [
        close_task(
            task,
            state=new_state,
            by=actor.nip,
            reason=actor.reason,
            now=now,
            late=now > task.due_at,
            response={"input": answer, "role": role, "at": now.isoformat()},
            action=f"task.{transition}",
            payload={"role": role, "reason": actor.reason, "input": answer},
        )
    ]
