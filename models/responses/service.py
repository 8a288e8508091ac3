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
    NotAllowed,
    TaskError,
    check_actor,
    check_transition,
)
from kinerja.models.responses.base import close_task, parse_input
from kinerja.models.responses.effects import EFFECTS
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import (
    TargetDecision,
)
from kinerja.models.store.tables import (
    Cycle,
    HumanTask,
)

__all__ = ["Outcome", "respond", "apply_response", "NotAllowed", "TaskError"]


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
    task = session.get(HumanTask, task_id, with_for_update=True)
    if task is None:
        raise TaskError(f"Tugas tidak dikenal / unknown task: {task_id}")
    cycle = session.get(Cycle, task.cycle_id)
    assert cycle is not None
    config = cycle_config(cycle)
    role = check_actor(task, actor, coordinator_nip=config.coordinator.nip)
    parsed = parse_input(task.kind, data)
    answer = parsed.model_dump(mode="json")
    if task.state in ("done", "returned") and task.response is not None:
        if task.response.get("input") == answer:
            return Outcome(task.id, task.state, False, task.stage, False)
        raise TaskError(
            f"Tugas {task.id} sudah dijawab dengan isi lain / "
            f"task {task.id} was already answered differently"
        )
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
    for event in events:
        append_event(session, at=now, **event)
    session.flush()
    complete = active_task_count(session, cycle_id=cycle.cycle_id, stage=task.stage) == 0
    return Outcome(task.id, task.state, True, task.stage, complete)


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

    Returns the audit events to append (the caller appends them, one by one or in bulk).
    """
    transition = "respond"
    if isinstance(data, TargetDecision) and data.decision == "return":
        transition = "return"
    new_state = check_transition(task, transition)
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
