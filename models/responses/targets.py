"""Answers about targets: a proposal (propose or revise targets) and an approval decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.humantasks.messages import queue_task_messages
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import (
    Actor,
    TaskError,
)
from kinerja.models.responses.base import open_follow_up
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import (
    TargetDecision,
    TargetProposal,
)
from kinerja.models.store.bulk import in_lists
from kinerja.models.store.tables import (
    Cycle,
    HumanTask,
    Target,
)

# --- effects, one per task kind ----------------------------------------------------------------


def targets_proposed(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: TargetProposal,
    now: datetime,
) -> None:
    if data.targets is not None:
        if not data.targets:
            raise TaskError("Minimal satu target / at least one target is required")
        if config.approach != "qualitative":
            missing = [i for i, t in enumerate(data.targets, 1) if t.target is None]
            if missing:
                raise TaskError(
                    f"Target #{', #'.join(map(str, missing))}: angka target wajib (pendekatan"
                    " kuantitatif) / a number is required (quantitative approach)"
                )
        weights = [t.weight for t in data.targets]
        pack = pack_of(cycle)
        low, high = pack.targets.weight_above, pack.targets.weight_at_most
        outside = [i for i, w in enumerate(weights, 1) if w is not None and not low < w <= high]
        if outside:
            raise TaskError(
                f"Target #{', #'.join(map(str, outside))}: bobot harus lebih dari {low:g} dan"
                f" paling banyak {high:g} / a weight must be more than {low:g} and at most"
                f" {high:g}"
            )
        required = pack.targets.required_weights_sum
        if required is not None:
            if (
                any(w is None for w in weights)
                or abs(sum(w or 0 for w in weights) - required) > 0.01
            ):
                raise TaskError(
                    f"Jumlah bobot harus {required:g} / weights must sum to {required:g}"
                )
        ids = [t.target_id or f"{task.subject_nip}-{i}" for i, t in enumerate(data.targets, 1)]
        theirs = session.scalars(
            select(Target.target_id).where(
                Target.cycle_id == cycle.cycle_id,
                Target.target_id.in_(ids),
                Target.nip != task.subject_nip,
            )
        ).all()
        if theirs:
            raise TaskError(
                f"Target {', '.join(theirs)} milik orang lain / belongs to someone else"
            )
        session.execute(
            update(Target)
            .where(Target.cycle_id == cycle.cycle_id, Target.nip == task.subject_nip)
            .values(status="withdrawn")
        )
        for i, t in enumerate(data.targets, start=1):
            target_id = t.target_id or f"{task.subject_nip}-{i}"
            row = session.get(Target, (cycle.cycle_id, target_id))
            if row is not None and row.nip != task.subject_nip:
                raise TaskError(f"Target {target_id} milik orang lain / belongs to someone else")
            values = dict(
                nip=task.subject_nip,
                serves=t.serves,
                statement=t.statement,
                indicator=t.indicator,
                aspect=t.aspect,
                target_value=t.target,
                target_high=t.target_high,
                unit_of_measure=t.unit_of_measure,
                direction=t.direction,
                weight=t.weight,
                kind=t.kind,
                aggregate=t.aggregate,
                status="proposed",
            )
            if row is None:
                session.add(Target(cycle_id=cycle.cycle_id, target_id=target_id, **values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
    else:
        session.execute(
            update(Target)
            .where(
                Target.cycle_id == cycle.cycle_id,
                Target.nip == task.subject_nip,
                Target.status == "returned",
            )
            .values(status="proposed")
        )
    if task.kind == "revise_targets":
        approval = session.scalar(
            select(HumanTask)
            .where(
                HumanTask.cycle_id == cycle.cycle_id,
                HumanTask.kind == "approve_targets",
                HumanTask.subject_nip == task.subject_nip,
            )
            .order_by(HumanTask.round.desc())
            .limit(1)
        )
        assert approval is not None
        open_follow_up(
            session,
            cycle=cycle,
            config=config,
            now=now,
            task=NewTask(
                "approve_targets",
                task.subject_nip,
                approval.assignee_nip,
                {"resubmitted": True},
                round=task.round + 1,
            ),
        )


def targets_decided(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: TargetDecision,
    now: datetime,
) -> None:
    status = "approved" if data.decision == "approve" else "returned"
    decide_targets(session, cycle_id=cycle.cycle_id, nips=[task.subject_nip], status=status)
    if data.decision == "return":
        # The employee gets one message: the return, with the manager's comment.
        opened = open_follow_up(
            session,
            cycle=cycle,
            config=config,
            now=now,
            notify=False,
            task=NewTask(
                "revise_targets",
                task.subject_nip,
                task.subject_nip,
                {"comment": data.comment, "target_comments": data.target_comments},
                round=task.round,
            ),
        )
        queue_task_messages(
            session,
            cycle=cycle,
            config=config,
            tasks=opened,
            kind="task_returned",
            now=now,
            comment=data.comment or "",
        )


def decide_targets(session: Session, *, cycle_id: str, nips: list[str], status: str) -> None:
    """Move the proposed (or returned) targets of ``nips`` to ``status`` (approved or
    returned), in batches of ids. The session is not synchronised: no Target is read after
    a decision in the same answer, and a batch of thousands would scan every loaded object."""
    for part in in_lists(nips):
        session.execute(
            update(Target)
            .where(
                Target.cycle_id == cycle_id,
                Target.nip.in_(part),
                Target.status.in_(("proposed", "returned")),
            )
            .values(status=status)
            .execution_options(synchronize_session=False)
        )
