"""The shape of a generated organisation: one agency (dinas) with departments (bidang), then
technical units (UPT) and sections (seksi, then satuan pelaksana) as the size requires,
about 15 people a unit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kinerja.models.scenarios.draws import between
from kinerja.models.scenarios.words import Theme, Words

# --- the organisation's shape -----------------------------------------------------------------


@dataclass(slots=True)
class UnitPlan:
    unit_id: str
    name: str
    parent: int
    kind: str
    theme: Theme
    section: int = -1
    size: int = 0
    goals: int = 2
    service: bool = False
    head_nip: str = ""


def _shape(units: int) -> tuple[int, int]:
    """(levels, children per unit) of a tree of ``units`` units, at most 12 children if it can."""
    if units <= 1:
        return 1, 0
    for levels in range(2, 6):
        branching = 1
        while sum(branching**k for k in range(levels)) < units:
            branching += 1
        if branching <= 12:
            break
    return levels, branching


def plan_units(employees: int, rng: random.Random, words: Words) -> list[UnitPlan]:
    """The unit tree in breadth-first order (a parent before its children), with sizes."""
    count = max(1, round(employees / 15))
    levels, branching = _shape(count)
    kinds = ["root", "bidang", "seksi"] if levels == 3 else ["root", "bidang", "upt", "seksi"]
    kinds = kinds[:levels] if levels <= 4 else [*kinds, "satpel"]
    plans = [UnitPlan("DINAS", words.agency.name, -1, "root", words.agency)]
    current, remaining = [0], count - 1
    for level in range(1, levels):
        wanted = remaining if level == levels - 1 else min(remaining, len(current) * branching)
        remaining -= wanted
        below: list[int] = []
        for j, parent in enumerate(current):
            children = wanted // len(current) + (1 if j < wanted % len(current) else 0)
            for c in range(children):
                plans.append(_child(words, plans, parent, kinds[level], len(below), c, children))
                below.append(len(plans) - 1)
        current = below
    parents = {p.parent for p in plans}
    for i, plan in enumerate(plans):
        plan.goals = 2 + (rng.random() < 0.5)
        plan.service = (
            count == 1
            or (plan.section >= 0 and words.sections[plan.section].service)
            or (i not in parents and plan.kind in ("bidang", "upt") and plan.theme.service)
        )
    _assign_sizes(plans, employees, rng)
    return plans


def _child(
    words: Words, plans: list[UnitPlan], parent: int, kind: str, n: int, c: int, siblings: int
) -> UnitPlan:
    """Unit ``c`` under ``plans[parent]``, the ``n``-th of its level."""
    letter = {"bidang": "B", "upt": "U", "seksi": "S", "satpel": "P"}[kind]
    unit_id = f"{plans[parent].unit_id}.{letter}{c + 1:0{3 if siblings > 99 else 2}d}"
    if kind == "bidang":
        theme = words.themes[n % len(words.themes)]
        wilayah = f" Wilayah {n // len(words.themes) + 1}" if n >= len(words.themes) else ""
        return UnitPlan(unit_id, f"Bidang {theme.title}{wilayah}", parent, kind, theme)
    theme = plans[parent].theme
    if kind == "upt":
        return UnitPlan(unit_id, f"UPT {theme.title} Wilayah {c + 1}", parent, kind, theme)
    section = c % len(words.sections)
    name = ("Seksi " if kind == "seksi" else "Satuan Pelaksana ") + words.sections[section].name
    if c >= len(words.sections):
        name += f" {c // len(words.sections) + 1}"
    return UnitPlan(unit_id, name, parent, kind, theme, section)


def _assign_sizes(plans: list[UnitPlan], employees: int, rng: random.Random) -> None:
    base, extra = divmod(employees, len(plans))
    for i, plan in enumerate(plans):
        plan.size = base + (1 if i < extra else 0)
    if base < 9:
        return
    # Move people between neighbours so sizes vary (8..25) while the total stays exact.
    for i in range(0, len(plans) - 1, 2):
        a, b = plans[i], plans[i + 1]
        more, fewer = min(5, 25 - a.size, b.size - 8), min(5, a.size - 8, 25 - b.size)
        shift = between(rng, -fewer, more)
        a.size += shift
        b.size -= shift
