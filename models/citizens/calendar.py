"""The public holiday calendar (hari libur nasional and cuti bersama): days that are not
working days, so that service levels, reminders and escalations skip them.

holidays.csv: ``day, name`` (``day`` as YYYY-MM-DD), imported all-or-nothing like every file
(``kinerja complaints holidays FILE``); a day imported again takes the new name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.imports.base import FileImporter, import_one
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.values import Bad, parse_date
from kinerja.models.store.tables import Holiday


def holidays(session: Session) -> set[date]:
    """Every public holiday on record."""
    return set(session.scalars(select(Holiday.day)))


class HolidayImporter(FileImporter):
    """holidays.csv: day, name."""

    kind = "holidays"
    table = Holiday.__table__
    keys = ("day",)
    required = ("day", "name")
    unique = ("day",)

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        text = self.need(row, cells, "day")
        name = self.need(row, cells, "name")
        if text is None or name is None:
            return None
        try:
            return {"day": parse_date(text), "name": name}
        except Bad as exc:
            self.wrong(row, "day", exc)
            return None


def import_holidays(session: Session, *, path: str | Path) -> ImportReport:
    """Import holidays.csv; refused whole, every bad row named, when any row is wrong."""
    return import_one(session, HolidayImporter(path))
