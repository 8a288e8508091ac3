"""Import of complaints exported from SP4N-LAPOR!, the national channel (DOMAIN.md A5b).

lapor.csv: ``lapor_id, unit_id, category, text, received_at, [contact]``. ``lapor_id`` is
LAPOR!'s own tracking id and stays the complaint's ``external_id``, so the agency answers
there under the same id; ``received_at`` (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``) starts the
service level. The whole file is refused, every bad row named, when any row is wrong (an
unknown unit or category, a date that is not one, a repeated id). A complaint already
imported is left as it is: importing the same export twice files nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.citizens.complaints import complaint_rules, file_complaint
from kinerja.models.cycles.cycle import CycleError, get_cycle
from kinerja.models.imports.base import FileImporter, import_one
from kinerja.models.imports.errors import ImportReport
from kinerja.models.schemas.citizens import ComplaintFiling
from kinerja.models.store.tables import Complaint, Unit

SOURCE = "lapor"


def _moment(text: str) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(text)


class LaporImporter(FileImporter):
    """lapor.csv, validated whole, then each new complaint filed with its officer's task."""

    kind = "lapor"
    table = Complaint.__table__
    keys = ("source", "external_id")
    required = ("lapor_id", "unit_id", "category", "text", "received_at")
    optional = ("contact",)
    unique = ("lapor_id",)
    identifiers = ("lapor_id", "unit_id")
    stored_as = {"lapor_id": "external_id"}

    def __init__(self, path: str | Path, *, now: datetime) -> None:
        super().__init__(path)
        self.now = now
        self.units: set[str] = set()
        self.categories: set[str] = set()

    def load(self, session: Session) -> None:
        self.units = set(session.scalars(select(Unit.unit_id).where(Unit.is_service_unit)))
        try:
            rules = complaint_rules(get_cycle(session, None))
            self.categories = {c.code for c in rules.categories}
        except (CycleError, ValueError) as exc:
            self.bad(None, None, str(exc), str(exc))

    def scope(self) -> list[Any]:
        return [Complaint.source == SOURCE]

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        values = {c: self.need(row, cells, c) for c in self.required}
        if any(v is None for v in values.values()):
            return None
        try:
            received = _moment(values["received_at"] or "")
        except ValueError:
            self.bad(
                row,
                "received_at",
                "expected YYYY-MM-DD or YYYY-MM-DD HH:MM",
                "harus YYYY-MM-DD atau YYYY-MM-DD HH:MM",
            )
            return None
        try:
            filing = ComplaintFiling(
                category=values["category"],
                text=values["text"],
                contact=cells.get("contact") or None,
            )
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else "text"
                self.bad(row, column, error["msg"], error["msg"])
            return None
        return {
            "external_id": values["lapor_id"],
            "unit_id": values["unit_id"],
            "filing": filing,
            "received_at": received,
        }

    def observe(self, row: int, record: dict[str, Any]) -> None:
        if record["unit_id"] not in self.units:
            unit = record["unit_id"]
            self.bad(
                row,
                "unit_id",
                f"unknown service unit '{unit}'",
                f"unit layanan '{unit}' tidak dikenal",
            )
        category = record["filing"].category
        if self.categories and category not in self.categories:
            known = ", ".join(sorted(self.categories))
            self.bad(
                row,
                "category",
                f"unknown category '{category}' (one of {known})",
                f"kategori '{category}' tidak dikenal (salah satu dari {known})",
            )

    def _upsert(self, session: Session, batch: list[dict[str, Any]]) -> int:
        known = set(
            session.scalars(
                select(Complaint.external_id).where(
                    Complaint.source == SOURCE,
                    Complaint.external_id.in_([r["external_id"] for r in batch]),
                )
            )
        )
        for record in batch:
            if record["external_id"] in known:
                continue
            file_complaint(
                session,
                unit_id=record["unit_id"],
                filing=record["filing"],
                now=self.now,
                source=SOURCE,
                external_id=record["external_id"],
                received_at=record["received_at"],
            )
        return len(batch)


def import_lapor(session: Session, *, path: str | Path, now: datetime) -> ImportReport:
    """Import an SP4N-LAPOR! export; see the module docstring."""
    return import_one(session, LaporImporter(path, now=now))
