"""Scripted reviews and unit ratings: ratings from the pack, behaviour-value columns."""

from __future__ import annotations

import pytest

from kinerja.models.imports import ImportRejected, import_reviews, import_unit_ratings
from kinerja.models.store.tables import ScriptedReview, UnitRating

RATINGS = {"Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi"}
VALUES = ["berorientasi_pelayanan", "akuntabel", "kompeten"]
PREDIKAT = {"Istimewa", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"}


def where(exc: pytest.ExceptionInfo) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.column) for e in exc.value.errors]


def test_reviews_import_and_reimport(session, write, org, cycle):
    path = write(
        "reviews.csv",
        "nip,hasil_kerja,perilaku,perilaku_akuntabel,perilaku_kompeten,comment",
        "S1,di atas ekspektasi,Sesuai Ekspektasi,Di Atas Ekspektasi,,Kerja bagus",
        "S2,,,,,",
    )
    report = import_reviews(
        session, path=path, cycle_id=cycle, ratings=RATINGS, behaviour_values=VALUES
    )
    session.commit()
    assert (report.kind, report.inserted, report.updated) == ("reviews", 2, 0)
    s1 = session.get(ScriptedReview, (cycle, "S1"))
    assert (s1.hasil_kerja, s1.perilaku, s1.perilaku_values, s1.comment) == (
        "Di Atas Ekspektasi",
        "Sesuai Ekspektasi",
        {"akuntabel": "Di Atas Ekspektasi"},
        "Kerja bagus",
    )
    s2 = session.get(ScriptedReview, (cycle, "S2"))
    assert (s2.hasil_kerja, s2.perilaku_values) == (None, {})
    again = import_reviews(
        session, path=path, cycle_id=cycle, ratings=RATINGS, behaviour_values=VALUES
    )
    assert (again.inserted, again.updated) == (0, 2)


def test_reviews_with_the_overall_ratings_only(session, write, org, cycle):
    # No perilaku_<value> column: the behaviour values take their default (none), which the
    # PostgreSQL bulk path must write as JSON like any given value.
    path = write(
        "reviews.csv", "nip,hasil_kerja,perilaku", "S1,Di Atas Ekspektasi,Sesuai Ekspektasi"
    )
    report = import_reviews(
        session, path=path, cycle_id=cycle, ratings=RATINGS, behaviour_values=VALUES
    )
    session.commit()
    assert (report.inserted, report.updated) == (1, 0)
    s1 = session.get(ScriptedReview, (cycle, "S1"))
    assert (s1.hasil_kerja, s1.perilaku, s1.perilaku_values) == (
        "Di Atas Ekspektasi",
        "Sesuai Ekspektasi",
        {},
    )


def test_reviews_refuse_unknown_values_columns_and_ratings(session, write, org, cycle, counts):
    path = write(
        "reviews.csv",
        "nip,hasil_kerja,perilaku_santun",
        "S1,Baik,Baik",
    )
    with pytest.raises(ImportRejected) as exc:
        import_reviews(session, path=path, cycle_id=cycle, ratings=RATINGS, behaviour_values=VALUES)
    assert where(exc) == [(1, "perilaku_santun")]
    assert "unknown column" in str(exc.value)

    path = write(
        "reviews.csv",
        "nip,hasil_kerja,perilaku,perilaku_kompeten",
        "S1,Baik,,",  # 2 not a rating of this pack
        "GHOST,,,",  # 3 unknown employee
        "S2,,Luar Biasa,Hebat",  # 4 two bad ratings
        "S1,,,",  # 5 duplicate
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_reviews(session, path=path, cycle_id=cycle, ratings=RATINGS, behaviour_values=VALUES)
    assert where(exc) == [
        (2, "hasil_kerja"),
        (3, "nip"),
        (4, "perilaku"),
        (4, "perilaku_kompeten"),
        (5, "nip"),
    ]
    assert "rating 'Baik' is not allowed (expected one of: Di Atas Ekspektasi" in str(exc.value)
    assert counts() == before


def test_unit_ratings(session, write, org, cycle, counts):
    path = write("unit_ratings.csv", "unit_id,predikat_organisasi", "A,baik", "B,Istimewa")
    report = import_unit_ratings(session, path=path, cycle_id=cycle, predikat=PREDIKAT)
    assert (report.kind, report.inserted) == ("unit_ratings", 2)
    assert session.get(UnitRating, (cycle, "A")).predikat_organisasi == "Baik"

    bad = write(
        "unit_ratings.csv",
        "unit_id,predikat_organisasi",
        "A,Baik",
        "MARS,Baik",  # 3 unknown unit
        "B,Cemerlang",  # 4 not a predikat
        "A,Kurang",  # 5 duplicate
        "DINAS,",  # 6 missing
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_unit_ratings(session, path=bad, cycle_id=cycle, predikat=PREDIKAT)
    assert where(exc) == [
        (3, "unit_id"),
        (4, "predikat_organisasi"),
        (5, "unit_id"),
        (6, "predikat_organisasi"),
    ]
    assert counts() == before
