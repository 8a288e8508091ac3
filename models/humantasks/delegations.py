"""Delegations: while an absence holds, the away person's tasks are handed to their delegate.

:func:`sync_delegations` hands the away person's active tasks of a cycle to the delegate: the
tasks they are the assignee of, and the tasks escalated to them. A handed task gets
``delegate_nip`` (which every "who may act" check honours), a ``task_delegations`` row, a
``task.delegate`` audit event, and the delegate a ``task_delegated`` message with a link
signed for them. When the absence no longer holds (it ended, or an escalated task moved on
to someone else) the delegation is lifted: ``delegate_nip`` is cleared and
``task.delegation_lifted`` audited. The away person may still act on their own tasks.

The sweeper syncs on every pass, and opening tasks syncs the tasks just opened, so stage
openings and escalations pick an absence up. Set-based and idempotent: a second sync at the
same moment changes nothing. Only tasks that judge someone else's work are handed over, and
never to the person they are about (four eyes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.messages import people, queue_task_messages
from kinerja.models.humantasks.states import ACTIVE, judges_other
from kinerja.models.schemas.itemresult import ItemResult
from kinerja.models.store.bulk import in_lists
from kinerja.models.store.tables import Absence, Cycle, HumanTask, TaskDelegation


def holding(session: Session, *, day: date) -> dict[str, Absence]:
    """The absences that hold on ``day``, by the away person's NIP."""
    rows = session.scalars(
        select(Absence).where(Absence.starts_on <= day, Absence.ends_on >= day)
    ).all()
    return {a.nip: a for a in rows}


def sync_delegations(
    session: Session,
    *,
    cycle: Cycle,
    now: datetime,
    task_ids: Sequence[int] | None = None,
) -> list[ItemResult]:
    """Lift the delegations that no longer hold and hand over the tasks that now should be.

    With ``task_ids`` (tasks just opened) only those are handed over and nothing is lifted.
    Returns one item per task handed over (``ok``), lifted (``ok: delegation lifted``) or
    left with the assignee (``skipped``).
    """
    items: list[ItemResult] = []
    if task_ids is None:
        items += _lift(session, cycle=cycle, now=now)
    away = holding(session, day=now.date())
    if not away:
        return items
    candidates = _candidates(session, cycle_id=cycle.cycle_id, away=list(away), task_ids=task_ids)
    if not candidates:
        return items
    done = set(
        session.execute(
            select(TaskDelegation.task_id, TaskDelegation.absence_id).where(
                TaskDelegation.task_id.in_([t.id for t in candidates])
            )
        ).all()
    )
    handed: dict[int, list[HumanTask]] = {}
    events = []
    for task in candidates:
        if task.assignee_nip in away:
            absence, role = away[task.assignee_nip], "assignee"
        else:
            absence, role = away[task.escalated_to or ""], "escalation"
        if (task.id, absence.id) in done:
            continue  # handed over and lifted before (it moved on): not again for this absence
        delegate = absence.delegate_nip
        why = None
        if not judges_other(task.kind):
            # Proposing one's targets, reporting one's realisation, acknowledging one's
            # feedback: nobody does these for someone else (the approver would then approve
            # work they wrote). The HR coordinator extends them instead.
            why = "own task: not delegated, extend it / tugas pribadi: tidak didelegasikan"
        elif delegate == task.assignee_nip:
            why = "delegate is the assignee / pelaksana adalah penerima tugas"
        elif judges_other(task.kind) and delegate == task.subject_nip:
            why = "four eyes: the task is about the delegate / empat mata"
        elif delegate in away:
            why = f"delegate {delegate} is away too / pelaksana juga berhalangan"
        if why:
            items.append(ItemResult(task.id, task.assignee_nip, "skipped", why))
            continue
        task.delegate_nip = delegate
        session.add(
            TaskDelegation(
                task_id=task.id,
                absence_id=absence.id,
                delegate_nip=delegate,
                role=role,
                delegated_at=now,
            )
        )
        handed.setdefault(absence.id, []).append(task)
        events.append(
            _event(task, "task.delegate", absence, role=role, delegate=delegate, by="system")
        )
        items.append(ItemResult(task.id, task.assignee_nip, "ok", f"delegated to {delegate}"))
    append_many(session, events=events, at=now)
    _notify(session, cycle=cycle, handed=handed, absences=away, now=now)
    session.flush()
    return items


def _candidates(
    session: Session, *, cycle_id: str, away: list[str], task_ids: Sequence[int] | None
) -> list[HumanTask]:
    query = select(HumanTask).where(
        HumanTask.cycle_id == cycle_id,
        HumanTask.state.in_(ACTIVE),
        HumanTask.delegate_nip.is_(None),
        or_(
            HumanTask.assignee_nip.in_(away),
            and_(HumanTask.state == "escalated", HumanTask.escalated_to.in_(away)),
        ),
    )
    if task_ids is None:
        return list(session.scalars(query.order_by(HumanTask.id)))
    ids = list(task_ids)
    out: list[HumanTask] = []
    for i in range(0, len(ids), 1000):
        out.extend(session.scalars(query.where(HumanTask.id.in_(ids[i : i + 1000]))))
    return sorted(out, key=lambda t: t.id)


def _lift(session: Session, *, cycle: Cycle, now: datetime) -> list[ItemResult]:
    # The delegations in force first: few, where the cycle's tasks are many (a join led by
    # the tasks would read every task of the cycle at each sweep).
    held = session.scalars(
        select(TaskDelegation.id)
        .where(TaskDelegation.lifted_at.is_(None))
        .order_by(TaskDelegation.id)
    )
    rows = [
        row
        for part in in_lists(held.all())
        for row in session.execute(
            select(TaskDelegation, HumanTask, Absence)
            .join(HumanTask, HumanTask.id == TaskDelegation.task_id)
            .join(Absence, Absence.id == TaskDelegation.absence_id)
            .where(
                TaskDelegation.id.in_(part),
                HumanTask.cycle_id == cycle.cycle_id,
                HumanTask.state.in_(ACTIVE),
            )
            .order_by(TaskDelegation.id)
        )
    ]
    today = now.date()
    items: list[ItemResult] = []
    events = []
    for delegation, task, absence in rows:
        ended = not (absence.starts_on <= today <= absence.ends_on)
        moved = delegation.role == "escalation" and task.escalated_to != absence.nip
        if not (ended or moved):
            continue
        delegation.lifted_at = now
        if task.delegate_nip == delegation.delegate_nip:
            task.delegate_nip = None
        why = "absence ended" if ended else "escalated on"
        events.append(
            _event(
                task,
                "task.delegation_lifted",
                absence,
                role=delegation.role,
                delegate=delegation.delegate_nip,
                by="system",
                why=why,
            )
        )
        items.append(ItemResult(task.id, task.assignee_nip, "ok", f"delegation lifted ({why})"))
    append_many(session, events=events, at=now)
    return items


def _event(
    task: HumanTask, action: str, absence: Absence, *, role: str, delegate: str, by: str, **extra
) -> dict:
    return {
        "actor": by,
        "action": action,
        "cycle_id": task.cycle_id,
        "entity": "human_task",
        "entity_id": str(task.id),
        "payload": {
            "absence": absence.id,
            "away": absence.nip,
            "delegate": delegate,
            "role": role,
            **extra,
        },
    }


def _notify(
    session: Session,
    *,
    cycle: Cycle,
    handed: dict[int, list[HumanTask]],
    absences: dict[str, Absence],
    now: datetime,
) -> None:
    """One ``task_delegated`` message per delegate and absence, keyed by the absence."""

    if not handed:
        return
    config = cycle_config(cycle)
    by_id = {a.id: a for a in absences.values()}
    names = people(session, [by_id[i].nip for i in handed])
    for absence_id, tasks in sorted(handed.items()):
        absence = by_id[absence_id]
        name = names.get(absence.nip, (absence.nip, ""))[0]
        period = f"{absence.starts_on:%d-%m-%Y} - {absence.ends_on:%d-%m-%Y}"
        queue_task_messages(
            session,
            cycle=cycle,
            config=config,
            tasks=tasks,
            kind="task_delegated",
            now=now,
            slot=absence.id,
            recipients={t.id: absence.delegate_nip for t in tasks},
            comment=f"{name}, {period} ({absence.reason})",
        )
