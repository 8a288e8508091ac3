"""Hostile cells, on SQLite and PostgreSQL alike: over-long text, numbers a spreadsheet damaged,
NIPs of the wrong form, non-finite numbers, periods outside the cycle, weights out of
bounds, lines that are not UTF-8. Each is a row error, named before anything is written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kinerja.models.imports import (
    ImportRejected,
    import_employees,
    import_metrics,
    import_org,
    import_reviews,
    import_targets,
    import_units,
)
from kinerja.models.imports.policyinputs import import_attendance
from kinerja.models.imports.training import import_training_completions
from kinerja.models.imports.values import IdFormat
from kinerja.models.store.tables import Employee, Goal, Unit

ASN = IdFormat(r"[0-9]{18}", "18 digits", "18 digit angka")
NIP = "198505102010012003"
DAMAGED = "1.98505E+17"


def found(exc: pytest.ExceptionInfo) -> dict[tuple[int | None, str | None], str]:
    return {(e.row, e.column): e.message for e in exc.value.all_errors()}


def test_over_long_cells_are_row_errors_and_a_cell_at_the_limit_is_stored_whole(
    session, write, counts
):
    units = write(
        "org/units.csv", "unit_id,name", "U1,Dinas", f"U2,{'n' * 100_000}", f"{'u' * 65},X"
    )
    write(
        "org/employees.csv",
        "nip,name,unit_id,position,grade",
        f"{'9' * 65},Budi,U1,Staf,",
        f"E1,{'a' * 255},U1,Staf,",  # exactly the column's length: fine
        f"E2,Sari,U1,{'p' * 256},{'g' * 33}",
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_org(session, source=units.parent)
    problems = found(exc)
    assert set(problems) == {
        (3, "name"),
        (4, "unit_id"),
        (2, "nip"),
        (4, "position"),
        (4, "grade"),
    }
    assert "too long: 100000 characters, at most 255" in problems[(3, "name")]
    assert "terlalu panjang: 100000 karakter, paling banyak 255" in problems[(3, "name")]
    assert "too long: 65 characters, at most 64" in problems[(4, "unit_id")]
    assert "at most 32" in problems[(4, "grade")]
    value = next(e.value for e in exc.value.all_errors() if e.row == 3)
    assert value == "n" * 80 + "... (100000 characters / karakter)"
    session.rollback()
    assert counts() == before

    write("org/units.csv", "unit_id,name", "U1,Dinas")
    write("org/employees.csv", "nip,name,unit_id,position", f"E1,{'a' * 255},U1,Staf")
    import_org(session, source=units.parent)
    session.commit()
    assert session.get(Employee, "E1").name == "a" * 255


def test_a_whole_number_too_large_for_the_column_is_a_row_error(session, write, counts):
    path = write("units.csv", "unit_id,name,service_population", "U1,Dinas,9999999999")
    with pytest.raises(ImportRejected) as exc:
        import_units(session, path=path)
    assert "too large (at most 2147483647)" in found(exc)[(2, "service_population")]


def test_nips_must_have_the_pack_form_unless_they_are_employees_already(session, write, org):
    path = write(
        "employees.csv",
        "nip,name,unit_id,position,manager_nip",
        f"{NIP},Budi,A,Staf,KADIS",  # KADIS: an employee already, whatever its form
        f"{DAMAGED},Sari,A,Staf,",
        "12345,Andi,A,Staf,",
        f"198505102010012004,Dewi,A,Staf,{DAMAGED}",
        "S1,Staf Satu,A,Analis,M1",  # an employee already: updated, not refused
    )
    with pytest.raises(ImportRejected) as exc:
        import_employees(session, path=path, nip_format=ASN)
    problems = found(exc)
    assert set(problems) == {(3, "nip"), (4, "nip"), (5, "manager_nip")}
    assert "scientific notation" in problems[(3, "nip")]
    assert "format the column as text" in problems[(3, "nip")]
    assert "format kolom sebagai teks" in problems[(3, "nip")]
    assert "'12345' is not a NIP of the form expected (18 digits)" in problems[(4, "nip")]
    assert "scientific notation" in problems[(5, "manager_nip")]
    session.rollback()

    # Without a format any text is a NIP, but a spreadsheet's damage is still named.
    with pytest.raises(ImportRejected) as exc:
        import_employees(session, path=path)
    assert set(found(exc)) == {(3, "nip"), (5, "manager_nip")}


def test_units_heads_are_nips_too(session, write, org):
    path = write("units.csv", "unit_id,name,head_nip", f"U9,Unit,{DAMAGED}", "U8,Unit,KADIS")
    with pytest.raises(ImportRejected) as exc:
        import_units(session, path=path, nip_format=ASN)
    assert set(found(exc)) == {(2, "head_nip")}


@pytest.fixture
def goal(session, org, cycle) -> str:
    session.add(
        Goal(
            cycle_id=cycle,
            goal_id="G",
            unit_id="A",
            statement="S",
            indicator="I",
            target_value=1,
            unit_of_measure="%",
        )
    )
    session.commit()
    return cycle


def test_targets_refuse_damaged_nips_non_finite_numbers_and_weights_out_of_bounds(
    session, write, goal
):
    path = write(
        "targets.csv",
        "target_id,nip,serves,statement,indicator,aspect,target,unit_of_measure,weight",
        f"T1,{DAMAGED},G,S,I,kuantitas,1e999,dok,150",  # every cell of the row is named
        "T2,S1,G,S,I,kuantitas,inf,dok,0",
        "T3,S1,G,S,I,kuantitas,10,dok,nan",
        "T4,S1,G,S,I,kuantitas,1-1e999,dok,50",
        "T5,S2,G,S,I,kuantitas,10,dok,25",  # within (20, 30]: fine
    )
    with pytest.raises(ImportRejected) as exc:
        import_targets(
            session,
            path=path,
            cycle_id=goal,
            weights_sum=None,
            weight_bounds=(20.0, 30.0),
            nip_format=ASN,
        )
    problems = found(exc)
    assert set(problems) == {
        (2, "nip"),
        (2, "target"),
        (2, "weight"),
        (3, "target"),
        (3, "weight"),
        (4, "weight"),
        (5, "target"),
        (5, "weight"),
    }
    assert "'1e999' is too large to be a number" in problems[(2, "target")]
    assert "weight 150 is out of bounds: above 20 and at most 30" in problems[(2, "weight")]
    assert "bobot 0 di luar batas: lebih dari 20 dan paling banyak 30" in problems[(3, "weight")]
    assert "'nan' is not a number" in problems[(4, "weight")]


def test_a_weight_sum_names_every_row_of_the_person_but_not_after_a_refused_weight(
    session, write, goal
):
    header = "target_id,nip,serves,statement,indicator,aspect,target,unit_of_measure,weight"
    path = write(
        "targets.csv",
        header,
        "T1,S1,G,S,I,kuantitas,1,dok,60",
        "T2,S2,G,S,I,kuantitas,1,dok,100",
        "T3,S1,G,S,I,kuantitas,1,dok,30",
        "T4,S2,G,S,I,kuantitas,1,dok,120",  # out of bounds: S2's sum is not checked
    )
    with pytest.raises(ImportRejected) as exc:
        import_targets(session, path=path, cycle_id=goal, weights_sum=100.0)
    problems = found(exc)
    assert set(problems) == {(2, "weight"), (4, "weight"), (5, "weight")}
    assert "(rows 2, 4) sum to 90, expected 100" in problems[(2, "weight")]
    assert problems[(2, "weight")] == problems[(4, "weight")]


def test_metrics_periods_must_lie_within_the_cycle(session, write, goal):
    path = write(
        "metrics.csv",
        "target_id,period,value",
        "G,2025-Q1,1",
        "G,2024-12,1",
        "G,2026,1",
        "G,2025-06,1e999",
    )
    dates = (date(2025, 1, 1), date(2025, 12, 31))
    with pytest.raises(ImportRejected) as exc:
        import_metrics(session, path=path, cycle_id=goal, dates=dates)
    problems = found(exc)
    assert set(problems) == {(3, "period"), (4, "period"), (5, "value")}
    assert (
        "period 2024-12 (2024-12-01 to 2024-12-31) is outside the cycle" in problems[(3, "period")]
    )
    session.rollback()
    # Without the cycle's dates any period goes.
    free = write("free.csv", "target_id,period,value", "G,2024-12,1")
    assert import_metrics(session, path=free, cycle_id=goal, dates=None).inserted == 1


def test_files_that_name_people_refuse_damaged_nips(session, write, org, cycle):
    reviews = write("reviews.csv", "nip,hasil_kerja", f"{DAMAGED},baik", "S1,baik")
    with pytest.raises(ImportRejected) as exc:
        import_reviews(
            session,
            path=reviews,
            cycle_id=cycle,
            ratings={"baik"},
            behaviour_values=[],
            nip_format=ASN,
        )
    assert set(found(exc)) == {(2, "nip")}
    attendance = write("attendance.csv", "nip,code,count", "S1,TK,1.2E+01", "12,TK,1")
    with pytest.raises(ImportRejected) as exc:
        import_attendance(session, path=attendance, cycle_id=cycle, codes={"TK"}, nip_format=ASN)
    problems = found(exc)
    assert set(problems) == {(2, "count"), (3, "nip")}
    assert "scientific notation" in problems[(2, "count")]
    training = write(
        "training.csv", "nip,course,jp,completed_on", f"S1,{'c' * 65},2,2025-03-01", "S1,K,2,x"
    )
    with pytest.raises(ImportRejected) as exc:
        import_training_completions(session, path=training)
    problems = found(exc)
    assert "too long: 65 characters, at most 64" in problems[(2, "course")]
    assert (3, "completed_on") in problems


def test_every_line_that_is_not_utf8_is_named_and_later_rows_are_still_checked(
    session, tmp_path, counts
):
    path = tmp_path / "units.csv"
    path.write_bytes("unit_id,name\nU1,Dinas\nU2,Andr\u00e9\nU3,\nU4,Jos\u00e9\n".encode("cp1252"))
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_units(session, path=path)
    problems = found(exc)
    assert set(problems) == {(3, None), (4, "name"), (5, None)}
    assert "not UTF-8" in problems[(3, None)] and "bukan teks UTF-8" in problems[(5, None)]
    session.rollback()
    assert counts() == before
    assert session.scalars(select(Unit.unit_id)).all() == []
