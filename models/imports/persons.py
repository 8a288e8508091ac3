"""Files whose rows belong to known employees, named by ``nip``: what they share.

The NIP must be an employee's (its form is checked first, see ``base``); a code must be one
the policy pack lists, matched regardless of case and returned in the pack's spelling; a
whole number must lie within its bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.imports.base import FileImporter
from kinerja.models.imports.values import Bad, IdFormat, choose, parse_integer
from kinerja.models.store.tables import Employee


class PersonImporter(FileImporter):
    """A file whose rows belong to known employees (``nip``)."""

    identifiers = ("nip",)
    nip_columns = ("nip",)

    def __init__(self, path: str | Path, *, nip_format: IdFormat | None = None) -> None:
        super().__init__(path, nip_format=nip_format)
        self.nips: set[str] = set()

    def load(self, session: Session) -> None:
        self.nips = set(session.scalars(select(Employee.nip)))
        self.employees = self.nips

    def observe(self, row: int, record: dict[str, Any]) -> None:
        nip = record["nip"]
        if nip not in self.nips:
            self.bad(row, "nip", f"unknown employee '{nip}'", f"pegawai '{nip}' tidak dikenal")

    def pick(
        self, row: int, cells: dict[str, str], column: str, allowed: set[str], what: tuple[str, str]
    ) -> str | None:
        """A required code from ``allowed``, or None after reporting it."""
        text = self.need(row, cells, column)
        if text is None:
            return None
        try:
            return choose(text, allowed, what)
        except Bad as exc:
            self.wrong(row, column, exc)
            return None

    def whole(
        self, row: int, cells: dict[str, str], column: str, low: int, high: int | None
    ) -> int | None:
        """A required whole number within ``low``..``high``, or None after reporting it."""
        text = self.need(row, cells, column)
        if text is None:
            return None
        try:
            value = parse_integer(text)
        except Bad as exc:
            self.wrong(row, column, exc)
            return None
        if value < low or (high is not None and value > high):
            span = f"{low} to {high}" if high is not None else f"{low} or more"
            span_id = f"{low} sampai {high}" if high is not None else f"{low} atau lebih"
            self.bad(
                row,
                column,
                f"{value} is out of range ({span})",
                f"{value} di luar batas ({span_id})",
            )
            return None
        return value
