"""PersonIncentives works the formula out once per grade, predikat and pair of cuts, and
gives each person exactly what person_incentive gives them, steps included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinerja.models.policy.pack import PolicyPack
from kinerja.models.stages.deductions import (
    NO_DEDUCTIONS,
    Deductions,
    PersonIncentives,
    person_incentive,
)

D = Decimal
LATE = Deductions(D("1.0"), D(0), ("attendance: TL1 x2 at 0.5% = 1.0%", "discipline: none"))
LATE_EVEN = Deductions(D(1), D(0), ("attendance: TL2 x1 at 1% = 1%", "discipline: none"))
REPRIMAND = Deductions(D(0), D(30), ("attendance: none", "discipline: cut 30%"))

PEOPLE = [
    ("III/a", "baik", NO_DEDUCTIONS),
    ("III/a", "baik", LATE),
    ("III/a", "baik", LATE_EVEN),  # equal to LATE's cut, written differently
    ("III/a", "kurang", NO_DEDUCTIONS),
    ("IV/b", "baik", NO_DEDUCTIONS),
    (None, "baik", REPRIMAND),
    ("III/a", None, LATE),
    ("III/a", "baik", NO_DEDUCTIONS),
]


def test_each_person_gets_what_person_incentive_gives(asn: PolicyPack):
    incentive = PersonIncentives(asn.incentive)
    for grade, predikat, cuts in PEOPLE:
        assert incentive(grade=grade, predikat=predikat, cuts=cuts) == person_incentive(
            grade=grade, predikat=predikat, cuts=cuts, rules=asn.incentive
        )


def test_a_cut_equal_in_value_keeps_its_own_text(asn: PolicyPack):
    incentive = PersonIncentives(asn.incentive)
    # Grade III/a, base 3,500,000; a 1% attendance cut: 3,500,000 x (0.6 + 0.4 x 0.99).
    assert incentive(grade="III/a", predikat="baik", cuts=NO_DEDUCTIONS)[0] == D(3_500_000)
    amount, late = incentive(grade="III/a", predikat="baik", cuts=LATE)
    amount_even, late_even = incentive(grade="III/a", predikat="baik", cuts=LATE_EVEN)
    assert amount == amount_even == D(3_486_000)
    assert any("(1.0%)" in step for step in late)
    assert any("(1%)" in step for step in late_even)


def test_an_unknown_predikat_is_refused_every_time(asn: PolicyPack):
    incentive = PersonIncentives(asn.incentive)
    for _ in range(2):
        with pytest.raises(ValueError, match="unknown predikat"):
            incentive(grade="III/a", predikat="luar_biasa", cuts=NO_DEDUCTIONS)
