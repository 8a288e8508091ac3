"""Performance incentive (tunjangan kinerja / TPP), its deductions and the budget cap.

There is no national formula (DOMAIN.md A4). Each pack writes its own ``incentive.formula``
in the small language of :mod:`kinerja.models.policy.formula` over these inputs:

- ``base``: the amount for the employee's grade (``base_by_grade``, else ``default_base``)
- ``months``: months paid in this computation (1 unless the caller says otherwise)
- ``performance_weight``, ``attendance_weight``: the pack's weights (e.g. 0.6 and 0.4)
- ``predikat_factor``: the pack's factor for the employee's predikat
- ``attendance_deduction``: attendance cuts as a fraction (0.035 = 3.5%), after the pack's cap
- ``discipline_cut``: the discipline sanction cut as a fraction (0.2 = 20%)

plus the pack's ``constants``. The default is the common core of DOMAIN.md A4, 60% / 40% in
Permentan 20/2025 and Permendikbud 14/2016
(:data:`kinerja.models.policy.pay.DEFAULT_FORMULA`). Cuts come from the pack's tables:
:func:`attendance_deduction_pct` (late arrival TL1-TL4, early leave PSW1-PSW4, absence) and
:func:`discipline_cut_pct` (Permentan 68/2012). Money is Decimal throughout, never float.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from kinerja.models.rules.base import Derived

if TYPE_CHECKING:
    from kinerja.models.policy.pay import IncentiveRules

_ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
# A fixed context so a caller's decimal settings never change a payout.
_CTX = Context(prec=34)
_HUNDRED = Decimal(100)


def _pct(value: float | Decimal, what_id: str, what_en: str) -> Decimal:
    pct = Decimal(str(value))
    if not pct.is_finite() or pct < 0:
        raise ValueError(f"{what_id} harus >= 0 / {what_en} must be >= 0")
    return pct


def attendance_deduction_pct(counts: Mapping[str, int], rules: IncentiveRules) -> Derived[Decimal]:
    """The attendance cut in percent from lapse counts (``{"TL1": 3, "PSW2": 1}``).

    Each occurrence costs the pack's percentage for its code (Permentan 68/2012: TL1 0.5%,
    TL4 2%, a whole day absent 4%); the sum stops at ``max_attendance_deduction_pct``.
    """
    unknown = sorted(set(counts) - set(rules.attendance_codes))
    if unknown:
        raise ValueError(
            f"kode kehadiran tidak dikenal {unknown} / unknown attendance code(s) {unknown}"
            f" (expected one of {', '.join(rules.attendance_codes)})"
        )
    total = Decimal(0)
    steps: list[str] = []
    for code, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"{code}: jumlah harus bilangan bulat >= 0 / count must be >= 0")
        if n:
            pct = rules.attendance_codes[code].pct
            cut = _CTX.multiply(pct, Decimal(n))
            total = _CTX.add(total, cut)
            steps.append(f"{code} x{n} at {pct}% = {cut}%")
    cap = rules.max_attendance_deduction_pct
    if total > cap:
        steps.append(f"total {total}% limited to {cap}%")
        total = cap
    steps.append(f"attendance deduction {total}%")
    return Derived(total, tuple(steps))


def discipline_cut_pct(
    sanctions: Iterable[tuple[str, int]], rules: IncentiveRules
) -> Derived[Decimal]:
    """The discipline cut in percent for one month.

    ``sanctions`` are ``(code, months_elapsed)``: 0 is the sanction's first month. A sanction
    cuts its percentage while ``months_elapsed < months`` (a written reprimand: 30% for two
    months). Sanctions in force together do not add up: the largest cut applies.
    """
    best = Decimal(0)
    steps: list[str] = []
    for code, elapsed in sanctions:
        cut = rules.discipline_cuts.get(code)
        if cut is None:
            raise ValueError(
                f"sanksi disiplin tidak dikenal {code!r} / unknown discipline sanction {code!r}"
                f" (expected one of {', '.join(rules.discipline_cuts)})"
            )
        if elapsed < 0:
            raise ValueError(f"{code}: bulan berjalan harus >= 0 / months elapsed must be >= 0")
        if elapsed < cut.months:
            steps.append(f"{code} (month {elapsed + 1} of {cut.months}): {cut.pct}%")
            best = max(best, cut.pct)
        else:
            steps.append(f"{code}: its {cut.months} month(s) are over")
    steps.append(f"discipline cut {best}% (the largest in force)")
    return Derived(best, tuple(steps))


def incentive_for(
    *,
    grade: str | None,
    predikat: str,
    attendance_deduction_pct: float | Decimal,
    rules: IncentiveRules,
    discipline_cut_pct: float | Decimal = 0,
    months: int | Decimal = 1,
) -> Derived[Decimal]:
    """One employee's incentive by the pack's formula, rounded to its quantum (whole rupiah).

    ``attendance_deduction_pct`` is the sum of attendance cuts in percent (3.5 = 3.5%),
    limited to the pack's maximum; ``discipline_cut_pct`` likewise (at most 100). The steps
    show every input, the formula, the formula with the values, and the rounding.
    """
    if predikat not in rules.predikat_factors:
        raise ValueError(
            f"predikat tidak dikenal {predikat!r} / unknown predikat {predikat!r}"
            f" (expected one of {', '.join(rules.predikat_factors)})"
        )
    pct = _pct(attendance_deduction_pct, "potongan kehadiran", "attendance deduction")
    cut = _pct(discipline_cut_pct, "potongan disiplin", "discipline cut")
    n_months = Decimal(str(months))
    if not n_months.is_finite() or n_months < 0:
        raise ValueError("jumlah bulan harus >= 0 / months must be >= 0")
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
    if cut > _HUNDRED:
        steps.append(f"discipline cut {cut}% limited to 100%")
        cut = _HUNDRED
    env: dict[str, Decimal] = {
        "base": base,
        "months": n_months,
        "performance_weight": rules.performance_weight,
        "attendance_weight": rules.attendance_weight,
        "predikat_factor": rules.predikat_factors[predikat],
        "attendance_deduction": _CTX.divide(pct, _HUNDRED),
        "discipline_cut": _CTX.divide(cut, _HUNDRED),
        **rules.constants,
    }
    formula = rules.parsed_formula()
    steps.append(
        f"inputs: base={base}, months={n_months},"
        f" performance_weight={rules.performance_weight},"
        f" attendance_weight={rules.attendance_weight},"
        f" predikat_factor={env['predikat_factor']} [predikat {predikat}],"
        f" attendance_deduction={env['attendance_deduction']} ({pct}%),"
        f" discipline_cut={env['discipline_cut']} ({cut}%)"
        + "".join(f", {k}={v} [constant]" for k, v in rules.constants.items())
    )
    steps.append(f"formula: {formula}")
    amount = formula.evaluate(env)
    steps.append(f"= {formula.substituted(env)} = {amount}")
    if amount < 0:
        steps.append("a negative amount is paid as 0")
        amount = Decimal(0)
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
