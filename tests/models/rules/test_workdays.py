"""Working days: weekends and public holidays skipped (the complaints' service levels)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.models.rules.workdays import add_working_days, is_working_day, working_days_between

CHRISTMAS_2025 = {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)}


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2025, 12, 22), 0, date(2025, 12, 22)),  # Monday + 0
        (date(2025, 12, 22), 2, date(2025, 12, 24)),  # Mon -> Wed
        (date(2025, 12, 24), 2, date(2025, 12, 30)),  # Wed; Thu, Fri holidays; weekend
        (date(2025, 12, 24), 5, date(2026, 1, 5)),  # 29, 30, 31, (1 Jan off), 2 Jan, 5 Jan
        (date(2025, 12, 27), 1, date(2025, 12, 29)),  # from a Saturday
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days, CHRISTMAS_2025) == expected


def test_days_between_and_working_day():
    assert working_days_between(date(2025, 12, 24), date(2025, 12, 30), CHRISTMAS_2025) == 2
    assert working_days_between(date(2025, 12, 30), date(2026, 1, 5), CHRISTMAS_2025) == 3
    assert working_days_between(date(2025, 12, 30), date(2025, 12, 29), CHRISTMAS_2025) == 0
    assert not is_working_day(date(2025, 12, 25), CHRISTMAS_2025)
    assert not is_working_day(date(2025, 12, 27), CHRISTMAS_2025)  # Saturday
    assert is_working_day(date(2025, 12, 29), CHRISTMAS_2025)
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 1), -1, set())


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=80),
    offsets=st.sets(st.integers(min_value=0, max_value=120), max_size=15),
)
def test_adding_then_counting_gives_the_days_back(start, days, offsets):
    off = {start + timedelta(days=o) for o in offsets}
    end = add_working_days(start, days, off)
    assert working_days_between(start, end, off) == days
    assert days == 0 or is_working_day(end, off)
