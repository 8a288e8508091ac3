"""Attendance and discipline deductions of a cycle's incentives, from attendance.csv and
discipline.csv (tables ``attendance`` and ``discipline_sanctions``).

The incentive a cycle computes is the monthly amount of its last month (the month of the
cycle's ``period_end``: ``months`` is 1 in the pack's formula). So attendance lapses recorded
for the cycle are cut in full (each code x count x the pack's percent, summed and capped,
Permentan 68/2012, DOMAIN.md A4), and a discipline sanction cuts when it is still in force
in that month: a written reprimand decided two months before the period ends (30% for two
months) has run out; one decided in the last month cuts 30%. A sanction without
``decided_on`` counts as in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from kinerja.models.rules.base import Derived
from kinerja.models.rules.incentive import (
    attendance_deduction_pct,
    discipline_cut_pct,
    incentive_for,
)
from kinerja.models.store.tables import AttendanceLapse, AttendanceMonth, DisciplineSanction


@dataclass(frozen=True)
class Deductions:
    """One person's attendance deduction and discipline cut, in percent, with the steps."""

    attendance_pct: Decimal = Decimal(0)
    discipline_pct: Decimal = Decimal(0)
    steps: tuple[str, ...] = field(default=())


NO_DEDUCTIONS = Deductions(
    steps=("attendance: no lapses recorded", "discipline: no sanction recorded")
)


def months_between(decided: date, reference: date) -> int:
    """Whole calendar months from the month of ``decided`` to the month of ``reference``."""
    return (reference.year - decided.year) * 12 + reference.month - decided.month


def incentive_deductions(
    session: Session,
    *,
    cycle_id: str,
    rules: Any,
    reference: date,
    lo: str,
    hi: str,
    month: str | None = None,
) -> dict[str, Deductions]:
    """The deductions of every person of the chunk ``lo``..``hi`` with a lapse or a sanction.

    ``rules`` is the pack's ``incentive`` section; ``reference`` a day of the month the
    incentive is for (the cycle's ``period_end``, or the month's last day when tukin is paid
    monthly: then ``month`` names it and its own attendance counts). People without rows are
    not in the result: use :data:`NO_DEDUCTIONS`.
    """
    order = {code: i for i, code in enumerate(rules.attendance_codes)}
    counts: dict[str, dict[str, int]] = {}
    a: Any = AttendanceLapse if month is None else AttendanceMonth
    lapses = select(a.nip, a.code, a.count).where(
        a.cycle_id == cycle_id, and_(a.nip >= lo, a.nip <= hi)
    )
    if month is not None:
        lapses = lapses.where(a.period == month)
    for nip, code, count in session.execute(lapses):
        counts.setdefault(nip, {})[code] = count
    sanctions: dict[str, list[tuple[str, date | None]]] = {}
    for nip, sanction, decided in session.execute(
        select(
            DisciplineSanction.nip, DisciplineSanction.sanction, DisciplineSanction.decided_on
        ).where(
            DisciplineSanction.cycle_id == cycle_id,
            and_(DisciplineSanction.nip >= lo, DisciplineSanction.nip <= hi),
        )
    ):
        sanctions.setdefault(nip, []).append((sanction, decided))
    out: dict[str, Deductions] = {}
    for nip in sorted(set(counts) | set(sanctions)):
        steps: list[str] = []
        attendance = Decimal(0)
        if nip in counts:
            ordered = dict(sorted(counts[nip].items(), key=lambda kv: order.get(kv[0], 99)))
            derived = attendance_deduction_pct(ordered, rules)
            attendance = derived.value
            steps += [f"attendance: {s}" for s in derived.steps]
        else:
            steps.append(NO_DEDUCTIONS.steps[0])
        discipline = Decimal(0)
        if nip in sanctions:
            in_force: list[tuple[str, int]] = []
            for code, decided in sorted(sanctions[nip], key=lambda s: (s[1] or date.min, s[0])):
                if decided is None:
                    steps.append(f"discipline: {code} (no decision date): counted in force")
                    in_force.append((code, 0))
                    continue
                elapsed = months_between(decided, reference)
                if elapsed < 0:
                    steps.append(
                        f"discipline: {code} decided {decided}, after {reference:%Y-%m}:"
                        " not yet in force"
                    )
                    continue
                steps.append(f"discipline: {code} decided {decided}, in force from {decided:%Y-%m}")
                in_force.append((code, elapsed))
            derived = discipline_cut_pct(in_force, rules)
            discipline = derived.value
            steps += [f"discipline: {s}" for s in derived.steps]
        else:
            steps.append(NO_DEDUCTIONS.steps[1])
        out[nip] = Deductions(attendance, discipline, tuple(steps))
    return out


def person_incentive(
    *, grade: str | None, predikat: str | None, cuts: Deductions, rules: Any
) -> tuple[Decimal | None, list[str]]:
    """One person's incentive by the pack's formula with their deductions, and its steps
    (the cycle's stage and an appeal's recalculation both use it)."""

    return PersonIncentives(rules)(grade=grade, predikat=predikat, cuts=cuts)


class PersonIncentives:
    """:func:`person_incentive` for the many people of one pack: the formula is worked out
    once per grade, predikat and pair of cuts, and its steps reused.

    Example::

        incentive = PersonIncentives(pack.incentive)
        amount, steps = incentive(grade="III/a", predikat="baik", cuts=NO_DEDUCTIONS)
    """

    def __init__(self, rules: Any) -> None:
        self.rules = rules
        self._worked: dict[tuple[str | None, str, str, str], Derived[Decimal]] = {}

    def __call__(
        self, *, grade: str | None, predikat: str | None, cuts: Deductions
    ) -> tuple[Decimal | None, list[str]]:
        if predikat is None:
            return None, ["no predikat: no incentive computed"]
        # The text of a cut, not only its value: 1.0 and 1 are equal but read differently.
        key = (grade, predikat, str(cuts.attendance_pct), str(cuts.discipline_pct))
        derived = self._worked.get(key)
        if derived is None:
            derived = incentive_for(
                grade=grade,
                predikat=predikat,
                attendance_deduction_pct=cuts.attendance_pct,
                discipline_cut_pct=cuts.discipline_pct,
                rules=self.rules,
            )
            self._worked[key] = derived
        return derived.value, [*cuts.steps, *derived.steps]
