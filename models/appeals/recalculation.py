"""What an upheld appeal recalculates, for the appellant only, one audited step at a time:
the ratings, the predikat (the pack's matrix), credit points, training assignments and the
JP ledger, the incentive (within the budget cap), the unit's published aggregates and the
findings of the appellant's distribution group.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.humantasks.states import Actor
from kinerja.models.results.exports import rewrite_exports_after_commit
from kinerja.models.rules.predikat import predikat_for
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.stages.credit_points import compute_credit_points
from kinerja.models.stages.deductions import (
    NO_DEDUCTIONS,
    incentive_deductions,
    person_incentive,
)
from kinerja.models.stages.distribution import recheck_group
from kinerja.models.stages.publish import publish_units
from kinerja.models.stages.training import assign_training_chunk
from kinerja.models.store.tables import (
    AuditEvent,
    Cycle,
    Employee,
    HumanTask,
    Publication,
    Result,
    TrainingAssignment,
)


def recalculate(
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

    return recheck_group(session, cycle=cycle, pack=pack, nip=nip)
