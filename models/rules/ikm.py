"""Indeks Kepuasan Masyarakat (IKM, citizen satisfaction index), PermenPANRB 14/2017.

DOMAIN.md A2: ``NRR_i = sum of scores_i / respondents_i``; ``IKM_unit = sum(NRR_i x w_i)``
(1-4); ``IKM = IKM_unit x 25`` (25-100), classified into mutu A-D on that x25 value.
Arithmetic is exact (fractions) and only the final value is rounded (half up): the rounded
weight 0.11 found in some texts would cap a perfect score at 99 instead of 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from kinerja.models.policy.base import exact
from kinerja.models.rules.base import fmt

if TYPE_CHECKING:
    from kinerja.models.policy.ikm import IkmRules


@dataclass(frozen=True, slots=True)
class IkmResult:
    """A unit's index: ``ikm`` (x multiplier, rounded) and its mutu; None without answers."""

    respondents: int
    nrr: dict[str, float]
    ikm_unit: float | None
    ikm: float | None
    mutu: str | None
    label: str | None
    steps: tuple[str, ...] = field(default=())


def round_half_up(x: Fraction, decimals: int) -> float:
    """Exact half-up rounding (84.725 -> 84.73), which binary floats cannot promise."""
    scale = 10**decimals
    return math.floor(x * scale + Fraction(1, 2)) / scale


def ikm_mutu(value: float, rules: IkmRules) -> tuple[str, str]:
    """``(mutu, "label id / label en")`` of a rounded IKM value (x multiplier)."""
    for band in rules.bands:
        if value >= band.min:
            return band.mutu, f"{band.label.id} / {band.label.en}"
    last = rules.bands[-1]
    return last.mutu, f"{last.label.id} / {last.label.en}"


def compute_ikm(responses: list[dict[str, int]], rules: IkmRules) -> IkmResult:
    """The IKM of one unit from its survey responses (element code -> score on the scale).

    A response may leave an element out; that element's NRR is over those who answered it.
    """
    weights = rules.weights()
    lo, hi = rules.scale
    sums = dict.fromkeys(weights, 0)
    answered = dict.fromkeys(weights, 0)
    for i, response in enumerate(responses, start=1):
        for code, score in response.items():
            if code not in sums:
                raise ValueError(
                    f"respons {i}: unsur tidak dikenal {code!r} / response {i}: unknown element"
                    f" {code!r} (expected one of {', '.join(weights)})"
                )
            if isinstance(score, bool) or not isinstance(score, int) or not lo <= score <= hi:
                raise ValueError(
                    f"respons {i}, {code}: nilai harus bilangan bulat {lo}-{hi}"
                    f" / response {i}, {code}: score must be a whole number {lo}-{hi}"
                )
            sums[code] += score
            answered[code] += 1
    n = len(responses)
    nrr = {c: Fraction(sums[c], answered[c]) for c in weights if answered[c]}
    if n == 0 or len(nrr) < len(weights):
        missing = [c for c in weights if not answered[c]]
        step = f"{n} respondent(s); element(s) without answers {missing}: IKM not computed"
        return IkmResult(n, {c: float(v) for c, v in nrr.items()}, None, None, None, None, (step,))
    ikm_unit = sum(nrr[c] * weights[c] for c in weights)
    ikm_exact = ikm_unit * exact(rules.multiplier)
    value = round_half_up(ikm_exact, rules.decimals)
    mutu, label = ikm_mutu(value, rules)
    shown_w = sorted({str(w) for w in weights.values()})
    steps = (
        f"{n} respondent(s); NRR per element: "
        + ", ".join(f"{c} {fmt(v)}" for c, v in nrr.items()),
        f"IKM unit = sum(NRR x weight), weight(s) {', '.join(shown_w)} = {fmt(ikm_unit)}",
        f"IKM = {fmt(ikm_unit)} x {fmt(rules.multiplier)} = {fmt(ikm_exact)}"
        f" -> {value:.{rules.decimals}f} (rounded half up)",
        f"mutu {mutu}: {label}",
    )
    return IkmResult(
        respondents=n,
        nrr={c: float(v) for c, v in nrr.items()},
        ikm_unit=float(ikm_unit),
        ikm=value,
        mutu=mutu,
        label=label,
        steps=steps,
    )
