"""How every import command reports a refused file: the first problems on the terminal, every
problem in a CSV file it names.

The list is written next to what was imported (``targets.csv`` gives ``targets.errors.csv``;
an organisation directory gives ``import.errors.csv`` inside it), or, when that place
cannot be written, under ``KINERJA_HOME/import-errors/``. Its columns are file, row,
column, value, problem; text that a spreadsheet could take for a formula is neutralised as
in the results exports, since the values come from the refused file.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kinerja.cli.common import fail, run_guarded

if TYPE_CHECKING:
    from kinerja.models.imports.errors import ImportRejected, RowError

T = TypeVar("T")

LIST_COLUMNS = ("file", "row", "column", "value", "problem")


def error_list_paths(source: Path) -> list[Path]:
    """Where the full list of a refused import goes, in order of preference."""
    from kinerja.models.store.db import DEFAULT_HOME

    name = "import.errors.csv" if source.is_dir() else f"{source.stem}.errors.csv"
    source = source.absolute()
    beside = source / name if source.is_dir() else source.with_name(name)
    home = Path(os.environ.get("KINERJA_HOME", DEFAULT_HOME)) / "import-errors" / name
    return [beside, home]


def write_error_list(errors: Iterable[RowError], path: Path) -> int:
    """Write every error (file, row, column, value, problem) as CSV; returns how many."""
    from kinerja.models.results.exports import spreadsheet_text

    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    # utf-8-sig: the byte-order mark makes Excel read the file as UTF-8. Lines end in "\r\n"
    # so that a value holding a carriage return is quoted, not split across rows.
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(LIST_COLUMNS)
        for e in errors:
            cells = (e.file, e.row, e.column, e.value, e.message)
            writer.writerow(["" if c is None else spreadsheet_text(str(c)) for c in cells])
            count += 1
    return count


def run_import(action: Callable[[], T], *, source: Path) -> T:
    """Run an import as :func:`run_guarded` does; a refused file prints its first problems,
    writes the full list, names it and exits with code 2 (the database is unchanged)."""
    from kinerja.models.imports.errors import ImportRejected

    def attempt() -> tuple[T | None, ImportRejected | None]:
        try:
            return action(), None
        except ImportRejected as exc:
            return None, exc

    result, refused = run_guarded(attempt)
    if refused is None:
        return result  # type: ignore[return-value]
    fail(f"{refused}\n{_write_list(refused, source)}", 2)


def _write_list(refused: ImportRejected, source: Path) -> str:
    for path in error_list_paths(source):
        try:
            count = write_error_list(refused.all_errors(), path)
        except OSError:
            continue  # not writable here: try the next place
        return (
            f"the full list of {count} problem(s): {path} / daftar lengkap {count} masalah: {path}"
        )
    return "the full list could not be written / daftar lengkap tidak dapat ditulis"
