"""IKM (PermenPANRB 14/2017, DOMAIN.md A2): formula, exact weights, bands and their edges."""

from __future__ import annotations

import pytest

from kinerja.models.policy.ikm import IkmRules
from kinerja.models.rules.ikm import compute_ikm, ikm_mutu

CODES = [f"U{i}" for i in range(1, 10)]


def responses_with_total(n: int, total: int) -> list[dict[str, int]]:
    """``n`` complete responses whose 9 x n scores (1-4) add up to ``total``."""
    cells = 9 * n
    base, extra = divmod(total, cells)
    assert 1 <= base <= 4 and (base < 4 or extra == 0)
    flat = [base + (1 if i < extra else 0) for i in range(cells)]
    return [dict(zip(CODES, flat[k * 9 : (k + 1) * 9], strict=True)) for k in range(n)]


def columns_to_responses(columns: dict[str, list[int]]) -> list[dict[str, int]]:
    n = len(next(iter(columns.values())))
    return [{code: col[i] for code, col in columns.items()} for i in range(n)]


def test_worked_example(asn):
    # Four respondents; per-element sums 13, 14, 12, 15, 13, 14, 15, 12, 14 give
    # NRR 3.25, 3.5, 3.0, 3.75, 3.25, 3.5, 3.75, 3.0, 3.5 (sum 30.5).
    # IKM unit = 30.5 x 1/9 = 3.38889; IKM = 3.38889 x 25 = 84.7222 -> 84.72, mutu B (Baik).
    # With the rounded weight 0.11 it would be 30.5 x 0.11 x 25 = 83.875 -> 83.88.
    s13, s14, s12, s15 = [4, 3, 3, 3], [4, 4, 3, 3], [3, 3, 3, 3], [4, 4, 4, 3]
    columns = dict(zip(CODES, [s13, s14, s12, s15, s13, s14, s15, s12, s14], strict=True))
    result = compute_ikm(columns_to_responses(columns), asn.ikm)
    assert result.respondents == 4
    assert result.nrr["U4"] == 3.75 and result.nrr["U3"] == 3.0
    assert result.ikm_unit == pytest.approx(30.5 / 9)
    assert result.ikm == 84.72
    assert (result.mutu, result.label) == ("B", "Baik / Good")
    assert "84.72" in result.steps[2]


def test_perfect_score_is_100_with_exact_ninths(asn):
    # DOMAIN.md A2 pitfall: w = 0.11 caps a perfect score at 99; the exact 1/9 gives 100.
    result = compute_ikm([dict.fromkeys(CODES, 4)] * 7, asn.ikm)
    assert result.ikm == 100.0 and result.mutu == "A"
    assert 0.11 * 9 * 4 * 25 == pytest.approx(99.0)  # what the rounded weight would give


def test_lowest_score_is_25(asn):
    assert compute_ikm([dict.fromkeys(CODES, 1)] * 3, asn.ikm).ikm == 25.0


def test_rounded_weights_that_do_not_sum_to_one_are_refused(asn):
    data = asn.ikm.model_dump()
    for element in data["elements"]:
        element["weight"] = 0.11
    with pytest.raises(ValueError, match="weights must sum to exactly 1"):
        IkmRules.model_validate(data)


# (respondents, total of all scores) chosen so the x25 value rounds to each band edge.
EDGES = [
    (64.99, "D", 38, 889),
    (65.00, "C", 5, 117),
    (76.60, "C", 26, 717),
    (76.61, "B", 19, 524),
    (88.30, "B", 19, 604),
    (88.31, "A", 24, 763),
]


@pytest.mark.parametrize(("value", "mutu", "n", "total"), EDGES)
def test_band_edges(asn, value, mutu, n, total):
    result = compute_ikm(responses_with_total(n, total), asn.ikm)
    assert result.ikm == value
    assert result.mutu == mutu
    assert ikm_mutu(value, asn.ikm)[0] == mutu


def test_rounding_is_half_up_on_the_exact_value(asn):
    # 8 respondents, total 225: 25 x 225 / 72 = 78.125 exactly; half up gives 78.13 where
    # Python's round() (half to even) would give 78.12.
    assert round(78.125, 2) == 78.12
    assert compute_ikm(responses_with_total(8, 225), asn.ikm).ikm == 78.13
    # 4 respondents, total 111: 25 x 111 / 36 = 77.0833... -> 77.08
    assert compute_ikm(responses_with_total(4, 111), asn.ikm).ikm == 77.08


def test_unanswered_element_uses_its_own_respondents(asn):
    full = dict.fromkeys(CODES, 3)
    partial = {k: v for k, v in dict.fromkeys(CODES, 4).items() if k != "U9"}
    result = compute_ikm([full, partial], asn.ikm)
    assert result.respondents == 2
    assert result.nrr["U9"] == 3.0 and result.nrr["U1"] == 3.5


def test_no_responses_gives_no_index(asn):
    result = compute_ikm([], asn.ikm)
    assert (result.respondents, result.ikm, result.mutu) == (0, None, None)


def test_an_element_nobody_answered_gives_no_index(asn):
    answers = {k: 3 for k in CODES if k != "U4"}
    result = compute_ikm([answers], asn.ikm)
    assert result.ikm is None and "U4" in result.steps[0]


@pytest.mark.parametrize("bad", [0, 5, 2.5, "3", True])
def test_scores_outside_the_scale_are_refused(asn, bad):
    answers = dict.fromkeys(CODES, 3) | {"U2": bad}
    with pytest.raises(ValueError, match="response 1, U2: score must be a whole number 1-4"):
        compute_ikm([answers], asn.ikm)


def test_unknown_element_is_refused(asn):
    with pytest.raises(ValueError, match="unknown element 'U10'"):
        compute_ikm([dict.fromkeys(CODES, 3) | {"U10": 3}], asn.ikm)


def test_reweighted_elements(asn):
    # Units may re-weight as long as the weights still sum to 1 (DOMAIN.md A2).
    data = asn.ikm.model_dump()
    data["elements"] = [
        {"code": "A", "name": {"id": "A", "en": "A"}, "weight": "3/4"},
        {"code": "B", "name": {"id": "B", "en": "B"}, "weight": 0.25},
    ]
    rules = IkmRules.model_validate(data)
    result = compute_ikm([{"A": 4, "B": 2}], rules)
    assert result.ikm_unit == 3.5 and result.ikm == 87.5 and result.mutu == "B"
