"""``kinerja explain``: every input, rule and intermediate value behind one person's result.

The lines start with a warning when the stored row disagrees with its audit events
(models/results/agreement.py) or when its predikat does not follow from its own ratings by
the cycle's pack: the figures printed are the table's, and then they are not to be trusted.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.cycles.measurements import history
from kinerja.models.evidence.files import evidence_of
from kinerja.models.results.agreement import result_differences
from kinerja.models.rules.achievement import aggregation_for
from kinerja.models.rules.predikat import predikat_for
from kinerja.models.stages.org_predikat import unit_predikat_lines
from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Result,
    Target,
    TrainingAssignment,
    UnitIndex,
    UnitRating,
)


def explain_lines(session: Session, *, cycle: Cycle, nip: str) -> list[str] | None:
    """The derivation of ``nip``'s result in ``cycle`` as printable lines, or None."""
    result = session.get(Result, (cycle.cycle_id, nip))
    if result is None:
        return None
    person = session.get(Employee, nip)
    d = result.derivation or {}
    lines = _warnings(session, cycle=cycle, result=result)
    lines += [
        f"{nip} {person.name if person else ''} - cycle {cycle.cycle_id} ({cycle.name})",
        f"policy pack {cycle.pack_name}@{cycle.pack_version} (sha256 {cycle.pack_hash[:12]})",
        f"unit {result.unit_id}; {_rated_by(result)}",
        "",
        "1. Targets and achievement (capaian):",
    ]
    targets = list(
        session.scalars(
            select(Target)
            .where(Target.cycle_id == cycle.cycle_id, Target.nip == nip)
            .order_by(Target.target_id)
        )
    )
    rules = pack_of(cycle).achievement
    series = history(session, cycle_id=cycle.cycle_id, target_ids=[t.target_id for t in targets])
    evidence = evidence_of(session, cycle_id=cycle.cycle_id, subject_nip=nip)
    for t in targets:
        target = ("-" if t.target_value is None else f"{t.target_value:.15g}") + (
            f"-{t.target_high:.15g}" if t.target_high is not None else ""
        )
        how = aggregation_for(t.unit_of_measure, rules, t.aggregate)
        lines.append(
            f"   {t.target_id} [{t.kind}, {t.aspect}, {t.direction}, weight "
            f"{t.weight if t.weight is not None else '-'}] target {target} "
            f"{t.unit_of_measure}, realisation {t.realisation} ({how} of the periods),"
            f" achievement {t.achievement}"
        )
        lines += [f"      {line}" for line in series.get(t.target_id, [])]
        lines += [
            f"      evidence {f.period}: {f.filename}, {f.size:,} bytes, sha256 {f.sha256[:12]}"
            f" (attached by {f.nip} at {f.uploaded_at:%Y-%m-%d %H:%M})"
            for f in evidence.get(t.target_id, [])
        ]
    lines += [f"   {s}" for s in d.get("achievement", [])]
    lines += ["", f"2. Proposed rating hasil kerja: {result.proposed_hasil_kerja}"]
    lines += [f"   {s}" for s in d.get("proposal", []) + d.get("score", [])]
    lines += ["", f"3. Review: hasil kerja {result.hasil_kerja}, perilaku {result.perilaku}"]
    if result.perilaku_values:
        lines.append(f"   behaviour values: {result.perilaku_values}")
    if (
        result.hasil_kerja is not None
        and result.proposed_hasil_kerja is not None
        and result.hasil_kerja != result.proposed_hasil_kerja
    ):
        lines.append(
            f"   changed by the rater {result.rater_nip} from {result.proposed_hasil_kerja}"
            f" to {result.hasil_kerja}: {result.review_comment or '-'}"
        )
    if result.review_comment:
        lines.append(f"   comment: {result.review_comment}")
    lines += ["", f"4. Predikat: {result.predikat}"]
    lines += [f"   {s}" for s in d.get("predikat", [])]
    lines += _unit_lines(session, cycle=cycle, unit_id=result.unit_id)
    lines += ["", f"5. Training: {result.training_jp or 0:g} JP assigned"]
    for a in session.scalars(
        select(TrainingAssignment).where(
            TrainingAssignment.cycle_id == cycle.cycle_id, TrainingAssignment.nip == nip
        )
    ):
        lines.append(f"   {a.course}: {a.jp:g} JP - {a.reason}")
    # the assignments above carry their reasons; the derivation adds the hours counted so far
    lines += [
        f"   {s}" for s in d.get("training", []) if s.startswith(("JP so far", "competency "))
    ]
    lines += ["", f"6. Incentive: {result.incentive}"]
    lines += [f"   {s}" for s in d.get("incentive", [])]
    if result.credit_points is not None or "credit_points" in d:
        lines += ["", f"7. Credit points (angka kredit): {result.credit_points}"]
        lines += [f"   {s}" for s in d.get("credit_points", [])]
    lines += ["", f"rules: {result.rule_version}"]
    return lines


def _rated_by(result: Result) -> str:
    """Who rated, and who recorded the rating on their behalf (the HR coordinator)."""
    if result.external_rater:
        who = f"rated by {result.external_rater} (outside the organisation)"
    else:
        who = f"rated by {result.rater_nip}"
    if result.recorded_by:
        who += f", recorded by {result.recorded_by} on their behalf"
    return who


def _warnings(session: Session, *, cycle: Cycle, result: Result) -> list[str]:
    """The warning block for a stored result its audit events or its ratings contradict."""
    found = [
        d.message() for d in result_differences(session, cycle_id=cycle.cycle_id, nip=result.nip)
    ]
    ratings = _predikat_from_ratings(cycle, result)
    if ratings:
        found.append(ratings)
    if not found:
        return []
    return [
        "PERINGATAN: hasil yang tersimpan tidak cocok dengan log audit atau derivasinya; angka "
        "di bawah adalah isi tabel / WARNING: the stored result disagrees with its audit log "
        "or its derivation; the figures below are the table's",
        *(f"  ! {line}" for line in found),
        "",
    ]


def _predikat_from_ratings(cycle: Cycle, result: Result) -> str | None:
    """Why the stored predikat does not follow from the stored ratings, or None.

    Judged only once a predikat was computed (a row still in review has none).
    """
    if result.predikat is None and "predikat" not in (result.derivation or {}):
        return None
    if result.hasil_kerja is None or result.perilaku is None:
        expected, why = None, "not rated"
    else:
        try:
            expected = predikat_for(
                hasil_kerja=result.hasil_kerja,
                perilaku=result.perilaku,
                rules=pack_of(cycle).predikat,
            ).value
            why = f"hasil kerja {result.hasil_kerja}, perilaku {result.perilaku}"
        except ValueError as exc:
            return f"predikat {result.predikat}: {exc}"
    if expected == result.predikat:
        return None
    return (
        f"predikat di tabel {result.predikat}, aturan paket memberi {expected} ({why}) / "
        f"predikat is {result.predikat} in the table, the pack's rules give {expected} ({why})"
    )


def _unit_lines(session: Session, *, cycle: Cycle, unit_id: str) -> list[str]:
    """The unit's predikat organisasi (which keys the distribution curve) and its IKM."""

    pack = pack_of(cycle)
    labels = pack.distribution.org_labels if pack.distribution is not None else None
    rating = session.get(UnitRating, (cycle.cycle_id, unit_id))
    lines = [
        f"   unit {unit_id}: " + line for line in unit_predikat_lines(rating, labels=labels)[:1]
    ]
    lines += unit_predikat_lines(rating, labels=labels)[1:]
    index = session.get(UnitIndex, (cycle.cycle_id, unit_id))
    if index is not None:
        lines.append(
            f"   IKM unit {unit_id}: {index.ikm} (mutu {index.mutu}, {index.respondents}"
            " respondent(s))"
        )
        detail = index.detail or {}
        sample = detail.get("sample")
        if sample:
            lines.append(f"   {sample['message']}")
        if detail.get("warning") and not (sample and not sample["ok"]):
            lines.append(f"   warning / peringatan: {detail['warning']}")
    return lines
