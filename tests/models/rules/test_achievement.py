"""Target achievement (PermenPANRB 8/2021 formulas, DOMAIN.md A1) and period aggregation."""

from __future__ import annotations

import pytest

from kinerja.models.rules.achievement import aggregate_periods, aggregation_for, target_achievement

# (direction, target, target_high, realisation, expected percent) on the ASN pack (cap 120).
CASES = [
    ("higher", 10, None, 8, 80.0),  # 8 / 10 x 100
    ("higher", 10, None, 10, 100.0),
    ("higher", 10, None, 11.5, 115.0),
    ("higher", 10, None, 13, 120.0),  # 130 capped at 120
    ("higher", 3, None, 1, 33.33),  # rounded to 2 decimals
    ("lower", 10, None, 8, 120.0),  # (1 + (1 - 0.8)) x 100
    ("lower", 10, None, 9, 110.0),
    ("lower", 10, None, 12, 80.0),  # (1 + (1 - 1.2)) x 100
    ("lower", 10, None, 25, 0.0),  # -50 floored at 0
    ("lower", 10, None, 2, 120.0),  # 180 capped
    ("range", 80, 100, 80, 100.0),  # on the lower bound
    ("range", 80, 100, 90, 100.0),  # inside
    ("range", 80, 100, 100, 100.0),  # on the upper bound
    ("range", 80, 100, 110, 90.0),  # exceeded: lower is better against 100
    ("range", 80, 100, 60, 75.0),  # missed: higher is better against 80
    ("higher", 0, None, 0, 100.0),  # zero target met
    ("higher", 0, None, 5, 100.0),
    ("lower", 0, None, 0, 100.0),  # e.g. zero complaints, none received
    ("lower", 0, None, 3, 0.0),  # zero target missed
    ("range", 0, 0, 0, 100.0),
    ("range", 0, 0, 1, 0.0),  # exceeded a zero upper bound
]


@pytest.mark.parametrize(("direction", "target", "high", "realisation", "expected"), CASES)
def test_achievement(asn, direction, target, high, realisation, expected):
    derived = target_achievement(
        direction=direction,
        target=target,
        realisation=realisation,
        target_high=high,
        rules=asn.achievement,
    )
    assert derived.value == expected
    assert derived.steps[-1] == f"achievement = {derived.value:g}%"


def test_cap_is_pack_data(generic):
    d = target_achievement(direction="higher", target=10, realisation=14, rules=generic.achievement)
    assert d.value == 140.0  # the generic pack caps at 150
    d = target_achievement(direction="higher", target=10, realisation=16, rules=generic.achievement)
    assert d.value == 150.0 and "capped at 150" in d.steps


def test_no_cap_no_floor(asn):
    rules = asn.achievement.model_copy(update={"cap": None, "floor": None})
    d = target_achievement(direction="lower", target=10, realisation=25, rules=rules)
    assert d.value == -50.0
    d = target_achievement(direction="higher", target=10, realisation=25, rules=rules)
    assert d.value == 250.0


def test_missing_realisation_gives_none(asn):
    d = target_achievement(direction="higher", target=10, realisation=None, rules=asn.achievement)
    assert d.value is None and "no realisation" in d.steps[0]


def test_range_needs_a_valid_upper_bound(asn):
    for high in (None, 70):
        with pytest.raises(ValueError, match="upper bound"):
            target_achievement(
                direction="range",
                target=80,
                realisation=90,
                target_high=high,
                rules=asn.achievement,
            )


def test_unknown_direction(asn):
    with pytest.raises(ValueError, match="unknown direction 'up'"):
        target_achievement(direction="up", target=1, realisation=1, rules=asn.achievement)


def test_derivation_shows_the_formula(asn):
    d = target_achievement(direction="lower", target=10, realisation=8, rules=asn.achievement)
    assert d.steps == (
        "lower is better: (1 + (1 - 8 / 10)) x 100 = 120",
        "achievement = 120%",
    )


@pytest.mark.parametrize(("how", "expected"), [("last", 9.0), ("sum", 24.0), ("mean", 8.0)])
def test_aggregate_periods(how, expected):
    assert aggregate_periods([5, 10, 9], how) == expected


def test_aggregate_default_is_last_and_errors():
    assert aggregate_periods([1, 2, 3]) == 3.0
    with pytest.raises(ValueError, match="no period values"):
        aggregate_periods([], "sum")
    with pytest.raises(ValueError, match="unknown aggregation"):
        aggregate_periods([1], "median")


def test_aggregation_per_unit_of_measure(asn):
    rules = asn.achievement.model_copy(update={"aggregate_by_unit": {"dokumen": "sum"}})
    assert aggregation_for("dokumen", rules) == "sum"
    assert aggregation_for("persen", rules) == "last"
    assert aggregation_for(None, rules) == "last"
