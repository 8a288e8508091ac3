"""A cycle's policy inputs: attendance.csv, discipline.csv, functional_positions.csv and
competencies.csv, and the organisation's training.csv (completed training, any year).

- attendance.csv: nip, code, count: lapses of one kind (late TL1-TL4, early leave PSW1-PSW4,
  absent TK, as the pack's ``incentive.attendance_codes`` name them) in the cycle.
- discipline.csv: nip, sanction, [decided_on]: a discipline sanction (the pack's
  ``incentive.discipline_cuts``) and the day it was decided.
- functional_positions.csv: nip, jenjang, [months]: the rank of a functional position (the
  pack's ``credit_points.jenjang``) and the months held in the cycle's year (default: all).
- competencies.csv: nip, competency, required_level, actual_level: an assessed competency
  (the training catalogue's) against the position's requirement.
- training.csv: nip, course, jp, completed_on: training completed, credited to the JP ledger
  of the year of ``completed_on`` (see models/stages/training_ledger.py).

Codes are matched regardless of case and stored in the pack's spelling.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kinerja.models.imports.base import FileImporter, import_one
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.values import Bad, choose, parse_date, parse_integer, parse_number
from kinerja.models.store.tables import (
    AttendanceLapse,
    CompetencyLevel,
    DisciplineSanction,
    Employee,
    FunctionalPosition,
    JpLedgerEntry,
)


class _PersonImporter(FileImporter):
    """A file whose rows belong to known employees (``nip``)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self.nips: set[str] = set()

    def load(self, session: Session) -> None:
        self.nips = set(session.scalars(select(Employee.nip)))

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


class _CyclePersonImporter(_PersonImporter):
    def __init__(self, path: str | Path, *, cycle_id: str) -> None:
        super().__init__(path)
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

    def __init__(self, path: str | Path, *, cycle_id: str, codes: set[str]) -> None:
        super().__init__(path, cycle_id=cycle_id)
        self.codes = codes

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        nip = self.need(row, cells, "nip")
        code = self.pick(row, cells, "code", self.codes, ("attendance code", "kode kehadiran"))
        count = self.whole(row, cells, "count", 0, None)
        if nip is None or code is None or count is None:
            return None
        return {"cycle_id": self.cycle_id, "nip": nip, "code": code, "count": count}


class DisciplineImporter(_CyclePersonImporter):
    """discipline.csv: nip, sanction, [decided_on]."""

    kind = "discipline"
    table = DisciplineSanction.__table__
    keys = ("cycle_id", "nip", "sanction")
    required = ("nip", "sanction")
    optional = ("decided_on",)
    unique = ("nip", "sanction")

    def __init__(self, path: str | Path, *, cycle_id: str, sanctions: set[str]) -> None:
        super().__init__(path, cycle_id=cycle_id)
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
        self, path: str | Path, *, cycle_id: str, jenjang: set[str], months_per_year: int
    ) -> None:
        super().__init__(path, cycle_id=cycle_id)
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
        self, path: str | Path, *, cycle_id: str, competencies: set[str], levels: tuple[int, int]
    ) -> None:
        super().__init__(path, cycle_id=cycle_id)
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


def completion_key(nip: str, course: str, completed_on: Any) -> str:
    """The JP ledger key of a completed training: importing it again changes nothing."""
    return f"completed:{nip}:{course}:{completed_on}"


class TrainingCompletionImporter(_PersonImporter):
    """training.csv: nip, course, jp, completed_on (organisation level, not per cycle)."""

    kind = "training"
    table = JpLedgerEntry.__table__
    keys = ("key",)
    required = ("nip", "course", "jp", "completed_on")
    unique = ("nip", "course", "completed_on")

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


def import_attendance(
    session: Session, *, path: str | Path, cycle_id: str, codes: set[str]
) -> ImportReport:
    """Import attendance.csv for a cycle; ``codes`` are the pack's attendance codes."""
    return import_one(session, AttendanceImporter(path, cycle_id=cycle_id, codes=codes))


def import_discipline(
    session: Session, *, path: str | Path, cycle_id: str, sanctions: set[str]
) -> ImportReport:
    """Import discipline.csv for a cycle; ``sanctions`` are the pack's discipline cuts."""
    return import_one(session, DisciplineImporter(path, cycle_id=cycle_id, sanctions=sanctions))


def import_functional_positions(
    session: Session, *, path: str | Path, cycle_id: str, jenjang: set[str], months_per_year: int
) -> ImportReport:
    """Import functional_positions.csv for a cycle; ``jenjang`` are the pack's ranks."""
    importer = FunctionalPositionsImporter(
        path, cycle_id=cycle_id, jenjang=jenjang, months_per_year=months_per_year
    )
    return import_one(session, importer)


def import_competencies(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    competencies: set[str],
    levels: tuple[int, int],
) -> ImportReport:
    """Import competencies.csv for a cycle; ``competencies`` are the catalogue's."""
    importer = CompetenciesImporter(
        path, cycle_id=cycle_id, competencies=competencies, levels=levels
    )
    return import_one(session, importer)


def import_training_completions(session: Session, *, path: str | Path) -> ImportReport:
    """Import training.csv into the JP ledger (status completed); the caller marks the
    matching planned assignments (see
    :func:`kinerja.models.stages.training_ledger.record_completions`)."""
    return import_one(session, TrainingCompletionImporter(path))


POLICY_INPUT_FILES = ("attendance", "discipline", "functional_positions", "competencies")
"""The cycle files of this module, as ``kinerja cycle import`` names them."""


def import_policy_input(
    session: Session, *, cycle_id: str, pack: Any, kind: str, path: str | Path
) -> ImportReport:
    """Import one of :data:`POLICY_INPUT_FILES` with the codes of the cycle's pack snapshot.

    A pack without the section a file needs accepts no code, so every row is refused with
    the (empty) list of what was expected.
    """
    incentive, credit, training = pack.incentive, pack.credit_points, pack.training
    if kind == "attendance":
        codes = set(incentive.attendance_codes) if incentive else set()
        return import_attendance(session, path=path, cycle_id=cycle_id, codes=codes)
    if kind == "discipline":
        sanctions = set(incentive.discipline_cuts) if incentive else set()
        return import_discipline(session, path=path, cycle_id=cycle_id, sanctions=sanctions)
    if kind == "functional_positions":
        return import_functional_positions(
            session,
            path=path,
            cycle_id=cycle_id,
            jenjang=set(credit.jenjang) if credit else set(),
            months_per_year=credit.months_per_year if credit else 12,
        )
    if kind == "competencies":
        catalogue = training.catalogue if training else None
        return import_competencies(
            session,
            path=path,
            cycle_id=cycle_id,
            competencies=set(catalogue.competencies) if catalogue else set(),
            levels=tuple(catalogue.levels) if catalogue else (1, 5),
        )
    raise ValueError(f"unknown cycle file kind {kind!r}")
