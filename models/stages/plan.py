"""The plan stage's automated work: a result row per person, a "propose your targets" task
for whoever has none, the cascade report (orphan targets, people without targets), and staff
blocked by a superior who has not planned.

Each RHK serves a superior's RHK (the cascade of PermenPANRB 6/2022, DOMAIN.md A1, A6):
without the superior's targets, their staff cannot plan theirs. A person is *blocked* when
they have no target yet and their manager has no proposed or approved target either.

Past each superior's own due date (their "propose targets" task's, extensions included; else
the plan stage's) the sweeper queues one message per unplanned superior to that
superior's own manager (else the HR coordinator), naming how many staff are blocked. The
message key is (cycle, superior, recipient), so rerunning the sweeper never sends it twice;
each message queued is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import cycle_config, stage_row
from kinerja.models.humantasks.messages import people
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.outbox.formats import format_day
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.templates import render
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.stages.common import in_chunk
from kinerja.models.store.bulk import upsert
from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Goal,
    HumanTask,
    Notification,
    Result,
    Target,
)


def ensure_results(session: Session, *, cycle: Cycle, coordinator: str, lo: str, hi: str) -> int:
    """One result row per employee of the chunk (who rates whom is fixed here).

    The rater is the manager; a person with none in the organisation (the agency head) is
    rated from outside it (the cycle's ``external_rater``), never by the HR coordinator,
    who only records that rating (``coordinator`` is whom their tasks go to)."""
    outside = cycle_config(cycle).external_rater
    rows = [
        {
            "cycle_id": cycle.cycle_id,
            "nip": nip,
            "unit_id": unit,
            "rater_nip": m or outside.nip,
            "external_rater": None if m else outside.name,
            "perilaku_values": {},
            "derivation": {},
        }
        for nip, unit, m in session.execute(
            select(Employee.nip, Employee.unit_id, Employee.manager_nip).where(
                in_chunk(Employee.nip, lo, hi)
            )
        )
    ]
    return upsert(
        session, table=Result.__table__, rows=rows, keys=["cycle_id", "nip"], update=["unit_id"]
    )


def plan_tasks(session: Session, *, cycle: Cycle, lo: str, hi: str) -> list[NewTask]:
    """Employees with no target yet propose their own."""
    has_targets = select(Target.nip).where(Target.cycle_id == cycle.cycle_id).distinct()
    nips = session.scalars(
        select(Employee.nip).where(in_chunk(Employee.nip, lo, hi), Employee.nip.not_in(has_targets))
    ).all()
    return [NewTask("propose_targets", nip, nip, {}) for nip in nips]


def cascade_report(session: Session, *, cycle: Cycle) -> dict[str, Any]:
    """The cascade across the organisation: orphan targets (``serves`` resolves to nothing),
    employees without targets, and those blocked because their superior has none either."""

    goal_ids = select(Goal.goal_id).where(Goal.cycle_id == cycle.cycle_id)
    target_ids = select(Target.target_id).where(Target.cycle_id == cycle.cycle_id)
    orphans = (
        session.scalar(
            select(func.count())
            .select_from(Target)
            .where(
                Target.cycle_id == cycle.cycle_id,
                Target.serves.not_in(goal_ids),
                Target.serves.not_in(target_ids),
            )
        )
        or 0
    )
    targets = (
        session.scalar(
            select(func.count()).select_from(Target).where(Target.cycle_id == cycle.cycle_id)
        )
        or 0
    )
    without = select(Employee.nip).where(
        Employee.nip.not_in(select(Target.nip).where(Target.cycle_id == cycle.cycle_id))
    )
    missing = session.scalar(select(func.count()).select_from(without.subquery())) or 0
    by_superior = blocked_staff(session, cycle=cycle)
    blocked = sorted(nip for staff in by_superior.values() for nip in staff)
    return {
        "targets": targets,
        "orphan_targets": orphans,
        "without_targets": missing,
        "blocked_by_superior": len(blocked),
        "blocked_examples": blocked[:20],
        "unplanned_superiors": {s: len(staff) for s, staff in sorted(by_superior.items())[:20]},
    }


# --- staff blocked by an unplanned superior ------------------------------------------------------

KIND = "superior_unplanned"
PLANNED = ("proposed", "approved")


def blocked_staff(session: Session, *, cycle: Cycle) -> dict[str, list[str]]:
    """``{superior: [blocked staff, ...]}``, both sorted by NIP."""
    cid = cycle.cycle_id
    with_targets = select(Target.nip).where(Target.cycle_id == cid)
    planned = select(Target.nip).where(Target.cycle_id == cid, Target.status.in_(PLANNED))
    out: dict[str, list[str]] = defaultdict(list)
    for nip, manager in session.execute(
        select(Employee.nip, Employee.manager_nip)
        .where(
            Employee.manager_nip.is_not(None),
            Employee.nip.not_in(with_targets),
            Employee.manager_nip.not_in(planned),
        )
        .order_by(Employee.manager_nip, Employee.nip)
    ):
        out[manager].append(nip)
    return dict(out)


def _key(cycle_id: str, superior: str, recipient: str) -> str:
    return notification_key(
        cycle_id=cycle_id, task_id=f"plan-{superior}", kind=KIND, recipient_nip=recipient
    )


def escalate_unplanned_superiors(
    session: Session, *, cycle: Cycle, config: CycleConfig, now: datetime
) -> int:
    """Once the plan stage is past its due date, tell each unplanned superior's manager.

    Returns the number of messages newly queued (0 before the due date, and on a rerun).
    """
    row = stage_row(session, cycle.cycle_id, "plan")
    if row.status != "open" or row.due_at is None or now < row.due_at:
        return 0
    blocked = blocked_staff(session, cycle=cycle)
    # A superior's own deadline is their "propose targets" task's, which HR may have
    # extended; without such a task, the stage's.
    own_due = dict(
        session.execute(
            select(HumanTask.subject_nip, HumanTask.due_at).where(
                HumanTask.cycle_id == cycle.cycle_id,
                HumanTask.kind == "propose_targets",
                HumanTask.subject_nip.in_(list(blocked)),
            )
        ).all()
    )
    due_of = {s: own_due.get(s) or row.due_at for s in blocked}
    blocked = {s: staff for s, staff in blocked.items() if now >= due_of[s]}
    if not blocked:
        return 0
    managers = dict(
        session.execute(
            select(Employee.nip, Employee.manager_nip).where(Employee.nip.in_(list(blocked)))
        ).all()
    )
    coordinator = config.coordinator
    to = {s: managers.get(s) or coordinator.nip for s in blocked}
    keys = {s: _key(cycle.cycle_id, s, to[s]) for s in blocked}
    queued = set(
        session.scalars(select(Notification.key).where(Notification.key.in_(list(keys.values()))))
    )
    known = people(session, [*blocked, *to.values()])
    known.setdefault(coordinator.nip, (coordinator.name, config.lang))
    link = ""  # no page to open: the person to act on it is named in the message
    rows, events = [], []
    for superior in sorted(blocked):
        if keys[superior] in queued:
            continue
        recipient = to[superior]
        name, lang = known.get(recipient, (recipient, config.lang))
        count = len(blocked[superior])
        subject, body = render(
            KIND,
            lang,
            {
                "name": name,
                "cycle_name": cycle.name,
                "assignee_name": known.get(superior, (superior, lang))[0],
                "subject_name": f"{count} pegawai" if lang == "id" else f"{count} staff",
                "due_at": format_day(due_of[superior], lang),
                "link": link,
            },
        )
        rows.append(
            {
                "key": keys[superior],
                "cycle_id": cycle.cycle_id,
                "task_id": None,
                "kind": KIND,
                "recipient_nip": recipient,
                "lang": lang,
                "subject": subject,
                "body": body,
                "link": link,
            }
        )
        events.append(
            {
                "actor": "system",
                "action": "plan.superior_unplanned",
                "cycle_id": cycle.cycle_id,
                "entity": "employee",
                "entity_id": superior,
                "payload": {
                    "escalated_to": recipient,
                    "blocked": count,
                    "blocked_staff": blocked[superior][:50],
                },
            }
        )
    sent = enqueue_many(session, rows=rows, now=now)
    append_many(session, events=events, at=now)
    return sent
