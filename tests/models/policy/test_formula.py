"""The pack formula language: arithmetic, min and max over named inputs, and nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.models.policy.formula import MAX_DEPTH, FormulaError, parse_formula

D = Decimal
NAMES = {"a", "b", "c"}
ENV = {"a": D(10), "b": D(4), "c": D("0.5")}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("a - b - c", D("5.5")),  # left to right
        ("a / b / 2", D("1.25")),
        ("-a + +b", D(-6)),
        ("--a", D(10)),
        ("a * -c", D(-5)),
        ("min(a, b, c)", D("0.5")),
        ("max(a, b * 3)", D(12)),
        ("max(0, min(a - 20, b))", D(0)),
        (".5 * a", D(5)),
        ("1 / 3 * 3", D("0.9999999999999999999999999999999999")),  # 34 digits, never a float
        ("  a\n * b  ", D(40)),
    ],
)
def test_evaluates_with_decimal(source, expected):
    formula = parse_formula(source, names=NAMES)
    value = formula.evaluate(ENV)
    assert isinstance(value, Decimal) and value == expected


def test_names_used_are_recorded():
    assert parse_formula("a * 2 + max(b, 1)", names=NAMES).names == {"a", "b"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("a + d", "unknown name 'd' at position 5"),
        ("__import__(a)", "unknown function '__import__' at position 1"),
        ("abs(a)", "unknown function 'abs'"),
        ("a ** 2", "expected a number, a name or '(' at position 4"),
        ("a.real", "character '.' not allowed"),
        ("a[0]", "character '[' not allowed"),
        ("a if b else c", "expected an operator or the end at position 3"),
        ("lambda: 1", "character ':' not allowed at position 7"),
        ("'text'", 'character "\'" not allowed'),
        ("(a + b", "expected ')' at position 7, got the end"),
        ("a + ", "expected a number, a name or '('"),
        ("min", "unknown name 'min'"),
        ("min()", "expected a number, a name or '('"),
        ("1e5", "expected an operator or the end at position 2, got 'e5'"),
        ("2(a)", "expected an operator or the end"),
        ("", "empty formula"),
        ("a; b", "character ';' not allowed"),
    ],
)
def test_anything_else_is_refused(source, message):
    with pytest.raises(FormulaError) as info:
        parse_formula(source, names=NAMES)
    assert message in str(info.value)
    assert " / " in str(info.value)  # Bahasa Indonesia / English


def test_nesting_is_bounded():
    deep = "(" * (MAX_DEPTH + 5) + "a" + ")" * (MAX_DEPTH + 5)
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse_formula(deep, names=NAMES)
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse_formula("-" * (MAX_DEPTH + 5) + "a", names=NAMES)


def test_division_by_zero_and_missing_inputs():
    formula = parse_formula("a / (b - 4)", names=NAMES)
    with pytest.raises(FormulaError, match="divides by zero"):
        formula.evaluate(ENV)
    with pytest.raises(FormulaError, match=r"no value given for \['b'\]"):
        formula.evaluate({"a": D(1)})


def test_text_and_substitution():
    formula = parse_formula("a*(b-(c-1))/(a*b)", names=NAMES)
    assert str(formula) == "a * (b - (c - 1)) / (a * b)"
    assert formula.substituted(ENV) == "10 * (4 - (0.5 - 1)) / (10 * 4)"


# Random trees: printing a parsed formula and parsing it again gives the same tree.
leaves = st.one_of(
    st.sampled_from(sorted(NAMES)),
    st.decimals(0, 1000, places=2, allow_nan=False, allow_infinity=False).map(str),
)
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from("+-*/"), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"-{x}"),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
    ),
    max_leaves=12,
)


@given(trees)
def test_printed_formula_parses_back_to_the_same_tree(source):
    formula = parse_formula(source, names=NAMES)
    again = parse_formula(str(formula), names=NAMES)
    assert again.tree == formula.tree
