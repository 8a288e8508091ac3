"""``kinerja policy check``, the distribution curve: who forms a group, how shares become head
counts (the pack options ``max_rounding``, ``min_rounding``, ``exempt_below``) and the rules
keyed to each unit's own predikat.
"""

from __future__ import annotations

from typing import Any

from kinerja.models.cycles.reports import format_table
from kinerja.models.policy.base import exact
from kinerja.models.policy.pack import PolicyPack
from kinerja.models.rules.distribution import share_to_count


def num(x: Any) -> str:
    text = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return text or "0"


def pct(share: Any) -> str:
    return f"{num(float(share) * 100)}%"


def section(title_en: str, title_id: str) -> list[str]:
    return ["", f"== {title_en} / {title_id} =="]


def _rule_text(rule: Any) -> str:
    names = " + ".join(rule.predikat)
    if rule.kind == "forbidden":
        return f"no {names}"
    if rule.kind == "max_share":
        return f"{names} at most {pct(rule.share)}"
    if rule.kind == "min_share":
        return f"{names} at least {pct(rule.share)}"
    word = "at most" if rule.kind == "max_count" else "at least"
    return f"{names} {word} {rule.count} person(s)"


def _counting(d: Any) -> list[str]:
    """How shares become head counts and which groups are checked, by option name."""
    rules = [r for rs in d.curves.values() for r in rs]
    top = next((r.share for r in rules if r.kind == "max_share"), 0.7)
    low = next((r.share for r in rules if r.kind == "min_share"), 0.6)
    most = share_to_count(top, 5, d.max_rounding)
    least = share_to_count(low, 4, d.min_rounding)
    exempt = (
        f"exempt_below: {d.exempt_below} (groups under {d.exempt_below} people are not checked)"
        if d.exempt_below
        else "exempt_below: none (every group is checked)"
    )
    return [
        "Shares become head counts (pack options):"
        f" max_rounding: {d.max_rounding} (at most {pct(top)} of 5 ="
        f" {num(exact(top) * 5)} allows {most});"
        f" min_rounding: {d.min_rounding} (at least {pct(low)} of 4 ="
        f" {num(exact(low) * 4)} needs {least}); {exempt}.",
        "A one-person group never fails on its own. A failing finding is a flag for the"
        " publication gate, not a block: the HR coordinator accepts it with a written reason"
        " or has the ratings corrected.",
    ]


def describe_distribution(pack: PolicyPack) -> list[str]:
    """The distribution section of ``kinerja policy check``."""
    d = pack.distribution
    lines = section("Distribution curve", "Kurva distribusi")
    if d is None:
        return [*lines, "None: any spread of predikat is allowed."]
    group = (
        "per rater: all direct reports of one rater, whatever their units, against the curve"
        " of the rater's unit's own rating (group: rater); when the rater is not an employee"
        " or that unit has no rating, the members' unit if they all share one"
        if d.group == "rater"
        else "per unit: everyone whose result belongs to the unit, against the curve of the"
        " unit's own rating (group: unit)"
    )
    lines.append(f"Checked {group}.")
    lines += _counting(d)
    if d.from_iku is None:
        lines.append("The unit's rating comes from unit_ratings.csv only.")
    else:
        bands = ", ".join(f">= {b.min:g}% {b.predikat}" for b in d.from_iku.bands)
        missing = "left out" if d.from_iku.missing == "ignore" else "counted as 0"
        lines.append(
            "The unit's rating comes from unit_ratings.csv; a unit without a row gets it from"
            f" its IKU: the {d.from_iku.aggregate} capaian of its goals (achievement rules"
            f" above; a goal without realisation is {missing}), then {bands}."
        )
    rows = [
        {
            "unit rating": f"{org} ({d.org_labels[org].id})",
            "rules": "; ".join(f"{_rule_text(r)} [{r.rule_id}]" for r in d.curves.get(org, []))
            or "(none)",
        }
        for org in d.org_predikat
    ]
    lines.append(format_table(rows, ["unit rating", "rules"]))
    return lines
