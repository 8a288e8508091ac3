"""A rater's periodic check-in: the period's ratings, feedback and coaching dialog."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kinerja.models.humantasks.states import Actor, TaskError
from kinerja.models.responses.review import check_codes, require_reason
from kinerja.models.responses.rows import TaskRow
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import CheckinSubmission
from kinerja.models.store.tables import HumanTask


def rate_period(
    row: Any | None,
    *,
    task: HumanTask | TaskRow,
    config: CycleConfig,
    pack: Any,
    actor: Actor,
    data: CheckinSubmission,
    now: datetime,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the rater's check-in writes into the person's period row (``row``: its
    ``proposed_hasil_kerja`` and ``at_risk``), checked first: the columns, and the entries
    it adds to the row's derivation (often none)."""
    period = task.payload["period"]
    if row is None:
        raise TaskError(
            f"Belum ada kemajuan periode {period} untuk {task.subject_nip} /"
            f" no progress of period {period} yet"
        )
    check_codes(data, pack)
    require_reason(row.proposed_hasil_kerja, data.hasil_kerja, data.comment)
    if row.at_risk and actor.nip != "system" and not (data.coaching or "").strip():
        raise TaskError(
            "Pegawai ini berisiko tidak mencapai target: catat dialog kinerja (coaching) /"
            " this person is at risk of missing their targets: record the coaching dialog"
        )
    values: dict[str, Any] = {
        "hasil_kerja": data.hasil_kerja or row.proposed_hasil_kerja,
        "perilaku": data.perilaku,
        "feedback": (data.feedback or "").strip() or None,
        "coaching": (data.coaching or "").strip() or None,
        "rated_at": now,
    }
    derivation: dict[str, Any] = {}
    if task.payload.get("on_behalf_of"):
        # The HR coordinator records; the rater is the one outside the organisation.
        values["rater_nip"] = config.external_rater.nip
        derivation["recorded_by"] = actor.nip
    elif actor.nip != "system":
        values["rater_nip"] = actor.nip
    if data.comment:
        derivation["checkin_comment"] = data.comment
    return values, derivation
