"""Krejcie-Morgan sample size for the citizen survey (DOMAIN.md A2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.models.policy.ikm import SampleRules
from kinerja.models.rules.sample import required_sample, sample_check


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (100, 80),  # DOMAIN.md A2 [U]
        (1_000_000, 384),  # DOMAIN.md A2 [S]
        (10**9, 384),  # the limit chi2 P (1 - P) / d^2 = 384.1
        # Entries of the published Krejcie & Morgan (1970) table, which rounds to the nearest:
        (10, 10),
        (50, 44),
        (200, 132),
        (500, 217),  # 217.49: "ceil" would say 218
        (1000, 278),
        (0, 0),
        (1, 1),
    ],
)
def test_required_sample(population, expected):
    assert required_sample(population) == expected


def test_ceil_rounding_and_parameters():
    assert required_sample(500, rounding="ceil") == 218
    assert required_sample(1_000_000, d="0.1") == 96  # a wider margin needs fewer
    with pytest.raises(ValueError, match="population must be a whole number"):
        required_sample(-1)
    with pytest.raises(ValueError, match="unknown rounding"):
        required_sample(10, rounding="up")


@given(st.integers(1, 10**7))
def test_never_more_than_the_population_and_never_above_384(n):
    s = required_sample(n)
    assert 1 <= s <= min(n, 384)
    assert required_sample(n + 1) >= s


def test_sample_check_with_the_asn_pack(asn):
    rules = asn.ikm.sample
    ok, need, message = sample_check(80, 100, rules)
    assert (ok, need) == (True, 80) and "Sample sufficient" in message
    ok, need, message = sample_check(79, 100, rules)
    assert (ok, need) == (False, 80)
    assert "Sampel kurang: 79 responden, minimal 80" in message
    assert "Sample too small: 79 respondents, at least 80" in message
    assert asn.ikm.min_surveys_per_year == 1


def test_sample_check_without_a_rule():
    assert sample_check(3, 10_000, None)[:2] == (True, 0)
    ok, need, _ = sample_check(40, 50, SampleRules(rounding="ceil"))
    assert (ok, need) == (False, 45)
