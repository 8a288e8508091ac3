"""JF credit points (angka kredit), PerBKN 3/2023: figures from DOMAIN.md A1 "Downstream uses"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinerja.models.rules.credit import credit_points

D = Decimal


# AK = months/12 x percent(predikat) x coefficient (DOMAIN.md A1 [C]).
@pytest.mark.parametrize(
    ("predikat", "jenjang", "months", "expected"),
    [
        ("sangat_baik", "ahli_pertama", 12, D("18.75")),  # 150% x 12.5, DOMAIN.md A1
        ("baik", "ahli_pertama", 2, D("2.08")),  # 2/12 x 100% x 12.5, DOMAIN.md A1
        ("baik", "ahli_pertama", 12, D("12.50")),  # 100%
        ("butuh_perbaikan", "ahli_pertama", 12, D("9.38")),  # 75% x 12.5 = 9.375, half up
        ("kurang", "ahli_pertama", 12, D("6.25")),  # 50%
        ("sangat_kurang", "ahli_pertama", 12, D("3.13")),  # 25% x 12.5 = 3.125, half up
        ("sangat_baik", "ahli_muda", 6, D("18.75")),  # 6/12 x 150% x 25
        ("baik", "terampil", 0, D("0.00")),
    ],
)
def test_asn_credit_points(asn, predikat, jenjang, months, expected):
    derived = credit_points(
        predikat=predikat, jenjang=jenjang, months=months, rules=asn.credit_points
    )
    assert derived.value == expected
    assert "Ahli" in derived.steps[0] or jenjang == "terampil"
    assert f"[predikat {predikat}]" in derived.steps[0]


def test_bad_inputs(asn):
    rules = asn.credit_points
    with pytest.raises(ValueError, match="unknown predikat 'hebat'"):
        credit_points(predikat="hebat", jenjang="ahli_muda", months=12, rules=rules)
    with pytest.raises(ValueError, match="unknown rank 'ahli_super'"):
        credit_points(predikat="baik", jenjang="ahli_super", months=12, rules=rules)
    for months in (-1, 13):
        with pytest.raises(ValueError, match="months must be 0-12"):
            credit_points(predikat="baik", jenjang="ahli_muda", months=months, rules=rules)


def test_a_better_predikat_never_earns_fewer_points(asn):
    rules = asn.credit_points
    for jenjang in rules.jenjang:
        points = [
            credit_points(predikat=p, jenjang=jenjang, months=12, rules=rules).value
            for p in asn.predikat.order
        ]
        assert points == sorted(points, reverse=True)


def test_packs_without_credit_points(generic):
    assert generic.credit_points is None
