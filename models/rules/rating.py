"""Ratings: result rating (rating hasil kerja) and behaviour rating (rating perilaku).

Two result methods, chosen by the pack:

- ``share`` (ASN, PermenPANRB 6/2022, DOMAIN.md A1): *Di Atas* when most results are above
  expectation and no main (utama) result is below; *Di Bawah* when most are below; else
  *Sesuai*. What counts as above or below, and what "most" means, are pack data.
- ``weighted_score`` (generic): ``sum(weight x min(achievement, cap)) / sum(weight)`` mapped
  through the pack's score bands to a level (1-5).

The rating is a *proposal*: the manager confirms or changes it in the review.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kinerja.models.rules.base import Derived, fmt

if TYPE_CHECKING:
    from kinerja.models.policy.scoring import BehaviourRules, ResultRatingRules


@dataclass(frozen=True, slots=True)
class TargetScore:
    """One target's input to the result rating: its kind (utama/tambahan), weight, achievement."""

    kind: str
    weight: float | None
    achievement: float | None


def weighted_score(items: list[TargetScore], rules: ResultRatingRules) -> Derived[float | None]:
    """Weighted mean of capped achievements; equal weights unless every target carries one.

    None when nothing can be scored (no targets, or only missing achievements ignored by the
    pack). Rounded to 2 decimals.
    """
    given = [i.weight is not None for i in items]
    # Weights are all-or-nothing: a pack without weights (ASN) may still meet a stray one, and
    # a partial set says nothing about the missing targets, so it falls back to equal weights.
    use_weights = all(given)
    steps: list[str] = []
    if any(given) and not use_weights:
        steps.append("weights given on some targets only: equal weights used")
    cap = rules.score_cap
    total_w = 0.0
    total = 0.0
    for item in items:
        w = float(item.weight) if use_weights and item.weight is not None else 1.0
        ach = item.achievement
        if ach is None:
            if rules.score_missing == "ignore":
                continue
            ach = 0.0
        if cap is not None and ach > cap:
            ach = cap
        total_w += w
        total += w * ach
    if total_w <= 0:
        return Derived(None, ("no scorable result: score not computed",))
    score = round(total / total_w, 2)
    steps.append(
        f"score = sum(weight x min(achievement, {fmt(cap) if cap is not None else 'no cap'}))"
        f" / sum(weight) = {fmt(total)} / {fmt(total_w)} = {fmt(score)}"
    )
    return Derived(score, tuple(steps))


def _share_rating(items: list[TargetScore], rules: ResultRatingRules) -> Derived[str]:
    share = rules.share
    assert share is not None  # guaranteed by the pack schema for method "share"
    above_level, meets_level, below_level = rules.levels
    n = above = below = guard_below = 0
    for item in items:
        ach = item.achievement
        if ach is None and share.missing_counts_as == "ignore":
            continue
        is_below = ach is None or ach < share.below_under
        if item.kind in share.guard_kinds and is_below:
            guard_below += 1
        if item.kind not in share.count_kinds:
            continue
        n += 1
        if is_below:
            below += 1
        elif ach is not None and ach >= share.above_from:
            above += 1
    if n == 0:
        return Derived(rules.if_no_results, (f"no countable result -> {rules.if_no_results}",))
    steps = [
        f"{n} result(s): {above} above (>= {fmt(share.above_from)}), {below} below"
        f" (< {fmt(share.below_under)}), {n - above - below} meeting expectation",
        f"{', '.join(share.guard_kinds)} result(s) below expectation: {guard_below}",
    ]
    if below / n > share.most:
        level = below_level
        steps.append(f"most below ({below}/{n} > {fmt(share.most)}) -> {level}")
    elif above / n > share.most and guard_below == 0:
        level = above_level
        steps.append(f"most above ({above}/{n} > {fmt(share.most)}), none guarded below -> {level}")
    else:
        level = meets_level
        steps.append(f"neither most above (with no guarded result below) nor most below -> {level}")
    return Derived(level, tuple(steps))


def propose_result_rating(items: list[TargetScore], rules: ResultRatingRules) -> Derived[str]:
    """The proposed rating hasil kerja (a level code of ``rules.levels``), with its derivation."""
    if rules.method == "share":
        return _share_rating(items, rules)
    scored = weighted_score(items, rules)
    if scored.value is None:
        return Derived(rules.if_no_results, (*scored.steps, f"-> {rules.if_no_results}"))
    for band in rules.bands:
        if scored.value >= band.min_score:
            step = f"score {fmt(scored.value)} >= {fmt(band.min_score)} -> {band.level}"
            return Derived(band.level, (*scored.steps, step))
    level = rules.levels[-1]
    return Derived(level, (*scored.steps, f"score below every band -> {level}"))


def _check_level(level: str, rules: BehaviourRules, what: str) -> None:
    if level not in rules.labels:
        raise ValueError(
            f"{what}: rating tidak dikenal {level!r} / unknown rating {level!r}"
            f" (expected one of {', '.join(rules.levels)})"
        )


def behaviour_rating(
    values: dict[str, str], rules: BehaviourRules, *, overall: str | None = None
) -> Derived[str]:
    """The rating perilaku from per-value ratings (BerAKHLAK), or ``overall`` when none given.

    Per-value ratings, when present, decide; ``overall`` is used only without them.
    """
    if not values:
        if overall is None:
            raise ValueError(
                "rating perilaku belum diisi / no behaviour rating given (overall or per value)"
            )
        _check_level(overall, rules, "perilaku")
        return Derived(overall, (f"overall behaviour rating given directly: {overall}",))
    unknown = sorted(set(values) - set(rules.values))
    if unknown:
        raise ValueError(
            f"nilai perilaku tidak dikenal {unknown} / unknown behaviour value(s) {unknown}"
        )
    missing = [v for v in rules.values if v not in values]
    if missing and rules.require_all_values:
        raise ValueError(
            f"nilai perilaku belum dinilai {missing} / behaviour value(s) not rated {missing}"
        )
    for code, level in values.items():
        _check_level(level, rules, f"perilaku_{code}")
    counts = Counter(values.values())
    tally = ", ".join(f"{lvl} x{counts[lvl]}" for lvl in rules.levels if counts[lvl])
    steps = [f"{len(values)} value rating(s): {tally}"]
    if rules.method == "lowest":
        level = max(counts, key=rules.rank)
        steps.append(f"lowest value rating -> {level}")
    else:
        top = max(counts.values())
        tied = [lvl for lvl in counts if counts[lvl] == top]
        pick = max if rules.tie_break == "worse" else min
        level = pick(tied, key=rules.rank)
        why = f"tie broken toward the {rules.tie_break}" if len(tied) > 1 else "majority"
        steps.append(f"{why} -> {level}")
    cap = rules.any_lowest_caps_at
    lowest = rules.levels[-1]
    if cap is not None and counts[lowest] and rules.rank(level) < rules.rank(cap):
        level = cap
        steps.append(f"a value rated {lowest}: capped at {cap}")
    if overall is not None and overall != level:
        steps.append(f"overall {overall} given as well; the value ratings decide")
    return Derived(level, tuple(steps))
