"""Survey sample size (Krejcie and Morgan), the check behind the IKM (DOMAIN.md A2).

``s = chi2 N P (1 - P) / (d^2 (N - 1) + chi2 P (1 - P))`` with chi2 = 3.841, P = 0.5,
d = 0.05: a population of 100 needs 80 respondents, one of a million or more 384. The
published table rounds to the nearest whole respondent (N = 500 -> 217, where 217.49 would
round up to 218), so that is the default; a pack may choose ``ceil``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kinerja.models.policy.ikm import SampleRules


def _exact(x: float | str | Decimal) -> Fraction:
    return Fraction(Decimal(str(x)))


def required_sample(
    population: int,
    *,
    chi2: float | str | Decimal = "3.841",
    p: float | str | Decimal = "0.5",
    d: float | str | Decimal = "0.05",
    rounding: str = "round",
) -> int:
    """Respondents needed for ``population`` people served (never more than the population)."""
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise ValueError("populasi harus bilangan bulat >= 0 / population must be a whole number")
    if population == 0:
        return 0
    x2, pp, dd = _exact(chi2), _exact(p), _exact(d)
    spread = x2 * pp * (1 - pp)
    s = spread * population / (dd * dd * (population - 1) + spread)
    if rounding == "ceil":
        return math.ceil(s)
    if rounding != "round":
        raise ValueError(f"pembulatan tidak dikenal {rounding!r} / unknown rounding {rounding!r}")
    return math.floor(s + Fraction(1, 2))


def sample_check(
    respondents: int, population: int, rules: SampleRules | None
) -> tuple[bool, int, str]:
    """``(ok, required, message)`` for a unit's survey; a pack without the rule always passes."""
    if rules is None:
        return True, 0, "Tanpa aturan ukuran sampel / No sample-size rule in the policy pack"
    if respondents < 0:
        raise ValueError("jumlah responden negatif / negative number of respondents")
    need = required_sample(
        population, chi2=rules.chi2, p=rules.p, d=rules.d, rounding=rules.rounding
    )
    if respondents >= need:
        return (
            True,
            need,
            (
                f"Sampel cukup: {respondents} responden, minimal {need} untuk populasi {population}"
                f" / Sample sufficient: {respondents} respondents, at least {need} for a population"
                f" of {population}"
            ),
        )
    return (
        False,
        need,
        (
            f"Sampel kurang: {respondents} responden, minimal {need} untuk populasi {population}"
            f" (Krejcie-Morgan) / Sample too small: {respondents} respondents, at least {need} for"
            f" a population of {population} (Krejcie-Morgan)"
        ),
    )
