"""A unit head's proposed Rating Hasil Kerja follows the unit's own result.

DOMAIN.md A1 (organisation predikat, 3-stage annual evaluation): the leader one level up
rates the unit, that predikat fixes the distribution pattern, and "a unit head's Rating
Hasil Kerja = the unit's result". So, before the review tasks open, the head of each unit
(``Unit.head_nip``) is proposed the rating the pack's ``result_rating.unit_head`` gives the
unit's predikat organisasi (unit_ratings.csv, else computed from the unit's IKU), instead of
the one from their own targets. The rater may still change it, with a written reason (the
review's rule for any change of the proposal).

The proposal from the targets is kept in the derivation (``proposal_targets``), so a rerun
or a unit predikat corrected before the review derives the same from the same inputs, and a
change is audited (``result.proposal_unit_head``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.stages.common import update_results
from kinerja.models.stages.org_predikat import compute_org_predikat
from kinerja.models.store.tables import Cycle, Result, Unit, UnitRating


def _led_units(session: Session, cycle_id: str) -> dict[str, str]:
    """``{head nip: unit}``: the unit each head leads (their own result's unit first, when
    they head several)."""
    led: dict[str, str] = {}
    for unit_id, nip, own_unit in session.execute(
        select(Unit.unit_id, Unit.head_nip, Result.unit_id)
        .join(Result, (Result.nip == Unit.head_nip) & (Result.cycle_id == cycle_id))
        .order_by(Unit.unit_id)
    ):
        if nip not in led or unit_id == own_unit:
            led[nip] = unit_id
    return led


def _source(rating: Any) -> str:
    if rating.source == "file":
        return "unit_ratings.csv"
    return f"IKU capaian {rating.capaian:g}" if rating.capaian is not None else rating.source


def propose_for_unit_heads(
    session: Session, *, cycle: Cycle, pack: Any, now: datetime
) -> dict[str, Any]:
    """Set every unit head's proposed rating from their unit's predikat organisasi.

    Returns ``{"heads": n proposed from the unit, "without_unit_predikat": [units]}``.
    Idempotent: the same inputs give the same proposal and no new audit event.
    """
    mapping = pack.result_rating.unit_head
    if mapping is None or pack.distribution is None:
        return {"heads": 0, "without_unit_predikat": []}
    cid = cycle.cycle_id
    compute_org_predikat(session, cycle=cycle, pack=pack, now=now)  # units without a file row
    ratings = {
        r.unit_id: r
        for r in session.execute(
            select(
                UnitRating.unit_id,
                UnitRating.predikat_organisasi,
                UnitRating.source,
                UnitRating.capaian,
            ).where(UnitRating.cycle_id == cid)
        )
    }
    led = _led_units(session, cid)
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    missing: list[str] = []
    for nip, proposed, derivation in session.execute(
        select(Result.nip, Result.proposed_hasil_kerja, Result.derivation)
        .where(Result.cycle_id == cid, Result.nip.in_(list(led)))
        .order_by(Result.nip)
    ):
        d = dict(derivation or {})
        own = d.get("proposal_targets") or {"value": proposed, "steps": d.get("proposal", [])}
        unit = led[nip]
        rating = ratings.get(unit)
        if rating is None:
            missing.append(unit)
            value = own["value"]
            steps = [
                *own["steps"],
                f"unit head of {unit}: no predikat organisasi yet / belum ada predikat unit:"
                " proposed from their own targets",
            ]
        else:
            value = mapping[rating.predikat_organisasi]
            steps = [
                f"unit head of {unit}: predikat organisasi {rating.predikat_organisasi}"
                f" ({_source(rating)}) -> rating hasil kerja {value} (pack"
                " result_rating.unit_head: a unit head's rating follows the unit's result)",
                f"from their own targets it would be {own['value']}: " + "; ".join(own["steps"]),
            ]
        if (value, steps) == (proposed, d.get("proposal")):
            continue
        updates.append(
            {
                "cycle_id": cid,
                "nip": nip,
                "proposed_hasil_kerja": value,
                "derivation": {**d, "proposal": steps, "proposal_targets": own},
            }
        )
        events.append(
            {
                "actor": "system",
                "action": "result.proposal_unit_head",
                "cycle_id": cid,
                "entity": "result",
                "entity_id": nip,
                "payload": {
                    "unit_id": unit,
                    "predikat_organisasi": rating.predikat_organisasi if rating else None,
                    "proposed_hasil_kerja": value,
                    "from_targets": own["value"],
                    "rules": pack.rule_version,
                },
            }
        )
    update_results(session, updates, ("proposed_hasil_kerja", "derivation"))
    append_many(session, events=events, at=now)
    return {"heads": len(led) - len(missing), "without_unit_predikat": sorted(missing)}
