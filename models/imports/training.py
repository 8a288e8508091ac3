"""The organisation's training.csv: nip, course, jp, completed_on.

Training completed, any year, credited to the JP ledger (jam pelajaran, 1 JP = 45 minutes)
of the year of ``completed_on`` (see models/stages/training_ledger.py). Not a cycle's file:
it is imported whenever training ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from kinerja.models.imports.base import import_one
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.persons import PersonImporter
from kinerja.models.imports.values import Bad, IdFormat, parse_date, parse_number
from kinerja.models.store.tables import JpLedgerEntry


def completion_key(nip: str, course: str, completed_on: Any) -> str:
    """The JP ledger key of a completed training: importing it again changes nothing."""
    return f"completed:{nip}:{course}:{completed_on}"


class TrainingCompletionImporter(PersonImporter):
    """training.csv: nip, course, jp, completed_on (organisation level, not per cycle)."""

    kind = "training"
    table = JpLedgerEntry.__table__
    keys = ("key",)
    required = ("nip", "course", "jp", "completed_on")
    unique = ("nip", "course", "completed_on")
    stored_as = {"course": "source"}

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        nip = self.need(row, cells, "nip")
        course = self.need(row, cells, "course")
        ok = nip is not None and course is not None
        jp = None
        if text := self.need(row, cells, "jp"):
            try:
                jp = parse_number(text)
            except Bad as exc:
                self.wrong(row, "jp", exc)
            else:
                if jp <= 0:
                    self.bad(
                        row, "jp", f"JP must be above 0, not {text}", f"JP harus > 0, bukan {text}"
                    )
                    jp = None
        done = None
        if text := self.need(row, cells, "completed_on"):
            try:
                done = parse_date(text)
            except Bad as exc:
                self.wrong(row, "completed_on", exc)
        if not ok or jp is None or done is None:
            return None
        assert nip is not None and course is not None
        return {
            "key": completion_key(nip, course, done),
            "nip": nip,
            "year": done.year,
            "source": course,
            "jp": jp,
            "status": "completed",
            "completed_on": done,
        }

    def scope(self) -> list[ColumnElement[bool]]:
        return [self.table.c.status == "completed"]


def import_training_completions(
    session: Session, *, path: str | Path, nip_format: IdFormat | None = None
) -> ImportReport:
    """Import training.csv into the JP ledger (status completed); the caller marks the
    matching planned assignments (see
    :func:`kinerja.models.stages.training_ledger.record_completions`)."""
    return import_one(session, TrainingCompletionImporter(path, nip_format=nip_format))
