"""The OKR pack: a third, non-Indonesian pack run by the same rules (nothing is hard-wired).

Every figure is the pack's own (configs/policies/okr.yaml, illustrative, no regulation);
the expectations below are computed by hand from it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kinerja.models.policy.loading import load_pack
from kinerja.models.policy.pack import PolicyPack
from kinerja.models.rules.achievement import target_achievement
from kinerja.models.rules.distribution import check_distribution
from kinerja.models.rules.incentive import incentive_for
from kinerja.models.rules.predikat import predikat_for
from kinerja.models.rules.rating import TargetScore, propose_result_rating
from kinerja.models.rules.training import training_for

D = Decimal


@pytest.fixture(scope="module")
def okr() -> PolicyPack:
    return load_pack("okr")


@pytest.fixture(scope="module")
def okr2025() -> PolicyPack:
    return load_pack("okr", on=date(2025, 3, 1))


def test_loads_with_its_own_vocabulary(okr, okr2025):
    assert okr.rule_version == "okr@2026.1" and okr2025.rule_version == "okr@2025.1"
    assert okr.predikat.order == ["exceptional", "strong", "solid", "developing", "unsatisfactory"]
    assert okr.distribution.org_predikat == ["exceeded", "achieved", "missed"]
    assert okr.ikm is None and okr.credit_points is None
    assert okr.targets.required_weights_sum == 100


# Weighted attainment: sum(w x min(a, 130)) / sum(w), bands 100 / 85 / 70 / 50 / 0.
@pytest.mark.parametrize(
    ("rows", "score", "rating", "predikat"),
    [
        ([(60, 100), (40, 100)], 100, "5", "exceptional"),
        ([(50, 130), (50, 60)], 95, "4", "strong"),
        ([(50, 150), (50, 40)], 85, "4", "strong"),  # 150 capped at 130
        ([(70, 80), (30, 50)], 71, "3", "solid"),
        ([(50, 70), (50, 30)], 50, "2", "developing"),
        ([(100, None)], 0, "1", "unsatisfactory"),  # a key result never checked in scores 0
    ],
)
def test_scores(okr, rows, score, rating, predikat):
    items = [TargetScore("committed", w, a) for w, a in rows]
    derived = propose_result_rating(items, okr.result_rating)
    assert derived.value == rating
    assert f"= {score}" in derived.steps[0]
    assert predikat_for(hasil_kerja=rating, perilaku=None, rules=okr.predikat).value == predikat


def test_key_result_attainment_is_capped_at_130(okr):
    derived = target_achievement(
        direction="higher", target=10, realisation=20, rules=okr.achievement
    )
    assert derived.value == 130


def _team(**counts: int) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


# (org rating, team, failing rule ids): ten people unless said otherwise.
CALIBRATION = [
    # achieved (2026): exceptional max 10% -> 1; top two max 30% -> 3; solid min 40% -> 4.
    ("achieved", _team(exceptional=1, strong=2, solid=5, developing=2), []),
    ("achieved", _team(exceptional=2, strong=1, solid=5, developing=2), ["achieved.top.max"]),
    ("achieved", _team(exceptional=1, strong=3, solid=4, developing=2), ["achieved.top2.max"]),
    ("achieved", _team(exceptional=1, strong=2, solid=3, developing=4), ["achieved.middle.min"]),
    # exceeded: exceptional max 20% -> 2; top two max 50% -> 5.
    ("exceeded", _team(exceptional=2, strong=3, solid=5), []),
    ("exceeded", _team(exceptional=3, strong=2, solid=5), ["exceeded.top.max"]),
    ("exceeded", _team(exceptional=2, strong=4, solid=4), ["exceeded.top2.max"]),
    # missed: exceptional max 5% of 10 -> ceil(0.5) = 1; top two max 20% -> 2;
    # developing + unsatisfactory min 10% -> 1.
    ("missed", _team(exceptional=1, strong=1, solid=7, developing=1), []),
    (
        "missed",
        _team(exceptional=2, strong=1, solid=6, unsatisfactory=1),
        ["missed.top.max", "missed.top2.max"],
    ),
    ("missed", _team(strong=2, solid=8), ["missed.bottom.min"]),
]


@pytest.mark.parametrize(("org", "counts", "failing"), CALIBRATION)
def test_calibration_pass_and_fail(okr, org, counts, failing):
    findings = check_distribution(org_predikat=org, counts=counts, rules=okr.distribution)
    assert len(findings) == len(okr.distribution.curves[org])
    assert sorted(f.rule for f in findings if not f.passed) == sorted(failing)


def test_the_2025_calibration_was_looser(okr, okr2025):
    team = _team(exceptional=1, strong=3, solid=3, developing=3)
    failing = {
        pack.version: [
            f.rule
            for f in check_distribution(
                org_predikat="achieved", counts=team, rules=pack.distribution
            )
            if not f.passed
        ]
        for pack in (okr, okr2025)
    }
    # 2025: top two max 35% -> ceil(3.5) = 4, solid min 30% -> 3: passes.
    # 2026: top two max 30% -> 3, solid min 40% -> 4: fails both.
    assert failing == {"2025.1": [], "2026.1": ["achieved.top2.max", "achieved.middle.min"]}


def test_small_teams_are_not_calibrated(okr):
    assert (
        check_distribution(org_predikat="missed", counts={"exceptional": 4}, rules=okr.distribution)
        == []
    )


# Bonus = min(base x factor, base x cap) x months / 12 x (1 - discipline cut), cents half even.
@pytest.mark.parametrize(
    ("pack_on", "grade", "predikat", "months", "expected"),
    [
        (None, "L2", "solid", 12, D("6000.00")),
        (None, "L2", "exceptional", 12, D("9000.00")),  # 1.5 = the 2026 cap of 1.5
        (date(2025, 6, 1), "L2", "exceptional", 12, D("8400.00")),  # capped at 1.4 in 2025
        (None, "L3", "strong", 12, D("10800.00")),
        (None, "L1", "developing", 6, D("1000.00")),
        (None, "L4", "unsatisfactory", 12, D("0.00")),
        (None, "L9", "solid", 1, D("333.33")),  # default base 4000 / 12
    ],
)
def test_bonus_formula(pack_on, grade, predikat, months, expected):
    pack = load_pack("okr", on=pack_on)
    derived = incentive_for(
        grade=grade,
        predikat=predikat,
        attendance_deduction_pct=0,
        months=months,
        rules=pack.incentive,
    )
    assert derived.value == expected
    assert any(s.startswith("formula: min(base * predikat_factor") for s in derived.steps)


def test_training(okr):
    needs = training_for(predikat="developing", jp_so_far=4, rules=okr.training)
    assert [(n.course, n.jp) for n in needs] == [("okr_coaching", 8), ("learning_hours", 12)]
