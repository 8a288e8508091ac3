"""Target achievement (capaian): realisation against target, in percent.

Formulas of PermenPANRB 8/2021, still used for IKU / Perjanjian Kinerja achievement
(DOMAIN.md A1): higher is better ``r / t x 100``; lower is better ``(1 + (1 - r / t)) x 100``;
a range target scores 100 inside ``[t, t_high]``, the lower-is-better formula against the
upper bound when exceeded and the higher-is-better formula against the lower bound when
missed. The cap (120 on the 8/2021 scale), the floor and zero-target outcomes are pack data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinerja.models.rules.base import Derived, fmt

if TYPE_CHECKING:
    from kinerja.models.policy.scoring import AchievementRules

DIRECTIONS = ("higher", "lower", "range")


def _higher(r: float, t: float, rules: AchievementRules, steps: list[str]) -> float:
    if t == 0:
        met = r >= 0
        value = rules.zero_target_met if met else rules.zero_target_missed
        steps.append(f"zero target, higher is better: {'met' if met else 'missed'} -> {fmt(value)}")
        return value
    value = r / t * 100
    steps.append(f"higher is better: {fmt(r)} / {fmt(t)} x 100 = {fmt(value)}")
    return value


def _lower(r: float, t: float, rules: AchievementRules, steps: list[str]) -> float:
    if t == 0:
        met = r <= 0
        value = rules.zero_target_met if met else rules.zero_target_missed
        steps.append(f"zero target, lower is better: {'met' if met else 'missed'} -> {fmt(value)}")
        return value
    value = (1 + (1 - r / t)) * 100
    steps.append(f"lower is better: (1 + (1 - {fmt(r)} / {fmt(t)})) x 100 = {fmt(value)}")
    return value


def target_achievement(
    *,
    direction: str,
    target: float,
    realisation: float | None,
    target_high: float | None = None,
    rules: AchievementRules,
) -> Derived[float | None]:
    """Achievement in percent, capped and floored per the pack; None without a realisation.

    Example, with ``rules = load_pack("asn").achievement``::

        target_achievement(direction="lower", target=10, realisation=8, rules=rules).value
        # 120.0  ((1 + (1 - 8/10)) x 100)
    """
    if direction not in DIRECTIONS:
        raise ValueError(
            f"arah target tidak dikenal {direction!r} / unknown direction {direction!r}"
            f" (expected one of {', '.join(DIRECTIONS)})"
        )
    if realisation is None:
        return Derived(None, ("no realisation reported: achievement not computed",))
    steps: list[str] = []
    r, t = float(realisation), float(target)
    if direction == "higher":
        value = _higher(r, t, rules, steps)
    elif direction == "lower":
        value = _lower(r, t, rules, steps)
    else:
        if target_high is None or target_high < target:
            raise ValueError(
                "target rentang membutuhkan batas atas >= batas bawah"
                " / a range target needs an upper bound >= its lower bound"
            )
        high = float(target_high)
        if t <= r <= high:
            value = 100.0
            steps.append(f"range: {fmt(r)} inside [{fmt(t)}, {fmt(high)}] -> 100")
        elif r > high:
            steps.append(f"range: {fmt(r)} above the upper bound {fmt(high)}")
            value = _lower(r, high, rules, steps)
        else:
            steps.append(f"range: {fmt(r)} below the lower bound {fmt(t)}")
            value = _higher(r, t, rules, steps)
    if rules.cap is not None and value > rules.cap:
        steps.append(f"capped at {fmt(rules.cap)}")
        value = rules.cap
    if rules.floor is not None and value < rules.floor:
        steps.append(f"floored at {fmt(rules.floor)}")
        value = rules.floor
    value = round(value, rules.decimals)
    steps.append(f"achievement = {fmt(value)}%")
    return Derived(float(value), tuple(steps))


def aggregation_for(
    unit_of_measure: str | None, rules: AchievementRules, own: str | None = None
) -> str:
    """How a target's period values combine: the target's own (``targets.csv``
    ``aggregate``), else the pack's for its unit of measure, else the pack's default."""
    if own is not None:
        return own
    if unit_of_measure is not None:
        how = rules.aggregate_by_unit.get(unit_of_measure)
        if how is not None:
            return how
    return rules.aggregate


def aggregate_periods(values: list[float], how: str = "last") -> float:
    """The realisation over periods: ``sum`` (amounts per period), ``last`` (values to date),
    ``mean`` or ``max``.

    Values come in period order. An empty list is an error: no realisation means None upstream.
    """
    if not values:
        raise ValueError("tidak ada nilai periode / no period values to aggregate")
    if how == "last":
        return float(values[-1])
    if how == "sum":
        return float(sum(values))
    if how == "mean":
        return float(sum(values) / len(values))
    if how == "max":
        return float(max(values))
    raise ValueError(f"agregasi tidak dikenal {how!r} / unknown aggregation {how!r}")
