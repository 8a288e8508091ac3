"""HR task administration: one typed request, per-unit bulk actions, per-item results.

The HR coordinator asks for one of three actions, as a :class:`TaskAction` (the same model is
the ``kinerja tasks ...`` verbs' input and the Prefect form of the ``hr-task-action`` flow):

- ``delegate``: record an absence with a delegate (models/humantasks/absences.py);
- ``end_absence``: end an absence early, or cancel it (its delegations are lifted);
- ``extend``: extend one task, or every task of a unit's people in the open stages (or one
  stage), by N days with a reason (models/humantasks/extensions.py);
- ``remind``: one reminder now per active task of a unit's people.

:func:`run_action` applies it in the caller's transaction and returns one
:class:`~kinerja.models.schemas.itemresult.ItemResult` per item. A unit's people are the
employees of the unit (and, with ``with_subunits``, of every unit below it); their tasks are
those they are the assignee of.

A bulk reminder is keyed by the day (``slot`` = YYYYMMDD of the cycle's clock), so asking
twice on the same day queues nothing new, and the next day reminds again. It does not count
as one of the sweeper's reminder slots.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.cycles.cycle import CycleError, cycle_config, get_cycle
from kinerja.models.humantasks.absences import end_absence, record_absence
from kinerja.models.humantasks.extensions import extend_tasks
from kinerja.models.humantasks.messages import queue_task_messages
from kinerja.models.humantasks.states import ACTIVE, TaskError, acting_nip
from kinerja.models.outbox.queue import notification_key
from kinerja.models.schemas.inputs import validation_problems
from kinerja.models.schemas.itemresult import ItemResult
from kinerja.models.schemas.requests import TaskAction
from kinerja.models.store.clock import Clock, cycle_now
from kinerja.models.store.tables import Cycle, CycleStage, Employee, HumanTask, Notification, Unit


def parse_action(data: dict | TaskAction) -> TaskAction:
    """``data`` as a :class:`TaskAction`, or :class:`TaskError` naming every bad field."""
    if isinstance(data, TaskAction):
        data = data.model_dump()
    try:
        return TaskAction.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, root="request")
        raise TaskError(f"Permintaan tidak valid / invalid request: {problems}") from exc


def run_action(session: Session, *, request: dict | TaskAction, clock: Clock) -> list[ItemResult]:
    """Apply one request; a request refused as a whole is one ``refused`` item, and then
    nothing has been written."""
    try:
        action = parse_action(request)
        task = None
        if action.action == "extend" and action.task_id is not None:
            task = session.get(HumanTask, action.task_id)
            if task is None:
                raise TaskError(f"Tugas tidak dikenal / unknown task: {action.task_id}")
        cycle = get_cycle(session, task.cycle_id if task is not None else action.cycle)
        now = cycle_now(cycle.clock_at, clock)
        by = action.by or cycle_config(cycle).coordinator.nip
        if action.action == "end_absence":
            assert action.absence_id is not None
            return end_absence(
                session,
                absence_id=action.absence_id,
                last_day=action.ends_on,
                reason=action.reason,
                by=by,
                clock=clock,
            )
        if action.action == "delegate":
            assert action.nip and action.delegate and action.starts_on and action.ends_on
            return record_absence(
                session,
                nip=action.nip,
                delegate_nip=action.delegate,
                starts_on=action.starts_on,
                ends_on=action.ends_on,
                reason=action.reason,
                by=by,
                clock=clock,
            )
        if task is not None:
            assert action.days
            items = extend_tasks(
                session,
                cycle=cycle,
                tasks=[task],
                days=action.days,
                reason=action.reason,
                by=by,
                now=now,
            )
            # One task named by id: a closed one is refused, not skipped.
            return [
                ItemResult(
                    i.task_id,
                    i.person,
                    "refused",
                    f"Tugas {task.id} sudah {task.state} / task {task.id} is closed ({task.state})",
                )
                if i.outcome == "skipped"
                else i
                for i in items
            ]
        tasks = unit_tasks(
            session,
            cycle=cycle,
            unit=action.unit or "",
            with_subunits=action.with_subunits,
            stage=action.stage,
        )
        if action.action == "extend":
            assert action.days
            return extend_tasks(
                session,
                cycle=cycle,
                tasks=tasks,
                days=action.days,
                reason=action.reason,
                by=by,
                now=now,
            )
        return remind_tasks(session, cycle=cycle, tasks=tasks, by=by, unit=action.unit, now=now)
    except (TaskError, CycleError) as exc:
        # Every refusal is raised before anything is written: nothing to undo.
        person = ""
        if isinstance(request, TaskAction | dict):
            data = request if isinstance(request, dict) else request.model_dump()
            person = str(data.get("nip") or data.get("unit") or "")
        return [ItemResult(_task_id(request), person, "refused", str(exc))]


def _task_id(request: dict | TaskAction) -> int | None:
    value = request.get("task_id") if isinstance(request, dict) else request.task_id
    return value if isinstance(value, int) else None


def unit_ids(session: Session, *, unit: str, with_subunits: bool) -> list[str]:
    """``unit`` and, with ``with_subunits``, every unit below it; unknown unit: TaskError."""
    tree = dict(session.execute(select(Unit.unit_id, Unit.parent_id)).all())
    if unit not in tree:
        raise TaskError(f"Unit tidak dikenal / unknown unit: {unit}")
    found = [unit]
    if with_subunits:
        children: dict[str | None, list[str]] = {}
        for uid, parent in tree.items():
            children.setdefault(parent, []).append(uid)
        i = 0
        while i < len(found):
            found.extend(sorted(children.get(found[i], [])))
            i += 1
    return found


def unit_tasks(
    session: Session, *, cycle: Cycle, unit: str, with_subunits: bool, stage: str | None
) -> list[HumanTask]:
    """The tasks of a unit's people (as assignees) in ``stage``, or in the open stages."""
    units = unit_ids(session, unit=unit, with_subunits=with_subunits)
    if stage is not None:
        if session.get(CycleStage, (cycle.cycle_id, stage)) is None:
            raise TaskError(f"Tahap tidak dikenal / unknown stage: {stage}")
        stages = [stage]
    else:
        stages = list(
            session.scalars(
                select(CycleStage.stage).where(
                    CycleStage.cycle_id == cycle.cycle_id, CycleStage.status == "open"
                )
            )
        )
    people = select(Employee.nip).where(Employee.unit_id.in_(units))
    return list(
        session.scalars(
            select(HumanTask)
            .where(
                HumanTask.cycle_id == cycle.cycle_id,
                HumanTask.stage.in_(stages),
                HumanTask.assignee_nip.in_(people),
            )
            .order_by(HumanTask.id)
        )
    )


def reminder_slot(day: date) -> int:
    """The slot of an HR reminder on ``day`` (YYYYMMDD): one per task per day."""
    return int(f"{day:%Y%m%d}")


def remind_tasks(
    session: Session,
    *,
    cycle: Cycle,
    tasks: list[HumanTask],
    by: str,
    unit: str | None,
    now: datetime,
) -> list[ItemResult]:
    """One ``task_reminder`` now per active task, to whoever must act on it (the delegate of
    an away assignee, else the escalation target of an escalated task, else the assignee)."""

    config = cycle_config(cycle)
    if by != config.coordinator.nip:
        raise TaskError(
            f"Hanya Koordinator SDM ({config.coordinator.nip}) yang dapat mengingatkan unit / "
            f"only the HR coordinator ({config.coordinator.nip}) may remind a unit"
        )
    slot = reminder_slot(now.date())
    to = {t.id: acting_nip(t) for t in tasks}
    keys = {
        t.id: notification_key(
            cycle_id=cycle.cycle_id,
            task_id=t.id,
            kind="task_reminder",
            recipient_nip=to[t.id],
            slot=slot,
        )
        for t in tasks
    }
    existing: set[str] = set()
    values = list(keys.values())
    for i in range(0, len(values), 1000):
        existing.update(
            session.scalars(
                select(Notification.key).where(Notification.key.in_(values[i : i + 1000]))
            )
        )
    items: list[ItemResult] = []
    due: list[HumanTask] = []
    for task in tasks:
        if task.state not in ACTIVE:
            items.append(ItemResult(task.id, task.assignee_nip, "skipped", "closed"))
        elif keys[task.id] in existing:
            items.append(
                ItemResult(task.id, task.assignee_nip, "skipped", "already reminded today")
            )
        else:
            due.append(task)
            items.append(ItemResult(task.id, task.assignee_nip, "ok", f"reminded {to[task.id]}"))
    if due:
        queue_task_messages(
            session,
            cycle=cycle,
            config=config,
            tasks=due,
            kind="task_reminder",
            now=now,
            slot=slot,
            recipients={t.id: to[t.id] for t in due},
            digest=False,
        )
        append_event(
            session,
            actor=by,
            action="tasks.remind",
            cycle_id=cycle.cycle_id,
            entity="unit",
            entity_id=unit or "",
            payload={"tasks": [t.id for t in due], "slot": slot},
            at=now,
        )
    return items
