"""The test organisation (tests/models/orgfixture.py) with what its documents show.

On top of :func:`~kinerja.tests.models.orgfixture.build_org`:

- a unit goal ``G-1`` (the IKU Agus's first target serves) and an approved target of Maya's
  own, ``M-1-T1``, that Agus's additional target is cascaded from;
- Agus (A): ``A-1-T1`` approved, ``A-1-T2`` returned (not on any document), ``A-1-T3``
  (tambahan, 1.250 dokumen) approved; rated by Maya (sesuai, di atas, predikat baik,
  capaian 87,5%), with two periods' results when the cycle is periodic;
- Hartono (H), the head with no manager: one approved target, so his rater is the cycle's
  external rater;
- Bella (B): her targets still proposed, so she has no document yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from kinerja.models.store.tables import Goal, PeriodResult, Result, Target
from kinerja.tests.models.orgfixture import CYCLE_ID, A, H, M

GOAL = "Meningkatnya kualitas layanan publik"
MANAGER_TARGET = "Layanan seksi yang prima"
RETURNED = "Rencana yang dikembalikan"
BEHAVIOUR = {
    "berorientasi_pelayanan": "di_atas",
    "akuntabel": "di_atas",
    "kompeten": "sesuai",
    "harmonis": "di_atas",
    "loyal": "di_atas",
    "adaptif": "sesuai",
    "kolaboratif": "di_atas",
}


def _target(target_id: str, nip: str, **fields: object) -> Target:
    values: dict[str, object] = {
        "cycle_id": CYCLE_ID,
        "target_id": target_id,
        "nip": nip,
        "serves": "G-1",
        "statement": f"Hasil kerja {target_id}",
        "indicator": "Jumlah dokumen",
        "aspect": "kuantitas",
        "target_value": 100.0,
        "unit_of_measure": "dokumen",
        "direction": "higher",
        "kind": "utama",
        "status": "approved",
    }
    return Target(**(values | fields))


def add_documents_data(session: Session, *, periodic: bool = False) -> None:
    """Add the goal, targets, ratings and periodic results above (after ``build_org``)."""
    session.add(
        Goal(
            cycle_id=CYCLE_ID,
            goal_id="G-1",
            unit_id="ROOT",
            statement=GOAL,
            indicator="Indeks kepuasan",
            target_value=80.0,
            unit_of_measure="indeks",
        )
    )
    session.add_all(
        [
            _target("M-1-T1", M, statement=MANAGER_TARGET),
            _target("H-1-T1", H, statement="Kinerja dinas meningkat"),
            _target(
                "A-1-T3",
                A,
                serves="M-1-T1",
                statement="Arsip layanan terdigitalisasi",
                target_value=1250.0,
                kind="tambahan",
                realisation=1100.0,
                achievement=88.0,
            ),
        ]
    )
    session.execute(
        update(Target)
        .where(Target.cycle_id == CYCLE_ID, Target.target_id == "A-1-T1")
        .values(status="approved", realisation=90.0, achievement=90.0)
    )
    session.execute(
        update(Target)
        .where(Target.cycle_id == CYCLE_ID, Target.target_id == "A-1-T2")
        .values(status="returned", statement=RETURNED)
    )
    session.execute(
        update(Result)
        .where(Result.cycle_id == CYCLE_ID, Result.nip == A)
        .values(
            achievement=87.5,
            hasil_kerja="sesuai",
            perilaku="di_atas",
            perilaku_values=BEHAVIOUR,
            predikat="baik",
            review_comment="Pertahankan ketelitian.",
        )
    )
    if periodic:
        # Written out of order: the document shows them in period order.
        for period, achievement, predikat in (("2025-Q2", 48.5, "baik"), ("2025-Q1", 20.0, None)):
            session.add(
                PeriodResult(
                    cycle_id=CYCLE_ID,
                    period=period,
                    nip=A,
                    unit_id="SEC",
                    achievement=achievement,
                    expected=25.0 if period.endswith("Q1") else 50.0,
                    hasil_kerja="sesuai" if predikat else None,
                    perilaku="sesuai" if predikat else None,
                    predikat=predikat,
                    rater_nip=M,
                    rated_at=datetime(2025, 7, 3) if predikat else None,
                    derivation={},
                )
            )
    session.flush()
