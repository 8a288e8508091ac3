"""Appeals (keberatan): an employee objects to their published result; the rater's superior decides.

PP 30/2019 Pasal 59 (DOMAIN.md A1): within a window after the result is received (14 days
for ASN, ``appeal_window_days`` in the cycle config) the employee objects, with reasons, to
the rater's superior, who may change the result; that decision is final.

- :func:`file_appeal` is the one way to file: it refuses an appeal before publication, after
  the window or a second one, and opens a ``decide_appeal`` task for the rater's superior (the
  HR coordinator when the rater has none) with its notification, in the caller's transaction.
- The decision arrives through the response service (``models/responses/service.py``), which calls
  :func:`decide_appeal`. "reject" changes nothing; the task closes with the reason. "uphold"
  recalculates for the appellant only, one audited step at a time: the ratings, the predikat
  (the pack's matrix), training assignments and the JP ledger, the incentive (within the
  budget cap), the unit's published aggregates and the findings of the appellant's
  distribution group.
- A second decision is refused by the task's state machine: a closed task takes no other
  answer.

Appeals live in ``human_tasks`` (kind ``decide_appeal``, stage ``appeal``): the task key
(cycle, kind, employee, round 1) makes a second appeal impossible, its payload keeps what
was appealed and its response the decision.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event, append_many
from kinerja.models.cycles.cycle import cycle_config, cycle_pack
from kinerja.models.humantasks.opening import NewTask, open_tasks
from kinerja.models.humantasks.states import Actor, NotAllowed, TaskError, manager_of
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import Appeal, AppealDecision
from kinerja.models.stages.publish import publish_units, rewrite_exports_after_commit
from kinerja.models.store.tables import (
    AuditEvent,
    Cycle,
    CycleStage,
    Employee,
    HumanTask,
    Publication,
    Result,
    TrainingAssignment,
)

KIND = "decide_appeal"
STAGE = "appeal"

__all__ = [
    "AppealError",
    "file_appeal",
    "decide_appeal",
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
    _recalculate(
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
    from kinerja.models.appeals.outcome import queue_appeal_outcome

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


def _recalculate(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    pack: Any,
    result: Result,
    task: HumanTask,
    actor: Actor,
    hasil: str | None,
    perilaku: str | None,
    reason: str,
    now: datetime,
) -> None:
    """Everything that follows from the appellant's new rating: for them, their unit's
    published aggregates and their distribution group only."""
    from kinerja.models.rules.predikat import predikat_for

    nip, cid = result.nip, cycle.cycle_id
    events: list[dict[str, Any]] = []

    def event(action: str, entity: str, entity_id: str, payload: dict[str, Any]) -> None:
        events.append(
            {
                "actor": actor.nip if action == "appeal.rating" else "system",
                "action": action,
                "cycle_id": cid,
                "entity": entity,
                "entity_id": entity_id,
                "payload": {"appeal_task": task.id, **payload},
            }
        )

    derivation = dict(result.derivation or {})
    derivation["appeal"] = [
        f"appeal (task {task.id}) upheld by {actor.nip} on {now:%Y-%m-%d}: {reason}",
        f"hasil kerja {result.hasil_kerja} -> {hasil}; perilaku {result.perilaku} -> {perilaku}",
    ]
    event(
        "appeal.rating",
        "result",
        nip,
        {
            "before": {"hasil_kerja": result.hasil_kerja, "perilaku": result.perilaku},
            "after": {"hasil_kerja": hasil, "perilaku": perilaku},
            "reason": reason,
        },
    )
    result.hasil_kerja, result.perilaku = hasil, perilaku

    # Predikat: the pack's matrix, as compute_predikat does for everyone.
    old_predikat = result.predikat
    if hasil is None or perilaku is None:
        predikat, steps = None, ["not rated"]
    else:
        derived = predikat_for(hasil_kerja=hasil, perilaku=perilaku, rules=pack.predikat)
        predikat, steps = derived.value, list(derived.steps)
    result.predikat, result.rule_version = predikat, pack.rule_version
    derivation["predikat"] = steps
    event(
        "result.predikat",
        "result",
        nip,
        {"before": old_predikat, "predikat": predikat, "rules": pack.rule_version},
    )

    # Credit points follow the new predikat (only for people in a functional position).
    from kinerja.models.stages.credit_points import compute_credit_points

    result.derivation = derivation
    session.flush()
    compute_credit_points(session, cycle=cycle, pack=pack, lo=nip, hi=nip, now=now)
    session.refresh(result)
    derivation = dict(result.derivation or {})

    training = _retrain(session, cycle=cycle, config=config, pack=pack, nip=nip, predikat=predikat)
    result.training_jp = training["training_jp"]
    derivation["training"] = training.pop("steps")
    event("training.appeal", "result", nip, training)

    grade = session.scalar(select(Employee.grade).where(Employee.nip == nip))
    incentive = _reprice(
        session, cycle=cycle, config=config, pack=pack, nip=nip, grade=grade, predikat=predikat
    )
    if incentive is not None:
        old_amount = result.incentive
        result.incentive = incentive["amount"]
        derivation["incentive"] = incentive["steps"]
        event(
            "result.incentive",
            "result",
            nip,
            {
                "before": None if old_amount is None else str(old_amount),
                "incentive": None if incentive["amount"] is None else str(incentive["amount"]),
                "predikat": predikat,
                "grade": grade,
                "budget": incentive["budget"],
            },
        )
    result.derivation = derivation
    session.flush()

    unit = result.unit_id
    before = session.get(Publication, (cid, unit))
    before_payload = None if before is None else dict(before.payload)
    publish_units(session, cycle=cycle, config=config, now=now)
    session.flush()
    after = session.get(Publication, (cid, unit))
    if after is not None:
        session.refresh(after)
    event(
        "publication.appeal",
        "publication",
        unit,
        {"before": before_payload, "after": None if after is None else after.payload},
    )
    # The appellant's distribution group (their rater's direct reports under group: rater),
    # named by the unit whose predikat keys its curve: that may be the rater's unit.
    findings = _recheck_group(session, cycle=cycle, pack=pack, nip=nip)
    event("distribution.appeal", "unit", findings["unit_id"], findings)
    append_many(session, events=events, at=now)
    rewrite_exports_after_commit(session, cycle_id=cid)


def _retrain(
    session: Session, *, cycle: Cycle, config: CycleConfig, pack: Any, nip: str, predikat: Any
) -> dict[str, Any]:
    """Training assignments and planned JP for one person: assign_training on a one-person
    chunk, with the new ``predikat`` (already flushed to the result row).

    Courses no longer needed are removed with their planned ledger entries; hours already
    completed stay in the ledger (they were trained).
    """
    from kinerja.models.stages.training import assign_training_chunk

    cid = cycle.cycle_id

    def current() -> dict[str, float]:
        return dict(
            session.execute(
                select(TrainingAssignment.course, TrainingAssignment.jp).where(
                    TrainingAssignment.cycle_id == cid, TrainingAssignment.nip == nip
                )
            ).all()
        )

    session.flush()
    before = current()
    assign_training_chunk(  # its "training.appeal" event records what was removed
        session,
        cycle=cycle,
        pack=pack,
        year=config.period_end.year,
        lo=nip,
        hi=nip,
        audit_removals=False,
    )
    after = current()
    stored = session.execute(
        select(Result.training_jp, Result.derivation).where(
            Result.cycle_id == cid, Result.nip == nip
        )
    ).one()
    return {
        "training_jp": stored.training_jp,
        "removed": sorted(set(before) - set(after)),
        "added": sorted(set(after) - set(before)),
        "changed": sorted(c for c in set(before) & set(after) if before[c] != after[c]),
        "steps": list((stored.derivation or {}).get("training", [])),
    }


def _reprice(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    pack: Any,
    nip: str,
    grade: str | None,
    predikat: str | None,
) -> dict[str, Any] | None:
    """The appellant's incentive by the pack's formula, within the cycle's budget cap.

    Everyone else has been paid on the cycle's figures, so their amounts stay: the appellant
    gets the scale the cap applied to everyone (when it did), and at most what is left of the
    budget after the others.
    """
    if pack.incentive is None:
        return None
    if predikat is None:
        return {"amount": None, "steps": ["no predikat: no incentive computed"], "budget": None}
    from kinerja.models.stages.deductions import (
        NO_DEDUCTIONS,
        incentive_deductions,
        person_incentive,
    )

    cuts = incentive_deductions(
        session,
        cycle_id=cycle.cycle_id,
        rules=pack.incentive,
        reference=config.period_end,
        lo=nip,
        hi=nip,
    ).get(nip, NO_DEDUCTIONS)
    amount, steps = person_incentive(
        grade=grade, predikat=predikat, cuts=cuts, rules=pack.incentive
    )
    budget = config.incentive_budget
    if budget is None:
        return {"amount": amount, "steps": steps, "budget": None}
    quantum = pack.incentive.quantum
    applied = session.scalars(
        select(AuditEvent.payload)
        .where(AuditEvent.cycle_id == cycle.cycle_id, AuditEvent.action == "incentive.budget")
        .order_by(AuditEvent.seq)
        .limit(1)
    ).first()
    if applied:
        ratio = Fraction(Decimal(applied["budget"])) / Fraction(Decimal(applied["total_before"]))
        amount = Decimal(math.floor(Fraction(amount) * ratio / Fraction(quantum))) * quantum
        steps.append(
            f"skala pagu siklus {float(ratio) * 100:.4f}%, dibulatkan ke bawah: {amount}"
            f" / the cycle's budget scale {float(ratio) * 100:.4f}%, rounded down: {amount}"
        )
    others = session.scalar(
        select(func.coalesce(func.sum(Result.incentive), 0)).where(
            Result.cycle_id == cycle.cycle_id, Result.nip != nip
        )
    )
    left = Decimal(budget) - Decimal(others or 0)
    if amount > left:
        capped = max(Decimal(0), Decimal(math.floor(Fraction(left) / Fraction(quantum))) * quantum)
        steps.append(
            f"sisa pagu {left}: dibatasi menjadi {capped} / {left} left of the budget:"
            f" limited to {capped}"
        )
        amount = capped
    return {"amount": amount, "steps": steps, "budget": str(budget)}


def _recheck_group(session: Session, *, cycle: Cycle, pack: Any, nip: str) -> dict[str, Any]:
    """The distribution findings of the appellant's group, as check_distributions stores them."""
    from kinerja.models.stages.distribution import recheck_group

    return recheck_group(session, cycle=cycle, pack=pack, nip=nip)
