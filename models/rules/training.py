"""Training needs (pengembangan kompetensi) after the review.

PP 11/2017 (amended by PP 17/2020, DOMAIN.md A3): at least 20 jam pelajaran (JP, 45 minutes
each) of competency development a year. A weak predikat (Butuh Perbaikan or worse for ASN)
opens the pack's courses, and so does a competency below its required level (a gap rule);
JP below the minimum opens a top-up for the gap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kinerja.models.rules.base import fmt

if TYPE_CHECKING:
    from kinerja.models.policy.training import TrainingRules


@dataclass(frozen=True, slots=True)
class TrainingNeed:
    """A course to assign, its hours (JP) and why (Bahasa Indonesia / English)."""

    course: str
    jp: float
    reason: str


def training_for(
    *,
    predikat: str | None,
    jp_so_far: float,
    rules: TrainingRules | None,
    competencies: Mapping[str, tuple[int, int]] | None = None,
) -> list[TrainingNeed]:
    """The trainings one employee needs this year (empty when none; no pack section: none).

    ``jp_so_far`` is the JP already credited or planned this year. ``competencies`` maps a
    competency to its (required, actual) level: a gap rule of the pack opens its course when
    required minus actual reaches the rule's ``min_gap``. A course opened twice is assigned
    once, for its first reason. With ``course_jp_counts``, the courses opened here count
    toward the minimum before the top-up.
    """
    if rules is None:
        return []
    if jp_so_far < 0:
        raise ValueError("JP tidak boleh negatif / JP must not be negative")
    needs: list[TrainingNeed] = []
    for c in rules.courses:
        if predikat is None or predikat not in c.predikat:
            continue
        title, jp = rules.course_info(c.course)
        needs.append(
            TrainingNeed(
                course=c.course,
                jp=jp,
                reason=(
                    f"Predikat {predikat}: {title.id} ({fmt(jp)} JP)"
                    f" / Predikat {predikat}: {title.en} ({fmt(jp)} JP)"
                ),
            )
        )
    levels = competencies or {}
    for g in rules.gap_courses:
        if g.competency not in levels or any(n.course == g.course for n in needs):
            continue
        required, actual = levels[g.competency]
        if required - actual < g.min_gap:
            continue
        title, jp = rules.course_info(g.course)
        assert rules.catalogue is not None  # gap rules are checked to have one
        name = rules.catalogue.competencies[g.competency]
        needs.append(
            TrainingNeed(
                course=g.course,
                jp=jp,
                reason=(
                    f"Kesenjangan kompetensi {name.id}: level {actual} dari {required}"
                    f" (selisih {required - actual} >= {g.min_gap}): {title.id} ({fmt(jp)} JP)"
                    f" / Competency gap in {name.en}: level {actual} of {required}"
                    f" (gap {required - actual} >= {g.min_gap}): {title.en} ({fmt(jp)} JP)"
                ),
            )
        )
    planned = jp_so_far + (sum(n.jp for n in needs) if rules.course_jp_counts else 0.0)
    gap = rules.min_jp_per_year - planned
    if gap > 0:
        step = rules.topup_round_up_to
        # The epsilon keeps float noise (5.0000000001 JP) from adding a whole extra step.
        jp = math.ceil(gap / step - 1e-9) * step if step else gap
        minimum = fmt(rules.min_jp_per_year)
        needs.append(
            TrainingNeed(
                course=rules.topup_course,
                jp=float(jp),
                reason=(
                    f"{rules.topup_title.id}: {fmt(planned)} dari minimal {minimum} JP setahun"
                    f" / {rules.topup_title.en}: {fmt(planned)} of the {minimum} JP yearly minimum"
                ),
            )
        )
    return needs
