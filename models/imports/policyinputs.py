"""A cycle's policy inputs: attendance.csv, discipline.csv, functional_positions.csv and
competencies.csv (the organisation's training.csv is in ``training``).

- attendance.csv: nip, code, count: lapses of one kind (late TL1-TL4, early leave PSW1-PSW4,
  absent TK, as the pack's ``incentive.attendance_codes`` name them) in the cycle.
- discipline.csv: nip, sanction, [decided_on]: a discipline sanction (the pack's
  ``incentive.discipline_cuts``) and the day it was decided.
- functional_positions.csv: nip, jenjang, [months]: the rank of a functional position (the
  pack's ``credit_points.jenjang``) and the months held in the cycle's year (default: all).
- competencies.csv: nip, competency, required_level, actual_level: an assessed competency
  (the training catalogue's) against the position's requirement.

Codes are matched regardless of case and stored in the pack's spelling. A ``nip`` is
checked against ``nip_format`` (the pack's, when a cycle's pack is known).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from kinerja.models.imports.base import import_one
from kinerja.models.imports.errors import ImportRejected, ImportReport
from kinerja.models.imports.persons import PersonImporter
from kinerja.models.imports.reader import open_raw
from kinerja.models.imports.values import Bad, IdFormat, parse_date, parse_number
from kinerja.models.store.tables import (
    AttendanceLapse,
    AttendanceMonth,
    CompetencyLevel,
    DisciplineSanction,
    FunctionalPosition,
)


class _CyclePersonImporter(PersonImporter):
    def __init__(
        self, path: str | Path, *, cycle_id: str, nip_format: IdFormat | None = None
    ) -> None:
        super().__init__(path, nip_format=nip_format)
        self.cycle_id = cycle_id

    def load(self, session: Session) -> None:
        self.check_cycle(session, self.cycle_id)
        super().load(session)

    def scope(self) -> list[ColumnElement[bool]]:
        return [self.table.c.cycle_id == self.cycle_id]


class AttendanceImporter(_CyclePersonImporter):
    """attendance.csv: nip, code, count."""

    kind = "attendance"
    table = AttendanceLapse.__table__
    keys = ("cycle_id", "nip", "code")
    required = ("nip", "code", "count")
    unique = ("nip", "code")

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        codes: set[str],
        nip_format: IdFormat | None = None,
    ) -> None:
        super().__init__(path, cycle_id=cycle_id, nip_format=nip_format)
        self.codes = codes

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        nip = self.need(row, cells, "nip")
        code = self.pick(row, cells, "code", self.codes, ("attendance code", "kode kehadiran"))
        count = self.whole(row, cells, "count", 0, None)
        if nip is None or code is None or count is None:
            return None
        return {"cycle_id": self.cycle_id, "nip": nip, "code": code, "count": count}


class AttendanceMonthImporter(AttendanceImporter):
    """attendance.csv with a month: nip, month (YYYY-MM), code, count."""

    table = AttendanceMonth.__table__
    keys = ("cycle_id", "period", "nip", "code")
    required = ("nip", "month", "code", "count")
    unique = ("nip", "month", "code")

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        record = super().convert(row, cells)
        month, good = self.maybe(row, cells, "month", parse_month)
        if record is None or not good or month is None:
            return None
        return {**record, "period": month}


def parse_month(text: str) -> str:
    """A month ``YYYY-MM`` (attendance per month)."""
    value = text.strip()
    if not MONTH.fullmatch(value):
        raise Bad(f"bulan {value!r} bukan YYYY-MM / month {value!r} is not YYYY-MM")
    return value


MONTH = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])")


class DisciplineImporter(_CyclePersonImporter):
    """discipline.csv: nip, sanction, [decided_on]."""

    kind = "discipline"
    table = DisciplineSanction.__table__
    keys = ("cycle_id", "nip", "sanction")
    required = ("nip", "sanction")
    optional = ("decided_on",)
    unique = ("nip", "sanction")

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        sanctions: set[str],
        nip_format: IdFormat | None = None,
    ) -> None:
        super().__init__(path, cycle_id=cycle_id, nip_format=nip_format)
        self.sanctions = sanctions

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        nip = self.need(row, cells, "nip")
        sanction = self.pick(
            row, cells, "sanction", self.sanctions, ("discipline sanction", "hukuman disiplin")
        )
        record: dict[str, Any] = {"cycle_id": self.cycle_id, "nip": nip, "sanction": sanction}
        ok = nip is not None and sanction is not None
        if "decided_on" in self.columns:
            record["decided_on"], good = self.maybe(row, cells, "decided_on", parse_date)
            ok = ok and good
        return record if ok else None


class FunctionalPositionsImporter(_CyclePersonImporter):
    """functional_positions.csv: nip, jenjang, [months] (default: the whole year)."""

    kind = "functional_positions"
    table = FunctionalPosition.__table__
    keys = ("cycle_id", "nip")
    required = ("nip", "jenjang")
    optional = ("months",)
    unique = ("nip",)

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        jenjang: set[str],
        months_per_year: int,
        nip_format: IdFormat | None = None,
    ) -> None:
        super().__init__(path, cycle_id=cycle_id, nip_format=nip_format)
        self.jenjang = jenjang
        self.months_per_year = months_per_year

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        nip = self.need(row, cells, "nip")
        jenjang = self.pick(
            row, cells, "jenjang", self.jenjang, ("jenjang", "jenjang jabatan fungsional")
        )
        months = Decimal(self.months_per_year)
        ok = nip is not None and jenjang is not None
        text = cells.get("months", "")
        if text:
            try:
                value = parse_number(text)
            except Bad as exc:
                self.wrong(row, "months", exc)
                return None
            if not 0 <= value <= self.months_per_year:
                top = self.months_per_year
                self.bad(
                    row,
                    "months",
                    f"{text} months is out of range (0 to {top})",
                    f"{text} bulan di luar batas (0 sampai {top})",
                )
                return None
            months = Decimal(text)
        if not ok:
            return None
        return {"cycle_id": self.cycle_id, "nip": nip, "jenjang": jenjang, "months": months}


class CompetenciesImporter(_CyclePersonImporter):
    """competencies.csv: nip, competency, required_level, actual_level."""

    kind = "competencies"
    table = CompetencyLevel.__table__
    keys = ("cycle_id", "nip", "competency")
    required = ("nip", "competency", "required_level", "actual_level")
    unique = ("nip", "competency")

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        competencies: set[str],
        levels: tuple[int, int],
        nip_format: IdFormat | None = None,
    ) -> None:
        super().__init__(path, cycle_id=cycle_id, nip_format=nip_format)
        self.competencies = competencies
        self.levels = levels

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        nip = self.need(row, cells, "nip")
        competency = self.pick(
            row, cells, "competency", self.competencies, ("competency", "kompetensi")
        )
        low, high = self.levels
        required = self.whole(row, cells, "required_level", low, high)
        actual = self.whole(row, cells, "actual_level", low, high)
        if nip is None or competency is None or required is None or actual is None:
            return None
        return {
            "cycle_id": self.cycle_id,
            "nip": nip,
            "competency": competency,
            "required_level": required,
            "actual_level": actual,
        }


def header_of(path: str | Path, kind: str) -> list[str]:
    """The column names of a file's header (lower case), or none when it cannot be read
    (the importer then reports the file as it finds it)."""
    try:
        with open_raw(path, default_sheet=kind) as table:
            return [c.strip().lower() for c in table.header]
    except ImportRejected:
        return []


def import_attendance(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    codes: set[str],
    nip_format: IdFormat | None = None,
) -> ImportReport:
    """Import attendance.csv for a cycle; ``codes`` are the pack's attendance codes. A file
    with a ``month`` column holds each month's lapses (monthly tukin); without, the cycle's."""
    monthly = "month" in header_of(path, "attendance")
    kind = AttendanceMonthImporter if monthly else AttendanceImporter
    importer = kind(path, cycle_id=cycle_id, codes=codes, nip_format=nip_format)
    return import_one(session, importer)


def import_discipline(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    sanctions: set[str],
    nip_format: IdFormat | None = None,
) -> ImportReport:
    """Import discipline.csv for a cycle; ``sanctions`` are the pack's discipline cuts."""
    importer = DisciplineImporter(
        path, cycle_id=cycle_id, sanctions=sanctions, nip_format=nip_format
    )
    return import_one(session, importer)


def import_functional_positions(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    jenjang: set[str],
    months_per_year: int,
    nip_format: IdFormat | None = None,
) -> ImportReport:
    """Import functional_positions.csv for a cycle; ``jenjang`` are the pack's ranks."""
    importer = FunctionalPositionsImporter(
        path,
        cycle_id=cycle_id,
        jenjang=jenjang,
        months_per_year=months_per_year,
        nip_format=nip_format,
    )
    return import_one(session, importer)


def import_competencies(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    competencies: set[str],
    levels: tuple[int, int],
    nip_format: IdFormat | None = None,
) -> ImportReport:
    """Import competencies.csv for a cycle; ``competencies`` are the catalogue's."""
    importer = CompetenciesImporter(
        path, cycle_id=cycle_id, competencies=competencies, levels=levels, nip_format=nip_format
    )
    return import_one(session, importer)


POLICY_INPUT_FILES = ("attendance", "discipline", "functional_positions", "competencies")
"""The cycle files of this module, as ``kinerja cycle import`` names them."""


def import_policy_input(
    session: Session,
    *,
    cycle_id: str,
    pack: Any,
    kind: str,
    path: str | Path,
    nip_format: IdFormat | None = None,
) -> ImportReport:
    """Import one of :data:`POLICY_INPUT_FILES` with the codes of the cycle's pack snapshot.

    A pack without the section a file needs accepts no code, so every row is refused with
    the (empty) list of what was expected.
    """
    incentive, credit, training = pack.incentive, pack.credit_points, pack.training
    common: dict[str, Any] = {"path": path, "cycle_id": cycle_id, "nip_format": nip_format}
    if kind == "attendance":
        codes = set(incentive.attendance_codes) if incentive else set()
        return import_attendance(session, codes=codes, **common)
    if kind == "discipline":
        sanctions = set(incentive.discipline_cuts) if incentive else set()
        return import_discipline(session, sanctions=sanctions, **common)
    if kind == "functional_positions":
        return import_functional_positions(
            session,
            jenjang=set(credit.jenjang) if credit else set(),
            months_per_year=credit.months_per_year if credit else 12,
            **common,
        )
    if kind == "competencies":
        catalogue = training.catalogue if training else None
        return import_competencies(
            session,
            competencies=set(catalogue.competencies) if catalogue else set(),
            levels=tuple(catalogue.levels) if catalogue else (1, 5),
            **common,
        )
    raise ValueError(f"unknown cycle file kind {kind!r}")
