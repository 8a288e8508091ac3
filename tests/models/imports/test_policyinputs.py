"""Policy inputs: attendance, discipline, functional positions, competencies (per cycle) and
training completions (organisation level). All-or-nothing, every bad row named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kinerja.models.imports import ImportRejected
from kinerja.models.imports.policyinputs import (
    import_attendance,
    import_competencies,
    import_discipline,
    import_functional_positions,
)
from kinerja.models.imports.training import import_training_completions
from kinerja.models.store.tables import (
    AttendanceLapse,
    CompetencyLevel,
    DisciplineSanction,
    FunctionalPosition,
    JpLedgerEntry,
)

CODES = {"TL1", "TL4", "PSW1", "TK"}
SANCTIONS = {"teguran_lisan", "teguran_tertulis"}
JENJANG = {"ahli_pertama", "ahli_muda"}
COMPETENCIES = {"integritas", "komunikasi"}


def where(exc: pytest.ExceptionInfo) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.column) for e in exc.value.errors]


def rows(session, table) -> int:
    return session.scalar(select(func.count()).select_from(table))


def test_attendance_import_reimport_and_codes_in_the_pack_spelling(session, write, org, cycle):
    path = write("attendance.csv", "nip,code,count", "S1,tl1,3", "S1,TK,1", "S2,PSW1,0")
    report = import_attendance(session, path=path, cycle_id=cycle, codes=CODES)
    session.commit()
    assert (report.kind, report.inserted, report.updated) == ("attendance", 3, 0)
    assert session.get(AttendanceLapse, (cycle, "S1", "TL1")).count == 3
    again = import_attendance(session, path=path, cycle_id=cycle, codes=CODES)
    assert (again.inserted, again.updated) == (0, 3)


def test_attendance_bad_rows_are_all_named(session, write, org, cycle):
    path = write(
        "attendance.csv",
        "nip,code,count",
        "S1,TL9,1",  # unknown code
        "NOBODY,TL1,1",  # unknown employee
        "S2,TL1,-2",  # negative count
        "S3,TL4,1.5",  # not a whole number
        "S3,TK,",  # missing count
        "S1,tl9,1",  # the same nip and code again
    )
    with pytest.raises(ImportRejected) as exc:
        import_attendance(session, path=path, cycle_id=cycle, codes=CODES)
    assert where(exc) == [
        (2, "code"),
        (3, "nip"),
        (4, "count"),
        (5, "count"),
        (6, "count"),
        (7, "code"),
    ]
    text = str(exc.value)
    assert "attendance.csv" in text and "TL9" in text and "PSW1, TK, TL1, TL4" in text
    assert "-2 is out of range (0 or more)" in text
    session.rollback()
    assert rows(session, AttendanceLapse) == 0


def test_discipline_import_with_and_without_a_date(session, write, org, cycle):
    path = write(
        "discipline.csv",
        "nip,sanction,decided_on",
        "S1,Teguran_Lisan,2025-11-03",
        "S2,teguran_tertulis,",
    )
    import_discipline(session, path=path, cycle_id=cycle, sanctions=SANCTIONS)
    session.commit()
    s1 = session.get(DisciplineSanction, (cycle, "S1", "teguran_lisan"))
    assert s1.decided_on == date(2025, 11, 3)
    assert session.get(DisciplineSanction, (cycle, "S2", "teguran_tertulis")).decided_on is None
    path = write("discipline.csv", "nip,sanction", "S3,teguran_lisan")
    assert import_discipline(session, path=path, cycle_id=cycle, sanctions=SANCTIONS).inserted == 1


def test_discipline_bad_rows(session, write, org, cycle):
    path = write(
        "discipline.csv",
        "nip,sanction,decided_on",
        "S1,dipecat,2025-01-01",
        "S2,teguran_lisan,03/11/2025",
        "X,teguran_lisan,",
        ",teguran_lisan,",
    )
    with pytest.raises(ImportRejected) as exc:
        import_discipline(session, path=path, cycle_id=cycle, sanctions=SANCTIONS)
    assert where(exc) == [(2, "sanction"), (3, "decided_on"), (4, "nip"), (5, "nip")]
    assert "discipline sanction 'dipecat' is not allowed" in str(exc.value)


def test_functional_positions_default_to_a_whole_year(session, write, org, cycle):
    path = write(
        "functional_positions.csv", "nip,jenjang,months", "S1,Ahli_Pertama,", "S2,ahli_muda,2.5"
    )
    import_functional_positions(
        session, path=path, cycle_id=cycle, jenjang=JENJANG, months_per_year=12
    )
    session.commit()
    s1 = session.get(FunctionalPosition, (cycle, "S1"))
    assert (s1.jenjang, Decimal(s1.months)) == ("ahli_pertama", Decimal(12))
    assert Decimal(session.get(FunctionalPosition, (cycle, "S2")).months) == Decimal("2.5")
    path = write("functional_positions.csv", "nip,jenjang", "S3,ahli_muda")
    import_functional_positions(
        session, path=path, cycle_id=cycle, jenjang=JENJANG, months_per_year=12
    )
    assert Decimal(session.get(FunctionalPosition, (cycle, "S3")).months) == Decimal(12)


def test_functional_positions_bad_rows(session, write, org, cycle):
    path = write(
        "functional_positions.csv",
        "nip,jenjang,months",
        "S1,utama,12",
        "S2,ahli_muda,13",
        "S3,ahli_muda,sebelas",
        "S3,ahli_pertama,1",
    )
    with pytest.raises(ImportRejected) as exc:
        import_functional_positions(
            session, path=path, cycle_id=cycle, jenjang=JENJANG, months_per_year=12
        )
    assert where(exc) == [(2, "jenjang"), (3, "months"), (4, "months"), (5, "nip")]
    assert "13 months is out of range (0 to 12)" in str(exc.value)


def test_competencies_import_and_bad_rows(session, write, org, cycle):
    path = write(
        "competencies.csv",
        "nip,competency,required_level,actual_level",
        "S1,Komunikasi,3,2",
        "S2,integritas,3,3",
    )
    import_competencies(
        session, path=path, cycle_id=cycle, competencies=COMPETENCIES, levels=(1, 5)
    )
    session.commit()
    s1 = session.get(CompetencyLevel, (cycle, "S1", "komunikasi"))
    assert (s1.required_level, s1.actual_level) == (3, 2)
    bad = write(
        "competencies.csv",
        "nip,competency,required_level,actual_level",
        "S1,menyanyi,3,2",
        "S2,integritas,6,2",
        "S3,integritas,3,0",
        "S3,komunikasi,tiga,1",
    )
    with pytest.raises(ImportRejected) as exc:
        import_competencies(
            session, path=bad, cycle_id=cycle, competencies=COMPETENCIES, levels=(1, 5)
        )
    assert where(exc) == [(2, "competency"), (3, "required_level"), (4, "actual_level"),
                          (5, "required_level")]  # fmt: skip
    assert "6 is out of range (1 to 5)" in str(exc.value)


def test_a_policy_input_needs_its_cycle(session, write, org):
    path = write("attendance.csv", "nip,code,count", "S1,TL1,1")
    with pytest.raises(ImportRejected) as exc:
        import_attendance(session, path=path, cycle_id="no-such-cycle", codes=CODES)
    assert "cycle 'no-such-cycle' does not exist" in str(exc.value)


def test_training_completions_go_to_the_ledger_once(session, write, org):
    path = write(
        "training.csv",
        "nip,course,jp,completed_on",
        "S1,pelatihan_komunikasi,8,2025-08-01",
        "S1,e_learning_sakip,2.5,2026-01-15",
    )
    report = import_training_completions(session, path=path)
    session.commit()
    assert (report.kind, report.inserted) == ("training", 2)
    entries = session.scalars(select(JpLedgerEntry).order_by(JpLedgerEntry.year)).all()
    assert [(e.year, e.source, e.jp, e.status, e.completed_on) for e in entries] == [
        (2025, "pelatihan_komunikasi", 8.0, "completed", date(2025, 8, 1)),
        (2026, "e_learning_sakip", 2.5, "completed", date(2026, 1, 15)),
    ]
    again = import_training_completions(session, path=path)
    assert (again.inserted, again.updated) == (0, 2)
    assert rows(session, JpLedgerEntry) == 2


def test_training_completion_bad_rows(session, write, org):
    path = write(
        "training.csv",
        "nip,course,jp,completed_on",
        "S1,kursus,0,2025-08-01",
        "S2,kursus,8,kemarin",
        "X,kursus,8,2025-08-01",
        "S3,,8,2025-08-01",
        "S1,kursus,8,2025-08-01",
        "S1,kursus,4,2025-08-01",
    )
    with pytest.raises(ImportRejected) as exc:
        import_training_completions(session, path=path)
    # Rows 6 and 7 repeat row 2's person, course and day (row 2 is also wrong itself).
    assert where(exc) == [(2, "jp"), (3, "completed_on"), (4, "nip"), (5, "course"),
                          (6, "completed_on"), (7, "completed_on")]  # fmt: skip
    assert "JP must be above 0" in str(exc.value)
    session.rollback()
    assert rows(session, JpLedgerEntry) == 0
