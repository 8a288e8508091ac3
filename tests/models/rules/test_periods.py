"""Evaluation periods (DOMAIN.md A1: periodic and annual evaluation; A4: monthly tukin)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from kinerja.models.rules.periods import (
    Period,
    elapsed_share,
    period_days,
    period_key,
    periods_of,
    periods_to_date,
    within,
)

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("every", "labels"),
    [
        ("monthly", [f"2026-{m:02d}" for m in range(1, 13)]),
        ("quarterly", ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]),
        ("semester", ["2026-S1", "2026-S2"]),
        ("annual", []),
    ],
)
def test_the_periods_of_a_calendar_year(every, labels):
    periods = periods_of(*YEAR, every)
    assert [p.label for p in periods] == labels
    if periods:
        assert periods[0].starts_on == YEAR[0] and periods[-1].ends_on == YEAR[1]
        # contiguous: each starts the day the one before opens
        assert all(b.starts_on == a.opens_on for a, b in zip(periods, periods[1:], strict=False))


def test_a_cycle_off_the_calendar_clips_its_first_and_last_periods():
    periods = periods_of(date(2026, 1, 15), date(2026, 7, 10), "quarterly")
    assert periods == [
        Period("2026-Q1", date(2026, 1, 15), date(2026, 3, 31)),
        Period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        Period("2026-Q3", date(2026, 7, 1), date(2026, 7, 10)),
    ]
    assert periods[-1].opens_on == date(2026, 7, 11)


def test_a_cycle_across_new_year():
    labels = [p.label for p in periods_of(date(2025, 11, 1), date(2026, 2, 28), "monthly")]
    assert labels == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_march_opens_on_the_first_of_april_and_february_knows_leap_years():
    (march,) = [p for p in periods_of(*YEAR, "monthly") if p.label == "2026-03"]
    assert march.opens_on == date(2026, 4, 1)
    assert period_days("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_days("2026-S2") == (date(2026, 7, 1), date(2026, 12, 31))
    assert period_days("2026") == YEAR


def test_elapsed_share_is_pro_rata_by_days():
    q = periods_of(*YEAR, "quarterly")
    assert elapsed_share(q[0], *YEAR) == Fraction(90, 365)
    assert elapsed_share(q[-1], *YEAR) == 1


def test_order_and_containment():
    labels = ["2026", "2026-Q4", "2026-12", "2026-S2", "2026-03", "2026-Q1"]
    # By the last month covered; at the same month the coarser period first.
    assert sorted(labels, key=period_key) == [
        "2026-Q1",
        "2026-03",
        "2026",
        "2026-S2",
        "2026-Q4",
        "2026-12",
    ]
    assert within("2026-Q2", *YEAR) and not within("2027-01", *YEAR)
    assert not within("2026-Q1", date(2026, 1, 15), YEAR[1])


def test_the_periods_that_count_to_date_carry_their_sort_key():
    march = Period("2026-03", date(2026, 3, 1), date(2026, 3, 31))
    labels = ["2026-04", "2026-Q1", "2026", "2026-01", "2026-S1", "2025-12"]
    assert periods_to_date(labels, march) == {
        "2026-Q1": (2026, 3, 2),
        "2026-01": (2026, 1, 3),
        "2025-12": (2025, 12, 3),
    }
    # A month cut short by the cycle's end does not yet count its own calendar month.
    july = Period("2026-07", date(2026, 7, 1), date(2026, 7, 10))
    assert list(periods_to_date(["2026-06", "2026-07"], july)) == ["2026-06"]
    assert periods_to_date([], march) == {}
