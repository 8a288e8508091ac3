"""Tukin paid monthly (the config's ``periodic.incentives: monthly``): each month's amount from
that month's periodic predikat, that month's attendance (attendance.csv with a ``month``
column) and the discipline sanctions in force in it, by the pack's formula (DOMAIN.md A4);
the month's budget cap; and the totals per unit the month's payout gate shows (the
payroll file is models/results/payroll.py).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.rules.periods import Period
from kinerja.models.stages.common import in_chunk
from kinerja.models.stages.deductions import NO_DEDUCTIONS, PersonIncentives, incentive_deductions
from kinerja.models.stages.incentives import capped, derivations_of
from kinerja.models.stages.periods import periodic_rules
from kinerja.models.store.bulk import bulk_update
from kinerja.models.store.tables import Cycle, Employee, PeriodResult, Result


def _update(session: Session, rows: list[dict[str, Any]]) -> None:
    bulk_update(
        session,
        table=PeriodResult.__table__,
        keys=("cycle_id", "period", "nip"),
        rows=rows,
        columns=("incentive", "derivation"),
    )


def month_incentives(
    session: Session, *, cycle: Cycle, pack: Any, period: Period, lo: str, hi: str, now: datetime
) -> int:
    """The month's tukin of every person of the chunk with a periodic predikat, audited as
    ``period.incentive``; none without the pack's incentive section."""
    if pack.incentive is None:
        return 0
    rules = pack.incentive
    cuts = incentive_deductions(
        session,
        cycle_id=cycle.cycle_id,
        rules=rules,
        reference=period.ends_on,
        lo=lo,
        hi=hi,
        month=period.label,
    )
    annual = (
        last_annual_predikat(session, cycle=cycle, lo=lo, hi=hi)
        if periodic_rules(pack).incentive_predikat == "last_annual"
        else None
    )
    p, e = PeriodResult.__table__, Employee.__table__
    incentive = PersonIncentives(rules)
    updates, events = [], []
    session.flush()
    for nip, period_predikat, derivation, grade in session.execute(
        select(p.c.nip, p.c.predikat, p.c.derivation, e.c.grade)
        .join(e, e.c.nip == p.c.nip)
        .where(
            p.c.cycle_id == cycle.cycle_id,
            p.c.period == period.label,
            in_chunk(p.c.nip, lo, hi),
        )
        .order_by(p.c.nip)
    ):
        mine = cuts.get(nip, NO_DEDUCTIONS)
        predikat, source = period_predikat, f"the periodic predikat of {period.label}"
        if annual is not None and nip in annual:
            predikat, source = annual[nip][0], f"the annual predikat of {annual[nip][1]}"
        amount, steps = incentive(grade=grade, predikat=predikat, cuts=mine)
        steps = [f"predikat {predikat}: {source}", *steps]
        updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "period": period.label,
                "nip": nip,
                "incentive": amount,
                "derivation": {
                    **(derivation or {}),
                    "incentive": steps,
                    "incentive_predikat": predikat,
                    "cuts": [str(mine.attendance_pct), str(mine.discipline_pct)],
                },
            }
        )
        events.append(
            {
                "actor": "system",
                "action": "period.incentive",
                "cycle_id": cycle.cycle_id,
                "entity": "period_result",
                "entity_id": f"{period.label}:{nip}",
                "payload": {
                    "predikat": predikat,
                    "grade": grade,
                    "attendance_deduction_pct": str(mine.attendance_pct),
                    "discipline_cut_pct": str(mine.discipline_pct),
                    "incentive": None if amount is None else str(amount),
                },
            }
        )
    _update(session, updates)
    append_many(session, events=events, at=now)
    return len(updates)


def last_annual_predikat(
    session: Session, *, cycle: Cycle, lo: str, hi: str
) -> dict[str, tuple[str, str]]:
    """Each person's predikat of their latest finished cycle other than ``cycle``, with that
    cycle's id."""
    out: dict[str, tuple[str, str]] = {}
    for nip, predikat, cycle_id in session.execute(
        select(Result.nip, Result.predikat, Cycle.cycle_id)
        .join(Cycle, Cycle.cycle_id == Result.cycle_id)
        .where(
            Cycle.status == "done",
            Cycle.cycle_id != cycle.cycle_id,
            Result.predikat.is_not(None),
            in_chunk(Result.nip, lo, hi),
        )
        .order_by(Cycle.finished_at.desc(), Cycle.cycle_id.desc())
    ):
        out.setdefault(nip, (predikat, cycle_id))
    return out


def month_budget(
    session: Session,
    *,
    cycle: Cycle,
    pack: Any,
    period: Period,
    budget: Decimal | None,
    now: datetime,
) -> dict[str, Any]:
    """Scale the month's amounts down proportionally when their total exceeds the month's
    budget (pagu); idempotent."""
    if pack.incentive is None:
        return {"budget": None}
    p = PeriodResult.__table__
    month = [p.c.cycle_id == cycle.cycle_id, p.c.period == period.label]
    session.flush()
    rows = session.execute(
        select(p.c.nip, p.c.incentive).where(*month, p.c.incentive.is_not(None)).order_by(p.c.nip)
    ).all()
    cap = capped(
        rows,
        budget,
        quantum=pack.incentive.quantum,
        key={"cycle_id": cycle.cycle_id, "period": period.label},
        derivations=lambda nips: derivations_of(session, table=p, where=month, nips=nips),
    )
    changed, total_before, total_after = cap.changed, cap.total_before, cap.total_after
    _update(session, changed)
    if changed:
        append_many(
            session,
            at=now,
            events=[
                {
                    "actor": "system",
                    "action": "period.incentive.budget",
                    "cycle_id": cycle.cycle_id,
                    "entity": "cycle",
                    "entity_id": f"{cycle.cycle_id}:{period.label}",
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
    }


def month_totals(session: Session, *, cycle_id: str, period: str) -> dict[str, Any]:
    """The month's tukin per unit (people, total) and in all: what its payout gate shows."""
    rows = session.execute(
        select(PeriodResult.unit_id, func.count(), func.sum(PeriodResult.incentive))
        .where(PeriodResult.cycle_id == cycle_id, PeriodResult.period == period)
        .group_by(PeriodResult.unit_id)
        .order_by(PeriodResult.unit_id)
    ).all()
    return {
        "units": [(u, n, str(t or 0)) for u, n, t in rows],
        "total": str(sum((t or 0) for _, _, t in rows)),
    }
