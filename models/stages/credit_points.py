"""Credit points (angka kredit) of the people in a functional position, once the predikat
is known: PerBKN 3/2023 (DOMAIN.md A1), applied with the cycle's pack snapshot.

Only people with a row in functional_positions.csv (their jenjang and the months held in
the cycle's year) get credit points; everybody else keeps none. Set-based per chunk and
idempotent: a rerun that finds the same value writes nothing and audits nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.rules.base import fmt
from kinerja.models.rules.credit import credit_points
from kinerja.models.store.bulk import bulk_update
from kinerja.models.store.tables import Cycle, FunctionalPosition, Result


def compute_credit_points(
    session: Session, *, cycle: Cycle, pack: Any, lo: str, hi: str, now: datetime
) -> int:
    """Credit points of the chunk's people with a functional position; returns how many."""
    rules = pack.credit_points
    if rules is None:
        return 0
    updates, events = [], []
    for nip, predikat, stored, derivation, jenjang, months in session.execute(
        select(
            Result.nip,
            Result.predikat,
            Result.credit_points,
            Result.derivation,
            FunctionalPosition.jenjang,
            FunctionalPosition.months,
        )
        .join(
            FunctionalPosition,
            and_(
                FunctionalPosition.cycle_id == Result.cycle_id,
                FunctionalPosition.nip == Result.nip,
            ),
        )
        .where(Result.cycle_id == cycle.cycle_id, Result.nip >= lo, Result.nip <= hi)
        .order_by(Result.nip)
    ):
        held = f"jenjang {jenjang}, {fmt(Decimal(months))} month(s) in the position this year"
        if predikat is None:
            value, steps = None, [held, "no predikat: no credit points"]
        else:
            derived = credit_points(
                predikat=predikat, jenjang=jenjang, months=Decimal(months), rules=rules
            )
            value, steps = derived.value, [held, *derived.steps]
        new_derivation = dict(derivation or {})
        new_derivation["credit_points"] = steps
        same = (stored is None and value is None) or (
            stored is not None and value is not None and Decimal(stored) == value
        )
        if same and (derivation or {}).get("credit_points") == steps:
            continue
        updates.append(
            {
                "cycle_id": cycle.cycle_id,
                "nip": nip,
                "credit_points": value,
                "derivation": new_derivation,
            }
        )
        events.append(
            {
                "actor": "system",
                "action": "result.credit_points",
                "cycle_id": cycle.cycle_id,
                "entity": "result",
                "entity_id": nip,
                "payload": {
                    "predikat": predikat,
                    "jenjang": jenjang,
                    "months": str(months),
                    "credit_points": None if value is None else str(value),
                    "rules": pack.rule_version,
                },
            }
        )
    bulk_update(
        session,
        table=Result.__table__,
        keys=("cycle_id", "nip"),
        rows=updates,
        columns=("credit_points", "derivation"),
    )
    append_many(session, events=events, at=now)
    return len(updates)
