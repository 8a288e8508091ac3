"""Human tasks as plain rows for a batch of answers.

A batch reads its tasks with one Core query into :class:`TaskRow` objects (the columns of
``human_tasks``, nothing else): building an ORM object costs several times more, and the
answers only read a task and write it back with one UPDATE. Where the caller's session
already holds a task as an ORM object, :func:`sync_loaded` gives it what the batch read and
wrote, as if loaded again, so the caller never reads a stale task.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from kinerja.models.store.bulk import in_lists
from kinerja.models.store.bulk import sync_loaded as sync_rows
from kinerja.models.store.tables import HumanTask

_TASKS = HumanTask.__table__


@dataclass(slots=True, eq=False)
class TaskRow:
    """One ``human_tasks`` row; the same attribute names as :class:`HumanTask`."""

    id: int
    task_key: str
    cycle_id: str
    stage: str
    kind: str
    subject_nip: str
    assignee_nip: str
    delegate_nip: str | None
    state: str
    round: int
    reminders_sent: int
    escalation_level: int
    escalated_to: str | None
    opened_at: datetime
    due_at: datetime
    final_due_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    close_reason: str | None
    late: bool
    payload: dict[str, Any]
    response: dict[str, Any] | None


COLUMNS = tuple(f.name for f in fields(TaskRow))
assert set(COLUMNS) == set(_TASKS.c.keys()), "TaskRow has every column of human_tasks"
_SELECT = select(*(_TASKS.c[name] for name in COLUMNS))


def load_rows(session: Session, ids: list[int]) -> dict[int, TaskRow]:
    """The tasks with these ids, as they stand in the database now."""
    rows: dict[int, TaskRow] = {}
    for part in in_lists(sorted(set(ids))):
        for row in session.execute(_SELECT.where(_TASKS.c.id.in_(part))):
            rows[row[0]] = TaskRow(*row)
    return rows


def reload(session: Session, task: TaskRow) -> None:
    """Read ``task`` again (after a concurrent writer changed it)."""
    row = session.execute(_SELECT.where(_TASKS.c.id == task.id)).one()
    for name, value in zip(COLUMNS, row, strict=True):
        setattr(task, name, value)


def sync_loaded(session: Session, tasks: list[TaskRow]) -> None:
    """Give the session's ORM objects of ``tasks`` (if any) the rows' values, as loaded."""
    if not session.identity_map:
        return
    held = [t for t in tasks if identity_key(HumanTask, t.id) in session.identity_map]
    rows = ({name: getattr(task, name) for name in COLUMNS} for task in held)
    sync_rows(session, HumanTask, ("id",), rows)
