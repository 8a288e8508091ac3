"""Angka kredit (JF credit points) from the predikat, PerBKN 3/2023 (DOMAIN.md A1).

``AK = months / 12 x percent(predikat) x coefficient(jenjang)``: a full year of Sangat Baik
(150%) as Ahli Pertama (coefficient 12.5) earns 18.75; two months of Baik earn
2/12 x 100% x 12.5 = 2.08. Percentages and coefficients are pack data (``credit_points``).
Arithmetic is exact; only the end value is rounded (half up, to the pack's decimals).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from kinerja.models.rules.base import Derived, fmt

if TYPE_CHECKING:
    from kinerja.models.policy.pay import CreditPointRules


def credit_points(
    *, predikat: str, jenjang: str, months: int | Decimal, rules: CreditPointRules
) -> Derived[Decimal]:
    """The credit points earned for ``months`` at ``predikat`` in rank ``jenjang``."""
    if predikat not in rules.predikat_pct:
        raise ValueError(
            f"predikat tidak dikenal {predikat!r} / unknown predikat {predikat!r}"
            f" (expected one of {', '.join(rules.predikat_pct)})"
        )
    rank = rules.jenjang.get(jenjang)
    if rank is None:
        raise ValueError(
            f"jenjang tidak dikenal {jenjang!r} / unknown rank {jenjang!r}"
            f" (expected one of {', '.join(rules.jenjang)})"
        )
    m = Fraction(Decimal(str(months)))
    if m < 0 or m > rules.months_per_year:
        raise ValueError(
            f"jumlah bulan harus 0-{rules.months_per_year}"
            f" / months must be 0-{rules.months_per_year}"
        )
    pct = rules.predikat_pct[predikat]
    exact = m / rules.months_per_year * Fraction(pct) / 100 * Fraction(rank.coefficient)
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    rounded = value.quantize(Decimal(1).scaleb(-rules.decimals), rounding=ROUND_HALF_UP)
    step = (
        f"angka kredit = {fmt(m)}/{rules.months_per_year} months x {pct}% [predikat {predikat}]"
        f" x {rank.coefficient} [{rank.label.id} / {rank.label.en}] = {fmt(exact)}"
        f" -> {rounded} (rounded half up)"
    )
    return Derived(rounded, (step,))
