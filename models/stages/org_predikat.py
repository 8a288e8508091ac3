"""The organisation's own result (predikat organisasi) of each unit in a cycle.

A unit's row in unit_ratings.csv is the leader's decision and always wins (``source``
``file``). A unit without one gets its predikat computed from its IKU (``source`` ``iku``):
the goals of goals.csv whose ``unit_id`` is the unit, their realisation from metrics.csv
rows whose ``target_id`` names the goal, each goal's capaian by the pack's 8/2021 formulas,
their mean, and the pack's ``distribution.from_iku`` bands (see
:mod:`kinerja.models.rules.orgpredikat`). The derivation (every goal's numbers) is stored
with the row and audited when it changes, so rerunning changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.rules.achievement import aggregate_periods, aggregation_for
from kinerja.models.rules.orgpredikat import GoalRealisation, org_predikat
from kinerja.models.rules.periods import period_key
from kinerja.models.store.bulk import upsert
from kinerja.models.store.tables import Cycle, Goal, Measurement, UnitRating


def _goal_realisations(
    session: Session, *, cycle_id: str, pack: Any
) -> dict[str, list[tuple[GoalRealisation, list[tuple[str, float]]]]]:
    """Per unit: each goal with its realisation (periods combined as the pack says)."""
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for goal_id, period, value in session.execute(
        select(Measurement.target_id, Measurement.period, Measurement.value)
        .join(
            Goal,
            (Goal.cycle_id == Measurement.cycle_id) & (Goal.goal_id == Measurement.target_id),
        )
        .where(Measurement.cycle_id == cycle_id, Measurement.value.is_not(None))
    ):
        series[goal_id].append((period, value))
    out: dict[str, list[tuple[GoalRealisation, list[tuple[str, float]]]]] = defaultdict(list)
    for g in session.scalars(
        select(Goal).where(Goal.cycle_id == cycle_id).order_by(Goal.unit_id, Goal.goal_id)
    ):
        values = sorted(series.get(g.goal_id, []), key=lambda pv: period_key(pv[0]))
        how = aggregation_for(g.unit_of_measure, pack.achievement)
        realisation = aggregate_periods([v for _, v in values], how) if values else None
        out[g.unit_id].append(
            (
                GoalRealisation(g.goal_id, g.direction, g.target_value, g.target_high, realisation),
                values,
            )
        )
    return out


def compute_org_predikat(
    session: Session, *, cycle: Cycle, pack: Any, now: datetime
) -> dict[str, Any]:
    """Compute the predikat organisasi of every unit without a unit_ratings.csv row.

    Returns ``{"from_file": n, "from_iku": n, "not_computed": [units]}``. Idempotent.
    """
    cid = cycle.cycle_id
    rules = pack.distribution.from_iku if pack.distribution is not None else None
    # Plain column rows, not ORM objects: a file imported in this session (a bulk upsert)
    # must be seen as it is in the database.
    stored = {
        r.unit_id: r
        for r in session.execute(
            select(
                UnitRating.unit_id,
                UnitRating.source,
                UnitRating.predikat_organisasi,
                UnitRating.capaian,
                UnitRating.derivation,
            ).where(UnitRating.cycle_id == cid)
        )
    }
    from_file = {u for u, r in stored.items() if r.source == "file"}
    if rules is None:
        return {"from_file": len(from_file), "from_iku": 0, "not_computed": []}
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    not_computed: list[str] = []
    for unit, goals in sorted(_goal_realisations(session, cycle_id=cid, pack=pack).items()):
        if unit in from_file:
            continue
        derived = org_predikat([g for g, _ in goals], achievement=pack.achievement, rules=rules)
        if derived.value is None:
            not_computed.append(unit)
            continue
        derivation = {
            "source": "iku",
            "goals": [
                {
                    "goal_id": g.goal_id,
                    "direction": g.direction,
                    "target": g.target,
                    "target_high": g.target_high,
                    "periods": [[p, v] for p, v in values],
                    "realisation": g.realisation,
                    "achievement": derived.value.goals[g.goal_id],
                }
                for g, values in goals
            ],
            "steps": list(derived.steps),
            "rules": pack.rule_version,
        }
        row = {
            "cycle_id": cid,
            "unit_id": unit,
            "predikat_organisasi": derived.value.predikat,
            "source": "iku",
            "capaian": derived.value.capaian,
            "derivation": derivation,
        }
        rows.append(row)
        old = stored.get(unit)
        if old is None or (old.predikat_organisasi, old.capaian, old.derivation) != (
            row["predikat_organisasi"],
            row["capaian"],
            derivation,
        ):
            events.append(
                {
                    "actor": "system",
                    "action": "unit.predikat_organisasi",
                    "cycle_id": cid,
                    "entity": "unit",
                    "entity_id": unit,
                    "payload": {
                        "source": "iku",
                        "capaian": row["capaian"],
                        "predikat_organisasi": row["predikat_organisasi"],
                        "rules": pack.rule_version,
                    },
                }
            )
    # A computed row whose unit no longer yields one (its goals were withdrawn) is stale.
    stale = [
        u for u, r in stored.items() if r.source == "iku" and u not in {x["unit_id"] for x in rows}
    ]
    if stale:
        session.execute(
            delete(UnitRating).where(UnitRating.cycle_id == cid, UnitRating.unit_id.in_(stale))
        )
        events += [
            {
                "actor": "system",
                "action": "unit_rating.withdrawn",
                "cycle_id": cid,
                "entity": "unit",
                "entity_id": unit,
                "payload": {
                    "source": "iku",
                    "predikat_organisasi": stored[unit].predikat_organisasi,
                    "why": "no IKU capaian any more (goals withdrawn)",
                },
            }
            for unit in sorted(stale)
        ]
    upsert(session, table=UnitRating.__table__, rows=rows, keys=["cycle_id", "unit_id"])
    append_many(session, events=events, at=now)
    return {"from_file": len(from_file), "from_iku": len(rows), "not_computed": not_computed}


def unit_predikat_lines(
    rating: UnitRating | None, *, labels: dict[str, Any] | None = None
) -> list[str]:
    """Printable lines: a unit's predikat organisasi and where it came from."""
    if rating is None:
        return ["predikat organisasi: - (none yet / belum ada)"]
    label = labels.get(rating.predikat_organisasi) if labels else None
    shown = f"{rating.predikat_organisasi}" + (f" ({label.id} / {label.en})" if label else "")
    if rating.source == "file":
        return [
            f"predikat organisasi: {shown}",
            "   from unit_ratings.csv (the leader's decision) / dari penetapan pimpinan",
        ]
    d = rating.derivation or {}
    lines = [
        f"predikat organisasi: {shown}",
        f"   computed from IKU capaian {rating.capaian} / dihitung dari capaian IKU",
    ]
    for g in d.get("goals", []):
        target = f"{g['target']:g}" + (
            f"-{g['target_high']:g}" if g.get("target_high") is not None else ""
        )
        lines.append(
            f"   {g['goal_id']} [{g['direction']}] target {target}, realisation"
            f" {g['realisation']}, achievement {g['achievement']}"
        )
    lines += [f"   {s}" for s in d.get("steps", [])]
    return lines
