"""Incentive (tukin, DOMAIN.md A4: 60% performance, 40% attendance) and the budget cap."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.models.policy.pay import DEFAULT_FORMULA, IncentiveRules
from kinerja.models.rules.incentive import (
    apply_budget_cap,
    attendance_deduction_pct,
    discipline_cut_pct,
    incentive_for,
)

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


# --- the formula, its inputs and the deduction tables (DOMAIN.md A4) -----------------------------


def test_steps_show_every_input_and_the_formula(asn):
    derived = incentive_for(
        grade="III/a",
        predikat="butuh_perbaikan",
        attendance_deduction_pct=D("3.5"),
        discipline_cut_pct=0,
        rules=asn.incentive,
    )
    text = "\n".join(derived.steps)
    for part in (
        "base=3500000",
        "months=1",
        "performance_weight=0.6",
        "attendance_weight=0.4",
        "predikat_factor=0.90 [predikat butuh_perbaikan]",
        "attendance_deduction=0.035 (3.5%)",
        "discipline_cut=0 (0%)",
        "formula: base * months * (performance_weight * predikat_factor",
        "= 3500000 * 1 * (0.6 * 0.90 + 0.4 * (1 - 0.035)) * (1 - 0)",
        "rounded (half_up) to 1: 3241000 IDR",
    ):
        assert part in text, text


# Permentan 68/2012 (DOMAIN.md A4 [C]): TL1 0.5%, TL2 1%, TL3 1.5%, TL4 2%, PSW the same,
# a whole day absent 4%.
@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, D(0)),
        ({"TL1": 1}, D("0.5")),
        ({"TL1": 3, "TL4": 1}, D("3.5")),
        ({"PSW2": 2, "TL3": 1}, D("3.5")),
        ({"TK": 2, "PSW4": 1}, D(10)),
        ({"TK": 30}, D(100)),  # 120% stops at the pack's 100%
        ({"TL2": 0}, D(0)),
    ],
)
def test_attendance_deduction_table(asn, counts, expected):
    derived = attendance_deduction_pct(counts, asn.incentive)
    assert derived.value == expected
    assert derived.steps[-1] == f"attendance deduction {expected}%"


def test_attendance_deduction_errors(asn):
    with pytest.raises(ValueError, match=r"unknown attendance code\(s\) \['LATE'\]"):
        attendance_deduction_pct({"LATE": 1}, asn.incentive)
    with pytest.raises(ValueError, match="count must be >= 0"):
        attendance_deduction_pct({"TL1": -1}, asn.incentive)


# Permentan 68/2012 (DOMAIN.md A4 [C]): verbal 20% x 1 month, written 30% x 2, statement of
# dissatisfaction 40% x 3; dismissal 100%.
@pytest.mark.parametrize(
    ("sanctions", "expected"),
    [
        ([], D(0)),
        ([("teguran_lisan", 0)], D(20)),
        ([("teguran_lisan", 1)], D(0)),  # one month only
        ([("teguran_tertulis", 1)], D(30)),
        ([("teguran_tertulis", 2)], D(0)),
        ([("pernyataan_tidak_puas", 2)], D(40)),
        ([("teguran_lisan", 0), ("teguran_tertulis", 0)], D(30)),  # the largest, not the sum
        ([("pemberhentian", 0)], D(100)),
    ],
)
def test_discipline_cut_table(asn, sanctions, expected):
    assert discipline_cut_pct(sanctions, asn.incentive).value == expected


def test_discipline_cut_errors(asn):
    with pytest.raises(ValueError, match="unknown discipline sanction 'denda'"):
        discipline_cut_pct([("denda", 0)], asn.incentive)
    with pytest.raises(ValueError, match="months elapsed must be >= 0"):
        discipline_cut_pct([("teguran_lisan", -1)], asn.incentive)


@pytest.mark.parametrize(
    ("cut", "months", "expected"),
    [
        (20, 1, D(2_800_000)),  # III/a, baik: 3,500,000 x (1 - 20%)
        (100, 1, D(0)),
        (150, 1, D(0)),  # cuts stop at 100%
        (0, 12, D(42_000_000)),
        (30, 2, D(4_900_000)),
    ],
)
def test_discipline_cut_and_months_in_the_formula(asn, cut, months, expected):
    derived = incentive_for(
        grade="III/a",
        predikat="baik",
        attendance_deduction_pct=0,
        discipline_cut_pct=cut,
        months=months,
        rules=asn.incentive,
    )
    assert derived.value == expected


def test_a_pack_writes_its_own_formula_with_constants():
    rules = IncentiveRules(
        default_base=D(1000),
        predikat_factors={"a": D("1.5"), "b": D("0.5")},
        constants={"cap_multiple": D("1.2"), "floor_amount": D(100)},
        formula="max(floor_amount, min(base * predikat_factor, base * cap_multiple))",
        quantum=D("0.01"),
    )
    assert incentive_for(
        grade=None, predikat="a", attendance_deduction_pct=0, rules=rules
    ).value == D(1200)
    low = incentive_for(grade=None, predikat="b", attendance_deduction_pct=0, rules=rules)
    assert low.value == D(500)
    assert "cap_multiple=1.2 [constant]" in low.steps[1]


def test_a_negative_formula_result_pays_nothing():
    rules = IncentiveRules(
        default_base=D(1000), predikat_factors={"a": D(1)}, formula="base * (predikat_factor - 2)"
    )
    derived = incentive_for(grade=None, predikat="a", attendance_deduction_pct=0, rules=rules)
    assert derived.value == 0 and "negative amount is paid as 0" in derived.steps[-2]


@pytest.mark.parametrize(
    ("formula", "constants", "message"),
    [
        ("base * bonus", {}, "incentive.formula: Value error, nama tidak dikenal 'bonus'"),
        ("base * pow(2, 3)", {}, "incentive.formula: Value error, fungsi tidak dikenal 'pow'"),
        ("base ** 2", {}, "incentive.formula: Value error"),
        ("base * x", {"base": "1"}, "incentive.constants: Value error, 'base': already an input"),
        ("base", {"2x": "1"}, "incentive.constants: Value error, '2x': a name is letters"),
    ],
)
def test_a_bad_formula_is_a_pack_error_naming_file_and_field(tmp_path, formula, constants, message):
    from kinerja.models.policy.loading import load_pack, policies_dir
    from kinerja.models.schemas.config import ConfigError

    data = yaml.safe_load((policies_dir() / "asn.yaml").read_text(encoding="utf-8"))
    data["incentive"]["formula"] = formula
    data["incentive"]["constants"] = constants
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_pack(str(path))
    assert str(info.value).startswith(f"{path}: invalid configuration")
    assert message in str(info.value), str(info.value)


def test_the_default_formula_keeps_stored_packs_computing_the_same(asn):
    # A cycle stored before the formula existed has no ``formula`` key: the default applies,
    # and it is the formula the asn pack states.
    assert asn.incentive.formula.split() == DEFAULT_FORMULA.split()


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
quanta = st.sampled_from([D("0.01"), D("1"), D("100"), D("1000"), D("0.05")])


@given(st.lists(money, max_size=40), money, quanta)
@settings(max_examples=300)
def test_the_capped_total_never_exceeds_the_cap_whatever_the_quantum(values, cap, quantum):
    amounts = {f"e{i}": v for i, v in enumerate(values)}
    capped, _ = apply_budget_cap(amounts, cap, quantum=quantum)
    total = sum(amounts.values(), D(0))
    if total <= cap:
        assert capped == amounts
    else:
        assert sum(capped.values(), D(0)) <= cap
        # Rounding down loses less than one quantum per person.
        assert cap - sum(capped.values(), D(0)) < quantum * max(len(amounts), 1) + quantum
        assert all(capped[k] % quantum == 0 for k in amounts)
    assert all(0 <= capped[k] <= amounts[k] for k in amounts)
