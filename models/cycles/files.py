"""Importing a cycle's files with the rules of its own policy pack.

The importers in models/imports/ take plain parameters (which aspects exist, whether weights
must sum to 100 and within which bounds, which survey elements, what a NIP looks like, the
cycle's dates); this module reads them from the cycle's pack snapshot and config, so the
CLI, the portal and the simulator import the same way.

The organisation is imported before any cycle exists, so its NIP format is chosen by
:func:`org_nip_format`: the pack the caller names, else the pack of the newest cycle in the
database, else none (any text up to the column's length).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_many
from kinerja.models.cycles.cycle import CycleError, cycle_config, get_cycle, pack_of, stage_row
from kinerja.models.cycles.measurements import record
from kinerja.models.cycles.periods import cycle_periods
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.measurements import import_metrics, import_survey
from kinerja.models.imports.plans import import_goals, import_targets
from kinerja.models.imports.policyinputs import POLICY_INPUT_FILES, import_policy_input
from kinerja.models.imports.reviews import import_checkins, import_reviews, import_unit_ratings
from kinerja.models.imports.values import IdFormat
from kinerja.models.policy.base import spellings
from kinerja.models.policy.loading import load_pack
from kinerja.models.store.clock import cycle_now
from kinerja.models.store.tables import Cycle, Employee, HumanTask, Target

__all__ = [
    "import_cycle_file",
    "import_survey_file",
    "close_answered_proposals",
    "nip_format",
    "org_nip_format",
    "CYCLE_FILES",
]

CYCLE_FILES = (
    "goals",
    "targets",
    "metrics",
    "reviews",
    "checkins",
    "unit_ratings",
    "attendance",
    "discipline",
    "functional_positions",
    "competencies",
)


def nip_format(pack: Any) -> IdFormat:
    """The pack's NIP format as the importers take it."""
    nip = pack.identifiers.nip
    example = f", e.g. {nip.example}" if nip.example else ""
    contoh = f", contoh {nip.example}" if nip.example else ""
    return IdFormat(nip.pattern, nip.label.en + example, nip.label.id + contoh)


def org_nip_format(session: Session, *, policy: str | None = None) -> tuple[IdFormat, str]:
    """The NIP format of an organisation import, and where it came from, in both languages.

    ``policy`` (a pack name or path, its latest version) when given; else the pack of the
    newest cycle in the database; else no format: any text up to the column's length.
    """
    if policy is not None:
        pack: Any = load_pack(policy)
        return nip_format(pack), f"pack {pack.rule_version} (--policy) / paket {pack.rule_version}"
    try:
        cycle = get_cycle(session, None)
    except CycleError:
        most = Employee.__table__.c.nip.type.length
        return IdFormat(), (
            f"no cycle yet and no --policy: any text up to {most} characters"
            f" / belum ada siklus dan tanpa --policy: teks apa pun sampai {most} karakter"
        )
    pack = pack_of(cycle)
    return nip_format(pack), (
        f"pack {pack.rule_version} of the newest cycle, {cycle.cycle_id}"
        f" / paket {pack.rule_version} dari siklus terbaru, {cycle.cycle_id}"
    )


def import_cycle_file(session: Session, *, cycle: Cycle, kind: str, path: Path) -> ImportReport:
    """Import one of a cycle's files (see :data:`CYCLE_FILES`)."""
    pack: Any = pack_of(cycle)
    cid = cycle.cycle_id
    qualitative = cycle.config.get("approach") == "qualitative"
    nips = nip_format(pack)
    if kind == "goals":
        return import_goals(session, path=path, cycle_id=cid)
    if kind == "targets":
        return import_targets(
            session,
            path=path,
            cycle_id=cid,
            weights_sum=pack.targets.required_weights_sum,
            aspects=set(pack.targets.aspects),
            kinds=set(pack.targets.kinds),
            qualitative=qualitative,
            weight_bounds=(pack.targets.weight_above, pack.targets.weight_at_most),
            nip_format=nips,
        )
    if kind == "metrics":
        config = cycle_config(cycle)
        now = cycle_now(cycle.clock_at)
        replaced: list[dict[str, Any]] = []

        def write(session: Session, batch: list[dict[str, Any]]) -> int:
            # A value an employee reported stays in the history when the file replaces it.
            replaced.extend(
                record(session, cycle_id=cid, rows=batch, source="import", by=path.name, now=now)
            )
            return len(batch)

        report = import_metrics(
            session,
            path=path,
            cycle_id=cid,
            qualitative=qualitative,
            dates=(config.period_start, config.period_end),
            write=write,
        )
        append_many(session, events=replaced, at=now)
        return report
    if kind == "reviews":
        return import_reviews(
            session,
            path=path,
            cycle_id=cid,
            ratings=spellings(pack.result_rating.labels) + spellings(pack.behaviour.labels),
            behaviour_values=list(pack.behaviour.values),
            nip_format=nips,
        )
    if kind == "checkins":
        return import_checkins(
            session,
            path=path,
            cycle_id=cid,
            ratings=spellings(pack.result_rating.labels) + spellings(pack.behaviour.labels),
            periods={p.label for p in cycle_periods(cycle_config(cycle))},
            nip_format=nips,
        )
    if kind == "unit_ratings":
        org = pack.distribution.org_labels if pack.distribution else pack.predikat.labels
        return import_unit_ratings(session, path=path, cycle_id=cid, predikat=spellings(org))
    if kind in POLICY_INPUT_FILES:
        _refuse_once_used(session, cycle=cycle, kind=kind)
        return import_policy_input(
            session, cycle_id=cid, pack=pack, kind=kind, path=path, nip_format=nips
        )
    raise ValueError(f"unknown cycle file kind {kind!r}")


USED_BY_STAGE = {
    "attendance": "incentives",
    "discipline": "incentives",
    "functional_positions": "review",  # credit points follow the predikat
    "competencies": "training",
}
"""The stage that reads each policy-input file: after it, the file would change nobody's
result but an appellant's (an appeal recomputes from the stored inputs)."""


def _refuse_once_used(session: Session, *, cycle: Cycle, kind: str) -> None:
    stage = USED_BY_STAGE[kind]
    if stage_row(session, cycle.cycle_id, stage).status == "done":
        raise CycleError(
            f"{kind}.csv: tahap {stage} siklus {cycle.cycle_id} sudah selesai; data ini tidak"
            f" lagi dapat diubah / the {stage} stage of cycle {cycle.cycle_id} is done: these"
            " inputs can no longer change"
        )


def close_answered_proposals(session: Session, *, cycle: Cycle) -> int:
    """Close the open "propose your targets" tasks of people whose targets were imported."""
    from sqlalchemy import update

    has_targets = select(Target.nip).where(Target.cycle_id == cycle.cycle_id)
    result = session.execute(
        update(HumanTask)
        .where(
            HumanTask.cycle_id == cycle.cycle_id,
            HumanTask.kind == "propose_targets",
            HumanTask.state.in_(("open", "escalated")),
            HumanTask.subject_nip.in_(has_targets),
        )
        .values(
            state="done",
            closed_by="import",
            close_reason="targets imported",
            response={"input": None, "role": "import"},
        )
    )
    return result.rowcount or 0


def import_survey_file(session: Session, *, pack: Any, path: Path) -> ImportReport:
    """Import citizen-survey answers with the pack's elements and scale."""
    if pack.ikm is None:
        raise ValueError(f"policy pack {pack.name} has no IKM section / tanpa bagian IKM")
    return import_survey(
        session,
        path=path,
        elements=[e.code for e in pack.ikm.elements],
        scale=tuple(pack.ikm.scale),
    )
