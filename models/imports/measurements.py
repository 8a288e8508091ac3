"""What was measured: metrics.csv (realisation per target and period) and survey.csv
(citizen satisfaction answers, SKM, per service unit).

A metrics.csv ``target_id`` names an employee's target (RHK) or a unit goal (IKU of the
Perjanjian Kinerja, goals.csv ``goal_id``): a goal's realisation gives the unit's capaian,
from which its predikat organisasi is computed when unit_ratings.csv has no row for it. An
id that is both a target and a goal of the cycle is refused as ambiguous. A period must lie
within the cycle's dates (``period_start``..``period_end`` of its config), when given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kinerja.models.imports.base import FileImporter, import_one
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.values import (
    Bad,
    parse_date,
    parse_integer,
    parse_number,
    parse_period,
    refuse_outside,
)
from kinerja.models.store.tables import Goal, Measurement, SurveyResponse, Target, Unit

PERIODS_REMEMBERED = 1000
"""Distinct period spellings whose check is remembered (a file has a few dozen at most)."""

Writer = Callable[[Session, list[dict[str, Any]]], int]
"""Writes a batch of validated metrics rows; returns how many it wrote."""


class MetricsImporter(FileImporter):
    """metrics.csv: target_id, period, value, [evidence]."""

    kind = "metrics"
    table = Measurement.__table__
    keys = ("cycle_id", "target_id", "period")
    required = ("target_id", "period", "value")
    optional = ("evidence",)
    unique = ("target_id", "period")
    identifiers = ("target_id",)
    keeps_rows = True  # a row converts from its own cells only

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        qualitative: bool = False,
        dates: tuple[date, date] | None = None,
        write: Writer | None = None,
    ) -> None:
        super().__init__(path)
        self.cycle_id = cycle_id
        self.qualitative = qualitative
        self.dates = dates
        self.writer = write
        self.targets: set[str] = set()
        self.goals: set[str] = set()
        self._periods: dict[str, str | Bad] = {}

    def scope(self) -> list[ColumnElement[bool]]:
        return [Measurement.__table__.c.cycle_id == self.cycle_id]

    def key_of(self, cells: dict[str, str]) -> Any:
        # 2025-q1 and 2025-Q1 are one period: compare them as stored.
        target_id, period = cells.get("target_id", ""), cells.get("period", "").upper()
        return (target_id, period) if target_id and period else None

    def load(self, session: Session) -> None:
        self.check_cycle(session, self.cycle_id)
        query = select(Target.target_id).where(Target.cycle_id == self.cycle_id)
        self.targets = set(session.scalars(query))
        self.goals = set(
            session.scalars(select(Goal.goal_id).where(Goal.cycle_id == self.cycle_id))
        )

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        record: dict[str, Any] = {"cycle_id": self.cycle_id}
        ok = True
        record["target_id"] = self.need(row, cells, "target_id")
        evidence_only = self.qualitative and not cells.get("value") and cells.get("evidence")
        if evidence_only:
            # A qualitative realisation is the evidence itself: no number to report.
            record["value"] = None
        text = self.need(row, cells, "period")
        if text is None:
            ok = False
        else:
            period = self._period(text)
            if isinstance(period, Bad):
                self.wrong(row, "period", period)
                ok = False
            else:
                record["period"] = period
        if not evidence_only:
            text = self.need(row, cells, "value")
            if text is None:
                ok = False
            else:
                try:
                    record["value"] = parse_number(text)
                except Bad as exc:
                    self.wrong(row, "value", exc)
                    ok = False
        if "evidence" in self.columns:
            record["evidence"] = cells.get("evidence") or None
        return record if ok and record["target_id"] else None

    def _period(self, text: str) -> str | Bad:
        """The period ``text`` names, or what is wrong with it; the same few periods fill a
        whole file, so each spelling is checked once."""
        known = self._periods.get(text)
        if known is None:
            try:
                known = parse_period(text)
                if self.dates is not None:
                    refuse_outside(known, *self.dates)
            except Bad as exc:
                known = exc
            if len(self._periods) < PERIODS_REMEMBERED:
                self._periods[text] = known
        return known

    def _upsert(self, session: Session, batch: list[dict[str, Any]]) -> int:
        # The caller may keep the values a batch replaces (models/cycles/measurements.py).
        if self.writer is not None:
            return self.writer(session, batch)
        return super()._upsert(session, batch)

    def observe(self, row: int, record: dict[str, Any]) -> None:
        target_id = record["target_id"]
        if target_id in self.targets and target_id in self.goals:
            self.bad(
                row,
                "target_id",
                f"'{target_id}' is both a target and a goal of cycle '{self.cycle_id}':"
                " rename one of them",
                f"'{target_id}' adalah target sekaligus sasaran (goal) di siklus"
                f" '{self.cycle_id}': ganti salah satu",
            )
        elif target_id not in self.targets and target_id not in self.goals:
            self.bad(
                row,
                "target_id",
                f"unknown target or goal '{target_id}' in cycle '{self.cycle_id}'",
                f"target atau sasaran '{target_id}' tidak dikenal di siklus '{self.cycle_id}'",
            )


class SurveyImporter(FileImporter):
    """survey.csv: unit_id, respondent_id, [date], then one column per element (U1 ... U9)."""

    kind = "survey"
    table = SurveyResponse.__table__
    keys = ("unit_id", "respondent_id")
    optional = ("date",)
    unique = ("unit_id", "respondent_id")
    identifiers = ("unit_id", "respondent_id")

    def __init__(self, path: str | Path, *, elements: list[str], scale: tuple[int, int]) -> None:
        super().__init__(path)
        self.required = ("unit_id", "respondent_id", *elements)
        self.elements = list(elements)
        self.scale = scale
        self.units: set[str] = set()

    def load(self, session: Session) -> None:
        self.units = set(session.scalars(select(Unit.unit_id)))

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        unit_id = self.need(row, cells, "unit_id")
        respondent = self.need(row, cells, "respondent_id")
        ok = unit_id is not None and respondent is not None
        record: dict[str, Any] = {"unit_id": unit_id, "respondent_id": respondent}
        if "date" in self.columns:
            record["date"], good = self.maybe(row, cells, "date", parse_date)
            ok = ok and good
        low, high = self.scale
        answers: dict[str, int] = {}
        for element in self.elements:
            text = self.need(row, cells, element)
            if text is None:
                ok = False
                continue
            try:
                answer = parse_integer(text)
                if not low <= answer <= high:
                    raise Bad(
                        f"answer {answer} is outside the scale {low} to {high}",
                        f"jawaban {answer} di luar skala {low} sampai {high}",
                    )
                answers[element] = answer
            except Bad as exc:
                self.wrong(row, element, exc)
                ok = False
        record["answers"] = answers
        return record if ok else None

    def observe(self, row: int, record: dict[str, Any]) -> None:
        unit_id = record["unit_id"]
        if unit_id not in self.units:
            self.bad(row, "unit_id", f"unknown unit '{unit_id}'", f"unit '{unit_id}' tidak dikenal")


def import_metrics(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    qualitative: bool = False,
    dates: tuple[date, date] | None = None,
    write: Writer | None = None,
) -> ImportReport:
    """Import metrics.csv: the realisation of targets (and of unit goals) of a cycle, per period.

    ``qualitative``: the cycle's approach is qualitative, so a row may give ``evidence`` and
    leave ``value`` empty. ``dates``: the cycle's first and last day; a period not wholly
    within them is refused (None: any period). ``write``: how a validated batch is written
    (default: an upsert).
    """
    importer = MetricsImporter(
        path, cycle_id=cycle_id, qualitative=qualitative, dates=dates, write=write
    )
    return import_one(session, importer)


def import_survey(
    session: Session,
    *,
    path: str | Path,
    elements: list[str],
    scale: tuple[int, int] = (1, 4),
) -> ImportReport:
    """Import survey.csv: one row per respondent, one whole-number answer per element.

    ``elements`` are the survey's element columns (U1 ... U9 for the IKM of PermenPANRB
    14/2017), all required; answers must lie within ``scale`` (inclusive).
    """
    return import_one(session, SurveyImporter(path, elements=elements, scale=scale))
