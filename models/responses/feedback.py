"""Answers of the feedback dialog: the rater's feedback note and the employee's acknowledgement."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from kinerja.models.humantasks.opening import NewTask
from kinerja.models.humantasks.states import (
    Actor,
)
from kinerja.models.responses.base import open_follow_up
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import (
    FeedbackNote,
)
from kinerja.models.store.tables import (
    Cycle,
    Feedback,
    HumanTask,
)


def feedback_written(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: FeedbackNote,
    now: datetime,
) -> None:
    row = session.get(Feedback, (cycle.cycle_id, task.subject_nip))
    if row is None:
        session.add(
            Feedback(
                cycle_id=cycle.cycle_id,
                nip=task.subject_nip,
                manager_nip=actor.nip,
                text=data.text,
                written_at=now,
            )
        )
    else:
        row.manager_nip, row.text, row.written_at = actor.nip, data.text, now
    open_follow_up(
        session,
        cycle=cycle,
        config=config,
        now=now,
        task=NewTask(
            "acknowledge_feedback", task.subject_nip, task.subject_nip, {"feedback": data.text}
        ),
    )


def feedback_acknowledged(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: BaseModel,
    now: datetime,
) -> None:
    row = session.get(Feedback, (cycle.cycle_id, task.subject_nip))
    if row is not None:
        row.acknowledged_at = now
