"""Working days: service levels of complaints are counted in them (DOMAIN.md A5b). Pure.

A working day is neither a weekend day (Saturday and Sunday by default) nor a public
holiday. Counting starts the day after the start::

    add_working_days(date(2026, 12, 24), 2, {date(2026, 12, 25)})  # Thu + 2 -> Tue 29 Dec
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

WEEKEND = (5, 6)
"""Saturday and Sunday (``date.weekday()``)."""


def is_working_day(
    day: date, holidays: Collection[date], weekend: Collection[int] = WEEKEND
) -> bool:
    """Whether ``day`` is a working day."""
    return day.weekday() not in weekend and day not in holidays


def add_working_days(
    start: date, days: int, holidays: Collection[date], weekend: Collection[int] = WEEKEND
) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must be >= 0 / hari tidak boleh negatif")
    if len(set(weekend)) >= 7:
        raise ValueError("a week needs a working day / minggu tanpa hari kerja")
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_working_day(day, holidays, weekend):
            left -= 1
    return day


def working_days_between(
    start: date, end: date, holidays: Collection[date], weekend: Collection[int] = WEEKEND
) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays, weekend):
            count += 1
    return count
