"""The final-deadline policy: at a task's final deadline the stage's policy either applies
what the person was shown (``keep_proposal``) or closes the task with nothing applied
(``not_submitted``). What it applies goes through the same effects as an answer
(:func:`kinerja.models.responses.bulk.apply_effects`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kinerja.models.humantasks.states import Actor, check_transition
from kinerja.models.responses.base import claimed, close_task, parse_input
from kinerja.models.responses.bulk import Item, apply_effects
from kinerja.models.responses.targets import decide_targets
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.tables import Cycle, HumanTask

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
            refused = apply_effects(
                session,
                [Item(task, system, "system", data, "expire")],
                cycles={cycle.cycle_id: cycle},
                configs={cycle.cycle_id: config},
                now=now,
            )
            if refused:
                raise refused[task.id]
            applied = data.model_dump(mode="json")
        if policy == "keep_proposal" and task.kind == "revise_targets":
            decide_targets(
                session, cycle_id=cycle.cycle_id, nips=[task.subject_nip], status="approved"
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
