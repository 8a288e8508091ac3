"""The automated part of each stage, per chunk of employees (a NIP range), set-based.

Every function here takes a Session and a chunk and is idempotent: it writes with upserts
or recomputes values from the cycle's inputs, so running it twice changes nothing. The
rules themselves are pure functions in models/rules/, applied with the cycle's pack snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.states import NewTask
from kinerja.models.stages.credit_points import compute_credit_points
from kinerja.models.stages.deductions import NO_DEDUCTIONS, incentive_deductions, person_incentive
from kinerja.models.stages.training import assign_training_chunk
from kinerja.models.store.bulk import bulk_update, upsert
from kinerja.models.store.tables import Cycle, Employee, Feedback, Measurement, Result, Target


def _in_chunk(column: Any, lo: str, hi: str) -> Any:
    return and_(column >= lo, column <= hi)


def _rater(manager: str | None, coordinator: str) -> str:
    return manager or coordinator


def period_key(period: str) -> tuple[int, int, int]:
    """Sort key of a period: (year, last month covered, granularity)."""
    year = int(period[:4])
    rest = period[5:]
    if not rest:
        return (year, 12, 0)
    if rest.startswith("Q"):
        return (year, 3 * int(rest[1:]), 2)
    if rest.startswith("S"):
        return (year, 6 * int(rest[1:]), 1)
    return (year, int(rest), 3)


# --- plan --------------------------------------------------------------------------------------


def ensure_results(session: Session, *, cycle: Cycle, coordinator: str, lo: str, hi: str) -> int:
    """One result row per employee of the chunk (who rates whom is fixed here)."""
    rows = [
        {
            "cycle_id": cycle.cycle_id,
            "nip": nip,
            "unit_id": unit,
            "rater_nip": _rater(m, coordinator),
            "perilaku_values": {},
            "derivation": {},
        }
        for nip, unit, m in session.execute(
            select(Employee.nip, Employee.unit_id, Employee.manager_nip).where(
                _in_chunk(Employee.nip, lo, hi)
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
        select(Employee.nip).where(
            _in_chunk(Employee.nip, lo, hi), Employee.nip.not_in(has_targets)
        )
    ).all()
    return [NewTask("propose_targets", nip, nip, {}) for nip in nips]


def cascade_report(session: Session, *, cycle: Cycle) -> dict[str, Any]:
    """The cascade across the organisation: orphan targets (``serves`` resolves to nothing),
    employees without targets, and those blocked because their superior has none either."""
    from kinerja.models.store.tables import Goal

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
    # Staff whose manager has no proposed or approved targets cannot cascade theirs from
    # them: blocked (models/stages/blocked.py, which also escalates at the plan deadline).
    from kinerja.models.stages.blocked import blocked_staff

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


# --- approve targets ---------------------------------------------------------------------------


def approval_tasks(
    session: Session, *, cycle: Cycle, coordinator: str, lo: str, hi: str
) -> list[NewTask]:
    """An approval per employee whose targets are proposed, for their manager."""
    counts = session.execute(
        select(Target.nip, func.count(), Employee.manager_nip)
        .join(Employee, Employee.nip == Target.nip)
        .where(
            Target.cycle_id == cycle.cycle_id,
            Target.status == "proposed",
            _in_chunk(Target.nip, lo, hi),
        )
        .group_by(Target.nip, Employee.manager_nip)
    ).all()
    return [
        NewTask("approve_targets", nip, _rater(m, coordinator), {"targets": n})
        for nip, n, m in counts
    ]


# --- collect metrics ---------------------------------------------------------------------------


def realisation_tasks(session: Session, *, cycle: Cycle, lo: str, hi: str) -> list[NewTask]:
    """Employees with approved targets but no realisation at all report it."""
    measured = select(Measurement.target_id).where(Measurement.cycle_id == cycle.cycle_id)
    nips = session.scalars(
        select(Target.nip)
        .where(
            Target.cycle_id == cycle.cycle_id,
            Target.status == "approved",
            _in_chunk(Target.nip, lo, hi),
        )
        .group_by(Target.nip)
        .having(
            func.count(Target.target_id)
            == func.count(Target.target_id).filter(Target.target_id.not_in(measured))
        )
    ).all()
    return [NewTask("report_realisation", nip, nip, {}) for nip in nips]


def compute_achievements(session: Session, *, cycle: Cycle, pack: Any, lo: str, hi: str) -> int:
    """Achievement per target from its measurements, then the proposed result rating."""
    from kinerja.models.rules.achievement import (
        aggregate_periods,
        aggregation_for,
        target_achievement,
    )
    from kinerja.models.rules.rating import TargetScore, propose_result_rating, weighted_score

    if cycle.config.get("approach") == "qualitative":
        return _qualitative_results(session, cycle=cycle, lo=lo, hi=hi)
    values: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for target_id, period, value in session.execute(
        select(Measurement.target_id, Measurement.period, Measurement.value)
        .join(
            Target,
            and_(
                Target.cycle_id == Measurement.cycle_id, Target.target_id == Measurement.target_id
            ),
        )
        .where(
            Measurement.cycle_id == cycle.cycle_id,
            Measurement.value.is_not(None),
            _in_chunk(Target.nip, lo, hi),
        )
    ):
        values[target_id].append((period, value))
    rules = pack.achievement
    target_updates = []
    per_person: dict[str, list[Any]] = defaultdict(list)
    steps: dict[str, list[str]] = defaultdict(list)
    for t in session.execute(
        select(
            Target.target_id,
            Target.nip,
            Target.direction,
            Target.target_value,
            Target.target_high,
            Target.unit_of_measure,
            Target.weight,
            Target.kind,
        )
        .where(
            Target.cycle_id == cycle.cycle_id,
            Target.status == "approved",
            _in_chunk(Target.nip, lo, hi),
        )
        .order_by(Target.nip, Target.target_id)
    ):
        series = sorted(values.get(t.target_id, []), key=lambda pv: period_key(pv[0]))
        how = aggregation_for(t.unit_of_measure, rules)
        realisation = aggregate_periods([v for _, v in series], how) if series else None
        derived = target_achievement(
            direction=t.direction,
            target=t.target_value,
            realisation=realisation,
            target_high=t.target_high,
            rules=rules,
        )
        target_updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "target_id": t.target_id,
                "realisation": realisation,
                "achievement": derived.value,
            }
        )
        per_person[t.nip].append(
            TargetScore(kind=t.kind, weight=t.weight, achievement=derived.value)
        )
        steps[t.nip].append(f"{t.target_id}: " + "; ".join(derived.steps))
    bulk_update(
        session,
        table=Target.__table__,
        keys=("cycle_id", "target_id"),
        rows=target_updates,
        columns=("realisation", "achievement"),
    )
    result_updates = []
    for nip, items in per_person.items():
        proposal = propose_result_rating(items, pack.result_rating)
        score = weighted_score(items, pack.result_rating)
        scored = [i.achievement for i in items if i.achievement is not None]
        mean = round(sum(scored) / len(scored), 2) if scored else None
        result_updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "nip": nip,
                "achievement": mean,
                "score": score.value,
                "proposed_hasil_kerja": proposal.value,
                "derivation": {
                    "achievement": steps[nip],
                    "proposal": list(proposal.steps),
                    "score": list(score.steps),
                },
            }
        )
    _bulk_update_results(
        session, result_updates, ("achievement", "score", "proposed_hasil_kerja", "derivation")
    )
    # People with no scorable target still get the pack's rating for "no results".
    session.execute(
        update(Result)
        .where(
            Result.cycle_id == cycle.cycle_id,
            _in_chunk(Result.nip, lo, hi),
            Result.proposed_hasil_kerja.is_(None),
        )
        .values(proposed_hasil_kerja=pack.result_rating.if_no_results)
    )
    return len(target_updates)


def _qualitative_results(session: Session, *, cycle: Cycle, lo: str, hi: str) -> int:
    """The qualitative approach (PermenPANRB 6/2022): no achievement and no proposal.

    The rater judges each RHK against the expectation from the evidence, so the review task
    carries no proposed rating and the rater must choose one.
    """
    step = "qualitative approach: no achievement from numbers; the rater judges each RHK"
    rows = session.execute(
        select(Result.nip, Result.derivation).where(
            Result.cycle_id == cycle.cycle_id, _in_chunk(Result.nip, lo, hi)
        )
    ).all()
    _bulk_update_results(
        session,
        [
            {
                "cycle_id": cycle.cycle_id,
                "nip": nip,
                "achievement": None,
                "score": None,
                "proposed_hasil_kerja": None,
                "derivation": {**(d or {}), "proposal": [step]},
            }
            for nip, d in rows
        ],
        ("achievement", "score", "proposed_hasil_kerja", "derivation"),
    )
    return len(rows)


# --- review ------------------------------------------------------------------------------------


def review_tasks(
    session: Session, *, cycle: Cycle, coordinator: str, lo: str, hi: str
) -> list[NewTask]:
    rows = session.execute(
        select(Result.nip, Result.proposed_hasil_kerja, Result.achievement, Employee.manager_nip)
        .join(Employee, Employee.nip == Result.nip)
        .where(Result.cycle_id == cycle.cycle_id, _in_chunk(Result.nip, lo, hi))
    ).all()
    return [
        NewTask(
            "review",
            nip,
            _rater(m, coordinator),
            {"proposed_hasil_kerja": proposed, "achievement": achievement},
        )
        for nip, proposed, achievement, m in rows
    ]


def compute_predikat(
    session: Session, *, cycle: Cycle, pack: Any, lo: str, hi: str, now: datetime
) -> int:
    """The predikat of every rated employee of the chunk, with its derivation, audited."""
    from kinerja.models.rules.predikat import predikat_for

    updates = []
    events = []
    for nip, hasil, perilaku, derivation in session.execute(
        select(Result.nip, Result.hasil_kerja, Result.perilaku, Result.derivation)
        .where(Result.cycle_id == cycle.cycle_id, _in_chunk(Result.nip, lo, hi))
        .order_by(Result.nip)
    ):
        if hasil is None or perilaku is None:
            predikat, steps = None, ["not rated: the review was closed without a rating"]
        else:
            derived = predikat_for(hasil_kerja=hasil, perilaku=perilaku, rules=pack.predikat)
            predikat, steps = derived.value, list(derived.steps)
        new_derivation = dict(derivation or {})
        new_derivation["predikat"] = steps
        updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "nip": nip,
                "predikat": predikat,
                "derivation": new_derivation,
                "rule_version": pack.rule_version,
            }
        )
        events.append(
            {
                "actor": "system",
                "action": "result.predikat",
                "cycle_id": cycle.cycle_id,
                "entity": "result",
                "entity_id": nip,
                "payload": {
                    "hasil_kerja": hasil,
                    "perilaku": perilaku,
                    "predikat": predikat,
                    "rules": pack.rule_version,
                },
            }
        )
    _bulk_update_results(session, updates, ("predikat", "derivation", "rule_version"))
    append_many(session, events=events, at=now)
    compute_credit_points(session, cycle=cycle, pack=pack, lo=lo, hi=hi, now=now)
    return len(updates)


def check_distributions(
    session: Session, *, cycle: Cycle, pack: Any, now: datetime | None = None
) -> dict[str, Any]:
    """The distribution curve per group (see models/stages/distribution.py); findings stored."""
    from kinerja.models.stages.distribution import check_distributions as check_groups

    return check_groups(session, cycle=cycle, pack=pack, now=now)


# --- feedback ----------------------------------------------------------------------------------


def feedback_tasks(
    session: Session, *, cycle: Cycle, coordinator: str, lo: str, hi: str
) -> list[NewTask]:
    rows = session.execute(
        select(Result.nip, Employee.manager_nip)
        .join(Employee, Employee.nip == Result.nip)
        .where(Result.cycle_id == cycle.cycle_id, _in_chunk(Result.nip, lo, hi))
    ).all()
    return [NewTask("write_feedback", nip, _rater(m, coordinator), {}) for nip, m in rows]


def feedback_counts(session: Session, *, cycle: Cycle) -> dict[str, int]:
    written = (
        session.scalar(
            select(func.count())
            .select_from(Feedback)
            .where(Feedback.cycle_id == cycle.cycle_id, Feedback.text.is_not(None))
        )
        or 0
    )
    acked = (
        session.scalar(
            select(func.count())
            .select_from(Feedback)
            .where(Feedback.cycle_id == cycle.cycle_id, Feedback.acknowledged_at.is_not(None))
        )
        or 0
    )
    return {"written": written, "acknowledged": acked}


# --- training ----------------------------------------------------------------------------------


# Training for low predikat, competency gaps and JP below the yearly minimum; ledger entries
# planned; assignments that no longer apply removed: see models/stages/training.py.
assign_training = assign_training_chunk


# --- incentives --------------------------------------------------------------------------------


def compute_incentives(
    session: Session, *, cycle: Cycle, pack: Any, lo: str, hi: str, now: datetime
) -> int:

    if pack.incentive is None:
        return 0
    deductions = incentive_deductions(
        session,
        cycle_id=cycle.cycle_id,
        rules=pack.incentive,
        reference=cycle_config(cycle).period_end,
        lo=lo,
        hi=hi,
    )
    updates, events = [], []
    for nip, grade, predikat, derivation in session.execute(
        select(Result.nip, Employee.grade, Result.predikat, Result.derivation)
        .join(Employee, Employee.nip == Result.nip)
        .where(Result.cycle_id == cycle.cycle_id, _in_chunk(Result.nip, lo, hi))
        .order_by(Result.nip)
    ):
        amount, steps = person_incentive(
            grade=grade,
            predikat=predikat,
            cuts=deductions.get(nip, NO_DEDUCTIONS),
            rules=pack.incentive,
        )
        new_derivation = dict(derivation or {})
        new_derivation["incentive"] = steps
        updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "nip": nip,
                "incentive": amount,
                "derivation": new_derivation,
            }
        )
        events.append(
            {
                "actor": "system",
                "action": "result.incentive",
                "cycle_id": cycle.cycle_id,
                "entity": "result",
                "entity_id": nip,
                "payload": {
                    "predikat": predikat,
                    "grade": grade,
                    "attendance_deduction_pct": str(
                        deductions.get(nip, NO_DEDUCTIONS).attendance_pct
                    ),
                    "discipline_cut_pct": str(deductions.get(nip, NO_DEDUCTIONS).discipline_pct),
                    "incentive": None if amount is None else str(amount),
                },
            }
        )
    _bulk_update_results(session, updates, ("incentive", "derivation"))
    append_many(session, events=events, at=now)
    return len(updates)


def apply_incentive_budget(
    session: Session, *, cycle: Cycle, budget: Decimal | None, pack: Any, now: datetime
) -> dict[str, Any]:
    """Scale every incentive down proportionally when their total exceeds the budget.

    Idempotent: a total already within the budget is left as it is.
    """
    from kinerja.models.rules.incentive import apply_budget_cap

    if pack.incentive is None:
        return {"budget": None}
    rows = session.execute(
        select(Result.nip, Result.incentive, Result.derivation)
        .where(Result.cycle_id == cycle.cycle_id, Result.incentive.is_not(None))
        .order_by(Result.nip)
    ).all()
    amounts = {nip: Decimal(amount) for nip, amount, _ in rows}
    scaled, notes = apply_budget_cap(amounts, budget, quantum=pack.incentive.quantum)
    changed = [
        {
            "cycle_id": cycle.cycle_id,
            "nip": nip,
            "incentive": scaled[nip],
            "derivation": {**(d or {}), "incentive": [*(d or {}).get("incentive", []), *notes]},
        }
        for nip, _, d in rows
        if scaled[nip] != amounts[nip]
    ]
    _bulk_update_results(session, changed, ("incentive", "derivation"))
    quantum = pack.incentive.quantum
    total_before = sum(amounts.values(), Decimal(0)).quantize(quantum)
    total_after = sum(scaled.values(), Decimal(0)).quantize(quantum)
    if changed:
        append_many(
            session,
            at=now,
            events=[
                {
                    "actor": "system",
                    "action": "incentive.budget",
                    "cycle_id": cycle.cycle_id,
                    "entity": "cycle",
                    "entity_id": cycle.cycle_id,
                    "payload": {
                        "budget": str(budget),
                        "total_before": str(total_before),
                        "total_after": str(total_after),
                        "scaled": len(changed),
                    },
                }
            ],
        )
    return {
        "budget": None if budget is None else str(budget),
        "total_before": str(total_before),
        "total_after": str(total_after),
        "scaled": len(changed),
        "notes": notes,
    }


def incentive_totals(session: Session, *, cycle: Cycle) -> dict[str, Any]:
    rows = session.execute(
        select(Result.unit_id, func.count(), func.sum(Result.incentive))
        .where(Result.cycle_id == cycle.cycle_id)
        .group_by(Result.unit_id)
        .order_by(Result.unit_id)
    ).all()
    return {
        "units": [(u, n, str(t or 0)) for u, n, t in rows],
        "total": str(sum((t or 0) for _, _, t in rows)),
    }


def _bulk_update_results(
    session: Session, updates: Iterable[dict[str, Any]], columns: tuple[str, ...]
) -> None:
    bulk_update(
        session,
        table=Result.__table__,
        keys=("cycle_id", "nip"),
        rows=list(updates),
        columns=columns,
    )
