"""A person's document data from the database, as plain records (models/documents/records.py).

Read-only. The SKP shows the targets as approved, nothing proposed or returned; the
evaluation adds the annual result once the rater has rated (``results.hasil_kerja``), the
periodic results when the cycle has periods, and the predikat organisasi of the person's
unit when the pack has a distribution curve. The rater is the one the cycle fixed in the
result row (the manager, or the cycle's ``external_rater`` for the top of the tree); the
rater's superior is the rater's own manager, or the external rater when the rater has none.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cascade import serves_statements
from kinerja.models.cycles.cycle import cycle_config, get_cycle, pack_of
from kinerja.models.documents.records import (
    KINDS,
    BehaviourLine,
    Coded,
    Evaluation,
    PeriodLine,
    Person,
    PersonDocument,
    TargetLine,
)
from kinerja.models.documents.words import code_words, period_name
from kinerja.models.policy.base import Label
from kinerja.models.rules.periods import period_key
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Feedback,
    HumanTask,
    Measurement,
    PeriodResult,
    Result,
    Target,
    Unit,
    UnitRating,
)


class DocumentError(ValueError):
    """A document cannot be made; ``str()`` says why in Bahasa Indonesia and English."""


class NoDocument(DocumentError):
    """The person has no such document (yet): no approved targets, or not rated.

    ``reason`` says why in a few words, for a table row."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def coded(labels: dict[str, Label], code: str | None, lang: str) -> Coded:
    """``code`` with its pack label in ``lang`` (the code itself when the pack has none)."""
    if not code:
        return Coded(None, "-")
    found = labels.get(code)
    return Coded(code, found.get(lang) if found else code)


def approved_targets(session: Session, *, cycle_id: str, nip: str) -> list[Target]:
    return list(
        session.scalars(
            select(Target)
            .where(Target.cycle_id == cycle_id, Target.nip == nip, Target.status == "approved")
            .order_by(Target.target_id)
        )
    )


def gather(
    session: Session, *, cycle_id: str, nip: str, kind: str, lang: str | None = None
) -> PersonDocument:
    """The ``kind`` document (``skp`` or ``evaluation``) of ``nip`` in ``cycle_id``, in
    ``lang`` (default: the cycle's language).

    Raises :class:`DocumentError` for an unknown kind or NIP, :class:`NoDocument` when the
    person has no approved target or (evaluation) no rating yet, and
    :class:`~kinerja.models.cycles.cycle.CycleError` for an unknown cycle.
    """
    if kind not in KINDS:
        raise DocumentError(
            f"Jenis dokumen tidak dikenal / unknown document kind {kind!r}: {', '.join(KINDS)}"
        )
    cycle = get_cycle(session, cycle_id)
    config = cycle_config(cycle)
    pack = pack_of(cycle)
    lang = lang or config.lang
    employee = session.get(Employee, nip)
    if employee is None:
        raise DocumentError(f"NIP tidak dikenal / unknown NIP: {nip}")
    targets = approved_targets(session, cycle_id=cycle.cycle_id, nip=nip)
    if not targets:
        raise NoDocument(
            f"{nip}: belum ada SKP yang disetujui dalam siklus {cycle.cycle_id} / "
            f"no approved targets in cycle {cycle.cycle_id}",
            "belum ada SKP disetujui / no approved targets",
        )
    result = session.get(Result, (cycle.cycle_id, nip))
    if kind == "evaluation" and (result is None or result.hasil_kerja is None):
        raise NoDocument(
            f"{nip}: belum dinilai dalam siklus {cycle.cycle_id} / "
            f"not rated yet in cycle {cycle.cycle_id}",
            "belum dinilai / not rated yet",
        )
    rater, superior = _raters(session, config=config, employee=employee, result=result)
    bh = pack.behaviour
    rated = (result.perilaku_values or {}) if kind == "evaluation" and result else None
    return PersonDocument(
        kind=kind,  # type: ignore[arg-type]
        lang=lang,
        cycle_id=cycle.cycle_id,
        cycle_name=cycle.name,
        approach=config.approach,
        period_start=config.period_start,
        period_end=config.period_end,
        agency=_agency(session, employee.unit_id),
        employee=_person(session, employee),
        rater=rater,
        rater_superior=superior,
        targets=tuple(
            _target_lines(session, cycle=cycle, targets=targets, pack=pack, lang=lang, kind=kind)
        ),
        behaviour=tuple(
            BehaviourLine(
                value=coded(bh.value_labels, value, lang),
                rating=None if rated is None else coded(bh.labels, rated.get(value), lang),
            )
            for value in bh.values
        ),
        kinds=tuple(Coded(k, code_words("kind", k, lang)) for k in pack.targets.kinds),
        signed_on=_signed_on(session, cycle=cycle, nip=nip, kind=kind),
        evaluation=_evaluation(session, cycle=cycle, result=result, pack=pack, lang=lang)
        if kind == "evaluation" and result is not None
        else None,
    )


def _person(session: Session, employee: Employee) -> Person:
    unit = session.get(Unit, employee.unit_id) if employee.unit_id else None
    return Person(
        name=employee.name,
        nip=employee.nip,
        position=employee.position,
        grade=employee.grade,
        unit_id=employee.unit_id,
        unit_name=unit.name if unit else employee.unit_id,
    )


def _raters(
    session: Session, *, config: CycleConfig, employee: Employee, result: Result | None
) -> tuple[Person | None, Person | None]:
    """The rater (pejabat penilai kinerja) and the rater's superior."""
    outside = Person(name=config.external_rater.name)
    rater_nip = result.rater_nip if result and result.rater_nip else employee.manager_nip
    if result is not None and result.external_rater:
        return Person(name=result.external_rater), None
    if rater_nip is None or rater_nip == config.external_rater.nip:
        return outside, None
    rater = session.get(Employee, rater_nip)
    if rater is None:
        return Person(name=rater_nip, nip=rater_nip), None
    boss = session.get(Employee, rater.manager_nip) if rater.manager_nip else None
    return _person(session, rater), _person(session, boss) if boss else outside


def _agency(session: Session, unit_id: str | None) -> str | None:
    """The name of the root of the unit's tree: the agency (instansi)."""
    seen: set[str] = set()
    unit = session.get(Unit, unit_id) if unit_id else None
    while unit is not None and unit.parent_id and unit.parent_id not in seen:
        seen.add(unit.unit_id)
        parent = session.get(Unit, unit.parent_id)
        if parent is None:
            break
        unit = parent
    return unit.name if unit else None


def _target_lines(
    session: Session, *, cycle: Cycle, targets: list[Target], pack: Any, lang: str, kind: str
) -> list[TargetLine]:
    ids = [t.target_id for t in targets]
    serves = serves_statements(session, cycle_id=cycle.cycle_id, codes=[t.serves for t in targets])
    evidence: dict[str, str] = {}
    if kind == "evaluation":
        # The latest period's evidence stands for the realisation (qualitative cycles have
        # no number at all).
        rows = session.execute(
            select(Measurement.target_id, Measurement.period, Measurement.evidence).where(
                Measurement.cycle_id == cycle.cycle_id,
                Measurement.target_id.in_(ids),
                Measurement.evidence.is_not(None),
            )
        ).all()
        for target_id, _, text in sorted(rows, key=lambda r: (r[0], period_key(r[1]))):
            evidence[target_id] = text
    order = {k: i for i, k in enumerate(pack.targets.kinds)}
    lines = [
        TargetLine(
            target_id=t.target_id,
            kind=Coded(t.kind, code_words("kind", t.kind, lang)),
            serves=t.serves,
            serves_statement=serves.get(t.serves),
            statement=t.statement,
            aspect=Coded(t.aspect, code_words("aspect", t.aspect, lang)),
            indicator=t.indicator,
            target_value=t.target_value,
            target_high=t.target_high,
            unit_of_measure=t.unit_of_measure,
            direction=t.direction,
            realisation=t.realisation if kind == "evaluation" else None,
            evidence=evidence.get(t.target_id),
            achievement=t.achievement if kind == "evaluation" else None,
        )
        for t in targets
    ]
    return sorted(lines, key=lambda line: order.get(line.kind.code or "", len(order)))


def _signed_on(session: Session, *, cycle: Cycle, nip: str, kind: str) -> date | None:
    """The day the document was settled: the targets' approval (SKP), the rating or the
    appeal's decision (evaluation)."""
    kinds = ("approve_targets",) if kind == "skp" else ("review", "decide_appeal")
    at = session.scalar(
        select(func.max(HumanTask.closed_at)).where(
            HumanTask.cycle_id == cycle.cycle_id,
            HumanTask.subject_nip == nip,
            HumanTask.kind.in_(kinds),
            HumanTask.state == "done",
        )
    )
    return at.date() if at else None


def _evaluation(
    session: Session, *, cycle: Cycle, result: Result, pack: Any, lang: str
) -> Evaluation:
    feedback = session.get(Feedback, (cycle.cycle_id, result.nip))
    org = None
    if pack.distribution is not None:
        rating = session.get(UnitRating, (cycle.cycle_id, result.unit_id))
        if rating is not None:
            org = coded(pack.distribution.org_labels, rating.predikat_organisasi, lang)
    rr, bh, pk = pack.result_rating, pack.behaviour, pack.predikat
    rows = session.scalars(
        select(PeriodResult).where(
            PeriodResult.cycle_id == cycle.cycle_id, PeriodResult.nip == result.nip
        )
    ).all()
    periods = tuple(
        PeriodLine(
            period=r.period,
            period_name=period_name(r.period, lang),
            achievement=r.achievement,
            expected=r.expected,
            hasil_kerja=coded(rr.labels, r.hasil_kerja, lang),
            perilaku=coded(bh.labels, r.perilaku, lang),
            predikat=coded(pk.labels, r.predikat, lang),
            feedback=r.feedback,
        )
        for r in sorted(rows, key=lambda r: period_key(r.period))
    )
    return Evaluation(
        achievement=result.achievement,
        score=result.score,
        hasil_kerja=coded(rr.labels, result.hasil_kerja, lang),
        perilaku=coded(bh.labels, result.perilaku, lang),
        predikat=coded(pk.labels, result.predikat, lang),
        incentive=result.incentive,
        comment=result.review_comment,
        feedback=feedback.text if feedback and feedback.text else None,
        predikat_organisasi=org,
        periods=periods,
    )
