"""A tiny organisation and cycle for the human-task, response and sweeper tests.

Built directly with the ORM::

    root unit ROOT   head H (no manager)
      section SEC    head M (reports to H)
        staff A, B   (report to M)

The cycle (policy ``asn``, coordinator ``HR-1``) is created with
:func:`kinerja.models.cycles.cycle.create_cycle`; its stages are opened with
:func:`kinerja.models.cycles.cycle.open_stage` and its tasks with
:func:`kinerja.models.humantasks.opening.open_tasks`, all at an explicit ``now`` (no wall clock).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import create_cycle, open_stage
from kinerja.models.humantasks.messages import digest_key_part
from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.outbox.queue import notification_key
from kinerja.models.schemas.config import Coordinator, CycleConfig, PeriodicConfig, StageConfig
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.tables import (
    AuditEvent,
    Cycle,
    Employee,
    Feedback,
    HumanTask,
    Notification,
    Result,
    Target,
    Unit,
)

CYCLE_ID = "skp-2025"
START = datetime(2025, 1, 6, 8, 0)
"""When the cycle is created and the first stage opens."""

H, M, A, B = "H-1", "M-1", "A-1", "B-1"
HR = "HR-1"
"""The HR coordinator; not an employee, so nobody is their manager."""

STRANGER = "X-9"
"""An employee of the organisation with no part in any task."""

DEADLINE_DAYS = 14.0
REMINDERS_DAYS_BEFORE = [3.0, 1.0]
ESCALATE_AFTER_DAYS = [1.0, 3.0]
FINAL_AFTER_DAYS = 7.0


def stage_config(final_policy: str = "keep_proposal") -> StageConfig:
    return StageConfig(
        deadline_days=DEADLINE_DAYS,
        reminders_days_before=REMINDERS_DAYS_BEFORE,
        escalate_after_days=ESCALATE_AFTER_DAYS,
        escalation_chain=["superior", "hr"],
        final_after_days=FINAL_AFTER_DAYS,
        final_policy=final_policy,  # type: ignore[arg-type]
    )


def cycle_config(
    *, final_policies: dict[str, str] | None = None, periodic: bool = False
) -> CycleConfig:
    """The test cycle: every stage with the same offsets; ``final_policies`` per stage;
    ``periodic``: quarterly periods, each reported and checked in."""
    policies = final_policies or {}
    stages = {
        stage: stage_config(policies.get(stage, "keep_proposal"))
        for stage in ("plan", "approve_targets", "collect_metrics", "review", "feedback")
    }
    return CycleConfig(
        cycle_id=CYCLE_ID,
        name="SKP 2025",
        policy="asn",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        coordinator=Coordinator(nip=HR, name="Koordinator SDM"),
        stages=stages,
        periodic=PeriodicConfig() if periodic else None,
    )


@dataclass
class Org:
    """Handles on the built organisation: the cycle, its config and a manual clock."""

    cycle: Cycle
    config: CycleConfig
    clock: ManualClock


def build_org(
    session: Session,
    *,
    now: datetime = START,
    final_policies: dict[str, str] | None = None,
    proposed_hasil_kerja: str = "sesuai",
    periodic: bool = False,
) -> Org:
    """Units, employees, the cycle with its stage rows, two targets each for A and B
    (status ``proposed``) and a result row for A and B (rater M, a proposed rating)."""
    session.add_all(
        [
            Unit(unit_id="ROOT", name="Dinas Contoh", parent_id=None, head_nip=H),
            Unit(unit_id="SEC", name="Seksi Layanan", parent_id="ROOT", head_nip=M),
        ]
    )
    people = [
        (H, "Hartono", "ROOT", "Kepala Dinas", None, "id"),
        (M, "Maya", "SEC", "Kepala Seksi", H, "id"),
        (A, "Agus", "SEC", "Analis", M, "id"),
        (B, "Bella", "SEC", "Pranata", M, "en"),
        (STRANGER, "Xaverius", "ROOT", "Pengemudi", H, "id"),
    ]
    session.add_all(
        Employee(nip=n, name=name, unit_id=u, position=p, manager_nip=m, lang=lang)
        for n, name, u, p, m, lang in people
    )
    session.flush()
    config = cycle_config(final_policies=final_policies, periodic=periodic)
    cycle = create_cycle(session, config=config, config_dir=None, now=now)
    for nip in (A, B):
        for i in (1, 2):
            session.add(
                Target(
                    cycle_id=cycle.cycle_id,
                    target_id=f"{nip}-T{i}",
                    nip=nip,
                    serves="G-1",
                    statement=f"Hasil kerja {i}",
                    indicator=f"Indikator {i}",
                    aspect="kuantitas",
                    target_value=100.0,
                    unit_of_measure="dokumen",
                    direction="higher",
                    kind="utama",
                    status="proposed",
                )
            )
        session.add(
            Result(
                cycle_id=cycle.cycle_id,
                nip=nip,
                unit_id="SEC",
                rater_nip=M,
                proposed_hasil_kerja=proposed_hasil_kerja,
                perilaku_values={},
                derivation={},
            )
        )
    session.flush()
    return Org(cycle=cycle, config=config, clock=ManualClock(now))


def open_with_tasks(
    session: Session,
    *,
    org: Org,
    stage: str,
    tasks: list[NewTask],
    now: datetime,
    notify: bool = True,
) -> list[HumanTask]:
    """Open ``stage`` (idempotent) and its tasks, due at the stage's deadlines; with
    ``notify=False`` their ``task_opened`` messages are left to ``announce_stage``."""
    row = open_stage(session, cycle=org.cycle, stage=stage, now=now)
    session.flush()
    assert row.due_at is not None and row.final_due_at is not None
    return open_tasks(
        session,
        cycle=org.cycle,
        config=org.config,
        stage_due_at=row.due_at,
        stage_final_due_at=row.final_due_at,
        tasks=tasks,
        now=now,
        notify=notify,
    )


def approvals() -> list[NewTask]:
    """M approves the targets of A and of B."""
    return [
        NewTask("approve_targets", A, M, {"targets": 2}),
        NewTask("approve_targets", B, M, {"targets": 2}),
    ]


def task_by(session: Session, kind: str, subject: str, round_: int = 1) -> HumanTask:
    task = session.scalars(
        select(HumanTask).where(
            HumanTask.cycle_id == CYCLE_ID,
            HumanTask.kind == kind,
            HumanTask.subject_nip == subject,
            HumanTask.round == round_,
        )
    ).one()
    return task


def target_statuses(session: Session, nip: str) -> list[str]:
    return list(
        session.scalars(
            select(Target.status)
            .where(Target.cycle_id == CYCLE_ID, Target.nip == nip)
            .order_by(Target.target_id)
        )
    )


def notifications(
    session: Session, *, kind: str | None = None, recipient: str | None = None
) -> list[Notification]:
    query = select(Notification).where(Notification.cycle_id == CYCLE_ID)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    if recipient is not None:
        query = query.where(Notification.recipient_nip == recipient)
    return list(session.scalars(query.order_by(Notification.id)))


LINK = re.compile(r"^(?:(?P<name>[^\n]+): )?(?P<url>\S+/t/(?P<id>\d+)\.[\w.-]+)$")
"""One line of a message's ``link``: ``url`` alone, or ``<subject name>: url`` in a digest."""


def link_lines(message: Notification) -> list[tuple[str | None, int]]:
    """(subject name or None, task id) for each line of a message's ``link`` field.

    Fails the test on a line that is not a link to exactly one task.
    """
    out = []
    for line in message.link.split("\n"):
        match = LINK.match(line)
        assert match is not None, f"not a task link: {line!r} in {message.key}"
        out.append((match["name"], int(match["id"])))
    return out


def linked_tasks(messages: Iterable[Notification]) -> Counter[int]:
    """How often each task id is linked across ``messages``."""
    return Counter(task_id for m in messages for _, task_id in link_lines(m))


def message_key(kind: str, recipient: str, task_ids: Sequence[int], slot: int = 0) -> str:
    """The key of the one message for ``task_ids`` to ``recipient``: a digest of several
    tasks is keyed by ``digest_key_part`` of its task ids, a single task by its id."""
    first = min(task_ids)
    return notification_key(
        cycle_id=CYCLE_ID,
        task_id=first if len(task_ids) == 1 else digest_key_part(task_ids),
        kind=kind,
        recipient_nip=recipient,
        slot=slot,
    )


def check_message(session: Session, message: Notification) -> list[int]:
    """Assert that one message is well formed, and return the ids of the tasks it links.

    One task: the link is that task's URL, keyed by its id. Several tasks (a digest): one
    line ``<subject name>: <url>`` per task in id order, "N pegawai" / "N people" in the
    body, the lowest id in ``task_id`` and ``d<lowest id>`` in the key. Either way the
    body carries every line of the link.
    """
    lines = link_lines(message)
    ids = [task_id for _, task_id in lines]
    assert ids == sorted(set(ids)), f"{message.key}: links out of order or repeated"
    assert message.task_id == ids[0]
    slot = int(message.key.rsplit(":", 1)[1])
    assert message.key == message_key(message.kind, message.recipient_nip, ids, slot)
    if len(ids) == 1:
        assert lines[0][0] is None
    else:
        subjects = dict(
            session.execute(
                select(HumanTask.id, func.coalesce(Employee.name, HumanTask.subject_nip))
                .outerjoin(Employee, Employee.nip == HumanTask.subject_nip)
                .where(HumanTask.id.in_(ids))
            ).all()
        )
        assert [name for name, _ in lines] == [subjects[i] for i in ids]
        people = "pegawai" if message.lang == "id" else "people"
        assert f"({len(ids)} {people})" in message.body
    for line in message.link.split("\n"):
        assert line in message.body.splitlines()
    return ids


def sent(session: Session, kind: str) -> Counter[tuple[str, str]]:
    """Messages of ``kind`` counted by (key, recipient)."""
    return Counter((n.key, n.recipient_nip) for n in notifications(session, kind=kind))


def count(session: Session, table: type) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def snapshot(session: Session) -> dict[str, Any]:
    """Everything a response may change, as plain data (flushes pending changes first)."""
    session.flush()
    tasks = [
        (
            t.id,
            t.state,
            t.assignee_nip,
            t.delegate_nip,
            t.escalated_to,
            t.escalation_level,
            t.closed_at,
            t.closed_by,
            t.response,
        )
        for t in session.scalars(select(HumanTask).order_by(HumanTask.id))
    ]
    targets = [
        (t.target_id, t.status, t.statement, t.weight)
        for t in session.scalars(select(Target).order_by(Target.target_id))
    ]
    results = [
        (r.nip, r.rater_nip, r.hasil_kerja, r.perilaku, r.perilaku_values, r.review_comment)
        for r in session.scalars(select(Result).order_by(Result.nip))
    ]
    feedback = [
        (f.nip, f.manager_nip, f.text, f.written_at, f.acknowledged_at)
        for f in session.scalars(select(Feedback).order_by(Feedback.nip))
    ]
    return {
        "tasks": tasks,
        "targets": targets,
        "results": results,
        "feedback": feedback,
        "audit_events": count(session, AuditEvent),
        "notifications": count(session, Notification),
    }


def days(n: float) -> timedelta:
    return timedelta(days=n)
