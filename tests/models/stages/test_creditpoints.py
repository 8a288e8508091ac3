"""Credit points (angka kredit) once the predikat is known, for functional positions only.

PerBKN 3/2023 (DOMAIN.md A1 "Downstream uses" [C]): AK = months/12 x percent(predikat) x
coefficient; Ahli Pertama (12.5) a whole year Sangat Baik (150%) = 18.75; two months Baik
(100%) = 2/12 x 100% x 12.5 = 2.08.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.cycles.files import import_cycle_file
from kinerja.models.results.explain import explain_lines
from kinerja.models.results.exports import export_results
from kinerja.models.stages.review import compute_predikat
from kinerja.models.store.tables import AuditEvent, Result
from kinerja.tests.models.orgfixture import CYCLE_ID, START, STRANGER, A, B, Org, build_org


@pytest.fixture
def org(session: Session, tmp_path) -> Org:
    org = build_org(session)
    session.add(
        Result(cycle_id=CYCLE_ID, nip=STRANGER, unit_id="ROOT", perilaku_values={}, derivation={})
    )
    ratings = {A: ("di_atas", "di_atas"), B: ("sesuai", "sesuai"), STRANGER: ("sesuai", "sesuai")}
    for nip, (hasil, perilaku) in ratings.items():
        result = session.get(Result, (CYCLE_ID, nip))
        result.hasil_kerja, result.perilaku = hasil, perilaku
    path = tmp_path / "functional_positions.csv"
    path.write_text(
        f"nip,jenjang,months\n{A},ahli_pertama,\n{B},ahli_pertama,2\n", encoding="utf-8"
    )
    import_cycle_file(session, cycle=org.cycle, kind="functional_positions", path=path)
    session.commit()
    return org


def run(session: Session, org: Org) -> None:
    compute_predikat(session, cycle=org.cycle, pack=pack_of(org.cycle), lo=A, hi="Z", now=START)
    session.commit()
    session.expire_all()


def events(session: Session) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "result.credit_points")
    )


def test_credit_points_by_predikat_and_months_for_functional_positions_only(session, org):
    run(session, org)
    points = {r.nip: r.credit_points for r in session.scalars(select(Result))}
    assert points == {A: Decimal("18.75"), B: Decimal("2.08"), STRANGER: None}
    a = session.get(Result, (CYCLE_ID, A))
    assert a.predikat == "sangat_baik"
    assert a.derivation["credit_points"] == [
        "jenjang ahli_pertama, 12 month(s) in the position this year",
        "angka kredit = 12/12 months x 150% [predikat sangat_baik] x 12.5 [Ahli Pertama /"
        " First expert] = 18.75 -> 18.75 (rounded half up)",
    ]
    assert "credit_points" not in session.get(Result, (CYCLE_ID, STRANGER)).derivation
    assert events(session) == 2
    run(session, org)  # idempotent: nothing changes, nothing more is audited
    assert events(session) == 2

    lines = explain_lines(session, cycle=org.cycle, nip=B)
    assert "7. Credit points (angka kredit): 2.08" in lines
    assert any("2/12 months x 100% [predikat baik] x 12.5" in line for line in lines)
    assert not any(
        "Credit points" in line for line in explain_lines(session, cycle=org.cycle, nip=STRANGER)
    )


def test_credit_points_are_exported(session, org):
    run(session, org)
    rows = {
        r["nip"]: r
        for r in csv.DictReader(io.StringIO(export_results(session, cycle_id=CYCLE_ID, fmt="csv")))
    }
    assert (
        rows[A]["credit_points"],
        rows[B]["credit_points"],
        rows[STRANGER]["credit_points"],
    ) == (
        "18.75",
        "2.08",
        "",
    )
    data = {r["nip"]: r for r in json.loads(export_results(session, cycle_id=CYCLE_ID, fmt="json"))}
    assert data[A]["credit_points"] == "18.75" and data[STRANGER]["credit_points"] is None


def test_a_new_predikat_changes_the_credit_points(session, org):
    run(session, org)
    session.get(Result, (CYCLE_ID, A)).perilaku = "sesuai"  # di_atas x sesuai = baik
    session.commit()
    run(session, org)
    assert session.get(Result, (CYCLE_ID, A)).credit_points == Decimal("12.50")
    assert events(session) == 3
