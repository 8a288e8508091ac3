"""The sweeper's logic: reminders, escalations and final deadlines, set-based, idempotent.

Deadlines are rows (each human task's ``due_at`` and ``final_due_at`` with the stage's
offsets from the cycle config). Running :func:`sweep` any number of times at the same
moment sends each reminder once and escalates once per level: counters on the task row say
what has fired, and every message has an idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kinerja.models.appeals.outcome import queue_appeal_outcome
from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import active_task_count, cycle_config
from kinerja.models.humantasks.delegations import sync_delegations
from kinerja.models.humantasks.messages import escalate, queue_task_messages, remind
from kinerja.models.humantasks.states import ACTIVE, KINDS, AlreadyClosed, manager_of
from kinerja.models.responses.expiry import expire_task
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.stages.plan import escalate_unplanned_superiors
from kinerja.models.store.tables import Cycle, CycleStage, HumanTask

APPEAL_KIND = "decide_appeal"
APPEAL_STAGE = KINDS[APPEAL_KIND][0]


@dataclass
class SweepReport:
    reminders: int = 0
    escalations: int = 0
    expired: int = 0
    delegations: int = 0
    complete_stages: list[str] = field(default_factory=list)

    def add(self, other: SweepReport) -> None:
        self.reminders += other.reminders
        self.escalations += other.escalations
        self.expired += other.expired
        self.delegations += other.delegations
        self.complete_stages += other.complete_stages


def _active(session: Session, cycle_id: str, stage: str, *conditions: object) -> list[HumanTask]:
    return list(
        session.scalars(
            select(HumanTask)
            .where(
                HumanTask.cycle_id == cycle_id,
                HumanTask.stage == stage,
                HumanTask.state.in_(ACTIVE),
                *conditions,  # type: ignore[arg-type]
            )
            .order_by(HumanTask.id)
        )
    )


def _escalation_target(
    chain_link: str, assignee: str, managers: dict[str, str | None], config: CycleConfig
) -> str:
    if chain_link == "superior":
        return managers.get(assignee) or config.coordinator.nip
    return config.coordinator.nip


def _hold_with_hr(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    tasks: list[HumanTask],
    now: datetime,
) -> int:
    """Hand tasks that may not close unanswered to the HR coordinator, once each; they stay
    open (the stage waits, and ops are alerted when it stays open past its final deadline)."""
    coordinator = config.coordinator.nip
    moved = [t for t in tasks if t.escalated_to != coordinator]
    if moved:
        moved = escalate(
            session,
            cycle=cycle,
            config=config,
            to={t.id: (t, coordinator) for t in moved},
            level=len(config.stage(moved[0].stage).escalation_chain) + 1,
            chain="hr",
            now=now,
            why="final deadline: a qualitative review needs a rating",
        )
    return len(moved)


def sweep_stage(session: Session, *, cycle: Cycle, stage: str, now: datetime) -> SweepReport:
    """Fire the due reminders, escalations and final deadlines of one open stage (or of the
    cycle's appeals)."""
    config = cycle_config(cycle)
    sc = config.stage(stage)
    report = SweepReport()

    # Reminders: the latest slot whose time has come, once; earlier slots are then skipped.
    offsets = sorted(sc.reminders_days_before, reverse=True)  # e.g. 3 days, then 1 day before
    for slot in range(len(offsets) - 1, -1, -1):
        due = _active(
            session,
            cycle.cycle_id,
            stage,
            HumanTask.reminders_sent <= slot,
            HumanTask.due_at <= now + timedelta(days=offsets[slot]),
            HumanTask.final_due_at > now,
        )
        # While the assignee is away, the delegate is the one to remind.
        report.reminders += remind(
            session, cycle=cycle, config=config, tasks=due, slot=slot + 1, now=now
        )

    # Escalations: one level at a time up the chain, each once.
    levels = sc.escalate_after_days
    for level in range(len(levels), 0, -1):
        due = _active(
            session,
            cycle.cycle_id,
            stage,
            HumanTask.escalation_level < level,
            HumanTask.due_at <= now - timedelta(days=levels[level - 1]),
            HumanTask.final_due_at > now,
        )
        if not due:
            continue
        managers = manager_of(session, [t.assignee_nip for t in due])
        link = sc.escalation_chain[level - 1]
        escalated = escalate(
            session,
            cycle=cycle,
            config=config,
            to={t.id: (t, _escalation_target(link, t.assignee_nip, managers, config)) for t in due},
            level=level,
            chain=link,
            now=now,
        )
        report.escalations += len(escalated)

    # Final deadline: the stage's policy closes what is still open.
    expired = _active(session, cycle.cycle_id, stage, HumanTask.final_due_at <= now)
    if config.approach == "qualitative":
        # No rating can be derived from numbers: a review nobody gave stays open, with HR.
        held = [t for t in expired if t.kind == "review"]
        expired = [t for t in expired if t.kind != "review"]
        report.escalations += _hold_with_hr(
            session, cycle=cycle, config=config, tasks=held, now=now
        )
    events = []
    closed = []
    for task in expired:
        try:
            events.extend(expire_task(session, task=task, cycle=cycle, config=config, now=now))
        except AlreadyClosed:
            continue  # answered by someone a moment ago: their answer stands
        closed.append(task)
    expired = closed
    if events:
        append_many(session, events=events, at=now)
    queue_task_messages(
        session, cycle=cycle, config=config, tasks=expired, kind="task_expired", now=now
    )
    for task in expired:
        if task.kind == APPEAL_KIND:  # the appellant hears that nobody decided in time
            queue_appeal_outcome(
                session,
                cycle=cycle,
                config=config,
                task=task,
                outcome="lapsed",
                reason="",
                decided_by=task.escalated_to or task.assignee_nip,
                now=now,
            )
    report.expired += len(expired)
    session.flush()
    if active_task_count(session, cycle_id=cycle.cycle_id, stage=stage) == 0:
        report.complete_stages.append(stage)
    return report


def sweepable_cycles(session: Session) -> list[str]:
    """The cycles the sweeper visits: those running, and done ones with appeals to decide."""
    appeals = select(HumanTask.cycle_id).where(
        HumanTask.stage == APPEAL_STAGE, HumanTask.state.in_(ACTIVE)
    )
    return list(
        session.scalars(
            select(Cycle.cycle_id)
            .where(or_(Cycle.status.in_(("created", "running")), Cycle.cycle_id.in_(appeals)))
            .order_by(Cycle.cycle_id)
        )
    )


def sweep(session: Session, *, cycle: Cycle, now: datetime) -> SweepReport:
    """Sweep every open stage of a cycle, and its appeals waiting for a decision."""
    report = SweepReport()
    # Absences (models/humantasks/absences.py) first: a reminder must reach whoever acts today (the
    # delegate from the first day away, the person again from the first day back).
    items = sync_delegations(session, cycle=cycle, now=now)
    report.delegations += sum(1 for i in items if i.outcome == "ok")
    open_stages = session.scalars(
        select(CycleStage.stage)
        .where(CycleStage.cycle_id == cycle.cycle_id, CycleStage.status == "open")
        .order_by(CycleStage.position)
    ).all()
    for stage in open_stages:
        report.add(sweep_stage(session, cycle=cycle, stage=stage, now=now))
    # Appeals (keberatan) come after publication, when the cycle is done: their decisions are
    # reminded and escalated like any task, but they never hold or advance the cycle.
    if _active(session, cycle.cycle_id, APPEAL_STAGE):
        appeals = sweep_stage(session, cycle=cycle, stage=APPEAL_STAGE, now=now)
        appeals.complete_stages = []
        report.add(appeals)
    if "plan" in open_stages:
        # Past the plan deadline, whoever has not planned holds up their staff: escalate.

        escalate_unplanned_superiors(session, cycle=cycle, config=cycle_config(cycle), now=now)
    # And again for the tasks this pass escalated to someone who is away.
    items = sync_delegations(session, cycle=cycle, now=now)
    report.delegations += sum(1 for i in items if i.outcome == "ok")
    return report
