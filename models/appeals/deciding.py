"""Deciding an appeal: the effect of a ``decide_appeal`` answer (the response service closes
the task and calls :func:`decide_appeal`).

"reject" changes nothing; the task closes with the reason. "uphold" must change the rating,
and then recalculates for the appellant (:mod:`kinerja.models.appeals.recalculation`). Either
way the appellant hears the outcome (:mod:`kinerja.models.appeals.outcome`). A second decision
is refused by the task's state machine: a closed task takes no other answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kinerja.models.appeals.filing import AppealError
from kinerja.models.appeals.outcome import queue_appeal_outcome
from kinerja.models.appeals.recalculation import recalculate
from kinerja.models.cycles.cycle import cycle_pack
from kinerja.models.humantasks.states import Actor, NotAllowed
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import AppealDecision
from kinerja.models.store.tables import (
    Cycle,
    HumanTask,
    Result,
)

# --- deciding ----------------------------------------------------------------------------------


def decide_appeal(
    session: Session,
    *,
    task: HumanTask,
    cycle: Cycle,
    config: CycleConfig,
    actor: Actor,
    data: AppealDecision,
    now: datetime,
) -> None:
    """The response effect of ``decide_appeal`` (the response service closes the task).

    The actor was checked by the response service; here the rater is refused as well, since
    the appeal is against their own rating (unless nobody else could be asked).
    """
    result = session.get(Result, (cycle.cycle_id, task.subject_nip), with_for_update=True)
    if result is None:
        raise AppealError(f"Belum ada hasil untuk {task.subject_nip} / no result row")
    rater = task.payload.get("rater_nip") or result.rater_nip
    if actor.nip == rater and actor.nip != task.assignee_nip:
        raise NotAllowed(
            f"{actor.nip} adalah penilai; keberatan diputus oleh atasannya / "
            f"{actor.nip} is the rater; the appeal is decided by their superior"
        )
    if data.decision == "reject":
        _tell_appellant(session, cycle, config, task, data, actor, now)
        return
    pack = cycle_pack(cycle)
    problems = []
    if data.hasil_kerja is not None and data.hasil_kerja not in pack.result_rating.levels:
        problems.append(f"hasil_kerja: {data.hasil_kerja!r} not in {pack.result_rating.levels}")
    if data.perilaku is not None and data.perilaku not in pack.behaviour.levels:
        problems.append(f"perilaku: {data.perilaku!r} not in {pack.behaviour.levels}")
    if problems:
        raise AppealError("Jawaban tidak valid / invalid response: " + "; ".join(problems))
    hasil = data.hasil_kerja or result.hasil_kerja or result.proposed_hasil_kerja
    perilaku = data.perilaku or result.perilaku or pack.behaviour.default_rating
    if (hasil, perilaku) == (result.hasil_kerja, result.perilaku):
        raise AppealError(
            "Keberatan diterima tetapi rating tidak berubah; pilih 'reject' atau rating baru / "
            "an upheld appeal must change the rating; reject it or give a new rating"
        )
    recalculate(
        session,
        cycle=cycle,
        config=config,
        pack=pack,
        result=result,
        task=task,
        actor=actor,
        hasil=hasil,
        perilaku=perilaku,
        reason=data.reason,
        now=now,
    )
    _tell_appellant(session, cycle, config, task, data, actor, now)


def _tell_appellant(
    session: Session,
    cycle: Cycle,
    config: CycleConfig,
    task: HumanTask,
    data: AppealDecision,
    actor: Actor,
    now: datetime,
) -> None:
    session.flush()
    queue_appeal_outcome(
        session,
        cycle=cycle,
        config=config,
        task=task,
        outcome="upheld" if data.decision == "uphold" else "rejected",
        reason=data.reason,
        decided_by=actor.nip,
        now=now,
    )
