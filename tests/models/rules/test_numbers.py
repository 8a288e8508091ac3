"""Numbers as people read them: Indonesian and English separators, through Babel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.models.rules.numbers import cell, money, number


@pytest.mark.parametrize(
    ("value", "lang", "places", "shown"),
    [
        (21285000, "id", None, "21.285.000"),
        (21285000, "en", None, "21,285,000"),
        ("21285000.00", "id", 2, "21.285.000,00"),
        (1234.5, "en", None, "1,234.5"),
        (1234.5, "id", None, "1.234,5"),
        (0, "id", None, "0"),
        (-1500, "id", None, "-1.500"),
        (Decimal("2.345"), "id", 1, "2,3"),
    ],
)
def test_number(value, lang, places, shown):
    assert number(value, lang=lang, places=places) == shown


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        ("21285000.00", "id", "Rp21.285.000"),
        (Decimal("7000000"), "id", "Rp7.000.000"),
        (1234, "en", "IDR1,234"),
    ],
)
def test_money(value, lang, shown):
    assert money(value, lang=lang) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "-"), (True, "ya"), (12000, "12.000"), (3.14159, "3,14"), ("DINAS", "DINAS")],
)
def test_cell(value, shown):
    assert cell(value) == shown


def test_not_a_number_is_refused():
    with pytest.raises(ValueError, match="not a number"):
        number("abc")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_indonesian_integers_read_back(n):
    shown = number(n)
    assert "," not in shown
    assert int(shown.replace(".", "")) == n
