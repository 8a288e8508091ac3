"""Metrics (realisation per target and period) and survey answers."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from kinerja.models.imports import (
    ImportRejected,
    base,
    import_metrics,
    import_survey,
    import_targets,
)
from kinerja.models.store.tables import Goal, Measurement, SurveyResponse

ELEMENTS = [f"U{i}" for i in range(1, 10)]
SURVEY_HEADER = "unit_id,respondent_id,date," + ",".join(ELEMENTS)


def where(exc: pytest.ExceptionInfo) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.column) for e in exc.value.errors]


def message(exc: pytest.ExceptionInfo, row: int, column: str) -> str:
    return " | ".join(e.message for e in exc.value.errors if (e.row, e.column) == (row, column))


@pytest.fixture
def targets(session, write, org, cycle) -> str:
    path = write(
        "targets.csv",
        "target_id,nip,serves,statement,indicator,aspect,target,unit_of_measure",
        "T1,KADIS,G,S,I,kuantitas,10,dok",
        "T2,M1,T1,S,I,kuantitas,10,dok",
    )
    # T1 serves goal G of its own unit; T2 serves T1, the target of M1's manager.
    session.add(
        Goal(
            cycle_id=cycle,
            goal_id="G",
            unit_id="DINAS",
            statement="S",
            indicator="I",
            target_value=1,
            unit_of_measure="%",
        )
    )
    import_targets(session, path=path, cycle_id=cycle, weights_sum=None)
    session.commit()
    return cycle


def test_metrics_import_and_reimport(session, write, targets):
    path = write(
        "metrics.csv",
        "target_id,period,value,evidence",
        "T1,2025-q1,3,https://example.go.id/bukti/1",
        "T1,2025-Q2,4.5,",
        "T2,2025-03,1e2,",
        "T2,2025-S1,7,",
        "T2,2025,8,",
    )
    report = import_metrics(session, path=path, cycle_id=targets)
    session.commit()
    assert (report.kind, report.rows, report.inserted, report.updated) == ("metrics", 5, 5, 0)
    stored = dict(session.execute(select(Measurement.period, Measurement.value)).all())
    assert stored == {"2025-Q1": 3.0, "2025-Q2": 4.5, "2025-03": 100.0, "2025-S1": 7.0, "2025": 8.0}
    assert session.get(Measurement, (targets, "T1", "2025-Q1")).evidence.endswith("/1")

    again = import_metrics(session, path=path, cycle_id=targets)
    assert (again.inserted, again.updated) == (0, 5)


def test_metrics_bad_rows_are_all_named(session, write, targets, counts):
    path = write(
        "metrics.csv",
        "target_id,period,value",
        "T1,2025-Q5,3",  # 2 no fifth quarter
        "T1,2025-13,3",  # 3 no 13th month
        "T1,Q1 2025,3",  # 4 wrong format
        "T9,2025-Q1,3",  # 5 unknown target
        "T1,2025-Q1,tiga",  # 6 not a number
        "T1,2025-q1,4",  # 7 duplicate of row 6 (same period, other case)
        "T2,2025-S3,",  # 8 no third semester, no value
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_metrics(session, path=path, cycle_id=targets)
    assert where(exc) == [
        (2, "period"),
        (3, "period"),
        (4, "period"),
        (5, "target_id"),
        (6, "value"),
        (7, "period"),
        (8, "period"),
        (8, "value"),
    ]
    assert "must be YYYY-MM, YYYY-Qn, YYYY-S1, YYYY-S2 or YYYY" in message(exc, 2, "period")
    assert "unknown target or goal 'T9' in cycle 'c2025'" in message(exc, 5, "target_id")
    assert "'tiga' is not a number" in message(exc, 6, "value")
    assert "'T1, 2025-Q1' already appears in row 6" in message(exc, 7, "period")
    assert counts() == before


def test_metrics_kept_rows_are_written_as_read_over_several_batches(
    session, write, targets, counts, monkeypatch
):
    # The first pass keeps its rows for the second; small batches show that every batch is
    # written, in order, and that a refusal found after some were kept writes none of them.
    monkeypatch.setattr(base, "BATCH_ROWS", 2)
    months = [f"2025-{m:02d}" for m in range(1, 8)]
    rows = [
        f"{t},{p},{i}.5,{'bukti' if i % 2 else ''}"
        for i, (t, p) in enumerate((t, p) for t in ("T1", "T2") for p in months)
    ]
    bad = write("bad.csv", "target_id,period,value,evidence", *rows, "T9,2025-01,1,")
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_metrics(
            session, path=bad, cycle_id=targets, dates=(date(2025, 1, 1), date(2025, 12, 31))
        )
    assert where(exc) == [(16, "target_id")]
    assert counts() == before

    good = write("metrics.csv", "target_id,period,value,evidence", *rows)
    report = import_metrics(session, path=good, cycle_id=targets)
    assert (report.rows, report.inserted, report.updated) == (14, 14, 0)
    stored = session.execute(
        select(Measurement.target_id, Measurement.period, Measurement.value, Measurement.evidence)
    ).all()
    assert sorted(tuple(r) for r in stored) == [
        (t, p, i + 0.5, "bukti" if i % 2 else None)
        for i, (t, p) in enumerate((t, p) for t in ("T1", "T2") for p in months)
    ]


def test_survey_import_and_reimport(session, write, org):
    path = write(
        "survey.csv",
        SURVEY_HEADER,
        "A,R1,2025-03-01," + ",".join(["4"] * 9),
        "A,R2,," + ",".join(["1", "2", "3", "4"] * 2 + ["2"]),
        "B,R1,2025-03-02," + ",".join(["3"] * 9),  # same respondent id, another unit
    )
    report = import_survey(session, path=path, elements=ELEMENTS)
    session.commit()
    assert (report.kind, report.inserted, report.updated) == ("survey", 3, 0)
    r2 = session.get(SurveyResponse, ("A", "R2"))
    assert r2.date is None
    assert r2.answers == dict(zip(ELEMENTS, [1, 2, 3, 4, 1, 2, 3, 4, 2], strict=True))
    assert session.get(SurveyResponse, ("A", "R1")).date == date(2025, 3, 1)
    assert import_survey(session, path=path, elements=ELEMENTS).updated == 3


def test_survey_out_of_scale_and_other_faults(session, write, org, counts):
    good = ["3"] * 8
    path = write(
        "survey.csv",
        SURVEY_HEADER,
        "A,R1,2025-03-01,5," + ",".join(good),  # 2 above the scale
        "A,R2,2025-03-01,0," + ",".join(good),  # 3 below the scale
        "A,R3,2025-03-01,2.5," + ",".join(good),  # 4 not a whole number
        "A,R4,01/03/2025,," + ",".join(good),  # 5 date format, missing answer
        "MARS,R5,," + ",".join(["3"] * 9),  # 6 unknown unit
        "A,R1,," + ",".join(["3"] * 9),  # 7 duplicate respondent
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_survey(session, path=path, elements=ELEMENTS)
    assert where(exc) == [
        (2, "U1"),
        (3, "U1"),
        (4, "U1"),
        (5, "date"),
        (5, "U1"),
        (6, "unit_id"),
        (7, "respondent_id"),
    ]
    assert "answer 5 is outside the scale 1 to 4" in message(exc, 2, "U1")
    assert "jawaban 0 di luar skala 1 sampai 4" in message(exc, 3, "U1")
    assert "'2.5' is not a whole number" in message(exc, 4, "U1")
    assert "expected YYYY-MM-DD" in message(exc, 5, "date")
    assert counts() == before


def test_survey_with_other_elements_and_scale_from_xlsx(session, tmp_path, org):
    book = Workbook()
    book.active.title = "survey"
    book.active.append(["unit_id", "respondent_id", "date", "Q1", "Q2"])
    book.active.append(["A", 1001, date(2025, 4, 2), 5, 1.0])  # numeric cells
    path = tmp_path / "skm.xlsx"
    book.save(path)
    report = import_survey(session, path=path, elements=["Q1", "Q2"], scale=(1, 5))
    assert report.inserted == 1
    response = session.get(SurveyResponse, ("A", "1001"))
    assert (response.date, response.answers) == (date(2025, 4, 2), {"Q1": 5, "Q2": 1})

    with pytest.raises(ImportRejected) as exc:
        import_survey(session, path=path, elements=ELEMENTS)  # U1..U9 missing, Q1, Q2 unknown
    assert (1, "Q1") in where(exc) and (1, "U9") in where(exc)
