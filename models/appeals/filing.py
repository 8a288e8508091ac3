"""Appeals (keberatan): an employee objects to their published result; the rater's superior decides.

PP 30/2019 Pasal 59 (DOMAIN.md A1): within a window after the result is received (14 days
for ASN, ``appeal_window_days`` in the cycle config) the employee objects, with reasons, to
the rater's superior, who may change the result; that decision is final.

:func:`file_appeal` is the one way to file: it refuses an appeal before publication, after
the window or a second one, and opens a ``decide_appeal`` task for the rater's superior (the
HR coordinator when the rater has none) with its notification, in the caller's transaction.
The decision is :mod:`kinerja.models.appeals.deciding`.

Appeals live in ``human_tasks`` (kind ``decide_appeal``, stage ``appeal``): the task key
(cycle, kind, employee, round 1) makes a second appeal impossible, its payload keeps what
was appealed and its response the decision.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.humantasks.states import TaskError, manager_of
from kinerja.models.schemas.inputs import Appeal
from kinerja.models.store.tables import (
    Cycle,
    CycleStage,
    HumanTask,
    Result,
)

KIND = "decide_appeal"
STAGE = "appeal"

__all__ = [
    "AppealError",
    "file_appeal",
    "list_appeals",
    "appeal_window",
    "decider_for",
]


class AppealError(TaskError):
    """An appeal was refused; the message says why in Bahasa Indonesia and English."""


# --- filing ------------------------------------------------------------------------------------


def appeal_window(session: Session, *, cycle: Cycle) -> tuple[datetime, datetime] | None:
    """(published, last moment to appeal), or None while the results are not published."""
    stage = session.get(CycleStage, (cycle.cycle_id, "publish"))
    if stage is None or stage.status != "done" or stage.closed_at is None:
        return None
    days = cycle_config(cycle).appeal_window_days
    return stage.closed_at, stage.closed_at + timedelta(days=days)


def decider_for(
    session: Session, *, rater_nip: str | None, appellant: str, coordinator: str
) -> str:
    """Who decides: the rater's superior, else the HR coordinator (never the appellant)."""
    superior = manager_of(session, [rater_nip]).get(rater_nip) if rater_nip else None
    if superior is None or superior == appellant:
        return coordinator
    return superior


def file_appeal(
    session: Session, *, cycle_id: str, nip: str, reason: str, now: datetime
) -> HumanTask:
    """File ``nip``'s appeal against their result of ``cycle_id``; returns the decision task.

    Refused (:class:`AppealError`, nothing changed) before publication, after the window,
    without a result, without a reason, or when this employee has appealed this cycle already.
    """
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise AppealError(f"Siklus tidak dikenal / unknown cycle: {cycle_id}")
    config = cycle_config(cycle)
    try:
        appeal = Appeal(reason=reason)
    except ValidationError as exc:
        problems = "; ".join(e["msg"] for e in exc.errors())
        raise AppealError(f"Keberatan tidak valid / invalid appeal: {problems}") from exc
    window = appeal_window(session, cycle=cycle)
    if window is None:
        raise AppealError(
            f"Hasil siklus {cycle_id} belum dipublikasikan / "
            f"the results of cycle {cycle_id} are not published yet"
        )
    published, last = window
    if now > last:
        raise AppealError(
            f"Batas waktu keberatan ({config.appeal_window_days} hari sejak {published:%d-%m-%Y})"
            f" telah lewat pada {last:%d-%m-%Y %H:%M} / the appeal window"
            f" ({config.appeal_window_days} days from {published:%Y-%m-%d}) closed at"
            f" {last:%Y-%m-%d %H:%M}"
        )
    result = session.get(Result, (cycle_id, nip))
    if result is None:
        raise AppealError(
            f"Tidak ada hasil kinerja {nip} pada siklus {cycle_id} / "
            f"{nip} has no result in cycle {cycle_id}"
        )
    if _appeal_task(session, cycle_id=cycle_id, nip=nip) is not None:
        raise _duplicate(nip, cycle_id)
    decider = decider_for(
        session, rater_nip=result.rater_nip, appellant=nip, coordinator=config.coordinator.nip
    )
    stage = config.stage(STAGE)  # not configurable per cycle yet: the stage defaults
    due = now + timedelta(days=stage.deadline_days)
    payload = {
        "reason": appeal.reason,
        "filed_at": now.isoformat(),
        "published_at": published.isoformat(),
        "rater_nip": result.rater_nip,
        "hasil_kerja": result.hasil_kerja,
        "perilaku": result.perilaku,
        "predikat": result.predikat,
        "incentive": None if result.incentive is None else str(result.incentive),
    }
    opened = open_tasks(
        session,
        cycle=cycle,
        config=config,
        stage_due_at=due,
        stage_final_due_at=due + timedelta(days=stage.final_after_days),
        tasks=[NewTask(KIND, nip, decider, payload)],
        now=now,
    )
    if not opened:  # filed by a concurrent request between the check and the insert
        raise _duplicate(nip, cycle_id)
    task = opened[0]
    append_event(
        session,
        at=now,
        actor=nip,
        action="appeal.filed",
        cycle_id=cycle_id,
        entity="human_task",
        entity_id=str(task.id),
        payload={"nip": nip, "decider": decider, **payload},
    )
    return task


def _duplicate(nip: str, cycle_id: str) -> AppealError:
    return AppealError(
        f"{nip} sudah mengajukan keberatan pada siklus {cycle_id} / "
        f"{nip} has already appealed in cycle {cycle_id}"
    )


def _appeal_task(session: Session, *, cycle_id: str, nip: str) -> HumanTask | None:
    return session.scalars(
        select(HumanTask).where(
            HumanTask.cycle_id == cycle_id, HumanTask.kind == KIND, HumanTask.subject_nip == nip
        )
    ).first()


def list_appeals(session: Session, *, cycle_id: str) -> list[dict[str, Any]]:
    """Every appeal of a cycle, oldest first, with its decision when decided."""
    out = []
    for task in session.scalars(
        select(HumanTask)
        .where(HumanTask.cycle_id == cycle_id, HumanTask.kind == KIND)
        .order_by(HumanTask.id)
    ):
        answer = (task.response or {}).get("input") or {}
        out.append(
            {
                "task_id": task.id,
                "nip": task.subject_nip,
                "decider": task.assignee_nip,
                "state": task.state,
                "filed_at": task.opened_at,
                "reason": task.payload.get("reason"),
                "decision": answer.get("decision"),
                "decision_reason": answer.get("reason"),
                "decided_by": task.closed_by,
                "decided_at": task.closed_at,
            }
        )
    return out
