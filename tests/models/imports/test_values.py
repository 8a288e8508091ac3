"""Cell parsers and loop finding (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.models.imports.values import (
    Bad,
    choose,
    find_loops,
    parse_date,
    parse_direction,
    parse_flag,
    parse_integer,
    parse_number,
    parse_period,
    parse_target,
)


@pytest.mark.parametrize(
    ("text", "value"), [("12", 12.0), ("-1.5", -1.5), (".5", 0.5), ("1e3", 1000.0), ("+2", 2.0)]
)
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["12,5", "1.000,5", "nan", "inf", "1_000", "12 %", "", "abc"])
def test_not_numbers(text):
    with pytest.raises(Bad):
        parse_number(text)


def test_decimal_comma_hint():
    with pytest.raises(Bad) as exc:
        parse_number("12,5")
    assert "(12.5)" in exc.value.en and "(12.5)" in exc.value.id_


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_written_by_python_reads_back(x):
    assert parse_number(repr(x)) == x


@pytest.mark.parametrize(
    ("text", "direction", "value"),
    [
        ("85", "higher", (85.0, None)),
        ("0", "lower", (0.0, None)),
        ("80-90", "range", (80.0, 90.0)),
        ("80 - 90", "range", (80.0, 90.0)),
        ("-5--1", "range", (-5.0, -1.0)),
        ("1e-3", "higher", (0.001, None)),
    ],
)
def test_targets(text, direction, value):
    assert parse_target(text, direction) == value


@pytest.mark.parametrize(
    ("text", "direction"),
    [("80-90", "higher"), ("85", "range"), ("90-80", "range"), ("a-b", "range")],
)
def test_bad_targets(text, direction):
    with pytest.raises(Bad):
        parse_target(text, direction)


def test_directions():
    assert [parse_direction(t) for t in ("", "Higher", "lower", "RANGE")] == [
        "higher",
        "higher",
        "lower",
        "range",
    ]
    with pytest.raises(Bad):
        parse_direction("up")


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2025", "2025"),
        ("2025-01", "2025-01"),
        ("2025-12", "2025-12"),
        ("2025-q4", "2025-Q4"),
        ("2025-S2", "2025-S2"),
    ],
)
def test_periods(text, period):
    assert parse_period(text) == period


@pytest.mark.parametrize(
    "text", ["2025-00", "2025-13", "2025-Q0", "2025-Q5", "2025-S3", "25", "2025-1"]
)
def test_bad_periods(text):
    with pytest.raises(Bad):
        parse_period(text)


def test_dates_flags_integers_and_choices():
    assert parse_date("2025-03-31") == date(2025, 3, 31)
    assert parse_date("2025-03-31 00:00:00") == date(2025, 3, 31)
    for text in ("31/03/2025", "2025-02-30", "kemarin"):
        with pytest.raises(Bad):
            parse_date(text)
    assert [parse_flag(t) for t in ("ya", "TIDAK", "1", "false")] == [True, False, True, False]
    with pytest.raises(Bad):
        parse_flag("maybe")
    assert parse_integer("4") == 4
    with pytest.raises(Bad):
        parse_integer("4.0")
    assert choose("baik", {"Baik", "Kurang"}, ("predikat", "predikat")) == "Baik"
    with pytest.raises(Bad):
        choose("Bagus", {"Baik"}, ("predikat", "predikat"))


def test_find_loops():
    parent = {"a": "b", "b": "c", "c": "a", "d": "a", "e": None, "f": "f", "g": "unknown"}
    loops = find_loops(parent)
    assert sorted(sorted(loop) for loop in loops) == [["a", "b", "c"], ["f"]]
    assert find_loops({"x": "y", "y": None}) == []


@given(st.dictionaries(st.integers(0, 30), st.none() | st.integers(0, 30)))
def test_find_loops_finds_exactly_the_nodes_whose_chain_returns(mapping):
    parent = {str(k): (None if v is None else str(v)) for k, v in mapping.items()}
    on_loops = {n for loop in find_loops(parent) for n in loop}

    def returns(node: str) -> bool:
        seen, current = set(), parent.get(node)
        while current is not None and current not in seen:
            if current == node:
                return True
            seen.add(current)
            current = parent.get(current)
        return False

    assert on_loops == {n for n in parent if returns(n)}
    for loop in find_loops(parent):
        for i, node in enumerate(loop):
            assert parent[node] == loop[(i + 1) % len(loop)]
