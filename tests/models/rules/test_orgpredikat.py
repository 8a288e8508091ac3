"""Predikat organisasi from IKU capaian: the 8/2021 formulas (DOMAIN.md A1, "Predecessor")
applied to a unit's goals, their mean, and the asn pack's bands (DOMAIN.md A1 [U], A5)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kinerja.models.policy.distribution import DistributionRules
from kinerja.models.policy.loading import load_pack
from kinerja.models.rules.orgpredikat import GoalRealisation, band_for, org_predikat

# One goal each: (direction, target, target_high, realisation, capaian, predikat).
# DOMAIN.md A1: higher r/t x 100; lower (1 + (1 - r/t)) x 100; range: the upper bound if
# exceeded, the lower if missed; capped at 120 (">110% -> 120" on the 8/2021 scale).
ONE_GOAL = [
    ("higher", 95, None, 95, 100.0, "baik"),  # 95/95
    ("higher", 100, None, 115, 115.0, "istimewa"),
    ("higher", 100, None, 150, 120.0, "istimewa"),  # 150 capped at 120
    ("higher", 100, None, 85, 85.0, "butuh_perbaikan"),
    ("higher", 100, None, 65, 65.0, "kurang"),
    ("higher", 100, None, 40, 40.0, "sangat_kurang"),
    ("lower", 10, None, 9, 110.0, "istimewa"),  # (1 + (1 - 0.9)) x 100
    ("lower", 10, None, 12, 80.0, "butuh_perbaikan"),  # (1 + (1 - 1.2)) x 100
    ("lower", 10, None, 14, 60.0, "kurang"),
    ("range", 90, 98, 95, 100.0, "baik"),  # inside the range
    ("range", 90, 98, 99, 98.98, "butuh_perbaikan"),  # exceeded: (2 - 99/98) x 100
    ("range", 90, 98, 81, 90.0, "butuh_perbaikan"),  # missed: 81/90 x 100
]


@pytest.mark.parametrize(("direction", "target", "high", "real", "capaian", "predikat"), ONE_GOAL)
def test_one_goal(direction, target, high, real, capaian, predikat):
    pack = load_pack("asn")
    derived = org_predikat(
        [GoalRealisation("G1", direction, target, high, real)],
        achievement=pack.achievement,
        rules=pack.distribution.from_iku,
    )
    assert derived.value is not None
    assert (derived.value.capaian, derived.value.predikat) == (capaian, predikat)
    assert derived.value.goals == {"G1": capaian}


# asn bands [U]: >= 110 istimewa, >= 100 baik, >= 80 butuh_perbaikan, >= 60 kurang, else
# sangat_kurang (the 8/2021 band edges).
BANDS = [
    (130, "istimewa"),
    (110, "istimewa"),
    (109.99, "baik"),
    (100, "baik"),
    (99.99, "butuh_perbaikan"),
    (80, "butuh_perbaikan"),
    (79.99, "kurang"),
    (60, "kurang"),
    (59.99, "sangat_kurang"),
    (0, "sangat_kurang"),
    (-5, "sangat_kurang"),  # below the last band: the last band
]


@pytest.mark.parametrize(("capaian", "predikat"), BANDS)
def test_bands(capaian, predikat):
    assert band_for(capaian, load_pack("asn").distribution.from_iku) == predikat


def test_mean_of_goals_and_missing_realisation():
    pack = load_pack("asn")
    goals = [
        GoalRealisation("G1", "higher", 100, None, 115),  # 115
        GoalRealisation("G2", "lower", 10, None, 11),  # 90
        GoalRealisation("G3", "higher", 100, None, None),  # not reported: left out
    ]
    derived = org_predikat(goals, achievement=pack.achievement, rules=pack.distribution.from_iku)
    assert derived.value.capaian == 102.5  # (115 + 90) / 2
    assert derived.value.predikat == "baik"
    assert derived.value.goals == {"G1": 115.0, "G2": 90.0, "G3": None}
    assert any("mean of 2 goal(s)" in s for s in derived.steps)

    zero = pack.distribution.from_iku.model_copy(update={"missing": "zero"})
    counted = org_predikat(goals, achievement=pack.achievement, rules=zero)
    assert counted.value.capaian == 68.33  # (115 + 90 + 0) / 3
    assert counted.value.predikat == "kurang"


def test_no_goal_reported_gives_nothing():
    pack = load_pack("asn")
    derived = org_predikat(
        [GoalRealisation("G1", "higher", 100, None, None)],
        achievement=pack.achievement,
        rules=pack.distribution.from_iku,
    )
    assert derived.value is None
    assert "not computed" in derived.steps[-1]


def test_bands_must_name_org_predikat_and_decrease():
    data = load_pack("asn").distribution.model_dump(mode="json")
    data["from_iku"]["bands"][0]["predikat"] = "sangat_baik"
    with pytest.raises(ValidationError, match="from_iku.bands.0.predikat"):
        DistributionRules.model_validate(data)
    data = load_pack("asn").distribution.model_dump(mode="json")
    data["from_iku"]["bands"][0]["min"] = 50
    with pytest.raises(ValidationError, match="strictly decrease"):
        DistributionRules.model_validate(data)


def test_group_is_pack_data():
    asn = load_pack("asn").distribution
    assert asn.group == "rater"
    data = asn.model_dump(mode="json")
    data["group"] = "division"
    with pytest.raises(ValidationError, match="group"):
        DistributionRules.model_validate(data)
    data.pop("group")
    assert DistributionRules.model_validate(data).group == "unit"  # the default
    assert load_pack("okr").distribution.group == "rater"  # a manager's direct reports
