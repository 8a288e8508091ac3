"""The incentives stage's automated work: each person's incentive (tunjangan kinerja) with its
deductions, the budget cap (pagu) over the cycle, and the totals per unit the payout gate
shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.rules.incentive import apply_budget_cap
from kinerja.models.stages.common import in_chunk, update_results
from kinerja.models.stages.deductions import NO_DEDUCTIONS, incentive_deductions, person_incentive
from kinerja.models.store.bulk import in_lists
from kinerja.models.store.tables import Cycle, Employee, Result

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
        .where(Result.cycle_id == cycle.cycle_id, in_chunk(Result.nip, lo, hi))
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
    update_results(session, updates, ("incentive", "derivation"))
    append_many(session, events=events, at=now)
    return len(updates)


@dataclass
class Capped:
    """What the budget cap did: the updates of the amounts it changed, the amounts before,
    its notes, and the totals before and after."""

    changed: list[dict[str, Any]]
    amounts: dict[str, Decimal]
    notes: list[str]
    total_before: Decimal
    total_after: Decimal


def capped(
    rows: Sequence[Any],
    budget: Decimal | None,
    *,
    quantum: Decimal,
    key: dict[str, Any],
    derivations: Callable[[list[str]], Mapping[str, dict[str, Any] | None]],
) -> Capped:
    """The budget cap over ``rows`` of (nip, amount): each changed amount as an update
    (``key`` and ``nip`` naming its row, the cap's notes added to its derivation).
    ``derivations`` reads the derivations of the NIPs given; it is called only when the cap
    changes an amount, and only for those."""
    amounts = {nip: Decimal(amount) for nip, amount in rows}
    scaled, notes = apply_budget_cap(amounts, budget, quantum=quantum)
    moved = [nip for nip, _ in rows if scaled[nip] != amounts[nip]]
    before = derivations(moved) if moved else {}
    changed = []
    for nip in moved:
        d = before.get(nip) or {}
        changed.append(
            {
                **key,
                "nip": nip,
                "incentive": scaled[nip],
                "derivation": {**d, "incentive": [*d.get("incentive", []), *notes]},
            }
        )
    total_before = sum(amounts.values(), Decimal(0)).quantize(quantum)
    total_after = sum(scaled.values(), Decimal(0)).quantize(quantum)
    return Capped(changed, amounts, list(notes), total_before, total_after)


def derivations_of(
    session: Session, *, table: Table, where: Sequence[Any], nips: list[str]
) -> dict[str, dict[str, Any] | None]:
    """The ``derivation`` of the rows of ``table`` matching ``where`` with the NIPs given."""
    out: dict[str, dict[str, Any] | None] = {}
    for part in in_lists(nips):
        out.update(
            session.execute(
                select(table.c.nip, table.c.derivation).where(*where, table.c.nip.in_(part))
            ).all()
        )
    return out


def apply_incentive_budget(
    session: Session, *, cycle: Cycle, budget: Decimal | None, pack: Any, now: datetime
) -> dict[str, Any]:
    """Scale every incentive down proportionally when their total exceeds the budget.

    Idempotent: a total already within the budget is left as it is.
    """

    if pack.incentive is None:
        return {"budget": None}
    r = Result.__table__
    session.flush()
    rows = session.execute(
        select(r.c.nip, r.c.incentive)
        .where(r.c.cycle_id == cycle.cycle_id, r.c.incentive.is_not(None))
        .order_by(r.c.nip)
    ).all()
    cap = capped(
        rows,
        budget,
        quantum=pack.incentive.quantum,
        key={"cycle_id": cycle.cycle_id},
        derivations=lambda nips: derivations_of(
            session, table=r, where=[r.c.cycle_id == cycle.cycle_id], nips=nips
        ),
    )
    changed, amounts, notes = cap.changed, cap.amounts, cap.notes
    total_before, total_after = cap.total_before, cap.total_after
    update_results(session, changed, ("incentive", "derivation"))
    if changed:
        # The cap, then each amount it changed: the table's incentive is always the one its
        # latest result.incentive event records (models/results/agreement.py).
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
                        "per_person": True,
                    },
                },
                *(
                    {
                        "actor": "system",
                        "action": "result.incentive",
                        "cycle_id": cycle.cycle_id,
                        "entity": "result",
                        "entity_id": row["nip"],
                        "payload": {
                            "before": str(amounts[row["nip"]]),
                            "incentive": str(row["incentive"]),
                            "budget": str(budget),
                        },
                    }
                    for row in changed
                ),
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
