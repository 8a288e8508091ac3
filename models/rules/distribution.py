"""Distribution curve (kurva distribusi): the gate before publication.

ASN (PermenPANRB 6/2022 via an SE of MenPANRB, DOMAIN.md A1): the unit's own predikat
(predikat organisasi) fixes how its employees' predikat may be spread, e.g. a *Baik* unit may
rate at most 70% *Baik* and must include at least one *Butuh Perbaikan* and/or *Kurang*. The
curve is pack data made of rule kinds: ``max_share``, ``min_share``, ``min_count``,
``max_count``, ``forbidden``. Shares turn into head counts with the pack's rounding, so small
groups are treated predictably (the regulation gives no rounding rule). The default reads
the percentages literally: "at most 70%" of 5 people allows 3 (4 is 80%), "at least 60%" of
4 needs 3 (2 is 50%).

A one-person group never fails on its own: one person has no distribution. Its findings
are kept, each passing and saying so, so that the publication gate still lists the group.
A finding is a flag for the HR coordinator at the gate, never a block on the cycle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from kinerja.models.policy.base import exact
from kinerja.models.rules.base import fmt

if TYPE_CHECKING:
    from kinerja.models.policy.distribution import DistributionRule, DistributionRules


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one curve rule for one group; ``detail`` is for the HR coordinator."""

    rule: str
    passed: bool
    detail: str


PASSES = "memenuhi / passes"
FAILS = "TIDAK memenuhi / FAILS"
ALONE = "kelompok satu orang tidak gagal sendirian / a one-person group never fails on its own"


def share_to_count(share: float | Fraction, n: int, how: str) -> int:
    """``share`` of ``n`` people as a head count, rounded ``how`` (floor, ceil or round)."""
    return _to_count(exact(share) * n, how)


def _to_count(x: Fraction, how: str) -> int:
    if how == "floor":
        return math.floor(x)
    if how == "ceil":
        return math.ceil(x)
    return math.floor(x + Fraction(1, 2))  # half up: 2.5 people -> 3


def _pct(share: float) -> str:
    return f"{fmt(share * 100)}%"


def _check_rule(rule: DistributionRule, counted: int, n: int, rules: DistributionRules) -> Finding:
    names = " + ".join(rules.predikat_label(p) for p in rule.predikat)
    have = f"{counted}/{n}"
    if rule.kind == "forbidden":
        ok = counted == 0
        verdict = PASSES if ok else FAILS
        return Finding(
            rule.rule_id, ok, f"{names}: {have}; tidak boleh ada / none allowed: {verdict}"
        )
    if rule.kind in ("max_share", "min_share"):
        assert rule.share is not None  # guaranteed by the schema
        raw = exact(rule.share) * n
        if rule.kind == "max_share":
            limit = _to_count(raw, rules.max_rounding)
            ok = counted <= limit
            word_id, word_en = "maks", "max"
        else:
            limit = _to_count(raw, rules.min_rounding)
            ok = counted >= limit
            word_id, word_en = "min", "min"
        bound = f"{_pct(rule.share)} ({word_id}/{word_en} {limit} orang/people)"
    else:
        assert rule.count is not None
        limit = rule.count
        ok = counted <= limit if rule.kind == "max_count" else counted >= limit
        word_id, word_en = ("maks", "max") if rule.kind == "max_count" else ("min", "min")
        bound = f"{word_id}/{word_en} {limit} orang/people"
    verdict = PASSES if ok else FAILS
    return Finding(rule.rule_id, ok, f"{names}: {have}; batas / limit {bound}: {verdict}")


def check_distribution(
    *, org_predikat: str, counts: dict[str, int], rules: DistributionRules | None
) -> list[Finding]:
    """Check one group's predikat counts against the curve for its unit's predikat.

    ``counts`` maps predikat code to head count (codes not present count zero). An empty
    group, a group below ``exempt_below`` or a pack without a curve gives no finding; a
    group of one passes every rule, its detail saying why.
    """
    if rules is None:
        return []
    if org_predikat not in rules.org_predikat:
        raise ValueError(
            f"predikat organisasi tidak dikenal {org_predikat!r} / unknown unit predikat"
            f" {org_predikat!r} (expected one of {', '.join(rules.org_predikat)})"
        )
    unknown = sorted(p for p in counts if not rules.knows_predikat(p))
    if unknown:
        raise ValueError(f"predikat tidak dikenal {unknown} / unknown predikat {unknown}")
    if any(c < 0 for c in counts.values()):
        raise ValueError("jumlah negatif / negative count")
    n = sum(counts.values())
    if n == 0 or (rules.exempt_below is not None and n < rules.exempt_below):
        return []
    findings = [
        _check_rule(rule, sum(counts.get(p, 0) for p in rule.predikat), n, rules)
        for rule in rules.curves.get(org_predikat, [])
    ]
    if n == 1:  # the rule's numbers stay in the detail; the verdict says why it passes
        return [
            Finding(f.rule, True, f"{f.detail.removesuffix(FAILS).removesuffix(PASSES)}{ALONE}")
            for f in findings
        ]
    return findings
