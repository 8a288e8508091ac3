"""Evaluation periods: their labels, days, order, and the periods of a cycle. Pure.

A period is written ``YYYY-MM`` (a month), ``YYYY-Qn`` (a quarter), ``YYYY-S1``/``S2`` (a
semester) or ``YYYY`` (a year). PermenPANRB 6/2022 evaluates periodically and annually
(DOMAIN.md A1); the agency chooses the period, and tukin is paid monthly (A4)::

    [p.label for p in periods_of(date(2026, 1, 1), date(2026, 12, 31), "quarterly")]
    # ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']

A cycle's period starts and ends within the cycle (a cycle from 15 January has a first month
from the 15th) and opens the day after it ends: the realisation of March is reported from
1 April.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

EVERY = {"monthly": 1, "quarterly": 3, "semester": 6}
"""Months per period, by the cycle config's ``evaluation_periods``."""


@dataclass(frozen=True)
class Period:
    """One evaluation period of a cycle."""

    label: str
    starts_on: date
    ends_on: date

    @property
    def opens_on(self) -> date:
        """The day its realisation is reported: the day after it ends."""
        return self.ends_on + timedelta(days=1)


def period_days(label: str) -> tuple[date, date]:
    """The first and last day of the calendar period ``label``."""
    year, rest = int(label[:4]), label[5:]
    if not rest:
        first, months = 1, 12
    elif rest[0] in "Qq":
        first, months = 3 * int(rest[1:]) - 2, 3
    elif rest[0] in "Ss":
        first, months = 6 * int(rest[1:]) - 5, 6
    else:
        first, months = int(rest), 1
    after = first + months  # the month after the period, possibly January of next year
    end = date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return date(year, first, 1), end


def period_key(label: str) -> tuple[int, int, int]:
    """Sort key of a period: (year, last month covered, granularity)."""
    year = int(label[:4])
    rest = label[5:]
    if not rest:
        return (year, 12, 0)
    if rest.startswith(("Q", "q")):
        return (year, 3 * int(rest[1:]), 2)
    if rest.startswith(("S", "s")):
        return (year, 6 * int(rest[1:]), 1)
    return (year, int(rest), 3)


def _label(year: int, month: int, months: int) -> str:
    if months == 1:
        return f"{year}-{month:02d}"
    if months == 3:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-S{(month - 1) // 6 + 1}"


def periods_of(start: date, end: date, every: str) -> list[Period]:
    """The evaluation periods of a cycle from ``start`` to ``end`` (both included).

    ``every`` is ``monthly``, ``quarterly`` or ``semester``; ``annual`` has no periods of
    its own (the annual stages are the evaluation). Periods follow the calendar and are
    clipped to the cycle.
    """
    if every == "annual":
        return []
    months = EVERY[every]
    out: list[Period] = []
    year, month = start.year, (start.month - 1) // months * months + 1
    while True:
        label = _label(year, month, months)
        first, last = period_days(label)
        if first > end:
            return out
        out.append(Period(label, max(first, start), min(last, end)))
        month += months
        if month > 12:
            year, month = year + 1, month - 12


def elapsed_share(period: Period, start: date, end: date) -> Fraction:
    """The share of the cycle's days that have passed at the end of ``period`` (pro rata)."""
    total = (end - start).days + 1
    return Fraction((period.ends_on - start).days + 1, total)


def within(label: str, start: date, end: date) -> bool:
    """Whether ``label`` lies wholly within ``start``..``end``."""
    first, last = period_days(label)
    return start <= first and last <= end


def periods_to_date(labels: Iterable[str], period: Period) -> dict[str, tuple[int, int, int]]:
    """Those of ``labels`` that count to date at the end of ``period`` (ordered no later and
    ending no later than it), each with its sort key (:func:`period_key`)::

        periods_to_date(["2026-01", "2026-Q1", "2026-04"], Period("2026-03", ...))
        # {'2026-01': (2026, 1, 3), '2026-Q1': (2026, 3, 2)}
    """
    upto = period_key(period.label)
    keys = {label: period_key(label) for label in labels}
    return {
        label: key
        for label, key in keys.items()
        if key <= upto and period_days(label)[1] <= period.ends_on
    }
