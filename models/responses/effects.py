"""Each task kind's effect on the cycle, and the final-deadline policy that may apply one.

An effect takes the task, its cycle and the validated input and changes what the answer
changes (targets, measurements, ratings, feedback, an appeal's outcome), in the caller's
transaction. At a task's final deadline the stage's policy either applies what the person
was shown (``keep_proposal``) or closes the task with nothing applied (``not_submitted``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from kinerja.models.appeals.deciding import decide_appeal
from kinerja.models.citizens.complaints import complaint_answered
from kinerja.models.humantasks.states import (
    Actor,
    check_transition,
)
from kinerja.models.responses.base import claimed, close_task, parse_input
from kinerja.models.responses.checkin import checked_in
from kinerja.models.responses.feedback import feedback_acknowledged, feedback_written
from kinerja.models.responses.review import realisation_reported, reviewed
from kinerja.models.responses.targets import targets_decided, targets_proposed
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.tables import (
    Cycle,
    HumanTask,
    Target,
)

EFFECTS = {
    "propose_targets": targets_proposed,
    "revise_targets": targets_proposed,
    "approve_targets": targets_decided,
    "report_realisation": realisation_reported,
    "report_period": realisation_reported,  # under the task's period (its payload)
    "checkin": checked_in,
    "review": reviewed,
    "write_feedback": feedback_written,
    "acknowledge_feedback": feedback_acknowledged,
    "decide_appeal": decide_appeal,  # an upheld appeal recalculates: see models/appeals/filing.py
    "answer_complaint": complaint_answered,  # the reply reaches the citizen's tracking page
}


# --- the final-deadline policy -----------------------------------------------------------------

_KEEP_PROPOSAL_DEFAULTS: dict[str, dict[str, Any] | None] = {
    "propose_targets": None,  # nothing to keep: the employee has no targets
    "revise_targets": None,  # handled below: the returned proposal is approved as it stands
    "approve_targets": {"decision": "approve", "comment": "disetujui otomatis / auto-approved"},
    "report_realisation": None,
    "report_period": None,
    "checkin": {},  # the proposed periodic rating stands
    "review": {},
    "write_feedback": None,
    "acknowledge_feedback": None,
}


def expire_task(
    session: Session, *, task: HumanTask, cycle: Cycle, config: CycleConfig, now: datetime
) -> list[dict[str, Any]]:
    """Close a task at its final deadline by the stage's policy; returns audit events.

    ``keep_proposal`` applies what the person was shown (targets as proposed, the proposed
    rating); ``not_submitted`` closes it with nothing applied. The task is claimed first, so
    an answer that wins the race keeps the task: :class:`AlreadyClosed` is raised and nothing
    of the expiry is written.
    """
    check_transition(task, "expire")
    with claimed(session, task=task, state="expired"):
        policy = config.stage(task.stage).final_policy
        default = _KEEP_PROPOSAL_DEFAULTS.get(task.kind)
        applied = None
        if policy == "keep_proposal" and default is not None:
            data = parse_input(task.kind, default)
            system = Actor(nip="system", reason="final deadline")
            EFFECTS[task.kind](
                session, task=task, cycle=cycle, config=config, actor=system, data=data, now=now
            )
            applied = data.model_dump(mode="json")
        if policy == "keep_proposal" and task.kind == "revise_targets":
            session.execute(
                update(Target)
                .where(
                    Target.cycle_id == cycle.cycle_id,
                    Target.nip == task.subject_nip,
                    Target.status.in_(("proposed", "returned")),
                )
                .values(status="approved")
            )
            applied = {"targets": "approved as proposed"}
    return [
        close_task(
            task,
            state="expired",
            by="system",
            reason=f"final deadline: {policy}",
            now=now,
            late=True,
            response={"input": applied, "role": "system", "at": now.isoformat(), "policy": policy},
            action="task.expire",
            payload={"policy": policy, "applied": applied},
        )
    ]
