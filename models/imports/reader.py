"""Reading the files people bring: CSV (comma or semicolon, with or without BOM) or .xlsx.

Rows are streamed, never loaded whole, so a file of 400,000 rows reads in flat memory.
Every cell comes out as a string exactly as a person would read it: a numeric .xlsx cell
holding 1990010120 reads "1990010120", never "1990010120.0", because identifiers such as
``nip`` must keep their spelling.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from kinerja.models.imports.errors import ImportRejected, RowError, bilingual

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})

# Spreadsheet exports of long text columns can exceed csv's default 128 KiB field limit.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class RawTable:
    """An open table: ``label`` names it in messages, ``header`` is row 1 as written.

    ``rows`` yields ``(row_number, cells)`` for every non-blank row after the header; a row
    may have fewer or more cells than the header.
    """

    label: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    rounded: list[tuple[int, int]] = field(default_factory=list)
    """(row, column index) of numeric cells too long for a spreadsheet number, filled as
    ``rows`` is read: a spreadsheet keeps 15 significant digits, so an 18-digit NIP typed as a
    number has already lost its last digits."""
    undecodable: list[int] = field(default_factory=list)
    """Lines of a CSV file that are not UTF-8, filled as ``rows`` is read: each such line is
    read with its wrong bytes replaced, so that every later line is still checked."""


def render_cell(value: Any) -> str:
    """A cell value as text, the way it reads in the sheet (integers without ".0")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _refuse(label: str, row: int | None, en: str, id_: str) -> ImportRejected:
    return ImportRejected([RowError(label, row, None, bilingual(en, id_))])


def _strip_blank(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    # Row 1 is the header; blank rows (often trailing in spreadsheets) are skipped but counted.
    for number, cells in enumerate(rows, start=2):
        if any(cells):
            yield number, cells


NOT_UTF8 = (
    "the file is not UTF-8 text; save it as 'CSV UTF-8'",
    "berkas bukan teks UTF-8; simpan sebagai 'CSV UTF-8'",
)


def _text_lines(handle: Any, undecodable: list[int]) -> Iterator[str]:
    # Decoded line by line (not by the buffered text layer) so that a wrong byte is
    # reported on its own line rather than on the first line of its 8 KiB block.
    for number, raw in enumerate(handle, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            undecodable.append(number)
            line = raw.decode("utf-8", errors="replace")
        # Excel writes a byte-order mark in front of "CSV UTF-8" files.
        yield line.removeprefix("\ufeff") if number == 1 else line


def _csv_rows(lines: Iterator[str], label: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for cells in reader:
            yield [c.strip() for c in cells]
    except csv.Error as exc:
        raise _refuse(
            label,
            reader.line_num + 1,
            f"the CSV cannot be read ({exc})",
            f"CSV tidak dapat dibaca ({exc})",
        ) from exc


@contextmanager
def _open_csv(path: Path) -> Iterator[RawTable]:
    label = path.name
    undecodable: list[int] = []
    with path.open("rb") as handle:
        lines = _text_lines(handle, undecodable)
        first = next(lines, "")
        if undecodable:
            raise _refuse(label, 1, *NOT_UTF8)
        if not first.strip():
            raise _refuse(
                label, 1, "the file has no header row", "berkas tidak memiliki baris judul"
            )
        # Column names never contain these characters, so the header alone decides:
        # Excel in an Indonesian locale writes semicolons, elsewhere commas.
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = [c.strip() for c in next(csv.reader([first], delimiter=delimiter))]
        rows = _strip_blank(_csv_rows(lines, label, delimiter))
        yield RawTable(label, header, rows, undecodable=undecodable)


def _pick_sheet(workbook: Any, path: Path, sheet: str | None, default: str | None) -> Any:
    wanted = sheet or default or path.stem
    for name in workbook.sheetnames:
        if name.strip().lower() == wanted.lower():
            return workbook[name]
    # A workbook of one sheet ("Sheet1") holds the table whatever the sheet is called.
    if sheet is None and len(workbook.sheetnames) == 1:
        return workbook[workbook.sheetnames[0]]
    names = ", ".join(workbook.sheetnames)
    raise _refuse(
        path.name,
        None,
        f"no sheet named '{wanted}' (sheets: {names})",
        f"tidak ada sheet bernama '{wanted}' (sheet: {names})",
    )


def _xlsx_rows(
    values: Iterator[tuple[Any, ...]], rounded: list[tuple[int, int]]
) -> Iterator[list[str]]:
    for number, cells in enumerate(values, start=2):
        for index, value in enumerate(cells):
            if isinstance(value, float) and value.is_integer() and abs(value) >= 1e15:
                rounded.append((number, index))
        yield [render_cell(v) for v in cells]


@contextmanager
def _open_xlsx(path: Path, sheet: str | None, default: str | None) -> Iterator[RawTable]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors for bad files
        raise _refuse(
            path.name,
            None,
            f"not a readable .xlsx workbook ({type(exc).__name__})",
            f"bukan workbook .xlsx yang dapat dibaca ({type(exc).__name__})",
        ) from exc
    try:
        ws = _pick_sheet(workbook, path, sheet, default)
        label = f"{path.name}[{ws.title}]"
        values = ws.iter_rows(values_only=True)
        first = next(values, None)
        header = [render_cell(v) for v in first or ()]
        while header and not header[-1]:
            header.pop()  # read-only sheets often report empty trailing header cells
        if not header:
            raise _refuse(label, 1, "the sheet has no header row", "sheet tidak memiliki judul")
        table = RawTable(label, header, iter(()))
        table.rows = _strip_blank(_xlsx_rows(values, table.rounded))
        yield table
    finally:
        workbook.close()


@contextmanager
def open_raw(
    path: str | Path, *, sheet: str | None = None, default_sheet: str | None = None
) -> Iterator[RawTable]:
    """Open a CSV file or one sheet of a workbook; raises :class:`ImportRejected` if unreadable.

    For a workbook the sheet is ``sheet``; when that is None, the one named ``default_sheet``
    (else like the file's stem), else the only sheet there is.
    """
    path = Path(path)
    if not path.is_file():
        raise _refuse(path.name, None, f"file not found: {path}", f"berkas tidak ada: {path}")
    if path.suffix.lower() in XLSX_SUFFIXES:
        with _open_xlsx(path, sheet, default_sheet) as table:
            yield table
    else:
        with _open_csv(path) as table:
            yield table


def read_table(
    path: str | Path, *, sheet: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Stream ``(row_number, {column: text})`` from a CSV file or a workbook sheet.

    Row numbers are those of the file (header = row 1) so they can be quoted to users;
    blank rows are skipped. Cells missing at the end of a row read as ``""``; non-empty
    cells beyond the header come under the key ``""`` (joined by a comma) so that a
    caller can refuse them. Raises :class:`ImportRejected` for an unreadable file, and at
    the first line that is not UTF-8.

    >>> for number, row in read_table("employees.csv"):  # doctest: +SKIP
    ...     print(number, row["nip"])
    """
    with open_raw(path, sheet=sheet) as table:
        width = len(table.header)
        for number, cells in table.rows:
            if table.undecodable:
                raise _refuse(table.label, table.undecodable[0], *NOT_UTF8)
            row = dict(zip(table.header, cells, strict=False))
            for name in table.header[len(cells) :]:
                row[name] = ""
            extra = [c for c in cells[width:] if c]
            if extra:
                row[""] = ",".join(extra)
            yield number, row
