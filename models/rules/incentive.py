"""Performance incentive (tunjangan kinerja / TPP) and the budget cap.

There is no national formula (DOMAIN.md A4); the common core is
``base(grade) x (performance_weight x predikat_factor + attendance_weight x (1 - deductions))``,
60% / 40% in Permentan 20/2025 and Permendikbud 14/2016. Bases, weights, factors and the
rounding are pack data. Money is Decimal throughout, never float.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from kinerja.models.rules.base import Derived

if TYPE_CHECKING:
    from kinerja.models.policy import IncentiveRules

_ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
# A fixed context so a caller's decimal settings never change a payout.
_CTX = Context(prec=34)


def incentive_for(
    *,
    grade: str | None,
    predikat: str,
    attendance_deduction_pct: float | Decimal,
    rules: IncentiveRules,
) -> Derived[Decimal]:
    """One employee's incentive for the period, rounded to the pack's quantum (whole rupiah).

    ``attendance_deduction_pct`` is the sum of attendance cuts in percent (3.5 = 3.5%),
    limited to the pack's maximum.
    """
    if predikat not in rules.predikat_factors:
        raise ValueError(
            f"predikat tidak dikenal {predikat!r} / unknown predikat {predikat!r}"
            f" (expected one of {', '.join(rules.predikat_factors)})"
        )
    pct = Decimal(str(attendance_deduction_pct))
    if not pct.is_finite() or pct < 0:
        raise ValueError("potongan kehadiran harus >= 0 / attendance deduction must be >= 0")
    steps: list[str] = []
    if grade is not None and grade in rules.base_by_grade:
        base = rules.base_by_grade[grade]
        steps.append(f"base for grade {grade}: {base}")
    else:
        base = rules.default_base
        steps.append(f"grade {grade!r} not in the table: default base {base}")
    if pct > rules.max_attendance_deduction_pct:
        steps.append(
            f"attendance deduction {pct}% limited to {rules.max_attendance_deduction_pct}%"
        )
        pct = rules.max_attendance_deduction_pct
    factor = rules.predikat_factors[predikat]
    pw, aw = rules.performance_weight, rules.attendance_weight
    attendance = _CTX.subtract(Decimal(1), _CTX.divide(pct, Decimal(100)))
    share = _CTX.add(_CTX.multiply(pw, factor), _CTX.multiply(aw, attendance))
    amount = _CTX.multiply(base, share)
    steps.append(
        f"{base} x ({pw} x {factor} [predikat {predikat}] + {aw} x (1 - {pct}%)) = {amount}"
    )
    rounded = amount.quantize(rules.quantum, rounding=_ROUNDING[rules.rounding], context=_CTX)
    steps.append(f"rounded ({rules.rounding}) to {rules.quantum}: {rounded} {rules.currency}")
    return Derived(rounded, tuple(steps))


def apply_budget_cap(
    amounts: dict[str, Decimal], cap: Decimal | None, *, quantum: Decimal = Decimal(1)
) -> tuple[dict[str, Decimal], list[str]]:
    """Scale every amount by ``cap / total`` when the total exceeds the cap.

    Scaled amounts are rounded down to ``quantum`` (whole rupiah by default; pass the pack's
    ``incentive.quantum``), so the new total never exceeds the cap. The notes (Bahasa
    Indonesia / English) say what happened, for the payout gate.
    """
    if quantum <= 0:
        raise ValueError("quantum must be positive")
    if any(a < 0 for a in amounts.values()):
        raise ValueError("jumlah tunjangan negatif / negative incentive amount")
    total = sum(amounts.values(), Decimal(0))
    if cap is None:
        return dict(amounts), [f"Tanpa pagu; total {total} / No budget cap; total {total}"]
    if cap < 0:
        raise ValueError("pagu negatif / negative budget cap")
    if total <= cap:
        return dict(amounts), [
            f"Total {total} dalam pagu {cap} / Total {total} within the cap {cap}"
        ]
    # Exact fractions: a Decimal quotient rounded at 28 digits could land on the next unit.
    ratio = Fraction(cap) / Fraction(total)
    step = Fraction(quantum)
    scaled = {
        k: Decimal(math.floor(Fraction(a) * ratio / step)) * quantum for k, a in amounts.items()
    }
    new_total = sum(scaled.values(), Decimal(0))
    pct = f"{float(ratio) * 100:.4f}%"
    return scaled, [
        f"Total {total} melebihi pagu {cap}: semua dikalikan {pct}, dibulatkan ke bawah;"
        f" total baru {new_total}, sisa {cap - new_total}"
        f" / Total {total} exceeds the cap {cap}: all scaled by {pct}, rounded down;"
        f" new total {new_total}, {cap - new_total} left unallocated"
    ]
