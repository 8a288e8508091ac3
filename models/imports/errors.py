"""What an import reports: bad rows (:class:`RowError`), refusal and success.

An import is all-or-nothing: every bad row is collected first, then the import either
raises :class:`ImportRejected` listing them, or writes and returns an :class:`ImportReport`.
Messages carry English and Bahasa Indonesia side by side ("english / indonesia").

Every problem is kept, however many: a wholly wrong file of 400,000 rows has 400,000 of
them. Up to :data:`IN_MEMORY` are held in memory; beyond that they are sorted and spilled to
temporary files in runs, and read back merged, in file and row order, so memory stays flat.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, Any

SHOWN_IN_MESSAGE = 50
"""How many errors the exception's message lists before "... and N more"."""

IN_MEMORY = 10_000
"""Errors held in memory before a sorted run of them is spilled to a temporary file."""

MAX_RUNS = 32
"""Spilled runs kept apart before they are merged into one, so that reading them back
never holds more than this many files open."""

VALUE_SHOWN = 80
"""Characters of a cell's value quoted in an error; a longer one is cut and its length said."""


def bilingual(en: str, id_: str) -> str:
    """One user message in both languages, English first."""
    return f"{en} / {id_}"


def shown_value(text: str) -> str:
    """A cell's value as an error quotes it: cut after :data:`VALUE_SHOWN` characters."""
    if len(text) <= VALUE_SHOWN:
        return text
    return f"{text[:VALUE_SHOWN]}... ({len(text)} characters / karakter)"


@dataclass(frozen=True)
class RowError:
    """One problem in a file: ``row`` is the 1-based row (header = 1), ``None`` for the file.

    ``value`` is the offending cell as read (cut, see :func:`shown_value`), or "".
    """

    file: str
    row: int | None
    column: str | None
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f"{',' if self.row is not None else ''} column {self.column}"
        return f"{where}: {self.message}"


_Key = tuple[int, int, int]  # (file in first-seen order, row, arrival): file and row order


class Problems:
    """Every error of one file (or of files read together), kept in flat memory.

    Errors arrive in any order (cross-row checks come after the rows); iterating yields
    them sorted by file (in the order files were first named) and row, stable otherwise.
    """

    def __init__(self) -> None:
        self.total = 0
        self._files: dict[str, int] = {}
        self._pending: list[tuple[_Key, RowError]] = []
        self._runs: list[IO[str]] = []

    def __bool__(self) -> bool:
        return self.total > 0

    def add(
        self, file: str, row: int | None, column: str | None, en: str, id_: str, value: str = ""
    ) -> None:
        self.add_error(RowError(file, row, column, bilingual(en, id_), shown_value(value)))

    def add_error(self, error: RowError) -> None:
        key = (self._files.setdefault(error.file, len(self._files)), error.row or 0, self.total)
        self.total += 1
        self._pending.append((key, error))
        if len(self._pending) >= IN_MEMORY:
            self._spill()

    def _spill(self) -> None:
        self._pending.sort(key=lambda item: item[0])
        self._runs.append(_write_run(self._pending))
        self._pending = []
        if len(self._runs) >= MAX_RUNS:
            merged = _write_run(heapq.merge(*(_read_run(r) for r in self._runs)))
            for run in self._runs:
                run.close()
            self._runs = [merged]

    def _keyed(self) -> Iterator[tuple[_Key, RowError]]:
        pending = sorted(self._pending, key=lambda item: item[0])
        return heapq.merge(*(_read_run(r) for r in self._runs), pending, key=lambda i: i[0])

    def __iter__(self) -> Iterator[RowError]:
        return (error for _, error in self._keyed())

    def raise_if_any(self) -> None:
        if self.total:
            raise ImportRejected.of(self)


def _write_run(items: Iterable[tuple[_Key, RowError]]) -> IO[str]:
    run = tempfile.TemporaryFile("w+", encoding="utf-8")
    for key, e in items:
        run.write(json.dumps([*key, e.file, e.row, e.column, e.message, e.value]) + "\n")
    return run


def _read_run(run: IO[str]) -> Iterator[tuple[_Key, RowError]]:
    # The position is kept here, not in the file object, so that two readings of the same
    # run (the message's head and the full list) may interleave.
    position = 0
    while True:
        run.seek(position)
        line = run.readline()
        if not line:
            return
        position = run.tell()
        fields: list[Any] = json.loads(line)
        yield (fields[0], fields[1], fields[2]), RowError(*fields[3:])


class ImportRejected(ValueError):
    """A file (or a set of files) was refused; nothing was written.

    ``errors`` holds the first problems in file and row order (up to :data:`IN_MEMORY`),
    ``total`` counts all of them, and :meth:`all_errors` yields every one.
    """

    def __init__(
        self,
        errors: list[RowError],
        total: int | None = None,
        *,
        problems: tuple[Problems, ...] = (),
    ) -> None:
        self.errors = errors
        self.total = len(errors) if total is None else total
        self._problems = problems
        super().__init__(self._message())

    @classmethod
    def of(cls, *problems: Problems) -> ImportRejected:
        """The refusal listing every error of ``problems``, one file's after another's."""
        every = chain.from_iterable(problems)
        head = list(islice(every, IN_MEMORY))
        return cls(head, sum(p.total for p in problems), problems=problems)

    def all_errors(self) -> Iterator[RowError]:
        """Every problem, in file and row order (read back from disk when there are many)."""
        if self._problems:
            return chain.from_iterable(self._problems)
        return iter(self.errors)

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
