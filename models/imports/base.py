"""The shape every importer shares: check the header, scan the rows, then write in batches.

An importer reads its file twice. The first pass validates every row and keeps only what
cross-row checks need (ids seen, references to resolve at the end); the second pass,
taken only when the first found nothing wrong, converts the rows again (or reads back those
the first pass kept, :mod:`.kept`) and upserts them in batches. Two passes keep memory flat:
no file is ever held whole.

Optional columns that a file leaves out are not written: existing rows keep their stored
value and new rows take the table's default. (``direction`` travels with ``target`` and is
always written, "higher" when left out.)

Before a row's own checks, each of its cells is checked the same way for every kind of
file (:meth:`FileImporter.cells_ok`): no longer than its table column (``String(N)``), so
that SQLite and PostgreSQL refuse the same rows, with a row error, before anything is
written; no identifier in a spreadsheet's scientific notation (``1.98505E+17``); and every
NIP of the form the policy pack gives (:class:`~kinerja.models.imports.values.IdFormat`),
unless it names an employee already in the database (who entered under the format then in
force). A row with a bad cell still has its other cells checked, but not its references
(those need every cell sound).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, String, Table, func, select
from sqlalchemy.orm import Session

from kinerja.models.imports.errors import ImportRejected, ImportReport, Problems
from kinerja.models.imports.kept import KeptRows
from kinerja.models.imports.keys import KeyRows
from kinerja.models.imports.reader import NOT_UTF8, RawTable, open_raw
from kinerja.models.imports.values import Bad, IdFormat, refuse_scientific
from kinerja.models.store.bulk import upsert
from kinerja.models.store.tables import Cycle, Employee

BATCH_ROWS = 5000
"""Rows per executemany call: large enough that round trips vanish, small enough to stay
well under PostgreSQL's 65,535 bind parameters per statement page."""


class FileImporter:
    """One file of one kind; subclasses say the columns and the checks.

    Subclasses set ``kind`` (also the sheet name), ``table``, ``keys``, ``required`` and
    ``optional``, and implement :meth:`convert`; they may extend :meth:`load` (reference
    sets, one query each), :meth:`observe` (cross-row state) and :meth:`finish`.
    """

    kind: ClassVar[str]
    table: ClassVar[Table]
    keys: ClassVar[tuple[str, ...]]
    required: ClassVar[tuple[str, ...]]
    optional: ClassVar[tuple[str, ...]] = ()
    unique: ClassVar[tuple[str, ...]]
    """The file columns that identify a row; a second row with the same values is refused."""
    identifiers: ClassVar[tuple[str, ...]] = ()
    """Columns holding identifiers (codes, ids, NIPs): never in scientific notation."""
    nip_columns: ClassVar[tuple[str, ...]] = ()
    """Columns naming an employee by NIP, checked against ``nip_format``."""
    stored_as: ClassVar[dict[str, str]] = {}
    """File columns stored under another table column name (whose length applies)."""
    keeps_rows: ClassVar[bool] = False
    """The first pass keeps the rows it converted for the second (:mod:`.kept`): only for a
    kind whose :meth:`convert` gives the same row in both passes."""

    def __init__(
        self, path: str | Path, *, sheet: str | None = None, nip_format: IdFormat | None = None
    ) -> None:
        self.path = Path(path)
        self.sheet = sheet
        self.label = self.path.name
        self.nip_format = nip_format or IdFormat()
        self.columns: set[str] = set()
        self.problems = Problems()
        self.readable = False  # set once the header has been read and accepted
        self.rows_of = KeyRows()  # key -> first row; a str for one-column keys
        self.employees: Container[str] | None = None
        """NIPs of the employees in the database; :meth:`load` may set it from what it reads
        anyway, else it is read when a NIP is checked against a format."""
        self._row = 0  # the row being checked, and its cells: quoted in its errors
        self._cells: dict[str, str] = {}
        self._flagged: set[str] = set()  # its columns already reported: said once
        self._limits: dict[str, int] = {}
        self._kept: KeptRows | None = None

    # --- what subclasses provide ------------------------------------------------------------

    def column_name(self, header: str) -> str | None:
        """The canonical column a header cell names, or None if the column is unknown."""
        wanted = header.lower()
        for name in (*self.required, *self.optional):
            if name.lower() == wanted:
                return name
        return None

    def key_of(self, cells: dict[str, str]) -> Any:
        """The row's identity (see ``unique``), or None when part of it is missing."""
        values = tuple(cells.get(c, "") for c in self.unique)
        if not all(values):
            return None
        return values[0] if len(values) == 1 else values

    def load(self, session: Session) -> None:
        """Read the reference sets the checks need (one query each)."""

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        """The database row for one file row, or None after reporting what is wrong."""
        raise NotImplementedError

    def observe(self, row: int, record: dict[str, Any]) -> None:
        """Cross-row checks and state, first pass only (duplicates, references)."""

    def skipped(self, row: int, cells: dict[str, str]) -> None:
        """A row was refused (a bad cell, a duplicate or its own checks), first pass only:
        cross-row checks that would count it (sums) may leave its neighbours alone."""

    def finish(self) -> None:
        """Checks that need the whole file (forward references, loops, sums)."""

    def scope(self) -> list[ColumnElement[bool]]:
        """Filter of the rows this kind of file can touch, to count inserts."""
        return []

    # --- helpers for subclasses -------------------------------------------------------------

    def bad(self, row: int | None, column: str | None, en: str, id_: str) -> None:
        value = ""
        if column and row == self._row:
            if column in self._flagged:
                return  # this cell's problem is already said
            value = self._cells.get(column, "")
        self.problems.add(self.label, row, column, en, id_, value)

    def wrong(self, row: int, column: str, exc: Bad) -> None:
        self.bad(row, column, exc.en, exc.id_)

    def need(self, row: int, cells: dict[str, str], column: str) -> str | None:
        """A required value, or None after reporting that it is missing."""
        value = cells.get(column, "")
        if not value:
            self.bad(row, column, "a value is required", "nilai wajib diisi")
            return None
        return value

    def maybe(
        self, row: int, cells: dict[str, str], column: str, parse: Callable[[str], Any]
    ) -> tuple[Any, bool]:
        """An optional value parsed (None when empty), and whether it was good; a bad one
        is reported."""
        text = cells.get(column, "")
        try:
            return (parse(text) if text else None), True
        except Bad as exc:
            self.wrong(row, column, exc)
            return None, False

    def check_cycle(self, session: Session, cycle_id: str) -> bool:
        if session.get(Cycle, cycle_id) is None:
            self.bad(
                None,
                None,
                f"cycle '{cycle_id}' does not exist; start the cycle first",
                f"siklus '{cycle_id}' tidak ada; mulai siklus terlebih dahulu",
            )
            return False
        return True

    # --- the two passes ---------------------------------------------------------------------

    def _header(self, header: list[str]) -> list[str | None] | None:
        names: list[str | None] = []
        seen: set[str] = set()
        ok = True
        for index, text in enumerate(header, start=1):
            if not text:
                self.bad(1, None, f"column {index} has no name", f"kolom {index} tidak bernama")
                ok = False
                names.append(None)
                continue
            name = self.column_name(text)
            if name is None:
                known = ", ".join((*self.required, *self.optional))
                self.bad(
                    1,
                    text,
                    f"unknown column (expected: {known})",
                    f"kolom tidak dikenal (seharusnya: {known})",
                )
                ok = False
            elif name in seen:
                self.bad(1, text, "column appears twice", "kolom muncul dua kali")
                ok = False
            else:
                seen.add(name)
            names.append(name)
        for name in self.required:
            if name not in seen:
                self.bad(1, name, "required column is missing", "kolom wajib tidak ada")
                ok = False
        self.columns = seen
        return names if ok else None

    def _rows(self, names: list[str | None], raw: RawTable) -> Iterator[tuple[int, dict[str, str]]]:
        width = len(names)
        every_named = None not in names
        for number, cells in raw.rows:
            if raw.undecodable:
                for line in raw.undecodable:
                    self.bad(line, None, *NOT_UTF8)
                raw.undecodable.clear()
                continue
            if raw.rounded:
                for _, index in raw.rounded:
                    self.bad(
                        number,
                        names[index] if index < width else None,
                        f"the number {cells[index]} is longer than a spreadsheet keeps (15"
                        " digits) and has been rounded: format the column as Text and type it"
                        " again",
                        f"angka {cells[index]} melebihi 15 digit yang disimpan spreadsheet dan"
                        " sudah dibulatkan: format kolom sebagai Teks lalu ketik ulang",
                    )
                raw.rounded.clear()
                continue
            if len(cells) > width and any(cells[width:]):
                self.bad(
                    number,
                    None,
                    f"more values than the {width} columns of the header",
                    f"jumlah nilai melebihi {width} kolom judul",
                )
                continue
            if every_named:
                yield number, dict(zip(names, cells, strict=False))  # type: ignore[arg-type]
            else:
                yield number, {n: c for n, c in zip(names, cells, strict=False) if n is not None}

    # --- the checks every cell gets ---------------------------------------------------------

    def lengths(self) -> dict[str, int]:
        """The longest text each file column may hold: its table column's ``String(N)``."""
        found = {}
        for name in (*self.required, *self.optional):
            column = self.table.c.get(self.stored_as.get(name, name))
            if column is not None and isinstance(column.type, String) and column.type.length:
                found[name] = column.type.length
        return found

    def _format_exempt(self, session: Session | None, nip: str) -> bool:
        """No format to check, or the NIP is an employee's already (see the module doc)."""
        if self.nip_format.pattern is None:
            return True
        if self.employees is None:
            if session is None:
                return False  # the second pass: the first found every NIP it needed
            self.employees = set(session.scalars(select(Employee.nip)))
        return nip in self.employees

    def cells_ok(self, session: Session | None, row: int, cells: dict[str, str]) -> bool:
        """Check every cell's length, identifiers and NIPs; report each bad one."""
        self._row, self._cells, self._flagged = row, cells, set()
        ok = True
        for column, limit in self._limits.items():
            size = len(cells.get(column, ""))
            if size > limit:
                self.bad(
                    row,
                    column,
                    f"too long: {size} characters, at most {limit}",
                    f"terlalu panjang: {size} karakter, paling banyak {limit}",
                )
                self._flagged.add(column)
                ok = False
        for column in self.identifiers:
            text = cells.get(column, "")
            try:
                if text:
                    refuse_scientific(text)
                    if column in self.nip_columns and not self._format_exempt(session, text):
                        self.nip_format.check(text)
            except Bad as exc:
                self.wrong(row, column, exc)
                self._flagged.add(column)
                ok = False
        return ok

    def _duplicate(self, row: int, key: Any) -> None:
        first = self.rows_of[key]
        shown = key if isinstance(key, str) else ", ".join(key)
        named = " and ".join(self.unique)
        self.bad(
            row,
            self.unique[-1],
            f"{named} '{shown}' already appears in row {first}",
            f"{named} '{shown}' sudah ada di baris {first}",
        )

    def _open(self) -> Any:
        return open_raw(self.path, sheet=self.sheet, default_sheet=self.kind)

    def scan(self, session: Session) -> None:
        """First pass: validate everything, collecting problems in ``self.problems``."""
        try:
            with self._open() as raw:
                self.label = raw.label
                names = self._header(raw.header)
                if names is None:
                    return
                self.readable = True
                self._limits = self.lengths()
                self.load(session)
                kept = self._kept = KeptRows(BATCH_ROWS) if self.keeps_rows else None
                for number, cells in self._rows(names, raw):
                    # Duplicates are found on the raw key, so that a repeated id is named
                    # even when its first row has other faults.
                    key = self.key_of(cells)
                    if key is not None:
                        if key in self.rows_of:
                            self._row, self._cells, self._flagged = number, cells, set()
                            self._duplicate(number, key)
                            self.skipped(number, cells)
                            continue
                        self.rows_of[key] = number
                    sound = self.cells_ok(session, number, cells)
                    record = self.convert(number, cells)
                    if record is None or not sound:
                        self.skipped(number, cells)
                    else:
                        self.observe(number, record)
                        if kept is not None and not self.problems:
                            kept.add(record)  # not needed once the file is refused
                self._row, self._cells, self._flagged = 0, {}, set()
                self.finish()
        except ImportRejected as exc:
            for e in exc.all_errors():
                self.problems.add_error(e)
        if self.problems and self._kept is not None:
            self._kept.close()
            self._kept = None

    def write(self, session: Session) -> ImportReport:
        """Second pass: upsert every row in batches (the rows the first pass kept, else the
        file read again); the caller commits."""
        before = self._count(session)
        kept, self._kept = self._kept, None
        written = self._write_kept(session, kept) if kept else self._write_read(session)
        inserted = self._count(session) - before
        return ImportReport(self.kind, self.label, inserted, written - inserted, written)

    def _write_read(self, session: Session) -> int:
        written = 0
        batch: list[dict[str, Any]] = []
        with self._open() as raw:
            names = self._header(raw.header)
            assert names is not None, "the file changed between validation and writing"
            for number, cells in self._rows(names, raw):
                record = self.convert(number, cells) if self.cells_ok(None, number, cells) else None
                if record is None:
                    break
                batch.append(record)
                if len(batch) >= BATCH_ROWS:
                    written += self._upsert(session, batch)
                    batch = []
        # A file edited between the passes must not be half written: the caller rolls back.
        self.problems.raise_if_any()
        if batch:
            written += self._upsert(session, batch)
        return written

    def _write_kept(self, session: Session, kept: KeptRows) -> int:
        try:
            return sum(self._upsert(session, batch) for batch in kept.batches())
        finally:
            kept.close()

    def _count(self, session: Session) -> int:
        query = select(func.count()).select_from(self.table)
        for condition in self.scope():
            query = query.where(condition)
        return int(session.execute(query).scalar_one())

    def _upsert(self, session: Session, batch: list[dict[str, Any]]) -> int:
        return upsert(session, table=self.table, keys=self.keys, rows=batch)


def run(session: Session, importers: list[FileImporter]) -> list[ImportReport]:
    """Validate already-scanned importers together, then write them all, or raise."""
    if any(importer.problems for importer in importers):
        raise ImportRejected.of(*(importer.problems for importer in importers))
    return [importer.write(session) for importer in importers]


def import_one(session: Session, importer: FileImporter) -> ImportReport:
    """Scan one file and write it if nothing is wrong."""
    importer.scan(session)
    return run(session, [importer])[0]
