"""Cell parsers and loop finding (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.models.imports.values import (
    LARGEST_WHOLE,
    Bad,
    IdFormat,
    choose,
    find_loops,
    parse_date,
    parse_direction,
    parse_flag,
    parse_integer,
    parse_number,
    parse_period,
    parse_target,
    refuse_outside,
    refuse_scientific,
)
from kinerja.models.rules.periods import period_days


@pytest.mark.parametrize(
    ("text", "value"), [("12", 12.0), ("-1.5", -1.5), (".5", 0.5), ("1e3", 1000.0), ("+2", 2.0)]
)
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    ["12,5", "1.000,5", "nan", "NaN", "inf", "-inf", "Infinity", "1_000", "12 %", "", "abc"],
)
def test_not_numbers(text):
    with pytest.raises(Bad):
        parse_number(text)


@pytest.mark.parametrize("text", ["1e999", "-1e999", "1E+400", "9" * 400, "-" + "9" * 309])
def test_numbers_too_large_to_hold_are_refused_not_stored_as_infinity(text):
    with pytest.raises(Bad) as exc:
        parse_number(text)
    assert "too large to be a number" in exc.value.en and "terlalu besar" in exc.value.id_


def test_the_largest_finite_float_is_a_number():
    assert parse_number("1.7976931348623157e308") == 1.7976931348623157e308
    assert parse_number("1e-999") == 0.0  # underflow is a (very small) finite number


@pytest.mark.parametrize("text", ["1.98505E+17", "1,98505E+17", "2E+05", "-3.1E-02", "1.5e+03"])
def test_scientific_notation_is_named_as_spreadsheet_damage(text):
    with pytest.raises(Bad) as exc:
        refuse_scientific(text)
    assert "scientific notation" in exc.value.en and "format the column as text" in exc.value.en
    assert "notasi ilmiah" in exc.value.id_ and "format kolom sebagai teks" in exc.value.id_
    with pytest.raises(Bad, match="scientific notation"):
        parse_integer(text)


@pytest.mark.parametrize("text", ["198505102010012003", "E-12", "1E5", "UNIT-2E+", "A1.5E+3"])
def test_other_identifiers_are_not_scientific_notation(text):
    refuse_scientific(text)  # nothing raised: no spreadsheet writes these for a number


def test_whole_numbers_fit_an_integer_column():
    assert parse_integer(str(LARGEST_WHOLE)) == LARGEST_WHOLE
    assert parse_integer(str(-LARGEST_WHOLE)) == -LARGEST_WHOLE
    for text in (str(LARGEST_WHOLE + 1), "9" * 30):
        with pytest.raises(Bad, match="too large"):
            parse_integer(text)


def test_range_targets_are_finite():
    with pytest.raises(Bad, match="too large"):
        parse_target("1-1e999", "range")


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


@pytest.mark.parametrize(
    ("period", "days"),
    [
        ("2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("2025-02", (date(2025, 2, 1), date(2025, 2, 28))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2025-12", (date(2025, 12, 1), date(2025, 12, 31))),
        ("2025-Q1", (date(2025, 1, 1), date(2025, 3, 31))),
        ("2025-Q4", (date(2025, 10, 1), date(2025, 12, 31))),
        ("2025-S1", (date(2025, 1, 1), date(2025, 6, 30))),
        ("2025-S2", (date(2025, 7, 1), date(2025, 12, 31))),
    ],
)
def test_period_days(period, days):
    assert period_days(period) == days


def test_a_period_must_lie_within_the_cycle():
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    for period in ("2025", "2025-01", "2025-Q4", "2025-S2"):
        refuse_outside(period, start, end)
    for period in ("2024-12", "2026-01", "2024", "2026-Q1"):
        with pytest.raises(Bad) as exc:
            refuse_outside(period, start, end)
        assert "outside the cycle (2025-01-01 to 2025-12-31)" in exc.value.en
        assert "di luar siklus" in exc.value.id_
    # A period only partly inside is outside too: its realisation covers days the cycle does not.
    with pytest.raises(Bad):
        refuse_outside("2025-Q1", date(2025, 2, 1), end)


def test_identifier_formats():
    asn = IdFormat(r"[0-9]{18}", "18 digits", "18 digit angka")
    asn.check("198505102010012003")
    for text in ("19850510201001200", "1985051020100120031", "19850510201001200X", "E1"):
        with pytest.raises(Bad) as exc:
            asn.check(text)
        assert "(18 digits)" in exc.value.en and "(18 digit angka)" in exc.value.id_
    IdFormat().check("any text at all")  # no pattern: anything goes (the length is checked apart)


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
