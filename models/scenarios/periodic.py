"""What simulated people answer in a period: the employee's realisation of the period, and
the rater's check-in (from ``checkins.csv`` when the scenario scripts it)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from kinerja.models.cycles.periods import cycle_periods, period_by_label
from kinerja.models.rules.achievement import aggregation_for
from kinerja.models.rules.periods import elapsed_share
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.tables import ScriptedCheckin


def _draw(*parts: object) -> int:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def period_report(
    task: Any, *, config: CycleConfig, rules: Any, targets: Sequence[Any]
) -> dict[str, Any]:
    """The period's value of each target not yet reported: 80-120% of what the period is
    expected to bring (an amount per period for ``sum``, the value to date for ``last``, the
    level itself for ``mean`` and ``max``). ``targets`` are the person's approved targets
    (``target_id``, ``target_value``, ``unit_of_measure``, ``aggregate``) by target id."""
    label = task.payload["period"]
    period = period_by_label(config, label)
    share = elapsed_share(period, config.period_start, config.period_end)
    count = len(cycle_periods(config))
    imported = task.payload.get("imported") or {}
    values: dict[str, float | None] = {}
    for t in targets:
        if t.target_id in imported:
            continue
        if t.target_value is None:
            values[t.target_id] = None
            continue
        how = aggregation_for(t.unit_of_measure, rules, t.aggregate)
        base = {"sum": t.target_value / count, "last": t.target_value * float(share)}.get(
            how, t.target_value
        )
        factor = 80 + _draw(t.target_id, label) % 41
        values[t.target_id] = round(base * factor / 100, 2)
    if not values:  # everything was imported meanwhile: confirm the imported values
        values = {k: v for k, v in imported.items()}
    return {"values": values, "evidence": f"laporan simulasi {label} / simulated report {label}"}


def checkin_answer(task: Any, *, scripted: ScriptedCheckin | None) -> dict[str, Any]:
    """The rater's check-in: the scripted ratings (``checkins.csv``), else the proposal;
    feedback always; the coaching dialog for a person at risk."""
    label = task.payload["period"]
    answer: dict[str, Any] = {
        "feedback": f"Umpan balik {label}: pertahankan kinerja / feedback {label}: keep it up"
    }
    if scripted is not None:
        answer["hasil_kerja"] = scripted.hasil_kerja
        answer["perilaku"] = scripted.perilaku
        if scripted.hasil_kerja and scripted.hasil_kerja != task.payload.get(
            "proposed_hasil_kerja"
        ):
            answer["comment"] = "penilaian skenario / scripted rating"
    if task.payload.get("at_risk"):
        answer["coaching"] = (
            f"Dialog kinerja {label}: rencana perbaikan disepakati / "
            f"coaching {label}: an improvement plan agreed"
        )
    return answer
