"""Deadline extensions of human tasks, and a task's history.

The HR coordinator extends a task by N days with a written reason: ``due_at`` and
``final_due_at`` both move by N days, so their distance (the grace period before the
final-deadline policy) stays. Each extension is a ``task_extensions`` row and a
``task.extend`` audit event, and whoever must act gets a ``task_extended`` message with a
fresh link (the old one expires with the old final deadline).

What the sweeper does afterwards follows from the task row: reminders and escalations are
computed from ``due_at``, and the counters (``reminders_sent``, ``escalation_level``) are
kept. So reminder slots not yet sent fire at the new offsets, and none already sent fires
twice. An escalated task may be extended: it stays escalated to whom it was (that person
keeps the right to act, and no level fires twice); the levels not yet reached, and the
final deadline, follow the new due date. A closed task is never extended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.messages import queue_task_messages
from kinerja.models.humantasks.states import ACTIVE, TaskError
from kinerja.models.schemas.itemresult import ItemResult
from kinerja.models.store.tables import AuditEvent, Cycle, HumanTask, TaskExtension


class TaskClosed(TaskError):
    """The task is closed: nothing to extend (a bulk action skips it)."""


def check_extension(task: HumanTask, *, days: float, reason: str, now: datetime) -> None:
    """Raise :class:`TaskError` when ``task`` may not be extended by ``days``."""
    if task.state not in ACTIVE:
        raise TaskClosed(
            f"Tugas {task.id} sudah {task.state} / task {task.id} is closed ({task.state})"
        )
    if not days > 0:
        raise TaskError(f"Jumlah hari harus > 0 / days must be more than 0 (got {days})")
    if not (reason or "").strip():
        raise TaskError("Alasan wajib diisi / a reason is required")
    if task.final_due_at + timedelta(days=days) <= now:
        raise TaskError(
            f"Batas akhir baru {task.final_due_at + timedelta(days=days):%Y-%m-%d %H:%M} sudah "
            f"lewat / the new final deadline is already past"
        )


def extend_tasks(
    session: Session,
    *,
    cycle: Cycle,
    tasks: Sequence[HumanTask],
    days: float,
    reason: str,
    by: str,
    now: datetime,
) -> list[ItemResult]:
    """Extend each of ``tasks`` (all of ``cycle``) by ``days``; one item per task.

    ``by`` must be the cycle's HR coordinator. A closed task is skipped, a task that may not
    be extended is refused; the others are extended in one batch, audited, and announced.
    """
    config = cycle_config(cycle)
    if by != config.coordinator.nip:
        raise TaskError(
            f"Hanya Koordinator SDM ({config.coordinator.nip}) yang dapat memperpanjang / "
            f"only the HR coordinator ({config.coordinator.nip}) may extend a deadline"
        )
    reason = (reason or "").strip()
    items: list[ItemResult] = []
    extended: list[tuple[HumanTask, TaskExtension]] = []
    delta = timedelta(days=days)
    for task in tasks:
        try:
            check_extension(task, days=days, reason=reason, now=now)
        except TaskClosed:
            items.append(ItemResult(task.id, task.assignee_nip, "skipped", "closed"))
            continue
        except TaskError as exc:
            items.append(ItemResult(task.id, task.assignee_nip, "refused", str(exc)))
            continue
        ext = TaskExtension(
            task_id=task.id,
            cycle_id=cycle.cycle_id,
            days=days,
            old_due_at=task.due_at,
            new_due_at=task.due_at + delta,
            old_final_due_at=task.final_due_at,
            new_final_due_at=task.final_due_at + delta,
            reason=reason,
            by_nip=by,
            at=now,
        )
        task.due_at, task.final_due_at = ext.new_due_at, ext.new_final_due_at
        extended.append((task, ext))
        items.append(ItemResult(task.id, task.assignee_nip, "ok", f"due {ext.new_due_at:%Y-%m-%d}"))
    if not extended:
        return items
    session.add_all(ext for _, ext in extended)
    session.flush()
    append_many(
        session,
        events=[
            {
                "actor": by,
                "action": "task.extend",
                "cycle_id": cycle.cycle_id,
                "entity": "human_task",
                "entity_id": str(task.id),
                "payload": {
                    "extension": ext.id,
                    "days": days,
                    "due_at": [ext.old_due_at, ext.new_due_at],
                    "final_due_at": [ext.old_final_due_at, ext.new_final_due_at],
                    "reason": reason,
                    "state": task.state,
                },
            }
            for task, ext in extended
        ],
        at=now,
    )
    _notify(session, cycle=cycle, extended=extended, reason=reason, now=now)
    return items


def _notify(
    session: Session,
    *,
    cycle: Cycle,
    extended: list[tuple[HumanTask, TaskExtension]],
    reason: str,
    now: datetime,
) -> None:
    """Tell whoever must act: the assignee, and the delegate or escalation target too."""

    config = cycle_config(cycle)
    # One batch shares a slot: its first extension's id, so a rerun of the same batch is one
    # message per person and a later extension of the same task is a new one.
    slot = min(ext.id for _, ext in extended)
    tasks = [task for task, _ in extended]
    audiences: list[dict[int, str]] = [{t.id: t.assignee_nip for t in tasks}]
    for attr in ("delegate_nip", "escalated_to"):
        extra = {t.id: getattr(t, attr) for t in tasks if getattr(t, attr)}
        if extra:
            audiences.append(extra)
    for recipients in audiences:
        queue_task_messages(
            session,
            cycle=cycle,
            config=config,
            tasks=[t for t in tasks if t.id in recipients],
            kind="task_extended",
            now=now,
            slot=slot,
            recipients=recipients,
            comment=reason,
        )


def extensions_of(session: Session, *, task_id: int) -> list[TaskExtension]:
    return list(
        session.scalars(
            select(TaskExtension).where(TaskExtension.task_id == task_id).order_by(TaskExtension.id)
        )
    )


def task_history(session: Session, *, task_id: int) -> list[dict[str, Any]]:
    """Everything that happened to one task, oldest first: its opening, then every audit
    event about it (escalations, delegations, extensions, the response)."""
    task = session.get(HumanTask, task_id)
    if task is None:
        raise TaskError(f"Tugas tidak dikenal / unknown task: {task_id}")
    rows: list[dict[str, Any]] = [
        {
            "at": f"{task.opened_at:%Y-%m-%d %H:%M}",
            "actor": "system",
            "action": "task.open",
            "detail": f"{task.kind} {task.subject_nip} -> {task.assignee_nip}",
        }
    ]
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.cycle_id == task.cycle_id,
            AuditEvent.entity == "human_task",
            AuditEvent.entity_id == str(task_id),
        )
        .order_by(AuditEvent.seq)
    )
    for event in events:
        rows.append(
            {
                "at": f"{event.at:%Y-%m-%d %H:%M}",
                "actor": event.actor,
                "action": event.action,
                "detail": _detail(event.action, event.payload),
            }
        )
    return rows


def _detail(action: str, payload: dict[str, Any]) -> str:
    if action == "task.extend":
        old, new = payload["due_at"]
        return f"+{payload['days']} days, due {old[:10]} -> {new[:10]}: {payload['reason']}"
    if action in ("task.delegate", "task.delegation_lifted"):
        why = f" ({payload['why']})" if payload.get("why") else ""
        return f"{payload['away']} -> {payload['delegate']} [{payload['role']}]{why}"
    if action == "task.escalate":
        return f"level {payload['level']} -> {payload['to']}"
    shown = {k: v for k, v in payload.items() if k not in ("kind", "subject") and v is not None}
    return ", ".join(f"{k}={v}" for k, v in shown.items())
