"""Distribution curve: every row of the ASN table, a passing and a failing group each.

DOMAIN.md A1, "Kurva distribusi" (PermenPANRB 6/2022 via a MenPANRB SE): groups of ten, so a
70% limit is seven people and a 10% minimum is one.
"""

from __future__ import annotations

import pytest

from kinerja.models.policy.distribution import DistributionRules
from kinerja.models.rules.distribution import check_distribution


def _counts(**kw: int) -> dict[str, int]:
    return dict(kw)


# (unit predikat, rule id, counts that pass, counts that fail)
CURVE_ROWS = [
    # Istimewa: Sangat Baik max 70%.
    (
        "istimewa",
        "istimewa.sangat_baik.max",
        _counts(sangat_baik=7, baik=3),
        _counts(sangat_baik=8, baik=2),
    ),
    # Baik: Baik max 70%.
    (
        "baik",
        "baik.baik.max",
        _counts(baik=7, butuh_perbaikan=1, sangat_baik=2),
        _counts(baik=8, kurang=2),
    ),
    # Baik: must include >= 1 Butuh Perbaikan and/or Kurang/Misconduct.
    (
        "baik",
        "baik.bp_kurang.min1",
        _counts(baik=7, kurang=1, sangat_baik=2),
        _counts(baik=7, sangat_baik=3),
    ),
    # Butuh Perbaikan / Cukup: Butuh Perbaikan min 60%.
    (
        "butuh_perbaikan",
        "bp.bp.min",
        _counts(butuh_perbaikan=6, baik=4),
        _counts(butuh_perbaikan=5, baik=5),
    ),
    # Butuh Perbaikan / Cukup: Sangat Baik max 10%.
    (
        "butuh_perbaikan",
        "bp.sangat_baik.max",
        _counts(butuh_perbaikan=6, sangat_baik=1, baik=3),
        _counts(butuh_perbaikan=6, sangat_baik=2, baik=2),
    ),
    # Kurang: Kurang/Misconduct min 60%.
    (
        "kurang",
        "kurang.kurang.min",
        _counts(kurang=6, butuh_perbaikan=1, baik=3),
        _counts(kurang=5, butuh_perbaikan=1, baik=4),
    ),
    # Kurang: Butuh Perbaikan min 10%.
    (
        "kurang",
        "kurang.bp.min",
        _counts(kurang=6, butuh_perbaikan=1, baik=3),
        _counts(kurang=6, baik=4),
    ),
    # Kurang: Sangat Baik max 10%.
    (
        "kurang",
        "kurang.sangat_baik.max",
        _counts(kurang=6, sangat_baik=1, butuh_perbaikan=3),
        _counts(kurang=6, sangat_baik=2, butuh_perbaikan=2),
    ),
    # Sangat Kurang: Sangat Kurang min 60%.
    (
        "sangat_kurang",
        "sk.sk.min",
        _counts(sangat_kurang=6, kurang=1, baik=3),
        _counts(sangat_kurang=5, kurang=1, baik=4),
    ),
    # Sangat Kurang: Kurang/Misconduct and/or Butuh Perbaikan min 10%.
    (
        "sangat_kurang",
        "sk.kurang_bp.min",
        _counts(sangat_kurang=6, butuh_perbaikan=1, baik=3),
        _counts(sangat_kurang=6, baik=4),
    ),
    # Sangat Kurang: no Sangat Baik.
    (
        "sangat_kurang",
        "sk.sangat_baik.none",
        _counts(sangat_kurang=6, kurang=1, baik=3),
        _counts(sangat_kurang=6, kurang=1, baik=2, sangat_baik=1),
    ),
]


def _finding(asn, org: str, rule_id: str, counts: dict[str, int]):
    findings = check_distribution(org_predikat=org, counts=counts, rules=asn.distribution)
    by_id = {f.rule: f for f in findings}
    assert len(by_id) == len(findings) == len(asn.distribution.curves[org])
    return by_id[rule_id]


@pytest.mark.parametrize(
    ("org", "rule_id", "good", "bad"), CURVE_ROWS, ids=[r[1] for r in CURVE_ROWS]
)
def test_curve_row_passes_and_fails(asn, org, rule_id, good, bad):
    passed = _finding(asn, org, rule_id, good)
    failed = _finding(asn, org, rule_id, bad)
    assert passed.passed, passed.detail
    assert not failed.passed, failed.detail
    assert "FAILS" in failed.detail and "TIDAK memenuhi" in failed.detail


def test_every_rule_of_the_asn_pack_is_covered(asn):
    covered = {row[1] for row in CURVE_ROWS}
    defined = {r.rule_id for rules in asn.distribution.curves.values() for r in rules}
    assert covered == defined


@pytest.mark.parametrize("org", ["istimewa", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"])
def test_a_compliant_unit_passes_every_rule(asn, org):
    compliant = {
        "istimewa": _counts(sangat_baik=7, baik=2, butuh_perbaikan=1),
        "baik": _counts(baik=7, sangat_baik=2, butuh_perbaikan=1),
        "butuh_perbaikan": _counts(butuh_perbaikan=6, sangat_baik=1, baik=3),
        "kurang": _counts(kurang=6, butuh_perbaikan=1, sangat_baik=1, baik=2),
        "sangat_kurang": _counts(sangat_kurang=6, kurang=1, baik=3),
    }[org]
    findings = check_distribution(org_predikat=org, counts=compliant, rules=asn.distribution)
    assert findings and all(f.passed for f in findings)


def test_share_limits_use_exact_decimals(asn):
    # 0.7 x 10 in binary floats is 7.000000000000001; rounded up that would allow 8.
    finding = _finding(asn, "istimewa", "istimewa.sangat_baik.max", _counts(sangat_baik=8, baik=2))
    assert not finding.passed and "7 orang" in finding.detail


def test_small_groups_read_maxima_and_minima_literally(asn):
    # Three people in a Baik unit: 70% of 3 = 2.1 -> at most 2 may be Baik.
    assert not _finding(asn, "baik", "baik.baik.max", _counts(baik=3)).passed
    assert _finding(asn, "baik", "baik.baik.max", _counts(baik=2, kurang=1)).passed
    # Three people in a Butuh Perbaikan unit: 60% of 3 = 1.8 -> at least 2.
    assert not _finding(
        asn, "butuh_perbaikan", "bp.bp.min", _counts(butuh_perbaikan=1, baik=2)
    ).passed
    assert _finding(asn, "butuh_perbaikan", "bp.bp.min", _counts(butuh_perbaikan=2, baik=1)).passed


def test_rounding_modes_are_pack_data(asn):
    lenient = asn.distribution.model_copy(update={"max_rounding": "ceil", "min_rounding": "floor"})
    findings = check_distribution(org_predikat="baik", counts=_counts(baik=3), rules=lenient)
    assert {f.rule: f for f in findings}["baik.baik.max"].passed  # ceil(2.1) = 3
    findings = check_distribution(
        org_predikat="butuh_perbaikan", counts=_counts(butuh_perbaikan=1, baik=2), rules=lenient
    )
    assert {f.rule: f for f in findings}["bp.bp.min"].passed  # floor(1.8) = 1


def test_exempt_small_groups_and_empty_groups_give_no_finding(asn):
    assert check_distribution(org_predikat="baik", counts={}, rules=asn.distribution) == []
    lenient = DistributionRules.model_validate(asn.distribution.model_dump() | {"exempt_below": 5})
    assert check_distribution(org_predikat="baik", counts=_counts(baik=4), rules=lenient) == []
    assert check_distribution(org_predikat="baik", counts=_counts(baik=5), rules=lenient)


def test_pack_without_a_curve_checks_nothing(generic):
    assert generic.distribution is None
    assert check_distribution(org_predikat="any", counts=_counts(meets=3), rules=None) == []


def test_detail_names_the_predikat_in_both_languages(asn):
    finding = _finding(asn, "baik", "baik.baik.max", _counts(baik=8, kurang=2))
    assert finding.detail.startswith("Baik / Good: 8/10")


def test_unknown_codes_are_refused(asn):
    with pytest.raises(ValueError, match="unknown unit predikat"):
        check_distribution(
            org_predikat="luar_biasa", counts=_counts(baik=1), rules=asn.distribution
        )
    with pytest.raises(ValueError, match="unknown predikat"):
        check_distribution(org_predikat="baik", counts=_counts(hebat=1), rules=asn.distribution)


def test_the_default_reads_the_percentages_literally(asn):
    # DOMAIN.md A1, Kurva distribusi: a Baik unit rates Baik "max 70%". 4 of 5 is 80%: too
    # many, whatever rounding would make of 0.7 x 5 = 3.5.
    finding = _finding(asn, "baik", "baik.baik.max", _counts(baik=4, butuh_perbaikan=1))
    assert not finding.passed, finding.detail
    assert "maks/max 3 orang/people" in finding.detail
    assert _finding(asn, "baik", "baik.baik.max", _counts(baik=3, butuh_perbaikan=2)).passed
    # A Butuh Perbaikan unit rates Butuh Perbaikan "min 60%": 2 of 4 is 50%, too few.
    finding = _finding(asn, "butuh_perbaikan", "bp.bp.min", _counts(butuh_perbaikan=2, baik=2))
    assert not finding.passed, finding.detail
    assert "min/min 3 orang/people" in finding.detail
    # And so does a pack that does not name its rounding at all.
    unnamed = asn.distribution.model_dump(exclude={"max_rounding", "min_rounding"})
    plain = DistributionRules.model_validate(unnamed)
    assert (plain.max_rounding, plain.min_rounding) == ("floor", "ceil")
    findings = check_distribution(
        org_predikat="baik", counts=_counts(baik=4, kurang=1), rules=plain
    )
    assert not {f.rule: f for f in findings}["baik.baik.max"].passed


@pytest.mark.parametrize(
    ("org", "alone"),
    [
        ("baik", "baik"),  # "must include >= 1 Butuh Perbaikan and/or Kurang" of one person
        ("istimewa", "sangat_baik"),  # 70% of 1 person is no whole person
        ("butuh_perbaikan", "baik"),  # "min 60% Butuh Perbaikan" of one Baik
        ("sangat_kurang", "sangat_baik"),
    ],
)
def test_a_one_person_group_never_fails_on_its_own(asn, org, alone):
    # DOMAIN.md A1: the curve is a distribution pattern of a unit's employees; one person
    # has no distribution. The findings are kept, each passing, saying why.
    findings = check_distribution(org_predikat=org, counts={alone: 1}, rules=asn.distribution)
    assert len(findings) == len(asn.distribution.curves[org])
    assert all(f.passed for f in findings), [f.detail for f in findings]
    assert all("one-person group" in f.detail for f in findings)
