"""The collect-metrics stage's automated work: a "report your realisation" task for whoever has
none, then each target's achievement (capaian) and the proposed result rating.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Result as Rows
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from kinerja.models.humantasks.opening import NewTask
from kinerja.models.rules.achievement import (
    aggregate_periods,
    aggregation_for,
    target_achievement,
)
from kinerja.models.rules.periods import period_key
from kinerja.models.rules.rating import TargetScore, propose_result_rating, weighted_score
from kinerja.models.stages.common import in_chunk, update_results
from kinerja.models.store.bulk import bulk_update
from kinerja.models.store.tables import Cycle, Measurement, Result, Target

# --- collect metrics ---------------------------------------------------------------------------


def realisation_tasks(session: Session, *, cycle: Cycle, lo: str, hi: str) -> list[NewTask]:
    """Employees with approved targets but no realisation at all report it."""
    measured = select(Measurement.target_id).where(Measurement.cycle_id == cycle.cycle_id)
    nips = session.scalars(
        select(Target.nip)
        .where(
            Target.cycle_id == cycle.cycle_id,
            Target.status == "approved",
            in_chunk(Target.nip, lo, hi),
        )
        .group_by(Target.nip)
        .having(
            func.count(Target.target_id)
            == func.count(Target.target_id).filter(Target.target_id.not_in(measured))
        )
    ).all()
    return [NewTask("report_realisation", nip, nip, {}) for nip in nips]


def chunk_values(
    session: Session, *, cycle_id: str, lo: str, hi: str, periods: Collection[str] | None = None
) -> Rows[Any]:
    """The measured values of the chunk's targets as plain rows (target id, period, value),
    unordered; only those of ``periods`` when given."""
    m, t = Measurement.__table__, Target.__table__
    query = (
        select(m.c.target_id, m.c.period, m.c.value)
        .join(t, and_(t.c.cycle_id == m.c.cycle_id, t.c.target_id == m.c.target_id))
        .where(m.c.cycle_id == cycle_id, m.c.value.is_not(None), in_chunk(t.c.nip, lo, hi))
    )
    if periods is not None:
        query = query.where(m.c.period.in_(periods))
    session.flush()
    return session.execute(query)


def chunk_measurements(
    session: Session, *, cycle_id: str, lo: str, hi: str
) -> dict[str, list[tuple[str, float]]]:
    """Every measured value of the chunk's targets: target id -> (period, value), unordered."""
    values: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for target_id, period, value in chunk_values(session, cycle_id=cycle_id, lo=lo, hi=hi):
        values[target_id].append((period, value))
    return values


def measured_periods(session: Session, *, cycle_id: str, lo: str, hi: str) -> list[str]:
    """The distinct periods with a measured value among the chunk's targets."""
    m, t = Measurement.__table__, Target.__table__
    session.flush()
    return list(
        session.execute(
            select(m.c.period)
            .distinct()
            .join(t, and_(t.c.cycle_id == m.c.cycle_id, t.c.target_id == m.c.target_id))
            .where(m.c.cycle_id == cycle_id, m.c.value.is_not(None), in_chunk(t.c.nip, lo, hi))
        ).scalars()
    )


def approved_targets(session: Session, *, cycle_id: str, lo: str, hi: str) -> Rows[Any]:
    """The chunk's approved targets with what achievement needs, by person and target."""
    t = Target.__table__
    session.flush()
    return session.execute(
        select(
            t.c.target_id,
            t.c.nip,
            t.c.direction,
            t.c.target_value,
            t.c.target_high,
            t.c.unit_of_measure,
            t.c.weight,
            t.c.kind,
            t.c.aggregate,
        )
        .where(t.c.cycle_id == cycle_id, t.c.status == "approved", in_chunk(t.c.nip, lo, hi))
        .order_by(t.c.nip, t.c.target_id)
    )


def compute_achievements(session: Session, *, cycle: Cycle, pack: Any, lo: str, hi: str) -> int:
    """Achievement per target from its measurements, then the proposed result rating."""

    if cycle.config.get("approach") == "qualitative":
        return _qualitative_results(session, cycle=cycle, lo=lo, hi=hi)
    values = chunk_measurements(session, cycle_id=cycle.cycle_id, lo=lo, hi=hi)
    rules = pack.achievement
    target_updates = []
    per_person: dict[str, list[Any]] = defaultdict(list)
    steps: dict[str, list[str]] = defaultdict(list)
    for t in approved_targets(session, cycle_id=cycle.cycle_id, lo=lo, hi=hi):
        series = sorted(values.get(t.target_id, []), key=lambda pv: period_key(pv[0]))
        how = aggregation_for(t.unit_of_measure, rules, t.aggregate)
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
    update_results(
        session, result_updates, ("achievement", "score", "proposed_hasil_kerja", "derivation")
    )
    # People with no scorable target still get the pack's rating for "no results".
    session.execute(
        update(Result)
        .where(
            Result.cycle_id == cycle.cycle_id,
            in_chunk(Result.nip, lo, hi),
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
            Result.cycle_id == cycle.cycle_id, in_chunk(Result.nip, lo, hi)
        )
    ).all()
    update_results(
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
