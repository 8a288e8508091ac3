"""Predikat organisasi from the unit's IKU achievement (capaian), DOMAIN.md A1 and A5.

Each goal (IKU of the unit's Perjanjian Kinerja) is scored with the PermenPANRB 8/2021
capaian formulas of :mod:`kinerja.models.rules.achievement` (higher ``r/t x 100``, lower
``(1 + (1 - r/t)) x 100``, range against the bound it missed, capped per the pack); the
unit's capaian is their mean; the pack's bands map it to a predikat organisasi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kinerja.models.rules.achievement import target_achievement
from kinerja.models.rules.base import Derived, fmt

if TYPE_CHECKING:
    from kinerja.models.policy.org_predikat import OrgPredikatRules
    from kinerja.models.policy.scoring import AchievementRules


@dataclass(frozen=True, slots=True)
class GoalRealisation:
    """One IKU with its target and the realisation reported for the year (None: none)."""

    goal_id: str
    direction: str
    target: float
    target_high: float | None
    realisation: float | None


@dataclass(frozen=True, slots=True)
class OrgPredikat:
    """The unit's capaian and predikat, with each goal's achievement (None: not reported)."""

    capaian: float
    predikat: str
    goals: dict[str, float | None]


def band_for(capaian: float, rules: OrgPredikatRules) -> str:
    """The predikat of the first band whose ``min`` the capaian reaches (else the last)."""
    for band in rules.bands:
        if capaian >= band.min:
            return band.predikat
    return rules.bands[-1].predikat


def org_predikat(
    goals: list[GoalRealisation], *, achievement: AchievementRules, rules: OrgPredikatRules
) -> Derived[OrgPredikat | None]:
    """The unit's predikat organisasi from its goals; None when no goal can be scored.

    Example (ASN pack: bands 110 / 100 / 80 / 60)::

        org_predikat([GoalRealisation("G1", "higher", 100, None, 95)], ...).value.predikat
        # 'butuh_perbaikan'  (capaian 95)
    """
    steps: list[str] = []
    per_goal: dict[str, float | None] = {}
    scored: list[float] = []
    for goal in sorted(goals, key=lambda g: g.goal_id):
        derived = target_achievement(
            direction=goal.direction,
            target=goal.target,
            realisation=goal.realisation,
            target_high=goal.target_high,
            rules=achievement,
        )
        per_goal[goal.goal_id] = derived.value
        steps.append(f"{goal.goal_id}: " + "; ".join(derived.steps))
        if derived.value is not None:
            scored.append(derived.value)
        elif rules.missing == "zero":
            scored.append(0.0)
            steps.append(f"{goal.goal_id}: no realisation, counts as 0")
    if not scored:
        steps.append("no goal with a realisation: predikat organisasi not computed")
        return Derived(None, tuple(steps))
    capaian = round(sum(scored) / len(scored), rules.decimals)
    steps.append(
        f"capaian unit = mean of {len(scored)} goal(s) = "
        f"({' + '.join(fmt(v) for v in scored)}) / {len(scored)} = {fmt(capaian)}"
    )
    predikat = band_for(capaian, rules)
    edges = ", ".join(f">= {fmt(b.min)} {b.predikat}" for b in rules.bands)
    steps.append(f"bands ({edges}): {fmt(capaian)} -> {predikat}")
    return Derived(OrgPredikat(capaian, predikat, per_goal), tuple(steps))
