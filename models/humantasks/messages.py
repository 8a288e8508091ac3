"""Queue the messages that human-task transitions cause, in the caller's transaction.

This is the outbox side of notifications: rows are rendered here, in the recipient's
language, and written with an idempotency key of (cycle, task, kind, recipient, slot), so
a rerun of whatever caused them never queues a message twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.humantasks.links import link_secret, sign, task_expiry
from kinerja.models.humantasks.states import ACTIVE, title
from kinerja.models.outbox.formats import format_day
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.templates import render
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.tables import Cycle, Employee, HumanTask


class MessageTask(Protocol):
    """What a task's message reads of it: a loaded :class:`HumanTask`, or a plain row of
    :data:`MESSAGE_TASK_COLUMNS`."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def subject_nip(self) -> str: ...
    @property
    def assignee_nip(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def escalated_to(self) -> str | None: ...
    @property
    def escalation_level(self) -> int: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def final_due_at(self) -> datetime: ...


MESSAGE_TASK_COLUMNS = (
    "id",
    "kind",
    "subject_nip",
    "assignee_nip",
    "state",
    "escalated_to",
    "escalation_level",
    "due_at",
    "final_due_at",
)


def people(session: Session, nips: Sequence[str]) -> dict[str, tuple[str, str]]:
    """NIP -> (name, lang) for the given people."""
    wanted = list(set(nips))
    out: dict[str, tuple[str, str]] = {}
    for i in range(0, len(wanted), 1000):
        for nip, name, lang in session.execute(
            select(Employee.nip, Employee.name, Employee.lang).where(
                Employee.nip.in_(wanted[i : i + 1000])
            )
        ):
            out[nip] = (name, lang or "id")
    return out


def digest_key_part(task_ids: Sequence[int]) -> str:
    """The task part of a grouped message's key: its first task and a hash of all of them.

    Two different groups never share a key, and the same group always gets the same one.
    """
    ids = sorted(task_ids)
    digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:10]
    return f"d{ids[0]}-{digest}"


def task_link(config: CycleConfig, task: MessageTask, *, nip: str | None = None) -> str:
    """The signed portal link to exactly ``task`` for exactly one person.

    The person is ``nip`` when given (the message's recipient), else whoever must act now:
    the escalation target of an escalated task, else the assignee. The link expires a day
    after the task's final deadline, and the portal refuses it once the task is closed.
    """

    if nip is None:
        nip = task.escalated_to if task.state == "escalated" and task.escalated_to else None
        nip = nip or task.assignee_nip
    token = sign(task.id, nip, task_expiry(task.final_due_at), link_secret())
    return f"{config.portal_url.rstrip('/')}/t/{token}"


def queue_task_messages(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    tasks: Sequence[MessageTask],
    kind: str,
    now: datetime,
    slot: int = 0,
    recipients: dict[int, str] | None = None,
    comment: str = "",
    digest: bool = True,
) -> int:
    """Queue ``kind`` messages for tasks, to each assignee or to ``recipients[task.id]``.

    One message per recipient, not per task: a manager with twelve approvals gets one
    message listing twelve links, each to exactly one task. With ``digest=False`` every
    task gets a message of its own. Returns messages newly queued.
    """
    if not tasks:
        return 0
    to = {t.id: (recipients or {}).get(t.id, t.assignee_nip) for t in tasks}
    known = people(
        session,
        [*to.values(), *(t.subject_nip for t in tasks), *(t.assignee_nip for t in tasks)],
    )
    coordinator = config.coordinator
    known.setdefault(coordinator.nip, (coordinator.name, config.lang))
    grouped: dict[tuple[str, int], list[MessageTask]] = defaultdict(list)
    for task in sorted(tasks, key=lambda t: t.id):
        grouped[(to[task.id], 0 if digest else task.id)].append(task)
    rows = []
    for (recipient, _), group in grouped.items():
        name, lang = known.get(recipient, (recipient, config.lang))
        first = group[0]
        names = [known.get(t.subject_nip, (t.subject_nip, lang))[0] for t in group]
        if len(group) == 1:
            subject_name, link = names[0], task_link(config, first, nip=recipient)
            key_task: int | str = first.id
        else:
            subject_name = f"{len(group)} pegawai" if lang == "id" else f"{len(group)} people"
            link = "\n".join(
                f"{n}: {task_link(config, t, nip=recipient)}"
                for n, t in zip(names, group, strict=True)
            )
            key_task = digest_key_part([t.id for t in group])
        context = {
            "name": name,
            "cycle_name": cycle.name,
            "task_title": ", ".join(dict.fromkeys(title(t.kind, lang) for t in group)),
            "subject_name": subject_name,
            "assignee_name": ", ".join(
                dict.fromkeys(known.get(t.assignee_nip, (t.assignee_nip, lang))[0] for t in group)
            ),
            "due_at": format_day(min(t.due_at for t in group), lang),
            "link": link,
            "level": str(first.escalation_level),
            "comment": comment,
        }
        subject, body = render(kind, lang, context)
        rows.append(
            {
                "key": notification_key(
                    cycle_id=cycle.cycle_id,
                    task_id=key_task,
                    kind=kind,
                    recipient_nip=recipient,
                    slot=slot,
                ),
                "cycle_id": cycle.cycle_id,
                "task_id": first.id,
                "kind": kind,
                "recipient_nip": recipient,
                "lang": lang,
                "subject": subject,
                "body": body,
                "link": link,
            }
        )
    return enqueue_many(session, rows=rows, now=now)


def remind(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    tasks: list[HumanTask],
    slot: int,
    now: datetime,
) -> int:
    """Remind ``tasks`` at reminder ``slot`` (1 for the first): each is marked reminded up to
    it, and its assignee, or the delegate while the assignee is away, gets a message.
    Returns how many were reminded."""
    for task in tasks:
        task.reminders_sent = slot
    queue_task_messages(
        session,
        cycle=cycle,
        config=config,
        tasks=tasks,
        kind="task_reminder",
        now=now,
        slot=slot,
        recipients={t.id: t.delegate_nip for t in tasks if t.delegate_nip},
    )
    return len(tasks)


def escalate(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    to: dict[int, tuple[HumanTask, str]],
    level: int,
    chain: str,
    now: datetime,
    why: str | None = None,
) -> list[HumanTask]:
    """Escalate each task of ``to`` (task id -> (task, recipient)) to ``level``: state,
    target, one audit event each (its ``chain`` names the escalation chain), one
    ``task_escalated`` message per recipient. The task sweeper and the complaint sweep
    both escalate through here.

    Each task moves with a conditional UPDATE (still active), so an answer committed since
    the task was read is never overwritten; such a task is left out. Returns the tasks
    escalated."""
    tasks = []
    events = []
    for task, nip in to.values():
        moved = session.execute(
            update(HumanTask)
            .where(HumanTask.id == task.id, HumanTask.state.in_(ACTIVE))
            .values(escalation_level=level, state="escalated", escalated_to=nip)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            continue
        task.escalation_level, task.state, task.escalated_to = level, "escalated", nip
        tasks.append(task)
        payload = {"level": level, "to": nip, "chain": chain}
        events.append(
            {
                "actor": "system",
                "action": "task.escalate",
                "cycle_id": cycle.cycle_id,
                "entity": "human_task",
                "entity_id": str(task.id),
                "payload": payload if why is None else {**payload, "why": why},
            }
        )
    append_many(session, events=events, at=now)
    queue_task_messages(
        session,
        cycle=cycle,
        config=config,
        tasks=tasks,
        kind="task_escalated",
        now=now,
        slot=level,
        recipients={task.id: nip for task, nip in to.values() if task in tasks},
    )
    return tasks
