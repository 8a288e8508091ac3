"""A scenario's ratings: reviews.csv (scripted manager answers per employee), checkins.csv
(scripted periodic ratings per employee and period) and
unit_ratings.csv (each unit's own result, predikat organisasi, which keys the distribution
curve).

Rating values are checked against the policy pack's lists and stored as the pack's codes; a
cell may give the code or the label people write (``Butuh Perbaikan``, ``BAIK``,
``Di Atas Ekspektasi``), regardless of case, spaces and underscores (see
:class:`~kinerja.models.imports.values.Spellings`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kinerja.models.imports.base import FileImporter, import_one
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.values import Bad, IdFormat, Spellings, parse_period
from kinerja.models.store.tables import (
    Employee,
    ScriptedCheckin,
    ScriptedReview,
    Unit,
    UnitRating,
)

BEHAVIOUR_PREFIX = "perilaku_"


class _CycleImporter(FileImporter):
    def __init__(
        self, path: str | Path, *, cycle_id: str, nip_format: IdFormat | None = None
    ) -> None:
        super().__init__(path, nip_format=nip_format)
        self.cycle_id = cycle_id

    def scope(self) -> list[ColumnElement[bool]]:
        return [self.table.c.cycle_id == self.cycle_id]

    def _rating(
        self, row: int, column: str, text: str, allowed: Spellings, what: tuple[str, str]
    ) -> tuple[bool, str | None]:
        """(ok, code): an empty cell is (True, None)."""
        if not text:
            return True, None
        try:
            return True, allowed.choose(text, what)
        except Bad as exc:
            self.wrong(row, column, exc)
            return False, None


class ReviewsImporter(_CycleImporter):
    """reviews.csv: nip, [hasil_kerja], [perilaku], [perilaku_<value> ...], [comment].

    A ``perilaku_<value>`` column rates one behaviour value (BerAKHLAK: berorientasi
    pelayanan, akuntabel, ...); only the pack's values may appear.
    """

    kind = "reviews"
    table = ScriptedReview.__table__
    keys = ("cycle_id", "nip")
    required = ("nip",)
    unique = ("nip",)
    identifiers = ("nip",)
    nip_columns = ("nip",)

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        ratings: Iterable[str] | Iterable[tuple[str, str]],
        behaviour_values: list[str],
        nip_format: IdFormat | None = None,
    ) -> None:
        super().__init__(path, cycle_id=cycle_id, nip_format=nip_format)
        self.ratings = Spellings(ratings)
        self.behaviour_columns = {BEHAVIOUR_PREFIX + v: v for v in behaviour_values}
        self.optional = ("hasil_kerja", "perilaku", *self.behaviour_columns, "comment")
        self.nips: set[str] = set()

    def load(self, session: Session) -> None:
        self.check_cycle(session, self.cycle_id)
        self.nips = set(session.scalars(select(Employee.nip)))
        self.employees = self.nips

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        nip = self.need(row, cells, "nip")
        ok = nip is not None
        record: dict[str, Any] = {"cycle_id": self.cycle_id, "nip": nip}
        what = ("rating", "penilaian")
        for column in ("hasil_kerja", "perilaku"):
            if column in self.columns:
                good, record[column] = self._rating(
                    row, column, cells.get(column, ""), self.ratings, what
                )
                ok = ok and good
        values: dict[str, str] = {}
        for column, value in self.behaviour_columns.items():
            if column in self.columns:
                good, rating = self._rating(row, column, cells.get(column, ""), self.ratings, what)
                ok = ok and good
                if rating is not None:
                    values[value] = rating
        if any(c in self.columns for c in self.behaviour_columns):
            record["perilaku_values"] = values
        if "comment" in self.columns:
            record["comment"] = cells.get("comment") or None
        return record if ok else None

    def observe(self, row: int, record: dict[str, Any]) -> None:
        nip = record["nip"]
        if nip not in self.nips:
            self.bad(row, "nip", f"unknown employee '{nip}'", f"pegawai '{nip}' tidak dikenal")


class UnitRatingsImporter(_CycleImporter):
    """unit_ratings.csv: unit_id, predikat_organisasi."""

    kind = "unit_ratings"
    table = UnitRating.__table__
    keys = ("cycle_id", "unit_id")
    required = ("unit_id", "predikat_organisasi")
    unique = ("unit_id",)
    identifiers = ("unit_id",)

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        predikat: Iterable[str] | Iterable[tuple[str, str]],
    ) -> None:
        super().__init__(path, cycle_id=cycle_id)
        self.predikat = Spellings(predikat)
        self.units: set[str] = set()

    def load(self, session: Session) -> None:
        self.check_cycle(session, self.cycle_id)
        self.units = set(session.scalars(select(Unit.unit_id)))

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        unit_id = self.need(row, cells, "unit_id")
        text = self.need(row, cells, "predikat_organisasi")
        ok, predikat = False, None
        if text is not None:
            ok, predikat = self._rating(
                row, "predikat_organisasi", text, self.predikat, ("predikat", "predikat")
            )
        if not (ok and unit_id):
            return None
        # The file is the leader's decision: it replaces a predikat computed from the IKU.
        return {
            "cycle_id": self.cycle_id,
            "unit_id": unit_id,
            "predikat_organisasi": predikat,
            "source": "file",
            "capaian": None,
            "derivation": None,
        }

    def observe(self, row: int, record: dict[str, Any]) -> None:
        unit_id = record["unit_id"]
        if unit_id not in self.units:
            self.bad(row, "unit_id", f"unknown unit '{unit_id}'", f"unit '{unit_id}' tidak dikenal")


def import_reviews(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    ratings: Iterable[str] | Iterable[tuple[str, str]],
    behaviour_values: list[str],
    nip_format: IdFormat | None = None,
) -> ImportReport:
    """Import reviews.csv: a scenario's scripted manager answers for a cycle.

    Ratings must be in ``ratings`` (codes, or ``(spelling, code)`` pairs);
    ``perilaku_<value>`` columns are allowed for the values in ``behaviour_values`` only.
    ``nip_format``: what a NIP looks like (None: any text).
    """
    importer = ReviewsImporter(
        path,
        cycle_id=cycle_id,
        ratings=ratings,
        behaviour_values=behaviour_values,
        nip_format=nip_format,
    )
    return import_one(session, importer)


def import_unit_ratings(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    predikat: Iterable[str] | Iterable[tuple[str, str]],
) -> ImportReport:
    """Import unit_ratings.csv: each unit's predikat organisasi for a cycle (codes, or
    ``(spelling, code)`` pairs)."""
    return import_one(session, UnitRatingsImporter(path, cycle_id=cycle_id, predikat=predikat))


class CheckinsImporter(ReviewsImporter):
    """checkins.csv: nip, period, [hasil_kerja], [perilaku]: a scenario's scripted periodic
    ratings (what each simulated rater answers at that period's check-in)."""

    kind = "checkins"
    table = ScriptedCheckin.__table__
    keys = ("cycle_id", "period", "nip")
    required = ("nip", "period")
    unique = ("nip", "period")

    def __init__(
        self,
        path: str | Path,
        *,
        cycle_id: str,
        ratings: Iterable[str] | Iterable[tuple[str, str]],
        periods: set[str],
        nip_format: IdFormat | None = None,
    ) -> None:
        super().__init__(
            path, cycle_id=cycle_id, ratings=ratings, behaviour_values=[], nip_format=nip_format
        )
        self.optional = ("hasil_kerja", "perilaku")
        self.periods = periods

    def convert(self, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
        record = super().convert(row, cells)
        period, good = self.maybe(row, cells, "period", parse_period)
        if good and period is not None and period not in self.periods:
            self.bad(
                row,
                "period",
                f"period '{period}' is not one of the cycle's: {', '.join(sorted(self.periods))}",
                f"periode '{period}' bukan periode siklus: {', '.join(sorted(self.periods))}",
            )
            good = False
        if record is None or not good or period is None:
            return None
        return {**record, "period": period}


def import_checkins(
    session: Session,
    *,
    path: str | Path,
    cycle_id: str,
    ratings: Iterable[str] | Iterable[tuple[str, str]],
    periods: set[str],
    nip_format: IdFormat | None = None,
) -> ImportReport:
    """Import checkins.csv: a scenario's scripted periodic ratings for a cycle."""
    importer = CheckinsImporter(
        path, cycle_id=cycle_id, ratings=ratings, periods=periods, nip_format=nip_format
    )
    return import_one(session, importer)
