"""Answers that feed a result: a realisation report and a review (the rater's ratings)."""

from __future__ import annotations

from typing import Any

from kinerja.models.cycles.cycle import annual_period
from kinerja.models.humantasks.states import (
    Actor,
    TaskError,
)
from kinerja.models.responses.rows import TaskRow
from kinerja.models.rules.rating import behaviour_rating
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.schemas.inputs import (
    CheckinSubmission,
    RealisationReport,
    ReviewSubmission,
)
from kinerja.models.store.tables import (
    HumanTask,
)


def realisation_rows(
    task: HumanTask, *, config: CycleConfig, owned: set[str], actor: Actor, data: RealisationReport
) -> list[dict[str, Any]]:
    """The measurements a realisation report records (checked first): one row per target."""
    unknown = sorted(set(data.values) - owned)
    if unknown:
        raise TaskError(f"Target bukan milik pegawai ini / targets not yours: {', '.join(unknown)}")
    empty = sorted(t for t, v in data.values.items() if v is None)
    if empty and config.approach != "qualitative":
        raise TaskError(
            f"Realisasi {', '.join(empty)}: angka wajib (pendekatan kuantitatif) /"
            " a number is required (quantitative approach)"
        )
    period = task.payload.get("period") or annual_period(config)
    return [
        {
            "target_id": target_id,
            "period": period,
            "value": value,
            "evidence": data.evidence,
            "by": actor.nip,
        }
        for target_id, value in data.values.items()
    ]


def rate_result(
    result: Any | None,
    *,
    task: HumanTask | TaskRow,
    config: CycleConfig,
    pack: Any,
    actor: Actor,
    data: ReviewSubmission,
) -> dict[str, Any]:
    """What the rater's ratings write into the person's result row (``result``: its
    ``proposed_hasil_kerja``), checked first."""
    if result is None:
        raise TaskError(f"Belum ada hasil untuk {task.subject_nip} / no result row yet")
    check_codes(data, pack)
    if result.proposed_hasil_kerja is None and data.hasil_kerja is None and actor.nip != "system":
        # The qualitative approach proposes nothing: the rater judges against the expectation.
        raise TaskError(
            "Pilih rating hasil kerja: tidak ada usulan dari angka (pendekatan kualitatif)"
            " / choose a rating hasil kerja: there is no proposal from numbers (qualitative"
            " approach)"
        )
    require_reason(result.proposed_hasil_kerja, data.hasil_kerja, data.comment)
    perilaku = data.perilaku
    if data.perilaku_values:  # the value ratings decide; an overall rating is only a fallback
        try:
            perilaku = behaviour_rating(
                dict(data.perilaku_values), pack.behaviour, overall=data.perilaku
            ).value
        except ValueError as exc:
            raise TaskError(
                f"Jawaban tidak valid / invalid response: perilaku_values: {exc}"
            ) from exc
    values: dict[str, Any] = {
        "hasil_kerja": data.hasil_kerja or result.proposed_hasil_kerja,
        "perilaku": perilaku or pack.behaviour.default_rating,
        "perilaku_values": dict(data.perilaku_values),
        "review_comment": data.comment,
    }
    # The rater of record is whoever rates: the assignee, or the superior it was escalated
    # to. The HR coordinator is never a rater: answering, they record the rating of the rater
    # (the assignee, or the external rater of a person with no manager in the organisation)
    # on their behalf, named in ``recorded_by``. A proposal kept at the final deadline keeps
    # its rater, and a delegate (pelaksana harian) acts on behalf of the away rater, who
    # stays the rater: an appeal goes to the rater's superior, and the rater's group keys
    # the distribution.
    if actor.nip == config.coordinator.nip:
        values["recorded_by"] = actor.nip
    elif actor.nip != "system" and actor.nip != task.delegate_nip:
        values["rater_nip"] = actor.nip
        values["recorded_by"] = None
    return values


def require_reason(proposed: str | None, chosen: str | None, comment: str | None) -> None:
    """A rating hasil kerja other than the proposal needs a reason (``comment``)."""
    if chosen is not None and proposed is not None and chosen != proposed:
        if not (comment and comment.strip()):
            raise TaskError(
                f"Mengubah rating usulan ({proposed} -> {chosen}) memerlukan alasan (comment) /"
                " changing the proposed rating needs a reason (comment)"
            )


def check_codes(data: ReviewSubmission | CheckinSubmission, pack: Any) -> None:
    """Every rating is a code of the cycle's pack; every behaviour value is one of its values."""
    problems = []
    results, behaviour = pack.result_rating.levels, pack.behaviour.levels
    if data.hasil_kerja is not None and data.hasil_kerja not in results:
        problems.append(f"hasil_kerja: {data.hasil_kerja!r} is not one of {results}")
    if data.perilaku is not None and data.perilaku not in behaviour:
        problems.append(f"perilaku: {data.perilaku!r} is not one of {behaviour}")
    for value, rating in getattr(data, "perilaku_values", {}).items():
        if value not in pack.behaviour.values:
            problems.append(f"perilaku_values.{value}: unknown behaviour value of the pack")
        elif rating not in behaviour:
            problems.append(f"perilaku_values.{value}: {rating!r} is not one of {behaviour}")
    if problems:
        raise TaskError("Jawaban tidak valid / invalid response: " + "; ".join(problems))
