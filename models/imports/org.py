"""The organisation: units.csv (the unit tree) and employees.csv (people and their managers).

Units and employees refer to each other (a unit's head is an employee, an employee sits
in a unit), so :func:`import_org` validates both files together; each can also be
imported alone against what the database already holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.imports.base import FileImporter, import_one, run
from kinerja.models.imports.errors import ImportRejected, ImportReport, RowError, bilingual
from kinerja.models.imports.reader import XLSX_SUFFIXES
from kinerja.models.imports.values import Bad, IdFormat, find_loops, parse_flag, parse_integer
from kinerja.models.store.tables import Employee, Unit


class UnitsImporter(FileImporter):
    """units.csv: unit_id, name, [parent_id], [head_nip], [is_service_unit],
    [service_population] (people a service unit serves in a survey period: the population
    of the survey's Krejcie-Morgan sample-size check), [complaint_officer_nip] (who answers
    the unit's complaints; the head when empty)."""

    kind = "units"
    table = Unit.__table__
    keys = ("unit_id",)
    required = ("unit_id", "name")
    unique = ("unit_id",)
    optional = (
        "parent_id",
        "head_nip",
        "is_service_unit",
        "service_population",
        "complaint_officer_nip",
    )
    identifiers = ("unit_id", "parent_id", "head_nip", "complaint_officer_nip")
    nip_columns = ("head_nip", "complaint_officer_nip")

    def __init__(
        self, path: str | Path, *, sheet: str | None = None, nip_format: IdFormat | None = None
    ) -> None:
        super().__init__(path, sheet=sheet, nip_format=nip_format)
        self.parents: dict[str, str | None] = {}
        self.known_nips: set[str] = set()
        self.pending_parents: list[tuple[int, str]] = []
        self.pending_heads: list[tuple[int, str]] = []

    def load(self, session: Session) -> None:
        self.parents = dict(session.execute(select(Unit.unit_id, Unit.parent_id)).all())
        self.known_nips = set(session.scalars(select(Employee.nip)))
        self.employees = self.known_nips

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        unit_id = self.need(row, cells, "unit_id")
        name = self.need(row, cells, "name")
        record: dict[str, Any] = {"unit_id": unit_id, "name": name}
        for column in ("parent_id", "head_nip", "complaint_officer_nip"):
            if column in self.columns:
                record[column] = cells.get(column) or None
        if "is_service_unit" in self.columns:
            try:
                text = cells.get("is_service_unit", "")
                record["is_service_unit"] = parse_flag(text) if text else False
            except Bad as exc:
                self.wrong(row, "is_service_unit", exc)
                return None
        if "service_population" in self.columns:
            text = cells.get("service_population", "")
            try:
                record["service_population"] = parse_integer(text) if text else None
                if text and record["service_population"] < 0:
                    raise Bad("a population cannot be negative", "populasi tidak boleh negatif")
            except Bad as exc:
                self.wrong(row, "service_population", exc)
                return None
        return record if unit_id and name else None

    def observe(self, row: int, record: dict[str, Any]) -> None:
        unit_id = record["unit_id"]
        if "parent_id" in record:
            parent = record["parent_id"]
            self.parents[unit_id] = parent
            if parent == unit_id:
                self.bad(
                    row,
                    "parent_id",
                    "a unit cannot be its own parent",
                    "unit tidak boleh menjadi induknya sendiri",
                )
            elif parent is not None:
                self.pending_parents.append((row, parent))
        elif unit_id not in self.parents:
            self.parents[unit_id] = None
        head = record.get("head_nip")
        if head is not None and head not in self.known_nips:
            self.pending_heads.append((row, head))

    def finish(self) -> None:
        for row, parent in self.pending_parents:
            if parent not in self.parents:
                self.bad(
                    row,
                    "parent_id",
                    f"unknown parent unit '{parent}' (not in the database nor in this file)",
                    f"unit induk '{parent}' tidak dikenal (tidak di basis data maupun berkas ini)",
                )
        for loop in find_loops(self.parents):
            if len(loop) < 2:
                continue  # reported as "its own parent"
            chain = " -> ".join([*loop, loop[0]])
            for unit_id in loop:
                if unit_id in self.rows_of:
                    self.bad(
                        self.rows_of[unit_id],
                        "parent_id",
                        f"the unit tree loops: {chain}",
                        f"pohon unit berputar: {chain}",
                    )

    def check_heads(self, nips_in_file: set[str]) -> None:
        """Heads must be employees, in the database or in the employees file beside this one."""
        for row, nip in self.pending_heads:
            if nip not in nips_in_file:
                self.bad(
                    row,
                    "head_nip",
                    f"unknown head '{nip}' (not an employee in the database nor in the file)",
                    f"kepala unit '{nip}' tidak dikenal (bukan pegawai di basis data atau berkas)",
                )
        self.pending_heads = []


class EmployeesImporter(FileImporter):
    """employees.csv: nip, name, unit_id, position, [grade], [manager_nip], [email], [phone],
    [channels]."""

    kind = "employees"
    table = Employee.__table__
    keys = ("nip",)
    required = ("nip", "name", "unit_id", "position")
    unique = ("nip",)
    optional = ("grade", "manager_nip", "email", "phone", "channels")
    identifiers = ("nip", "unit_id", "manager_nip")
    nip_columns = ("nip", "manager_nip")

    def __init__(
        self, path: str | Path, *, sheet: str | None = None, nip_format: IdFormat | None = None
    ) -> None:
        super().__init__(path, sheet=sheet, nip_format=nip_format)
        # None when the units file beside this one could not be read: its ids are unknown,
        # so unit references are not checked rather than all reported as wrong.
        self.units_in_file: set[str] | None = set()
        self.known_units: set[str] = set()
        self.managers: dict[str, str | None] = {}
        self.pending_managers: list[tuple[int, str]] = []

    def load(self, session: Session) -> None:
        self.known_units = set(session.scalars(select(Unit.unit_id)))
        self.managers = dict(session.execute(select(Employee.nip, Employee.manager_nip)).all())
        # Grows with this file's rows, whose NIPs passed the format before they were added.
        self.employees = self.managers

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        record: dict[str, Any] = {}
        ok = True
        for column in self.required:
            record[column] = self.need(row, cells, column)
            ok = ok and record[column] is not None
        for column in self.optional:
            if column in self.columns:
                record[column] = cells.get(column) or None
        email = record.get("email")
        if email is not None and ("@" not in email or " " in email):
            self.bad(
                row,
                "email",
                f"'{email}' is not an e-mail address",
                f"'{email}' bukan alamat e-mail",
            )
            ok = False
        return record if ok else None

    def observe(self, row: int, record: dict[str, Any]) -> None:
        nip = record["nip"]
        unit_id = record["unit_id"]
        in_file = self.units_in_file
        if unit_id not in self.known_units and in_file is not None and unit_id not in in_file:
            self.bad(
                row,
                "unit_id",
                f"unknown unit '{unit_id}' (not in the database nor in the units file)",
                f"unit '{unit_id}' tidak dikenal (tidak ada di basis data maupun berkas unit)",
            )
        if "manager_nip" in record:
            manager = record["manager_nip"]
            self.managers[nip] = manager
            if manager == nip:
                self.bad(
                    row,
                    "manager_nip",
                    "an employee cannot be their own manager",
                    "pegawai tidak boleh menjadi atasannya sendiri",
                )
            elif manager is not None:
                self.pending_managers.append((row, manager))
        elif nip not in self.managers:
            self.managers[nip] = None

    def finish(self) -> None:
        for row, manager in self.pending_managers:
            if manager not in self.managers:
                self.bad(
                    row,
                    "manager_nip",
                    f"unknown manager '{manager}' (not in the database nor in this file)",
                    f"atasan '{manager}' tidak dikenal (tidak ada di basis data maupun berkas ini)",
                )
        for loop in find_loops(self.managers):
            if len(loop) < 2:
                continue  # reported as "their own manager"
            chain = " -> ".join([*loop, loop[0]])
            for nip in loop:
                if nip in self.rows_of:
                    self.bad(
                        self.rows_of[nip],
                        "manager_nip",
                        f"the manager chain loops: {chain}",
                        f"rantai atasan berputar: {chain}",
                    )


def import_units(
    session: Session, *, path: str | Path, nip_format: IdFormat | None = None
) -> ImportReport:
    """Import units.csv (or the ``units`` sheet); heads must already be employees."""
    units = UnitsImporter(path, nip_format=nip_format)
    units.scan(session)
    units.check_heads(set())
    return run(session, [units])[0]


def import_employees(
    session: Session, *, path: str | Path, nip_format: IdFormat | None = None
) -> ImportReport:
    """Import employees.csv (or the ``employees`` sheet); units must already exist."""
    return import_one(session, EmployeesImporter(path, nip_format=nip_format))


def _org_files(source: Path) -> tuple[tuple[Path, str | None], tuple[Path, str | None]]:
    if source.is_dir():
        return (source / "units.csv", None), (source / "employees.csv", None)
    if source.suffix.lower() in XLSX_SUFFIXES and source.is_file():
        return (source, "units"), (source, "employees")
    raise ImportRejected(
        [
            RowError(
                source.name,
                None,
                None,
                bilingual(
                    "expected a directory with units.csv and employees.csv, or an .xlsx workbook"
                    " with sheets units and employees",
                    "seharusnya direktori berisi units.csv dan employees.csv, atau workbook .xlsx"
                    " dengan sheet units dan employees",
                ),
            )
        ]
    )


def import_org(
    session: Session, *, source: str | Path, nip_format: IdFormat | None = None
) -> list[ImportReport]:
    """Import the organisation: a directory with units.csv and employees.csv, or one .xlsx
    workbook with sheets ``units`` and ``employees``, validated together.

    ``nip_format``: what a NIP looks like (None: any text up to the column's length); the
    caller chooses it, since the organisation is imported before any cycle exists (see
    :func:`kinerja.models.cycles.files.org_nip_format`). Returns the reports of units, then
    employees. Raises :class:`ImportRejected` listing every problem of both files, writing
    nothing.
    """
    (units_path, units_sheet), (employees_path, employees_sheet) = _org_files(Path(source))
    units = UnitsImporter(units_path, sheet=units_sheet, nip_format=nip_format)
    employees = EmployeesImporter(employees_path, sheet=employees_sheet, nip_format=nip_format)
    units.scan(session)
    employees.units_in_file = set(units.rows_of) if units.readable else None
    employees.scan(session)
    if employees.readable:
        units.check_heads(set(employees.rows_of))
    return run(session, [units, employees])
