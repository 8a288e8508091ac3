"""Human tasks: the explicit state machine, who may act, and opening tasks in bulk.

States: ``open`` and ``escalated`` are active (someone must act); ``done``, ``returned``,
``expired`` and ``cancelled`` are closed. Every transition names who may make it:

=============  =====================  ========================================================
transition     from                   who
=============  =====================  ========================================================
respond        open, escalated        the assignee, a delegate, whoever it was escalated to, or
                                      the HR coordinator with a written reason; never the
                                      subject of an approval or rating (four eyes)
return         open, escalated        as respond (an approval answered "return": the employee
                                      revises and the approval opens again)
escalate       open, escalated        the system (sweeper), at the stage's escalation offsets
expire         open, escalated        the system (sweeper), at the final deadline, by policy
cancel         open, escalated        the HR coordinator with a reason
=============  =====================  ========================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.store.tables import Employee, HumanTask

ACTIVE = ("open", "escalated")
CLOSED = ("done", "returned", "expired", "cancelled")

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "respond": (ACTIVE, "done"),
    "return": (ACTIVE, "returned"),
    "escalate": (ACTIVE, "escalated"),
    "expire": (ACTIVE, "expired"),
    "cancel": (ACTIVE, "cancelled"),
}

# Task kinds: the stage they belong to, and whether the assignee judges someone else's work
# (then the subject may never act on it: four eyes).
KINDS: dict[str, tuple[str, bool]] = {
    "propose_targets": ("plan", False),
    "approve_targets": ("approve_targets", True),
    "revise_targets": ("approve_targets", False),
    "report_realisation": ("collect_metrics", False),
    # A period's tasks belong to that period's stage (report-2026-03, checkin-2026-03): the
    # family here is the configured stage (models/schemas/config.py ``stage_family``).
    "report_period": ("period_report", False),
    "checkin": ("period_checkin", True),
    "review": ("review", True),
    "write_feedback": ("feedback", True),
    "acknowledge_feedback": ("feedback", False),
    # Filed after publication, when every stage is done: a stage of its own (see
    # models/appeals/filing.py), so the publish stage's counts and completion stay as they were.
    "decide_appeal": ("appeal", True),
    # A citizen's complaint (models/citizens/complaints.py): outside the cycle's stages, swept
    # on working days by the complaints sweep.
    "answer_complaint": ("complaints", False),
}

TITLES: dict[str, tuple[str, str]] = {
    "propose_targets": ("Menyusun rencana SKP", "Propose your targets"),
    "approve_targets": ("Menyetujui SKP", "Approve targets"),
    "revise_targets": ("Memperbaiki SKP", "Revise your targets"),
    "report_realisation": ("Melaporkan realisasi", "Report realisation"),
    "report_period": ("Melaporkan realisasi periode", "Report the period's realisation"),
    "checkin": ("Evaluasi periodik dan dialog kinerja", "Periodic check-in"),
    "review": ("Menilai kinerja", "Review performance"),
    "write_feedback": ("Menulis umpan balik", "Write feedback"),
    "acknowledge_feedback": ("Menerima umpan balik", "Acknowledge feedback"),
    "decide_appeal": ("Memutus keberatan", "Decide an appeal"),
    "answer_complaint": ("Menjawab pengaduan", "Answer a complaint"),
}


class TaskError(ValueError):
    """A transition was refused; the message says why in Bahasa Indonesia and English."""


class NotAllowed(TaskError):
    """The actor may not make this transition on this task."""


class AlreadyClosed(TaskError):
    """Another caller closed the task first (a concurrent answer, or the final deadline)."""


def task_key(
    cycle_id: str, kind: str, subject_nip: str, round_: int = 1, period: str | None = None
) -> str:
    """A task's identity; a period's task names its period (``...:checkin@2026-03:...``)."""
    kind_part = f"{kind}@{period}" if period else kind
    return f"{cycle_id}:{kind_part}:{subject_nip}:{round_}"


def title(kind: str, lang: str) -> str:
    id_, en = TITLES.get(kind, (kind, kind))
    return id_ if lang == "id" else en


@dataclass(frozen=True)
class Actor:
    """Who acts: a NIP, and whether they act as the HR coordinator (with a reason)."""

    nip: str
    reason: str | None = None


def check_transition(task: HumanTask, transition: str) -> str:
    """The state ``transition`` leads to from the task's state, or :class:`TaskError`."""
    sources, target = TRANSITIONS[transition]
    if task.state not in sources:
        raise TaskError(
            f"Tugas {task.id} sudah {task.state}; tidak dapat diubah / "
            f"task {task.id} is {task.state} and cannot be changed"
        )
    return target


def judges_other(kind: str) -> bool:
    """Whether a task of ``kind`` judges someone else's work (four eyes apply)."""
    return KINDS.get(kind, ("", True))[1]


def check_actor(task: HumanTask, actor: Actor, *, coordinator_nip: str) -> str:
    """Which role lets ``actor`` act on ``task``; raises :class:`NotAllowed` otherwise."""
    if judges_other(task.kind) and actor.nip == task.subject_nip:
        raise NotAllowed(
            f"{actor.nip} tidak boleh menilai/menyetujui pekerjaannya sendiri / "
            f"{actor.nip} may not approve or rate their own work (task {task.id})"
        )
    if actor.nip == task.assignee_nip:
        return "assignee"
    if task.delegate_nip and actor.nip == task.delegate_nip:
        return "delegate"
    if task.escalated_to and actor.nip == task.escalated_to:
        return "escalation"
    if actor.nip == coordinator_nip:
        if not (actor.reason and actor.reason.strip()):
            raise NotAllowed(
                "Koordinator SDM harus menuliskan alasan (--reason) / "
                "the HR coordinator must give a reason (--reason)"
            )
        return "coordinator"
    raise NotAllowed(
        f"{actor.nip} tidak berhak atas tugas {task.id} / "
        f"{actor.nip} is not allowed to act on task {task.id}"
    )


"""Kinds opened by a response rather than by a stage; they are announced when opened."""


def acting_nip(task: HumanTask) -> str:
    """Who must act on ``task`` now: the delegate while the assignee is away, else the
    escalation target of an escalated task, else the assignee."""
    if task.delegate_nip:
        return task.delegate_nip
    if task.state == "escalated" and task.escalated_to:
        return task.escalated_to
    return task.assignee_nip


def manager_of(session: Session, nips: Iterable[str]) -> dict[str, str | None]:
    """Each NIP's manager (None for the top of the tree or an unknown person)."""
    nips = list(set(nips))
    out: dict[str, str | None] = {}
    for i in range(0, len(nips), 1000):
        for nip, manager in session.execute(
            select(Employee.nip, Employee.manager_nip).where(Employee.nip.in_(nips[i : i + 1000]))
        ):
            out[nip] = manager
    return out
