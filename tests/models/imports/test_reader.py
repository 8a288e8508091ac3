"""Reading CSV and .xlsx: delimiters, BOM, blank rows, cell rendering, unreadable files."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from kinerja.models.imports import ImportRejected, read_table
from kinerja.models.imports.reader import render_cell


def test_comma_csv_with_quotes_and_blank_rows(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text('unit_id,name\n"001","Dinas, Kota"\n\n002, Bidang \n003\n', encoding="utf-8")
    assert list(read_table(path)) == [
        (2, {"unit_id": "001", "name": "Dinas, Kota"}),
        (4, {"unit_id": "002", "name": "Bidang"}),
        (5, {"unit_id": "003", "name": ""}),
    ]


def test_semicolon_csv_with_bom(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_bytes("target_id;period;value\r\nT1;2025-Q1;12.5\r\n".encode("utf-8-sig"))
    assert list(read_table(path)) == [
        (2, {"target_id": "T1", "period": "2025-Q1", "value": "12.5"})
    ]


def test_extra_cells_are_kept_under_the_empty_key(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("unit_id,name\nA,B,C,\nD,E,,\n", encoding="utf-8")
    assert list(read_table(path)) == [
        (2, {"unit_id": "A", "name": "B", "": "C"}),
        (3, {"unit_id": "D", "name": "E"}),
    ]


def test_not_utf8_is_refused_with_the_row(tmp_path):
    path = tmp_path / "employees.csv"
    path.write_bytes("nip,name\n1,Budi\n2,Andr\u00e9\n".encode("cp1252"))
    with pytest.raises(ImportRejected) as exc:
        list(read_table(path))
    (error,) = exc.value.errors
    assert (error.file, error.row) == ("employees.csv", 3)
    assert "not UTF-8" in error.message and "bukan teks UTF-8" in error.message


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(ImportRejected, match="file not found"):
        list(read_table(tmp_path / "nope.csv"))
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(ImportRejected, match="no header row"):
        list(read_table(tmp_path / "empty.csv"))


def test_xlsx_sheet_choice_and_rendering(tmp_path):
    book = Workbook()
    book.active.title = "units"
    book["units"].append(["unit_id", "name", None])  # a trailing empty header cell
    book["units"].append([7, "Tujuh"])
    other = book.create_sheet("employees")
    other.append(["nip", "joined", "score", "flag"])
    other.append([199001012015.0, datetime(2025, 1, 2), 87.25, False])
    other.append([None, None, None, None])
    other.append(["0042", date(2025, 1, 3), 1e-3, True])
    path = tmp_path / "org.xlsx"
    book.save(path)

    assert list(read_table(path, sheet="units")) == [(2, {"unit_id": "7", "name": "Tujuh"})]
    assert list(read_table(path, sheet="employees")) == [
        (2, {"nip": "199001012015", "joined": "2025-01-02", "score": "87.25", "flag": "false"}),
        (4, {"nip": "0042", "joined": "2025-01-03", "score": "0.001", "flag": "true"}),
    ]
    with pytest.raises(ImportRejected, match="no sheet named 'org'"):
        list(read_table(path))  # two sheets and none named like the file


def test_single_sheet_workbook_is_read_whatever_its_name(tmp_path):
    book = Workbook()
    book.active.append(["unit_id", "name"])
    book.active.append(["A", "B"])
    path = tmp_path / "anything.xlsx"
    book.save(path)
    assert list(read_table(path)) == [(2, {"unit_id": "A", "name": "B"})]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_text("unit_id,name\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="not a readable .xlsx workbook"):
        list(read_table(path))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12, "12"),
        (12.0, "12"),
        (-3.0, "-3"),
        (0.1, "0.1"),
        (True, "true"),
        (datetime(2025, 3, 1, 8, 30), "2025-03-01 08:30:00"),
        (date(2025, 3, 1), "2025-03-01"),
        ("  007 ", "007"),
    ],
)
def test_render_cell(value, text):
    assert render_cell(value) == text
