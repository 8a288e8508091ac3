"""Organisation import: units and employees, alone and together, CSV and .xlsx."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from kinerja.models.imports import (
    ImportRejected,
    import_employees,
    import_org,
    import_units,
)
from kinerja.models.store.tables import Employee, Unit

UNITS = (
    "unit_id,name,parent_id,head_nip,is_service_unit",
    "DINAS,Dinas Kesehatan,,196501011990031001,false",
    "PKM,Puskesmas Kota,DINAS,007,ya",
)
EMPLOYEES = (
    "nip,name,unit_id,position,grade,manager_nip,email",
    "196501011990031001,Budi Santoso,DINAS,Kepala Dinas,IV/c,,budi@example.go.id",
    "007,Sari Wulandari,PKM,Kepala Puskesmas,III/d,196501011990031001,",
    "0042,Andi Pratama,PKM,Perawat,III/a,007,andi@example.go.id",
)


def where(exc: pytest.ExceptionInfo) -> set[tuple[int | None, str | None]]:
    return {(e.row, e.column) for e in exc.value.errors}


def located(exc: pytest.ExceptionInfo) -> list[tuple[str, int | None, str | None]]:
    return [(e.file, e.row, e.column) for e in exc.value.errors]


def test_org_directory_imports_and_reimport_changes_nothing(session, write):
    write("org/units.csv", *UNITS)
    source = write("org/employees.csv", *EMPLOYEES).parent

    units, employees = import_org(session, source=source)
    session.commit()
    assert (units.kind, units.file, units.rows, units.inserted, units.updated) == (
        "units",
        "units.csv",
        2,
        2,
        0,
    )
    assert (employees.rows, employees.inserted, employees.updated) == (3, 3, 0)
    before = session.execute(select(Employee.nip, Employee.manager_nip, Employee.email)).all()
    assert ("007", "196501011990031001", None) in before  # leading zeros kept
    assert session.get(Unit, "PKM").is_service_unit is True

    again = import_org(session, source=source)
    session.commit()
    assert [(r.inserted, r.updated) for r in again] == [(0, 2), (0, 3)]
    assert session.execute(select(Employee.nip, Employee.manager_nip, Employee.email)).all() == (
        before
    )


def test_org_refuses_every_bad_row_and_writes_nothing(session, write, counts):
    write(
        "org/units.csv",
        "unit_id,name,parent_id,head_nip,is_service_unit",
        "DINAS,Dinas,,K1,no",
        "DINAS,Dinas lagi,,,",  # 3 duplicate
        "X,,,,maybe",  # 4 no name, bad flag
    )
    source = write(
        "org/employees.csv",
        "nip,name,unit_id,position,manager_nip,email",
        "K1,Kepala,DINAS,Kepala,,",
        "E1,Staf,MARS,Staf,K1,",  # 3 unknown unit
        "E2,Staf,DINAS,Staf,E2,",  # 4 own manager
        "E3,Staf,DINAS,,,e3.example",  # 5 no position, bad e-mail
        "E4,Staf,DINAS,Staf,9999,",  # 6 unknown manager
        "K1,Kepala lagi,DINAS,Kepala,,",  # 7 duplicate nip
    ).parent
    before = counts()

    with pytest.raises(ImportRejected) as exc:
        import_org(session, source=source)

    assert located(exc) == [
        ("units.csv", 3, "unit_id"),
        ("units.csv", 4, "name"),
        ("units.csv", 4, "is_service_unit"),
        ("employees.csv", 3, "unit_id"),
        ("employees.csv", 4, "manager_nip"),
        ("employees.csv", 5, "position"),
        ("employees.csv", 5, "email"),
        ("employees.csv", 6, "manager_nip"),
        ("employees.csv", 7, "nip"),
    ]
    assert exc.value.total == 9
    text = str(exc.value)
    assert "units.csv row 3, column unit_id: unit_id 'DINAS' already appears in row 2" in text
    assert "units.csv row 4, column is_service_unit: 'maybe' is not yes or no" in text
    assert "employees.csv row 3, column unit_id: unknown unit 'MARS'" in text
    assert (
        "employees.csv row 4, column manager_nip: an employee cannot be their own manager" in text
    )
    assert "employees.csv row 5, column email: 'e3.example' is not an e-mail address" in text
    assert "employees.csv row 6, column manager_nip: unknown manager '9999'" in text
    assert "atasan '9999' tidak dikenal" in text
    assert "employees.csv row 7, column nip: nip 'K1' already appears in row 2" in text
    assert counts() == before


def test_unit_parent_and_head_references_are_checked(session, write, counts):
    write(
        "org/units.csv",
        "unit_id,name,parent_id,head_nip",
        "DINAS,Dinas,,K1",
        "X,Bidang X,NOWHERE,GHOST",
    )
    source = write("org/employees.csv", "nip,name,unit_id,position", "K1,Kepala,DINAS,Kepala")
    with pytest.raises(ImportRejected) as exc:
        import_org(session, source=source.parent)
    assert where(exc) == {(3, "parent_id"), (3, "head_nip")}
    assert "unknown parent unit 'NOWHERE'" in str(exc.value)
    assert "unknown head 'GHOST'" in str(exc.value)
    assert counts()["units"] == 0


def test_manager_loop_names_every_nip_on_it(session, write, counts, org):
    path = write(
        "employees.csv",
        "nip,name,unit_id,position,manager_nip",
        "L1,Satu,A,Staf,L3",
        "L2,Dua,A,Staf,L1",
        "L3,Tiga,A,Staf,L2",
        "L4,Empat,A,Staf,L1",  # hangs off the loop, is not on it
        "S1,Staf,A,Staf,S2",  # S1 -> S2 -> M1 -> KADIS: a chain, not a loop
    )
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        import_employees(session, path=path)
    assert where(exc) == {(2, "manager_nip"), (3, "manager_nip"), (4, "manager_nip")}
    for error in exc.value.errors:
        assert "the manager chain loops" in error.message
        assert "rantai atasan berputar" in error.message
        assert all(nip in error.message for nip in ("L1", "L2", "L3"))
        assert "L4" not in error.message
    assert counts() == before


def test_loop_through_the_database_is_found(session, write, org):
    # KADIS is stored without a manager; giving KADIS manager S1 closes KADIS -> S1 -> M1 -> KADIS.
    path = write("employees.csv", "nip,name,unit_id,position,manager_nip", "KADIS,Kadis,DINAS,K,S1")
    with pytest.raises(ImportRejected) as exc:
        import_employees(session, path=path)
    assert where(exc) == {(2, "manager_nip")}
    assert "KADIS -> S1 -> M1 -> KADIS" in str(exc.value)


def test_unit_tree_loop(session, write, org):
    path = write(
        "units.csv",
        "unit_id,name,parent_id",
        "A,Bidang A,C",
        "C,Bidang C,A",
        "D,Bidang D,D",
    )
    with pytest.raises(ImportRejected) as exc:
        import_units(session, path=path)
    assert where(exc) == {(2, "parent_id"), (3, "parent_id"), (4, "parent_id")}
    assert "the unit tree loops" in exc.value.errors[0].message
    assert "its own parent" in exc.value.errors[2].message


def test_left_out_optional_columns_keep_stored_values(session, write, org):
    session.get(Employee, "S1").email = "s1@example.go.id"
    session.commit()
    path = write("employees.csv", "nip,name,unit_id,position", "S1,Nama Baru,A,Analis")
    report = import_employees(session, path=path)
    session.commit()
    assert (report.inserted, report.updated) == (0, 1)
    s1 = session.get(Employee, "S1")
    assert (s1.name, s1.position, s1.manager_nip, s1.email) == (
        "Nama Baru",
        "Analis",
        "M1",
        "s1@example.go.id",
    )


def test_semicolon_csv_with_bom(session, write):
    path = write(
        "units.csv",
        "unit_id;name;parent_id",
        "DINAS;Dinas Pendidikan, Pemuda dan Olahraga;",
        "SD1;SD Negeri 1;DINAS",
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = import_units(session, path=path)
    session.commit()
    assert report.inserted == 2
    assert session.get(Unit, "DINAS").name == "Dinas Pendidikan, Pemuda dan Olahraga"
    assert session.get(Unit, "SD1").parent_id == "DINAS"


def test_unknown_and_missing_columns_are_refused(session, write, counts):
    path = write("employees.csv", "nip,name,unit,position,hobby", "1,A,B,C,D")
    with pytest.raises(ImportRejected) as exc:
        import_employees(session, path=path)
    assert where(exc) == {(1, "unit"), (1, "hobby"), (1, "unit_id")}
    assert "unknown column" in message_of(exc, "hobby")
    assert "required column is missing" in message_of(exc, "unit_id")
    assert counts()["employees"] == 0


def message_of(exc: pytest.ExceptionInfo, column: str) -> str:
    return " ".join(e.message for e in exc.value.errors if e.column == column)


def test_xlsx_workbook_with_numeric_nip_cells(session, tmp_path):
    # NIP typed as numbers: an int cell and a float cell must both read as plain digits.
    book = Workbook()
    units = book.active
    units.title = "units"
    units.append(["unit_id", "name", "parent_id", "head_nip", "is_service_unit"])
    units.append(["DINAS", "Dinas", None, 196501011990, True])
    units.append([101, "Puskesmas", "DINAS", None, None])  # a numeric unit id
    employees = book.create_sheet("employees")
    employees.append(["nip", "name", "unit_id", "position", "manager_nip", "grade"])
    employees.append([196501011990, "Budi", "DINAS", "Kepala", None, "IV/c"])
    employees.append([199001012015.0, "Sari", 101, "Perawat", 196501011990.0, None])
    employees.append(["0042", "Andi", "101", "Perawat", "199001012015", None])
    employees.append([None, None, None, None, None, None])  # trailing blank row
    path = tmp_path / "org.xlsx"
    book.save(path)

    units_report, employees_report = import_org(session, source=path)
    session.commit()
    assert units_report.file == "org.xlsx[units]"
    assert (units_report.inserted, employees_report.inserted) == (2, 3)
    nips = dict(session.execute(select(Employee.nip, Employee.manager_nip)).all())
    assert nips == {
        "196501011990": None,
        "199001012015": "196501011990",
        "0042": "199001012015",
    }
    assert session.get(Unit, "DINAS").is_service_unit is True
    assert session.get(Unit, "DINAS").head_nip == "196501011990"
    assert session.get(Employee, "0042").unit_id == "101"

    again = import_org(session, source=path)
    assert [(r.inserted, r.updated) for r in again] == [(0, 2), (0, 3)]


def test_xlsx_18_digit_nip_typed_as_a_number_is_refused(session, tmp_path, counts):
    # A spreadsheet keeps 15 significant digits: 199001012015031002 is stored rounded.
    book = Workbook()
    book.active.title = "employees"
    book.active.append(["nip", "name", "unit_id", "position"])
    book.active.append([199001012015031002, "Sari", "A", "Perawat"])
    path = tmp_path / "employees.xlsx"
    book.save(path)
    with pytest.raises(ImportRejected) as exc:
        import_employees(session, path=path)
    assert where(exc) == {(2, "nip")}
    assert "format the column as Text" in str(exc.value)
    assert counts()["employees"] == 0


def test_xlsx_bad_rows_name_the_sheet(session, tmp_path, counts):
    book = Workbook()
    book.active.title = "units"
    book["units"].append(["unit_id", "name"])
    book["units"].append(["DINAS", "Dinas"])
    employees = book.create_sheet("employees")
    employees.append(["nip", "name", "unit_id", "position"])
    employees.append([1, "Budi", "NOWHERE", "Kepala"])
    path = tmp_path / "org.xlsx"
    book.save(path)
    with pytest.raises(ImportRejected) as exc:
        import_org(session, source=path)
    assert [str(e) for e in exc.value.errors] == [
        "org.xlsx[employees] row 2, column unit_id: unknown unit 'NOWHERE' (not in the database"
        " nor in the units file) / unit 'NOWHERE' tidak dikenal (tidak ada di basis data maupun"
        " berkas unit)"
    ]
    assert counts()["units"] == 0


def test_org_source_must_hold_both_files(session, write):
    source = write("org/units.csv", *UNITS).parent
    with pytest.raises(ImportRejected) as exc:
        import_org(session, source=source)
    assert [(e.file, e.row) for e in exc.value.errors] == [("employees.csv", None)]
    assert "file not found" in str(exc.value)


def test_a_units_complaint_officer_is_imported(session, write):
    write(
        "org/units.csv",
        "unit_id,name,parent_id,head_nip,is_service_unit,complaint_officer_nip",
        "DINAS,Dinas Kesehatan,,196501011990031001,false,",
        "PKM,Puskesmas Kota,DINAS,007,ya,0042",
    )
    source = write("org/employees.csv", *EMPLOYEES).parent
    import_org(session, source=source)
    session.commit()
    assert session.get(Unit, "PKM").complaint_officer_nip == "0042"  # leading zeros kept
    assert session.get(Unit, "DINAS").complaint_officer_nip is None
