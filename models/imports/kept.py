"""Rows the first pass of an import converted, kept on disk for the second pass.

An importer whose rows convert the same way in both passes (nothing its first pass finds
later changes a row) may keep what that pass converted: the second pass then writes it
without reading, checking and converting the file again, which is half the parsing of a
large file. The rows are pickled in batches to an anonymous temporary file, so memory stays
flat however long the file, and what is written is exactly what was checked.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import Any


class KeptRows:
    """Converted rows in file order, written to disk ``batch`` at a time."""

    def __init__(self, batch: int) -> None:
        self._file = tempfile.TemporaryFile()
        self._pending: list[dict[str, Any]] = []
        self._batch = batch

    def add(self, record: dict[str, Any]) -> None:
        self._pending.append(record)
        if len(self._pending) >= self._batch:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            pickle.dump(self._pending, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._pending = []

    def batches(self) -> Iterator[list[dict[str, Any]]]:
        """Every kept row again, in the order added, a batch at a time."""
        self._flush()
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()
