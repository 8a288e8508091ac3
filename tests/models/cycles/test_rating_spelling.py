"""Files that take a rating accept it as people write it, and the pack's codes.

unit_ratings.csv (predikat organisasi, DOMAIN.md A1 "Organisation predikat": Istimewa / Baik /
Butuh Perbaikan (Cukup) / Kurang / Sangat Kurang) and reviews.csv (rating hasil kerja and
perilaku: Di Atas / Sesuai / Di Bawah Ekspektasi, DOMAIN.md A1 "Rating Hasil Kerja") are
written by HR staff from the signed "Format Penetapan Predikat Kinerja": labels, capitals,
extra spaces. Each is stored as the pack's code, which is what the curve and the matrix read.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.files import import_cycle_file
from kinerja.models.imports import ImportRejected
from kinerja.models.store.tables import ScriptedReview, Unit, UnitRating
from kinerja.tests.models.orgfixture import CYCLE_ID, STRANGER, A, B, H, M, build_org


def test_unit_ratings_accept_labels_capitals_spaces_and_codes(session: Session, tmp_path):
    org = build_org(session)
    session.add_all(
        Unit(unit_id=u, name=u, parent_id="ROOT", head_nip=None) for u in ("U3", "U4", "U5")
    )
    session.flush()
    path = tmp_path / "unit_ratings.csv"
    path.write_text(
        "unit_id,predikat_organisasi\n"
        "ROOT,Butuh Perbaikan\n"
        "SEC,BAIK\n"
        "U3,  Istimewa \n"
        "U4,sangat_kurang\n"
        "U5,Cukup\n",
        encoding="utf-8",
    )
    report = import_cycle_file(session, cycle=org.cycle, kind="unit_ratings", path=path)
    session.commit()
    assert report.inserted == 5
    stored = dict(
        session.execute(
            select(UnitRating.unit_id, UnitRating.predikat_organisasi).where(
                UnitRating.cycle_id == CYCLE_ID
            )
        ).all()
    )
    assert stored == {
        "ROOT": "butuh_perbaikan",
        "SEC": "baik",
        "U3": "istimewa",
        "U4": "sangat_kurang",
        "U5": "butuh_perbaikan",  # "Butuh Perbaikan (Cukup)": either name is the predikat
    }


def test_unit_ratings_still_refuse_what_is_no_predikat(session: Session, tmp_path):
    org = build_org(session)
    path = tmp_path / "unit_ratings.csv"
    path.write_text("unit_id,predikat_organisasi\nROOT,Luar Biasa\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as exc:
        import_cycle_file(session, cycle=org.cycle, kind="unit_ratings", path=path)
    message = str(exc.value)
    assert "'Luar Biasa'" in message
    assert "Butuh Perbaikan" in message  # the expected spellings are named


def test_reviews_accept_labels_capitals_spaces_and_codes(session: Session, tmp_path):
    org = build_org(session)
    path = tmp_path / "reviews.csv"
    path.write_text(
        "nip,hasil_kerja,perilaku,perilaku_akuntabel,perilaku_kompeten\n"
        f"{A},Di Atas Ekspektasi,SESUAI,  di   bawah ekspektasi ,Di Atas\n"
        f"{B},di_bawah,Above expectations,,\n"
        f"{M},  Sesuai Ekspektasi,di_atas,,\n",
        encoding="utf-8",
    )
    import_cycle_file(session, cycle=org.cycle, kind="reviews", path=path)
    session.commit()
    got = {
        r.nip: (r.hasil_kerja, r.perilaku, r.perilaku_values)
        for r in session.scalars(select(ScriptedReview))
    }
    assert got == {
        A: ("di_atas", "sesuai", {"akuntabel": "di_bawah", "kompeten": "di_atas"}),
        B: ("di_bawah", "di_atas", {}),
        M: ("sesuai", "di_atas", {}),
    }
    assert H not in got and STRANGER not in got
