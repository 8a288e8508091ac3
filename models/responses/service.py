"""The one response service: how people's answers to human tasks change the cycle.

One code path for one answer or ten thousand: ``kinerja respond`` and the portal pass one,
the simulator, imports and bulk actions pass a batch. A batch is applied set-based in the
caller's transaction: the tasks are read in one query, claimed with one compare-and-set
UPDATE per target state, their effects applied per task kind in a few statements
(:mod:`kinerja.models.responses.bulk`), the tasks closed, and one audit event per answer
appended in one insert. Idempotent: the same answer twice is one answer; a different answer
to a closed task is refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import active_task_count, cycle_config
from kinerja.models.humantasks.states import (
    ACTIVE,
    Actor,
    AlreadyClosed,
    NotAllowed,
    TaskError,
    check_actor,
    check_transition,
)
from kinerja.models.responses.base import close_task, parse_input, write_closed
from kinerja.models.responses.bulk import Item, apply_effects
from kinerja.models.responses.rows import TaskRow, load_rows, reload, sync_loaded
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import TargetDecision
from kinerja.models.store.bulk import in_lists
from kinerja.models.store.tables import Cycle, HumanTask

__all__ = [
    "Answer",
    "Outcome",
    "respond",
    "respond_many",
    "AlreadyClosed",
    "NotAllowed",
    "TaskError",
]


@dataclass(frozen=True)
class Answer:
    """One person's answer to one task."""

    task_id: int
    actor: Actor
    data: dict[str, Any] | BaseModel


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
    (outcome,) = respond_many(session, [Answer(task_id, actor, data)], now=now)
    if isinstance(outcome, TaskError):
        raise outcome
    return outcome


def respond_many(
    session: Session, answers: list[Answer], *, now: datetime, complete: bool = True
) -> list[Outcome | TaskError]:
    """Apply a batch of answers in the caller's transaction; one outcome per answer, in order.

    An answer that is refused (wrong person, bad input, closed task, lost race) gets its
    :class:`TaskError` in its place and changes nothing; the others are applied. With
    ``complete=False`` the outcomes do not say whether their stage is complete (one query
    per stage saved).
    """
    out: list[Outcome | TaskError | None] = [None] * len(answers)
    later: list[int] = []  # a second answer to a task of this batch: after the first
    seen: set[int] = set()
    for i, answer in enumerate(answers):
        if answer.task_id in seen:
            later.append(i)
        seen.add(answer.task_id)
    tasks = load_rows(session, [a.task_id for a in answers])
    cycles = {c: session.get(Cycle, c) for c in {t.cycle_id for t in tasks.values()}}
    configs = {c: cycle_config(row) for c, row in cycles.items() if row is not None}
    staged: dict[str, list[tuple[int, Item]]] = defaultdict(list)
    deferred = set(later)
    for i, answer in enumerate(answers):
        if i in deferred:
            continue
        task = tasks.get(answer.task_id)
        try:
            if task is None:
                raise TaskError(f"Tugas tidak dikenal / unknown task: {answer.task_id}")
            config = configs[task.cycle_id]
            role = check_actor(task, answer.actor, coordinator_nip=config.coordinator.nip)
            parsed = parse_input(task.kind, answer.data)
            repeated = _repeated(task, parsed)
            if repeated is not None:
                out[i] = repeated
                continue
            transition = "respond"
            if isinstance(parsed, TargetDecision) and parsed.decision == "return":
                transition = "return"
            state = check_transition(task, transition)
        except TaskError as exc:
            out[i] = exc
            continue
        staged[state].append((i, Item(task, answer.actor, role, parsed, transition)))
    won = _claim(session, staged, out)
    if won:
        _apply(session, won, cycles=cycles, configs=configs, out=out, now=now)
    for i in later:  # the first answer is applied: this one is a repeat or refused
        out[i] = respond_many(session, [answers[i]], now=now, complete=False)[0]
    sync_loaded(session, list(tasks.values()))
    if complete:
        recorded = [o for o in out if isinstance(o, Outcome) and o.recorded]
        _stage_completion(session, recorded, {t.id: t.cycle_id for t in tasks.values()})
    assert all(o is not None for o in out), "every answer has its outcome"
    return out  # type: ignore[return-value]


def _claim(
    session: Session,
    staged: dict[str, list[tuple[int, Item]]],
    out: list[Outcome | TaskError | None],
) -> list[tuple[int, Item]]:
    """Move the staged tasks from an active state to their new state, one compare-and-set
    UPDATE per state and id batch: of concurrent callers exactly one wins each task (see
    :func:`kinerja.models.responses.base.claimed`). A loser's answer is a repeat when it is
    the winner's answer, else refused; nothing of it is written."""
    won: list[tuple[int, Item]] = []
    for state, items in staged.items():
        for part in in_lists(items):
            ids = session.scalars(
                update(HumanTask)
                .where(HumanTask.id.in_([item.task.id for _, item in part]))
                .where(HumanTask.state.in_(ACTIVE))
                .values(state=state)
                .returning(HumanTask.id)
                .execution_options(synchronize_session=False)
            ).all()
            claimed = set(ids)
            for i, item in part:
                if item.task.id in claimed:
                    item.state = state
                    won.append((i, item))
                    continue
                reload(session, item.task)
                try:
                    out[i] = _repeated(item.task, item.data) or AlreadyClosed(
                        f"Tugas {item.task.id} sudah dijawab atau ditutup / task"
                        f" {item.task.id} was already answered or closed"
                    )
                except TaskError as exc:
                    out[i] = exc
    won.sort(key=lambda pair: pair[0])
    return won


def _apply(
    session: Session,
    won: list[tuple[int, Item]],
    *,
    cycles: dict[str, Cycle | None],
    configs: dict[str, CycleConfig],
    out: list[Outcome | TaskError | None],
    now: datetime,
) -> None:
    refused = apply_effects(
        session, [item for _, item in won], cycles=cycles, configs=configs, now=now
    )
    events: list[dict[str, Any]] = []
    closed: list[TaskRow] = []
    for i, item in won:
        task = item.task
        error = refused.get(task.id)
        if error is not None:
            # Still ours: the row is locked (PostgreSQL) or the database is (SQLite).
            session.execute(
                update(HumanTask)
                .where(HumanTask.id == task.id, HumanTask.state == item.state)
                .values(state=task.state)
                .execution_options(synchronize_session=False)
            )
            out[i] = error
            continue
        answer = item.data.model_dump(mode="json")
        events.append(
            close_task(
                task,
                state=item.state,
                by=item.actor.nip,
                reason=item.actor.reason,
                now=now,
                late=now > task.due_at,
                response={"input": answer, "role": item.role, "at": now.isoformat()},
                action=f"task.{item.transition}",
                payload={"role": item.role, "reason": item.actor.reason, "input": answer},
                written=True,
            )
        )
        closed.append(task)
        out[i] = Outcome(task.id, task.state, True, task.stage, False)
    write_closed(session, closed)
    append_many(session, events=events, at=now)
    session.flush()


def _stage_completion(session: Session, outcomes: list[Outcome], cycle_of: dict[int, str]) -> None:
    """Whether each recorded answer's stage has no active task left: one count per stage."""
    stages: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        stages[(cycle_of[outcome.task_id], outcome.stage)].append(outcome)
    for (cycle_id, stage), group in stages.items():
        complete = active_task_count(session, cycle_id=cycle_id, stage=stage) == 0
        for outcome in group:
            outcome.stage_complete = complete


def _repeated(task: TaskRow, data: BaseModel) -> Outcome | None:
    """The outcome of answering a closed task again: the same answer is one response
    (recorded once); a different one is refused."""
    if task.state not in ("done", "returned") or task.response is None:
        return None
    if task.response.get("input") == data.model_dump(mode="json"):
        return Outcome(task.id, task.state, False, task.stage, False)
    raise AlreadyClosed(
        f"Tugas {task.id} sudah dijawab dengan isi lain / "
        f"task {task.id} was already answered differently"
    )
