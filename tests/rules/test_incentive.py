"""Incentive (tukin, DOMAIN.md A4: 60% performance, 40% attendance) and the budget cap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinerja.models.policy import IncentiveRules
from kinerja.models.rules.incentive import apply_budget_cap, incentive_for

D = Decimal


# Grade III/a, base 3,500,000: base x (0.6 x factor + 0.4 x (1 - deduction)).
@pytest.mark.parametrize(
    ("predikat", "deduction", "expected"),
    [
        ("sangat_baik", 0, D(3_500_000)),
        ("baik", 0, D(3_500_000)),
        ("butuh_perbaikan", 0, D(3_290_000)),  # 0.6 x 0.90 + 0.4 = 0.94
        ("kurang", 0, D(3_185_000)),  # 0.6 x 0.85 + 0.4 = 0.91
        ("sangat_kurang", 0, D(3_080_000)),  # 0.6 x 0.80 + 0.4 = 0.88
        ("baik", 10, D(3_360_000)),  # 0.6 + 0.4 x 0.90 = 0.96
        ("butuh_perbaikan", 3.5, D(3_241_000)),  # 0.54 + 0.4 x 0.965 = 0.926
        ("baik", 100, D(2_100_000)),  # the attendance part is gone
        ("baik", 250, D(2_100_000)),  # deductions stop at 100%
    ],
)
def test_asn_incentive(asn, predikat, deduction, expected):
    derived = incentive_for(
        grade="III/a", predikat=predikat, attendance_deduction_pct=deduction, rules=asn.incentive
    )
    assert derived.value == expected
    assert derived.value.as_tuple().exponent == 0  # whole rupiah


def test_unknown_or_missing_grade_uses_the_default_base(asn):
    for grade in (None, "X/z"):
        derived = incentive_for(
            grade=grade, predikat="baik", attendance_deduction_pct=0, rules=asn.incentive
        )
        assert derived.value == D(3_000_000) and "default base" in derived.steps[0]


def _rules(rounding: str, quantum: str = "1") -> IncentiveRules:
    return IncentiveRules(
        default_base=D(1000),
        performance_weight=D("0.6"),
        attendance_weight=D("0.4"),
        predikat_factors={"baik": D(1)},
        rounding=rounding,
        quantum=D(quantum),
    )


@pytest.mark.parametrize(
    ("rounding", "expected"), [("half_up", D(999)), ("half_even", D(998)), ("down", D(998))]
)
def test_rounding_is_pack_data(rounding, expected):
    # 1000 x (0.6 + 0.4 x (1 - 0.375%)) = 998.5 exactly
    derived = incentive_for(
        grade=None, predikat="baik", attendance_deduction_pct=0.375, rules=_rules(rounding)
    )
    assert derived.value == expected


def test_cents_quantum(generic):
    derived = incentive_for(
        grade=None, predikat="exceeds", attendance_deduction_pct=1.234, rules=generic.incentive
    )
    # 1000 x (0.8 x 1.10 + 0.2 x (1 - 0.01234)) = 1077.532 -> 1077.53
    assert derived.value == D("1077.53")


def test_bad_inputs(asn):
    with pytest.raises(ValueError, match="unknown predikat"):
        incentive_for(grade=None, predikat="hebat", attendance_deduction_pct=0, rules=asn.incentive)
    with pytest.raises(ValueError, match="attendance deduction must be >= 0"):
        incentive_for(grade=None, predikat="baik", attendance_deduction_pct=-1, rules=asn.incentive)


def test_weights_must_sum_to_one():
    with pytest.raises(ValueError, match="must be 1"):
        IncentiveRules(
            default_base=D(1),
            performance_weight=D("0.6"),
            attendance_weight=D("0.5"),
            predikat_factors={},
        )


def test_cap_not_reached_changes_nothing():
    amounts = {"a": D(100), "b": D(200)}
    capped, notes = apply_budget_cap(amounts, D(300))
    assert capped == amounts and "within the cap" in notes[0]
    capped, notes = apply_budget_cap(amounts, None)
    assert capped == amounts and "No budget cap" in notes[0]


def test_cap_scales_proportionally():
    capped, notes = apply_budget_cap({"a": D(300), "b": D(200), "c": D(100)}, D(300))
    assert capped == {"a": D(150), "b": D(100), "c": D(50)}
    assert "exceeds the cap 300" in notes[0] and "melebihi pagu 300" in notes[0]


def test_cap_rounds_down_so_the_total_stays_under():
    capped, notes = apply_budget_cap({"a": D(100), "b": D(100), "c": D(100)}, D(200))
    assert capped == {"a": D(66), "b": D(66), "c": D(66)}
    assert "2 left unallocated" in notes[0]


def test_cap_with_cents_quantum():
    capped, _ = apply_budget_cap({"a": D("100.55"), "b": D("200.10")}, D(250), quantum=D("0.01"))
    assert capped == {"a": D("83.61"), "b": D("166.38")}
    assert sum(capped.values()) <= 250


def test_cap_errors():
    with pytest.raises(ValueError, match="negative budget cap"):
        apply_budget_cap({"a": D(1)}, D(-1))
    with pytest.raises(ValueError, match="negative incentive amount"):
        apply_budget_cap({"a": D(-1)}, D(10))
