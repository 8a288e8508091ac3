"""Plans of one cycle: goals.csv (unit goals, IKU) and targets.csv (employee targets, RHK).

The cascade is checked here: every target ``serves`` either a goal of the employee's own
unit or a target of the employee's manager, found in the database for the cycle or in the
same file (in any row order).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kinerja.models.imports.base import FileImporter, import_one
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.values import (
    Bad,
    IdFormat,
    choose,
    find_loops,
    parse_aggregate,
    parse_direction,
    parse_number,
    parse_target,
)
from kinerja.models.store.tables import Employee, Goal, Target, Unit

WEIGHT_TOLERANCE = 0.01

WEIGHT_BOUNDS = (0.0, 100.0)
"""A weight must be above the first and at most the second, unless the pack says otherwise."""


class _PlanImporter(FileImporter):
    """Shared by goals and targets: the cycle, required texts, and target with direction."""

    qualitative = False
    """A qualitative cycle (PermenPANRB 6/2022) accepts an empty target: no number."""

    def __init__(
        self, path: str | Path, *, cycle_id: str, nip_format: IdFormat | None = None
    ) -> None:
        super().__init__(path, nip_format=nip_format)
        self.cycle_id = cycle_id

    def scope(self) -> list[ColumnElement[bool]]:
        return [self.table.c.cycle_id == self.cycle_id]

    def _texts(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        record: dict[str, Any] = {"cycle_id": self.cycle_id}
        ok = True
        for column in self.required:
            if column != "target":
                record[column] = self.need(row, cells, column)
                ok = ok and record[column] is not None
        try:
            record["direction"] = parse_direction(cells.get("direction", ""))
        except Bad as exc:
            self.wrong(row, "direction", exc)
            return None
        if self.qualitative and not cells.get("target", ""):
            record["target_value"], record["target_high"] = None, None
            return record if ok else None
        text = self.need(row, cells, "target")
        if text is None:
            return None
        try:
            record["target_value"], record["target_high"] = parse_target(text, record["direction"])
        except Bad as exc:
            self.wrong(row, "target", exc)
            return None
        return record if ok else None


class GoalsImporter(_PlanImporter):
    """goals.csv: goal_id, unit_id, statement, indicator, target, unit_of_measure,
    [direction], [parent_goal_id]."""

    kind = "goals"
    table = Goal.__table__
    keys = ("cycle_id", "goal_id")
    required = ("goal_id", "unit_id", "statement", "indicator", "target", "unit_of_measure")
    optional = ("direction", "parent_goal_id")
    unique = ("goal_id",)
    identifiers = ("goal_id", "unit_id", "parent_goal_id")

    def __init__(self, path: str | Path, *, cycle_id: str) -> None:
        super().__init__(path, cycle_id=cycle_id)
        self.units: set[str] = set()
        self.parents: dict[str, str | None] = {}
        self.pending: list[tuple[int, str]] = []

    def load(self, session: Session) -> None:
        self.check_cycle(session, self.cycle_id)
        self.units = set(session.scalars(select(Unit.unit_id)))
        query = select(Goal.goal_id, Goal.parent_goal_id).where(Goal.cycle_id == self.cycle_id)
        self.parents = dict(session.execute(query).all())

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        record = self._texts(row, cells)
        if record is not None and "parent_goal_id" in self.columns:
            record["parent_goal_id"] = cells.get("parent_goal_id") or None
        return record

    def observe(self, row: int, record: dict[str, Any]) -> None:
        goal_id = record["goal_id"]
        if record["unit_id"] not in self.units:
            self.bad(
                row,
                "unit_id",
                f"unknown unit '{record['unit_id']}'",
                f"unit '{record['unit_id']}' tidak dikenal",
            )
        if "parent_goal_id" in record:
            parent = record["parent_goal_id"]
            self.parents[goal_id] = parent
            if parent == goal_id:
                self.bad(
                    row,
                    "parent_goal_id",
                    "a goal cannot serve itself",
                    "sasaran tidak boleh menginduk ke dirinya sendiri",
                )
            elif parent is not None:
                self.pending.append((row, parent))
        else:
            self.parents.setdefault(goal_id, None)

    def finish(self) -> None:
        for row, parent in self.pending:
            if parent not in self.parents:
                self.bad(
                    row,
                    "parent_goal_id",
                    f"unknown parent goal '{parent}' (not in cycle '{self.cycle_id}' nor in"
                    " this file)",
                    f"sasaran induk '{parent}' tidak dikenal (tidak di siklus '{self.cycle_id}'"
                    " maupun berkas ini)",
                )
        for loop in find_loops(self.parents):
            if len(loop) > 1:
                chain = " -> ".join([*loop, loop[0]])
                for goal_id in loop:
                    if goal_id in self.rows_of:
                        self.bad(
                            self.rows_of[goal_id],
                            "parent_goal_id",
                            f"the goal cascade loops: {chain}",
                            f"kaskade sasaran berputar: {chain}",
                        )


class TargetsImporter(_PlanImporter):
    """targets.csv: target_id, nip, serves, statement, indicator, aspect, target,
    unit_of_measure, [direction], [weight], [kind], [aggregate].

    ``aggregate`` says how the target's period values combine: ``sum`` (amounts per period),
    ``last`` (values to date), ``mean`` or ``max``; empty, the pack's default for the unit of
    measure."""

    kind = "targets"
    table = Target.__table__
    keys = ("cycle_id", "target_id")
    required = (
        "target_id",
        "nip",
        "serves",
        "statement",
        "indicator",
        "aspect",
        "target",
        "unit_of_measure",
    )
    optional = ("direction", "weight", "kind", "aggregate")
    unique = ("target_id",)
    identifiers = ("target_id", "nip", "serves")
    nip_columns = ("nip",)

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        weights_sum: float | None,
        aspects: set[str] | None,
        kinds: set[str] | None,
        qualitative: bool = False,
        weight_bounds: tuple[float, float] = WEIGHT_BOUNDS,
        nip_format: IdFormat | None = None,
    ) -> None:
        super().__init__(path, cycle_id=cycle_id, nip_format=nip_format)
        self.qualitative = qualitative
        self.weights_sum = weights_sum
        self.weight_bounds = weight_bounds
        self.aspects = aspects
        self.kinds = kinds
        self.people: dict[str, tuple[str, str | None]] = {}
        self.goal_units: dict[str, str] = {}
        self.stored_owners: dict[str, str] = {}
        self.owners: dict[str, str] = {}  # target_id -> nip, this file
        self.weights: dict[str, tuple[float, list[int]]] = {}  # nip -> (sum, rows)
        self.unsummed: set[str] = set()  # people with a refused row: their sum means nothing
        self.pending: list[tuple[int, str, str]] = []

    def load(self, session: Session) -> None:
        self.check_cycle(session, self.cycle_id)
        query = select(Employee.nip, Employee.unit_id, Employee.manager_nip)
        self.people = {nip: (unit, manager) for nip, unit, manager in session.execute(query)}
        self.employees = self.people
        query = select(Goal.goal_id, Goal.unit_id).where(Goal.cycle_id == self.cycle_id)
        self.goal_units = dict(session.execute(query).all())
        query = select(Target.target_id, Target.nip).where(Target.cycle_id == self.cycle_id)
        self.stored_owners = dict(session.execute(query).all())
        if self.weights_sum is not None and "weight" not in self.columns:
            self.bad(
                1,
                "weight",
                f"the weight column is required: weights must sum to {self.weights_sum:g}",
                f"kolom weight wajib ada: jumlah bobot harus {self.weights_sum:g}",
            )

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        record = self._texts(row, cells)
        ok = record is not None
        record = record or {}
        try:
            record["aspect"] = self._choose(row, cells, "aspect", self.aspects, "aspek")
            if "kind" in self.columns:
                kind = self._choose(row, cells, "kind", self.kinds, "jenis")
                record["kind"] = kind or "utama"
        except Bad:
            ok = False
        if "weight" in self.columns:
            try:
                record["weight"] = self._weight(cells.get("weight", ""))
            except Bad as exc:
                self.wrong(row, "weight", exc)
                ok = False
        if "aggregate" in self.columns:
            try:
                record["aggregate"] = parse_aggregate(cells.get("aggregate", ""))
            except Bad as exc:
                self.wrong(row, "aggregate", exc)
                ok = False
        return record if ok else None

    def _weight(self, text: str) -> float | None:
        if not text:
            if self.weights_sum is None:
                return None
            raise Bad(
                f"a weight is required (weights sum to {self.weights_sum:g})",
                f"bobot wajib diisi (jumlah bobot {self.weights_sum:g})",
            )
        weight = parse_number(text)
        above, at_most = self.weight_bounds
        if not above < weight <= at_most:
            raise Bad(
                f"weight {weight:g} is out of bounds: above {above:g} and at most {at_most:g}",
                f"bobot {weight:g} di luar batas: lebih dari {above:g} dan paling banyak"
                f" {at_most:g}",
            )
        return weight

    def _choose(
        self, row: int, cells: dict[str, str], column: str, allowed: set[str] | None, word: str
    ) -> str | None:
        text = cells.get(column, "")
        if not text or allowed is None:
            return text or None
        try:
            return choose(text, allowed, (column, word))
        except Bad as exc:
            self.wrong(row, column, exc)
            raise

    def _serves(self, serves: str, nip: str) -> bool | None:
        """True or False when decided now, None when only the rest of the file can tell."""
        unit, manager = self.people[nip]
        if self.goal_units.get(serves) == unit:
            return True
        owner = self.owners.get(serves)
        if owner is not None:
            return owner == manager
        if serves in self.stored_owners:
            return self.stored_owners[serves] == manager
        return None

    def observe(self, row: int, record: dict[str, Any]) -> None:
        target_id, nip, serves = record["target_id"], record["nip"], record["serves"]
        self.owners[target_id] = nip
        if nip not in self.people:
            self.bad(row, "nip", f"unknown employee '{nip}'", f"pegawai '{nip}' tidak dikenal")
        else:
            decided = self._serves(serves, nip)
            if decided is None:
                self.pending.append((row, serves, nip))
            elif not decided:
                self._bad_serves(row, serves, nip)
        if self.weights_sum is not None and record.get("weight") is not None:
            total, rows = self.weights.get(nip, (0.0, []))
            rows.append(row)
            self.weights[nip] = (total + record["weight"], rows)

    def skipped(self, row: int, cells: dict[str, str]) -> None:
        if cells.get("nip"):
            self.unsummed.add(cells["nip"])

    def _bad_serves(self, row: int, serves: str, nip: str) -> None:
        unit, manager = self.people[nip]
        boss = f"manager '{manager}'" if manager else "manager (none)"
        atasan = f"atasan '{manager}'" if manager else "atasan (tidak ada)"
        self.bad(
            row,
            "serves",
            f"'{serves}' is neither a goal of unit '{unit}' nor a target of {boss}"
            f" (in cycle '{self.cycle_id}' or in this file)",
            f"'{serves}' bukan sasaran unit '{unit}' maupun target {atasan}"
            f" (di siklus '{self.cycle_id}' atau berkas ini)",
        )

    def finish(self) -> None:
        for row, serves, nip in self.pending:
            if not self._serves(serves, nip):
                self._bad_serves(row, serves, nip)
        if self.weights_sum is None:
            return
        for nip, (total, rows) in self.weights.items():
            if nip in self.unsummed or abs(total - self.weights_sum) <= WEIGHT_TOLERANCE:
                continue
            listed = ", ".join(map(str, rows))
            # Any of the rows may be the one to correct: each is named.
            for row in rows:
                self.bad(
                    row,
                    "weight",
                    f"the {len(rows)} weights of employee '{nip}' (rows {listed}) sum to"
                    f" {total:g}, expected {self.weights_sum:g}",
                    f"jumlah {len(rows)} bobot pegawai '{nip}' (baris {listed}) adalah"
                    f" {total:g}, seharusnya {self.weights_sum:g}",
                )


def import_goals(session: Session, *, path: str | Path, cycle_id: str) -> ImportReport:
    """Import goals.csv for a cycle: unit goals (IKU) that employee targets cascade from."""
    return import_one(session, GoalsImporter(path, cycle_id=cycle_id))


def import_targets(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    weights_sum: float | None = 100.0,
    aspects: set[str] | None = None,
    kinds: set[str] | None = None,
    qualitative: bool = False,
    weight_bounds: tuple[float, float] = WEIGHT_BOUNDS,
    nip_format: IdFormat | None = None,
) -> ImportReport:
    """Import targets.csv for a cycle.

    ``weights_sum``: each employee's weights must add up to it (None: weights are free and
    may be left out); every row of a person whose weights do not is named. A weight given
    must lie within ``weight_bounds`` (above the first, at most the second). ``aspects``
    and ``kinds``: the allowed values (None: any), e.g. from the policy pack.
    ``qualitative``: the cycle's approach is qualitative, so a target may be left empty
    (the rater judges the RHK against the expectation, without a number). ``nip_format``:
    what a NIP looks like (None: any text).
    """
    importer = TargetsImporter(
        path,
        cycle_id=cycle_id,
        weights_sum=weights_sum,
        aspects=aspects,
        kinds=kinds,
        qualitative=qualitative,
        weight_bounds=weight_bounds,
        nip_format=nip_format,
    )
    return import_one(session, importer)
