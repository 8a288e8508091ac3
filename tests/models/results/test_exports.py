"""The results files run no code in a spreadsheet: formula-like text is neutralised, numbers
stay numbers, and a text longer than an Excel cell is cut and said."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from kinerja.models.results.exports import (
    EXCEL_CELL_LIMIT,
    EXPORT_COLUMNS,
    XLSX_COLUMNS,
    XLSX_HEADERS,
    export_results,
    export_results_xlsx,
    spreadsheet_text,
)
from kinerja.models.store.tables import Base, Cycle, Employee, Result, Unit

CYCLE = "c2025"
HOSTILE = {
    "100000000000000001": '=HYPERLINK("http://x","klik")',
    "100000000000000002": "+62 811 000",
    "100000000000000003": "-1+1",
    "100000000000000004": "@SUM(A1:A2)",
    "100000000000000005": "\tTab",
    "100000000000000006": "\rCR",
    "100000000000000007": "Budi Santoso",
    "100000000000000008": "Sari = Dewi",
}


def _fill(session: Session, names: dict[str, str]) -> None:
    session.add(
        Cycle(
            cycle_id=CYCLE,
            name="Siklus 2025",
            pack_name="asn",
            pack_version="1",
            config={},
            config_hash="0" * 64,
            pack={},
            pack_hash="0" * 64,
            created_at=datetime(2025, 1, 1),
        )
    )
    for i, (nip, name) in enumerate(sorted(names.items())):
        session.add(Employee(nip=nip, name=name, unit_id="=U1", position="Staf"))
        session.add(
            Result(
                cycle_id=CYCLE,
                nip=nip,
                unit_id="=U1",
                rater_nip="-R1",
                achievement=-12.5 if i == 0 else 100.0,
                score=95.25,
                predikat="baik",
                training_jp=20.0,
                incentive=Decimal("-5000") if i == 0 else Decimal("1500000.40"),
                credit_points=Decimal("-1.5") if i == 0 else Decimal("12.5"),
                rule_version="asn@2026.1",
                perilaku_values={},
                derivation={},
            )
        )
    session.commit()


def test_spreadsheet_text():
    for lead in ("=", "+", "-", "@", "\t", "\r"):
        assert spreadsheet_text(f"{lead}x") == f"'{lead}x"
    for text in ("x", "", " =x", "'=x", "1-2"):
        assert spreadsheet_text(text) == text


def test_csv_neutralises_formula_text_but_never_numbers(session):
    _fill(session, HOSTILE)
    text = export_results(session, cycle_id=CYCLE, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    # One line per result: a carriage return in a name is quoted, never a row break.
    assert len(rows) == len(HOSTILE) and text.count("\n") == len(HOSTILE) + 1
    assert '"\'\rCR"' in text
    by_nip = {r["nip"]: r for r in rows}
    for nip, name in HOSTILE.items():
        expected = "'" + name if name[0] in "=+-@\t\r" else name
        assert by_nip[nip]["name"] == expected
        assert by_nip[nip]["unit_id"] == "'=U1" and by_nip[nip]["rater_nip"] == "'-R1"
    first = rows[0]
    assert (first["incentive"], first["credit_points"], first["achievement"]) == (
        "-5000",
        "-1.50",
        "-12.5",
    )
    assert rows[1]["incentive"] == "1500000"


def test_json_is_written_as_stored(session):
    _fill(session, HOSTILE)
    rows = json.loads(export_results(session, cycle_id=CYCLE, fmt="json"))
    assert {r["nip"]: r["name"] for r in rows} == HOSTILE
    assert rows[0]["incentive"] == "-5000" and rows[0]["credit_points"] == "-1.50"


def test_xlsx_has_no_formula_cell_and_numbers_are_numbers(session, tmp_path):
    _fill(session, HOSTILE)
    session.add(Unit(unit_id="=U1", name="=Bidang Pelayanan"))
    session.commit()
    done = export_results_xlsx(session, cycle_id=CYCLE, path=tmp_path / "r.xlsx")
    assert (done.rows, done.cut) == (len(HOSTILE), [])
    sheet = load_workbook(tmp_path / "r.xlsx")["results"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.data_type for c in cells if c.data_type == "f"] == []
    # The header row is in the cycle's language (Indonesian by default), bold and frozen.
    header = [c.value for c in next(sheet.iter_rows())]
    assert header == [XLSX_HEADERS["id"][c] for c in XLSX_COLUMNS]
    assert "Tunjangan kinerja (Rp)" in header and "Unit kerja" in header
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert 8 <= sheet.column_dimensions["B"].width <= 60
    col = {name: i for i, name in enumerate(XLSX_COLUMNS)}
    by_nip = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for nip, name in HOSTILE.items():
        cell = by_nip[nip][col["name"]]
        # Shown as written, never evaluated (XML reads a carriage return as a line feed).
        assert (cell.value, cell.data_type) == (name.replace("\r", "\n"), "s")
        assert cell.quotePrefix is (name[0] in "=+-@\t\r")
    first = by_nip[min(HOSTILE)]
    numbers = {c: first[col[c]] for c in ("achievement", "incentive", "credit_points", "score")}
    assert {c: (v.value, v.data_type) for c, v in numbers.items()} == {
        "achievement": (-12.5, "n"),
        "incentive": (-5000, "n"),
        "credit_points": (-1.5, "n"),
        "score": (95.25, "n"),
    }
    assert by_nip[max(HOSTILE)][col["incentive"]].value == 1500000
    assert first[col["incentive"]].number_format == "#,##0"
    unit = first[col["unit_name"]]
    assert (unit.value, unit.data_type, unit.quotePrefix) == ("=Bidang Pelayanan", "s", True)


def test_xlsx_cuts_a_text_over_the_cell_limit_and_says_so(tmp_path):
    # Only a database that does not hold to the column's length can hold such a name: a
    # SQLite file written before lengths were checked on import.
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        _fill(session, {"100000000000000001": "=" + "x" * 40_000, "100000000000000002": "Budi"})
        done = export_results_xlsx(session, cycle_id=CYCLE, path=tmp_path / "r.xlsx")
        text = export_results(session, cycle_id=CYCLE, fmt="csv")
    assert [(c.row, c.column, c.length) for c in done.cut] == [(2, "name", 40_001)]
    assert "40001 characters cut to 32767" in str(done.cut[0])
    assert "40001 karakter dipotong menjadi 32767" in str(done.cut[0])
    sheet = load_workbook(tmp_path / "r.xlsx")["results"]
    cell = sheet.cell(row=2, column=EXPORT_COLUMNS.index("name") + 1)
    assert len(cell.value) == EXCEL_CELL_LIMIT and cell.data_type == "s" and cell.quotePrefix
    assert "'=" + "x" * 40_000 in text  # CSV has no cell limit: nothing is cut there
    engine.dispose()


def test_the_command_says_which_cells_were_cut(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kinerja.cli.main import app
    from kinerja.models.store.db import dispose_engines

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        _fill(session, {"100000000000000001": "y" * 33_000})
    engine.dispose()
    monkeypatch.setenv("KINERJA_DATABASE_URL", url)
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        app, ["results", "export", CYCLE, "--format", "xlsx", "--out", str(out)]
    )
    dispose_engines()
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert "1 value(s) longer than an Excel cell holds were cut" in result.output
    assert "row 2 (100000000000000001), column name: 33000 characters cut to 32767" in result.output


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session
