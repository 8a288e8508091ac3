"""A cycle's results as files: CSV, JSON and xlsx, one row per employee ordered by NIP.

Exports are deterministic, so two runs of the same cycle give byte-identical files. The
publish stage writes results.csv and results.json under ``KINERJA_HOME/exports/<cycle>``; an
upheld appeal writes them again once its transaction commits.

A spreadsheet opening an export runs no code from it. Text that begins like a formula
(``=``, ``+``, ``-``, ``@``, a tab or a carriage return: a name, say, typed by a hostile
hand) is neutralised in the text columns: in CSV with a leading single quote, as OWASP
advises against CSV injection; in xlsx as a string cell with Excel's quote-prefix style, so
it is shown as written and never evaluated. Numeric columns are never touched: a negative
incentive is a number, and xlsx holds numbers as numbers. JSON is not for spreadsheets and
is written as stored. Excel keeps at most 32,767 characters in a cell: a longer text is cut
in xlsx, and the export says which.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.store.db import DEFAULT_HOME
from kinerja.models.store.tables import (
    Cycle,
    Employee,
    Result,
    Unit,
)

EXPORT_COLUMNS = (
    "nip",
    "name",
    "unit_id",
    "rater_nip",
    "external_rater",
    "recorded_by",
    "achievement",
    "score",
    "proposed_hasil_kerja",
    "hasil_kerja",
    "perilaku",
    "predikat",
    "training_jp",
    "incentive",
    "credit_points",
    "rule_version",
)

NUMERIC_COLUMNS = frozenset({"achievement", "score", "training_jp", "incentive", "credit_points"})
"""Columns holding numbers: never neutralised, written as numbers in xlsx."""

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP, CSV injection)."""

EXCEL_CELL_LIMIT = 32_767
"""The most characters an Excel cell holds."""

_QUANTA = {"incentive": Decimal("1"), "credit_points": Decimal("0.01")}


def spreadsheet_text(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as written: formula-like text gets a
    leading single quote (``=1+1`` becomes ``'=1+1``); any other text is unchanged."""
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def _typed_rows(session: Session, *, cycle_id: str) -> list[dict[str, Any]]:
    """Every employee's result, ordered by NIP; amounts as Decimals rounded for display.

    Plain rows of the exported columns, not result objects: a large cycle's export holds
    each result once, as the values it writes."""
    columns = [getattr(Result, c) for c in EXPORT_COLUMNS if c != "name"]
    out = []
    for record in session.execute(
        select(*columns, Employee.name)
        .join(Employee, Employee.nip == Result.nip)
        .where(Result.cycle_id == cycle_id)
        .order_by(Result.nip)
    ).mappings():
        row = dict(record)
        for column, quantum in _QUANTA.items():
            if isinstance(row[column], Decimal):
                row[column] = row[column].quantize(quantum)
        out.append({c: row[c] for c in EXPORT_COLUMNS})
    return out


def result_rows(session: Session, *, cycle_id: str) -> list[dict[str, Any]]:
    """Every employee's result, ordered by NIP, as plain values (amounts as text)."""
    rows = _typed_rows(session, cycle_id=cycle_id)
    for row in rows:
        for column in _QUANTA:
            if isinstance(row[column], Decimal):
                row[column] = str(row[column])
    return rows


def export_results(session: Session, *, cycle_id: str, fmt: str) -> str:
    """The results of a cycle as CSV or JSON text (xlsx: see :func:`export_results_xlsx`)."""
    out = io.StringIO()
    write_results(session, cycle_id=cycle_id, fmt=fmt, out=out)
    return out.getvalue()


def write_results(session: Session, *, cycle_id: str, fmt: str, out: TextIO) -> None:
    """Write the results of a cycle as CSV or JSON to ``out``, row by row."""
    rows = result_rows(session, cycle_id=cycle_id)
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1, default=str)
        out.write("\n")
        return
    if fmt == "csv":
        line = io.StringIO()
        # With "\r\n" as its line end the writer quotes a cell holding a carriage return
        # (with "\n" alone it leaves it bare, and a spreadsheet starts a new row there, after
        # the neutralising quote); each line is then ended with "\n" alone, as always.
        writer = csv.writer(line, lineterminator="\r\n")
        body = ([_csv_cell(c, row[c]) for c in EXPORT_COLUMNS] for row in rows)
        for cells in (EXPORT_COLUMNS, *body):
            line.seek(0)
            line.truncate()
            writer.writerow(cells)
            out.write(line.getvalue()[:-2] + "\n")
        return
    raise ValueError(f"unknown format {fmt!r}: csv, json or xlsx")


def _csv_cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column in NUMERIC_COLUMNS or not isinstance(value, str):
        return value
    return spreadsheet_text(value)


@dataclass
class CutCell:
    """A text longer than an Excel cell holds, cut to :data:`EXCEL_CELL_LIMIT` characters."""

    row: int
    column: str
    nip: str
    length: int

    def __str__(self) -> str:
        return (
            f"row {self.row} ({self.nip[:32]}), column {self.column}: {self.length} characters"
            f" cut to {EXCEL_CELL_LIMIT} / baris {self.row}, kolom {self.column}:"
            f" {self.length} karakter dipotong menjadi {EXCEL_CELL_LIMIT}"
        )


@dataclass
class XlsxExport:
    """What :func:`export_results_xlsx` wrote: the file, its data rows, and any cut cell."""

    path: Path
    rows: int
    cut: list[CutCell] = field(default_factory=list)


XLSX_HEADERS: dict[str, dict[str, str]] = {
    "id": {
        "nip": "NIP",
        "name": "Nama",
        "unit_id": "Kode unit",
        "unit_name": "Unit kerja",
        "rater_nip": "NIP penilai",
        "external_rater": "Penilai di luar instansi",
        "recorded_by": "Dicatat oleh",
        "achievement": "Capaian (%)",
        "score": "Skor",
        "proposed_hasil_kerja": "Usulan rating hasil kerja",
        "hasil_kerja": "Rating hasil kerja",
        "perilaku": "Rating perilaku",
        "predikat": "Predikat",
        "training_jp": "Pelatihan (JP)",
        "incentive": "Tunjangan kinerja (Rp)",
        "credit_points": "Angka kredit",
        "rule_version": "Versi aturan",
    },
    "en": {
        "nip": "NIP",
        "name": "Name",
        "unit_id": "Unit code",
        "unit_name": "Unit",
        "rater_nip": "Rater NIP",
        "external_rater": "Rater outside the agency",
        "recorded_by": "Recorded by",
        "achievement": "Achievement (%)",
        "score": "Score",
        "proposed_hasil_kerja": "Proposed result rating",
        "hasil_kerja": "Result rating",
        "perilaku": "Behaviour rating",
        "predikat": "Predikat",
        "training_jp": "Training (JP)",
        "incentive": "Incentive (IDR)",
        "credit_points": "Credit points",
        "rule_version": "Rule version",
    },
}
"""The workbook's header row in the cycle's language (``lang`` of cycle.yaml)."""

XLSX_COLUMNS = (*EXPORT_COLUMNS[:3], "unit_name", *EXPORT_COLUMNS[3:])
"""The workbook's columns: the CSV's, with the unit's name beside its code."""

_XLSX_FORMATS = {
    "achievement": "#,##0.00",
    "score": "#,##0.00",
    "training_jp": "#,##0.0",
    "incentive": "#,##0",
    "credit_points": "#,##0.00",
}
"""Number formats: Excel shows the separators of the reader's own locale."""


def export_results_xlsx(session: Session, *, cycle_id: str, path: Path) -> XlsxExport:
    """Write the results of a cycle as an .xlsx workbook (sheet ``results``).

    The header row is in the cycle's language and frozen; each unit's name stands beside
    its code; columns are as wide as their content (within bounds). Text cells are string
    cells, never formulas; formula-like text carries Excel's quote-prefix style. Numbers
    are numeric cells with a number format. A text over Excel's cell limit is cut and
    listed in the returned :class:`XlsxExport`.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cycle = session.get(Cycle, cycle_id)
    lang = str((cycle.config or {}).get("lang", "id")) if cycle is not None else "id"
    headers = XLSX_HEADERS.get(lang, XLSX_HEADERS["id"])
    units = dict(session.execute(select(Unit.unit_id, Unit.name)).all())
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    ws.freeze_panes = "A2"
    rows = _typed_rows(session, cycle_id=cycle_id)
    widths = {c: len(headers[c]) for c in XLSX_COLUMNS}
    for row in rows:
        row["unit_name"] = units.get(row["unit_id"])
        for column in XLSX_COLUMNS:
            widths[column] = max(widths[column], len(str(row[column] or "")) + 2)
    for index, column in enumerate(XLSX_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(max(widths[column], 8), 60)
    bold = Font(bold=True)
    header_cells = []
    for column in XLSX_COLUMNS:
        cell = WriteOnlyCell(ws, value=headers[column])
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    done = XlsxExport(path, 0)
    for number, row in enumerate(rows, start=2):
        cells: list[Any] = []
        for column in XLSX_COLUMNS:
            value = row[column]
            if column in NUMERIC_COLUMNS or not isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value)
                if column in _XLSX_FORMATS and value is not None:
                    cell.number_format = _XLSX_FORMATS[column]
                cells.append(cell)
                continue
            if len(value) > EXCEL_CELL_LIMIT:
                done.cut.append(CutCell(number, column, str(row["nip"]), len(value)))
                value = value[:EXCEL_CELL_LIMIT]
            cell = WriteOnlyCell(ws, value=value)
            # openpyxl takes any text starting with "=" for a formula: say it is a string.
            cell.data_type = "s"
            if value.startswith(FORMULA_LEADS):
                cell.quotePrefix = True
            cells.append(cell)
        ws.append(cells)
        done.rows += 1
    wb.save(path)
    return done


def exports_dir(cycle_id: str) -> Path:
    """Where the publish stage writes a cycle's results files: KINERJA_HOME/exports/CYCLE."""
    import os

    return Path(os.environ.get("KINERJA_HOME", DEFAULT_HOME)) / "exports" / cycle_id


def rewrite_exports_after_commit(session: Session, *, cycle_id: str) -> None:
    """Once ``session`` commits, write the cycle's results files again (an upheld appeal
    changed a result after publication), if the publish stage wrote them here. Written from
    a new session after the commit, so the files never show a change that was rolled back.
    """
    from sqlalchemy import event

    directory = exports_dir(cycle_id)
    if not (directory / "results.json").exists():
        return
    bind = session.get_bind()

    def write(_: Session) -> None:
        with Session(bind) as fresh:
            write_exports(fresh, cycle_id=cycle_id, directory=directory)

    event.listen(session, "after_commit", write, once=True)


def write_exports(session: Session, *, cycle_id: str, directory: Path) -> list[Path]:
    """Write results.csv and results.json for a cycle into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in ("csv", "json"):
        path = directory / f"results.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as out:
            write_results(session, cycle_id=cycle_id, fmt=fmt, out=out)
        paths.append(path)
    return paths
