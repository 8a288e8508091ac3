"""What an import reports: bad rows (:class:`RowError`), refusal and success.

An import is all-or-nothing: every bad row is collected first, then the import either
raises :class:`ImportRejected` listing them, or writes and returns an :class:`ImportReport`.
Messages carry English and Bahasa Indonesia side by side ("english / indonesia").
"""

from __future__ import annotations

from dataclasses import dataclass, field

SHOWN_IN_MESSAGE = 50
"""How many errors the exception's message lists before "... and N more"."""

MAX_KEPT = 10_000
"""Errors kept in memory; beyond this only the count grows (a wholly wrong file of 400,000
rows would otherwise hold 400,000 objects to say the same thing)."""


def bilingual(en: str, id_: str) -> str:
    """One user message in both languages, English first."""
    return f"{en} / {id_}"


@dataclass(frozen=True)
class RowError:
    """One problem in a file: ``row`` is the 1-based row (header = 1), ``None`` for the file."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f"{',' if self.row is not None else ''} column {self.column}"
        return f"{where}: {self.message}"


class ImportRejected(ValueError):
    """A file (or a set of files) was refused; nothing was written.

    ``errors`` holds the problems in file and row order (at most :data:`MAX_KEPT`);
    ``total`` counts all of them.
    """

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.errors = errors
        self.total = len(errors) if total is None else total
        super().__init__(self._message())

    def _message(self) -> str:
        head = bilingual(
            f"import refused, {self.total} problem(s), nothing was written",
            f"impor ditolak, {self.total} masalah, tidak ada yang disimpan",
        )
        lines = [head] + [f"  {e}" for e in self.errors[:SHOWN_IN_MESSAGE]]
        rest = self.total - min(len(self.errors), SHOWN_IN_MESSAGE)
        if rest > 0:
            lines.append(f"  ... {bilingual(f'and {rest} more', f'dan {rest} lainnya')}")
        return "\n".join(lines)


@dataclass
class ImportReport:
    """What one file did: rows read, rows inserted, existing rows updated (same values count)."""

    kind: str
    file: str
    inserted: int
    updated: int
    rows: int


@dataclass
class Problems:
    """Collects errors across the files of one import; :meth:`raise_if_any` ends validation."""

    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, file: str, row: int | None, column: str | None, en: str, id_: str) -> None:
        self.total += 1
        if len(self.errors) < MAX_KEPT:
            self.errors.append(RowError(file, row, column, bilingual(en, id_)))

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if not self.total:
            return
        # Cross-row checks run after the rows, so sort to give the reader file and row order.
        files: dict[str, int] = {}
        for e in self.errors:
            files.setdefault(e.file, len(files))
        ordered = sorted(self.errors, key=lambda e: (files[e.file], e.row or 0))
        raise ImportRejected(ordered, self.total)
