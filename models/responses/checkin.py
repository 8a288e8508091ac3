"""A rater's periodic check-in: the period's ratings, feedback and coaching dialog."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kinerja.models.humantasks.states import Actor, TaskError
from kinerja.models.responses.review import check_codes, require_reason
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import CheckinSubmission
from kinerja.models.store.tables import HumanTask, PeriodResult


def rate_period(
    row: PeriodResult | None,
    *,
    task: HumanTask,
    config: CycleConfig,
    pack: Any,
    actor: Actor,
    data: CheckinSubmission,
    now: datetime,
) -> None:
    """Write the rater's check-in into the person's period row (checked first)."""
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
    row.hasil_kerja = data.hasil_kerja or row.proposed_hasil_kerja
    row.perilaku = data.perilaku
    row.feedback = (data.feedback or "").strip() or None
    row.coaching = (data.coaching or "").strip() or None
    row.rated_at = now
    derivation = dict(row.derivation or {})
    if task.payload.get("on_behalf_of"):
        # The HR coordinator records; the rater is the one outside the organisation.
        row.rater_nip = config.external_rater.nip
        derivation["recorded_by"] = actor.nip
    elif actor.nip != "system":
        row.rater_nip = actor.nip
    if data.comment:
        derivation["checkin_comment"] = data.comment
    row.derivation = derivation
