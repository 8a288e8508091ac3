"""The data of a signed document as plain typed records: no session, no ORM object.

Every code a page shows (aspect, rating, predikat) travels with its words in the document's
language (:class:`Coded`), so the renderer only lays out what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

Kind = Literal["skp", "evaluation"]
KINDS: tuple[Kind, ...] = ("skp", "evaluation")
"""The documents: ``skp`` (the targets as approved) and ``evaluation`` (the annual result)."""


@dataclass(frozen=True)
class Coded:
    """A code of the cycle's pack and its words in the document's language (``-`` for none)."""

    code: str | None
    label: str


@dataclass(frozen=True)
class Person:
    """Someone named on a document. A rater outside the organisation has a name only."""

    name: str
    nip: str | None = None
    position: str | None = None
    grade: str | None = None
    unit_id: str | None = None
    unit_name: str | None = None


@dataclass(frozen=True)
class TargetLine:
    """One approved target (RHK): what it serves (the RHK pimpinan yang diintervensi), its
    indicator and target, and, on an evaluation, its realisation and achievement (capaian)."""

    target_id: str
    kind: Coded
    serves: str
    serves_statement: str | None
    statement: str
    aspect: Coded
    indicator: str
    target_value: float | None
    target_high: float | None
    unit_of_measure: str
    direction: str
    realisation: float | None = None
    evidence: str | None = None
    achievement: float | None = None


@dataclass(frozen=True)
class BehaviourLine:
    """One BerAKHLAK value and, on an evaluation, the rater's rating of it."""

    value: Coded
    rating: Coded | None = None


@dataclass(frozen=True)
class PeriodLine:
    """One evaluation period's result (PeriodResult): progress to date and its ratings."""

    period: str
    period_name: str
    achievement: float | None
    expected: float | None
    hasil_kerja: Coded
    perilaku: Coded
    predikat: Coded
    feedback: str | None


@dataclass(frozen=True)
class Evaluation:
    """The annual result of one person (the ``results`` row) and what led to it."""

    achievement: float | None
    score: float | None
    hasil_kerja: Coded
    perilaku: Coded
    predikat: Coded
    incentive: Decimal | None
    comment: str | None
    feedback: str | None
    predikat_organisasi: Coded | None
    periods: tuple[PeriodLine, ...] = ()


@dataclass(frozen=True)
class PersonDocument:
    """Everything one document of one person shows."""

    kind: Kind
    lang: str
    cycle_id: str
    cycle_name: str
    approach: str
    period_start: date
    period_end: date
    agency: str | None
    employee: Person
    rater: Person | None
    rater_superior: Person | None
    targets: tuple[TargetLine, ...]
    behaviour: tuple[BehaviourLine, ...]
    kinds: tuple[Coded, ...]
    """The target kinds in the pack's order (utama, then tambahan): the table's sections."""
    signed_on: date | None = None
    evaluation: Evaluation | None = None
