"""A period's automated work: who reports the period's realisation, progress to date against
the expected trajectory (and who is at risk), the rater's check-in task, and the periodic
predikat.

Progress to date takes each target's values up to the period's end, combined by the target's
aggregation (``sum``, ``last``, ``mean``, ``max``; models/rules/achievement.py), against the
trajectory: an amount that accumulates (``sum``, ``last`` with direction ``higher``) is
expected pro rata to the share of the cycle's days that have passed; a level (``mean``,
``max``, or direction ``lower``/``range``) is expected in full from the first period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from fractions import Fraction
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.policy.periodic import PeriodicRules
from kinerja.models.rules.achievement import aggregate_periods, aggregation_for, target_achievement
from kinerja.models.rules.base import fmt
from kinerja.models.rules.periods import Period, elapsed_share, period_key, periods_to_date
from kinerja.models.rules.predikat import predikat_for
from kinerja.models.rules.rating import TargetScore, propose_result_rating
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.stages.collect_metrics import (
    approved_targets,
    chunk_values,
    measured_periods,
)
from kinerja.models.stages.common import in_chunk, rater, update_results
from kinerja.models.store.bulk import bulk_update, upsert
from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Measurement,
    PeriodResult,
    Result,
    Target,
)


def periodic_rules(pack: Any) -> PeriodicRules:
    """The pack's periodic section, or its defaults."""
    return pack.periodic or PeriodicRules()


def report_tasks(
    session: Session, *, cycle: Cycle, config: CycleConfig, period: Period, lo: str, hi: str
) -> list[NewTask]:
    """A "report the period's realisation" task for each person with an approved target that
    has no value for the period yet; the task shows what was already imported for it."""
    m, t = Measurement.__table__, Target.__table__
    session.flush()
    # The chunk's own values of the period (through its targets), not the whole cycle's.
    stood: dict[str, float | None] = dict(
        session.execute(
            select(m.c.target_id, m.c.value)
            .join(t, and_(t.c.cycle_id == m.c.cycle_id, t.c.target_id == m.c.target_id))
            .where(
                m.c.cycle_id == cycle.cycle_id,
                m.c.period == period.label,
                in_chunk(t.c.nip, lo, hi),
            )
        ).all()
    )
    missing: dict[str, bool] = {}
    imported: dict[str, dict[str, float | None]] = defaultdict(dict)
    for nip, target_id in session.execute(
        select(t.c.nip, t.c.target_id)
        .where(
            t.c.cycle_id == cycle.cycle_id,
            t.c.status == "approved",
            in_chunk(t.c.nip, lo, hi),
        )
        .order_by(t.c.nip, t.c.target_id)
    ):
        if target_id in stood:
            imported[nip][target_id] = stood[target_id]
        else:
            missing[nip] = True
    return [
        NewTask(
            "report_period",
            nip,
            nip,
            {"period": period.label, "imported": imported.get(nip, {})},
            period=period.label,
        )
        for nip in sorted(missing)
    ]


def _expected(how: str, direction: str, target: float | None, share: Fraction) -> float | None:
    if target is None:
        return None
    if direction == "higher" and how in ("sum", "last"):
        return float(target * share)
    return float(target)


def period_progress(
    session: Session,
    *,
    cycle: Cycle,
    config: CycleConfig,
    pack: Any,
    period: Period,
    lo: str,
    hi: str,
) -> int:
    """Each person's achievement to date at the end of ``period``, the proposed periodic
    rating, and whether they are at risk; written to ``period_results`` (ratings a check-in
    already recorded are kept)."""
    share = elapsed_share(period, config.period_start, config.period_end)
    order = periods_to_date(
        measured_periods(session, cycle_id=cycle.cycle_id, lo=lo, hi=hi), period
    )
    # Each value with its period's sort key, so that a target's series sorts by the key alone.
    values: dict[str, list[tuple[tuple[int, int, int], float]]] = defaultdict(list)
    if order:
        for target_id, label, value in chunk_values(
            session, cycle_id=cycle.cycle_id, lo=lo, hi=hi, periods=list(order)
        ):
            values[target_id].append((order[label], value))
    rules = pack.achievement
    at_risk_below = periodic_rules(pack).at_risk_below
    # What every target of the period shares, computed once.
    share_text = f" ({fmt(float(share) * 100)}% of the cycle); "
    share_float = float(share)
    per_person: dict[str, list[TargetScore]] = defaultdict(list)
    steps: dict[str, list[str]] = defaultdict(list)
    for t in approved_targets(session, cycle_id=cycle.cycle_id, lo=lo, hi=hi):
        series = values.get(t.target_id)
        how = aggregation_for(t.unit_of_measure, rules, t.aggregate)
        if series:
            if len(series) > 1:
                series.sort(key=itemgetter(0))
            to_date: float | None = aggregate_periods([v for _, v in series], how)
        else:
            to_date = None
        target = t.target_value
        if type(target) is float and t.direction == "higher" and how in ("sum", "last"):
            # float x Fraction is float x float(Fraction): the same number without the detour.
            expected: float | None = target * share_float
        else:
            expected = _expected(how, t.direction, target, share)
        derived = target_achievement(
            direction=t.direction,
            target=expected,
            realisation=to_date,
            target_high=t.target_high,
            rules=rules,
        )
        per_person[t.nip].append(
            TargetScore(kind=t.kind, weight=t.weight, achievement=derived.value)
        )
        steps[t.nip].append(
            f"{t.target_id}: {len(series) if series else 0} value(s) to {period.label} by {how}"
            f" = {'none' if to_date is None else fmt(to_date)}; expected to date"
            f" {'none' if expected is None else fmt(expected)}{share_text}"
            + "; ".join(derived.steps)
        )
    e = Employee.__table__
    session.flush()
    units = dict(
        session.execute(select(e.c.nip, e.c.unit_id).where(in_chunk(e.c.nip, lo, hi))).all()
    )
    expected_pct = round(share_float * 100, 2)
    at_risk_text = fmt(at_risk_below)
    rows = []
    for nip, items in per_person.items():
        proposal = propose_result_rating(items, pack.result_rating)
        scored = [i.achievement for i in items if i.achievement is not None]
        mean = round(sum(scored) / len(scored), 2) if scored else None
        at_risk = mean is None or mean < at_risk_below
        rows.append(
            {
                "cycle_id": cycle.cycle_id,
                "period": period.label,
                "nip": nip,
                "unit_id": units.get(nip, ""),
                "achievement": mean,
                "expected": expected_pct,
                "at_risk": at_risk,
                "proposed_hasil_kerja": proposal.value,
                "derivation": {
                    "progress": steps[nip],
                    "proposal": list(proposal.steps),
                    "at_risk": (
                        f"mean achievement to date {'none' if mean is None else fmt(mean)}"
                        f" {'<' if at_risk else '>='} {at_risk_text}: "
                        + ("at risk" if at_risk else "on track")
                    ),
                },
            }
        )
    upsert(
        session,
        table=PeriodResult.__table__,
        rows=rows,
        keys=("cycle_id", "period", "nip"),
        update=(
            "unit_id",
            "achievement",
            "expected",
            "at_risk",
            "proposed_hasil_kerja",
            "derivation",
        ),
    )
    return len(rows)


def checkin_tasks(
    session: Session, *, cycle: Cycle, period: Period, coordinator: str, lo: str, hi: str
) -> list[NewTask]:
    """A check-in task per person for their rater: the progress to date, the proposed periodic
    rating, and (at risk) the coaching dialog to record."""
    rows = session.execute(
        select(
            PeriodResult.nip,
            PeriodResult.proposed_hasil_kerja,
            PeriodResult.achievement,
            PeriodResult.expected,
            PeriodResult.at_risk,
            Employee.manager_nip,
        )
        .join(Employee, Employee.nip == PeriodResult.nip)
        .where(
            PeriodResult.cycle_id == cycle.cycle_id,
            PeriodResult.period == period.label,
            in_chunk(PeriodResult.nip, lo, hi),
        )
    ).all()
    # A person rated from outside the organisation (the agency head): the HR coordinator
    # records that rater's check-in on their behalf, as in the annual review.
    outside = cycle_config(cycle).external_rater.name
    return [
        NewTask(
            "checkin",
            nip,
            rater(manager, coordinator),
            {
                "period": period.label,
                "proposed_hasil_kerja": proposed,
                "achievement": achievement,
                "expected": expected,
                "at_risk": at_risk,
            }
            | ({} if manager else {"on_behalf_of": outside}),
            period=period.label,
        )
        for nip, proposed, achievement, expected, at_risk, manager in rows
    ]


def period_predikat(
    session: Session, *, cycle: Cycle, pack: Any, period: Period, lo: str, hi: str, now: datetime
) -> int:
    """The periodic predikat of every person of the chunk from the check-in's ratings (the
    proposal where the check-in closed without one), audited as ``period.predikat``."""
    rated = periodic_rules(pack).rated
    p = PeriodResult.__table__
    # The matrix gives the same predikat and step for the same pair of ratings.
    matrix: dict[tuple[str, str], tuple[str, list[str]]] = {}
    updates, events = [], []
    session.flush()
    for r in session.execute(
        select(p.c.nip, p.c.hasil_kerja, p.c.proposed_hasil_kerja, p.c.perilaku, p.c.derivation)
        .where(
            p.c.cycle_id == cycle.cycle_id,
            p.c.period == period.label,
            in_chunk(p.c.nip, lo, hi),
        )
        .order_by(p.c.nip)
    ):
        hasil = r.hasil_kerja or r.proposed_hasil_kerja
        perilaku = r.perilaku if rated == "both" else None
        perilaku = perilaku or pack.behaviour.default_rating
        steps = [
            f"rating hasil kerja {hasil}"
            + ("" if r.hasil_kerja else " (the proposal: no rating was recorded)"),
            f"rating perilaku {perilaku}"
            + ("" if rated == "both" and r.perilaku else " (the pack's default rating)"),
        ]
        if hasil is None:
            predikat = None
            steps.append("no rating hasil kerja: no periodic predikat")
        else:
            pair = (hasil, perilaku)
            if pair not in matrix:
                derived = predikat_for(hasil_kerja=hasil, perilaku=perilaku, rules=pack.predikat)
                matrix[pair] = (derived.value, list(derived.steps))
            predikat, matrix_steps = matrix[pair]
            steps += matrix_steps
        updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "period": period.label,
                "nip": r.nip,
                "hasil_kerja": hasil,
                "perilaku": perilaku,
                "predikat": predikat,
                "derivation": {**(r.derivation or {}), "predikat": steps},
            }
        )
        events.append(
            {
                "actor": "system",
                "action": "period.predikat",
                "cycle_id": cycle.cycle_id,
                "entity": "period_result",
                "entity_id": f"{period.label}:{r.nip}",
                "payload": {"hasil_kerja": hasil, "perilaku": perilaku, "predikat": predikat},
            }
        )
    bulk_update(
        session,
        table=PeriodResult.__table__,
        keys=("cycle_id", "period", "nip"),
        rows=updates,
        columns=("hasil_kerja", "perilaku", "predikat", "derivation"),
    )
    append_many(session, events=events, at=now)
    return len(updates)


def annual_proposal_from_periods(
    session: Session, *, cycle: Cycle, pack: Any, lo: str, hi: str
) -> int:
    """With the pack's ``periodic.annual: most_frequent``, the proposed annual rating hasil
    kerja is the periodic rating given most often (the later one on a tie); the rater still
    decides. Returns how many proposals it set; none under ``rater_decides``."""
    if periodic_rules(pack).annual != "most_frequent":
        return 0
    history: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for nip, label, hasil in session.execute(
        select(PeriodResult.nip, PeriodResult.period, PeriodResult.hasil_kerja).where(
            PeriodResult.cycle_id == cycle.cycle_id,
            PeriodResult.hasil_kerja.is_not(None),
            in_chunk(PeriodResult.nip, lo, hi),
        )
    ):
        history[nip].append((label, hasil))
    updates = []
    for nip, rows in sorted(history.items()):
        rows.sort(key=lambda r: period_key(r[0]))
        counts: dict[str, int] = defaultdict(int)
        last_seen: dict[str, int] = {}
        for i, (_, hasil) in enumerate(rows):
            counts[hasil] += 1
            last_seen[hasil] = i
        chosen = max(counts, key=lambda h: (counts[h], last_seen[h]))
        result = session.get(Result, (cycle.cycle_id, nip))
        if result is None:
            continue
        tally = ", ".join(f"{h} x{n}" for h, n in sorted(counts.items()))
        updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "nip": nip,
                "proposed_hasil_kerja": chosen,
                "derivation": {
                    **(result.derivation or {}),
                    "proposal": [
                        *(result.derivation or {}).get("proposal", []),
                        f"periodic ratings {tally}: the most frequent (the later on a tie)"
                        f" {chosen} is proposed (pack periodic.annual: most_frequent)",
                    ],
                },
            }
        )
    update_results(session, updates, ("proposed_hasil_kerja", "derivation"))
    return len(updates)
