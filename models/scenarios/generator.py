"""Scenario generator: a whole synthetic organisation and its year, as the files people bring.

A scenario is a directory holding the files of DESIGN.md "Files people bring" (units.csv,
employees.csv, goals.csv, targets.csv, metrics.csv, survey.csv, reviews.csv, unit_ratings.csv),
the cycle config ``cycle.yaml`` and ``people.csv`` (``nip, response, [late_days]``: how a
simulated person answers their tasks, ``on_time``, ``late`` or ``never``; people not listed answer
on time). When the pack has the sections they need, attendance.csv, discipline.csv,
functional_positions.csv and competencies.csv are written too (models/scenarios/policy_inputs.py).
``kinerja demo --employees N`` generates one and simulates it.

The organisation is one agency (dinas) with departments (bidang), then technical units (UPT)
and sections (seksi, then satuan pelaksana) as the size requires, about 15 people a unit. The
words come from configs/demo/words.yaml.

The generator streams: every file is open at once and written row by row while one pass walks
the organisation, so memory holds one record per unit and nothing per employee. Everything is
drawn from one seeded ``random.Random`` (only ``random()``, whose output is stable across Python
versions) plus keyed permutations for the NIPs, so a seed gives identical bytes.

Example::

    summary = generate_scenario(Path("/tmp/demo"), employees=500, seed=7)
    summary.rows()["targets.csv"]  # 1500
"""

from __future__ import annotations

import json
import random
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from kinerja.models.policy.loading import load_pack
from kinerja.models.scenarios.policy_inputs import write_policy_inputs
from kinerja.models.scenarios.shape import plan_units
from kinerja.models.scenarios.words import load_words
from kinerja.models.scenarios.writer import Writer, vocabulary
from kinerja.models.schemas.config import STAGES

SCENARIO_FILES: tuple[str, ...] = (
    "units.csv",
    "employees.csv",
    "goals.csv",
    "targets.csv",
    "metrics.csv",
    "survey.csv",
    "reviews.csv",
    "unit_ratings.csv",
    "people.csv",
)
"""The CSV files of a scenario, besides cycle.yaml."""
"""ASN grade codes (golongan/ruang), lowest first: I/a ... IV/e."""
"""How often a unit gets each organisation predikat, best first: mostly the second (baik)."""

MAX_EMPLOYEES = 10_000_000
"""Columns of the files that do not depend on the policy pack (DESIGN.md "Files people bring")."""


@dataclass(frozen=True)
class ScenarioSummary:
    """What :func:`generate_scenario` wrote: the directory and the data rows of every file."""

    directory: Path
    units: int
    employees: int
    goals: int
    targets: int
    metrics: int
    survey: int
    reviews: int
    unit_ratings: int
    people: int
    service_units: int

    def rows(self) -> dict[str, int]:
        """Data rows (header excluded) per file name."""
        return {name: getattr(self, name.removesuffix(".csv")) for name in SCENARIO_FILES}


# --- the pass that writes the files -----------------------------------------------------------


def generate_scenario(
    directory: Path,
    *,
    employees: int,
    seed: int = 7,
    policy: str = "asn",
    year: int = 2026,
    late_share: float = 0.05,
    never_share: float = 0.01,
    periods: str = "quarterly",
) -> ScenarioSummary:
    """Write a scenario of ``employees`` people into ``directory`` (created if missing).

    Deterministic: the same arguments give identical bytes. ``late_share`` and ``never_share``
    are the expected shares of all people who answer their tasks late (1-10 days after the due
    date) or never; unit heads always answer on time. ``policy`` is the cycle's policy pack
    (a name in configs/policies or a path relative to ``directory``): the files use its
    aspects, rating, behaviour, predikat and survey codes. Scenario files already in
    ``directory`` are overwritten. ``periods``: ``quarterly`` (metrics per quarter, an annual
    cycle) or ``monthly`` (metrics per month, each month reported and checked in, tukin
    paid monthly with attendance per month).
    """
    if periods not in ("quarterly", "monthly"):
        raise ValueError(f"periods must be quarterly or monthly, got {periods!r}")
    monthly = periods == "monthly"
    if not 1 <= employees <= MAX_EMPLOYEES:
        raise ValueError(f"employees must be between 1 and {MAX_EMPLOYEES:,}, got {employees}")
    if late_share < 0 or never_share < 0 or late_share + never_share > 1:
        raise ValueError("late_share and never_share must be >= 0 and sum to at most 1")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    words = load_words()
    pack = load_pack(policy, base_dir=directory)
    codes = vocabulary(pack)
    rng = random.Random(seed)
    plans = plan_units(employees, rng, words)
    with ExitStack() as stack:
        writer = Writer(stack, directory, rng, words, codes, year, monthly)
        writer.write_all(plans, seed=seed, late_share=late_share, never_share=never_share)
    # attendance, discipline, functional positions, competencies (policy_inputs.py)
    write_policy_inputs(directory, pack=pack, seed=seed, year=year, monthly=monthly)
    (directory / "cycle.yaml").write_text(
        cycle_yaml(
            employees=employees,
            policy=policy,
            year=year,
            name=words.agency.name,
            monthly=monthly,
        ),
        encoding="utf-8",
    )
    counts = {name.removesuffix(".csv"): writer.counts[name] for name in SCENARIO_FILES}
    return ScenarioSummary(
        directory=directory, service_units=sum(p.service for p in plans), **counts
    )


def cycle_yaml(*, employees: int, policy: str, year: int, name: str, monthly: bool = False) -> str:
    """The text of a generated scenario's cycle.yaml (schema: ``CycleConfig``)."""
    chunk = 2000 if employees < 10_000 else 5000
    stages = "".join(
        f"  {stage}:\n"
        "    deadline_days: 14\n"
        "    reminders_days_before: [3, 1]\n"
        "    escalate_after_days: [1, 3]\n"
        "    escalation_chain: [superior, hr]\n"
        "    final_after_days: 7\n"
        for stage in STAGES
    )
    if monthly:
        # A month is reported and checked in before the next one opens.
        stages += "".join(
            f"  {stage}:\n"
            "    deadline_days: 5\n"
            "    reminders_days_before: [2, 1]\n"
            "    escalate_after_days: [1, 3]\n"
            "    escalation_chain: [superior, hr]\n"
            "    final_after_days: 5\n"
            for stage in ("period_report", "period_checkin")
        )
    periods = (
        "evaluation_periods: monthly\n"
        "# Each month is reported and checked in; tukin is paid monthly (payroll per month).\n"
        "periodic:\n"
        "  incentives: monthly\n"
        if monthly
        else "evaluation_periods: quarterly\n"
    )
    title = json.dumps(f"Siklus Kinerja {year} - {name} ({employees} pegawai)", ensure_ascii=False)
    return (
        f"# Generated scenario of {employees} employees (schema: kinerja.models.schemas.config).\n"
        f"name: {title}\n"
        f"policy: {json.dumps(policy, ensure_ascii=False)}\n"
        f"period_start: {year}-01-01\n"
        f"period_end: {year}-12-31\n"
        f"{periods}"
        f"chunk_size: {chunk}\n"
        "lang: id\n"
        "coordinator:\n"
        "  nip: HR-0001\n"
        '  name: "Koordinator SDM Demo"\n'
        "  email: hr@demo.kinerja.id\n"
        "# Each stage is due 14 days after it opens; reminders 3 and 1 days before; escalation\n"
        "# to the superior 1 day after, to HR 3 days after; the final policy closes it at 7.\n"
        "stages:\n" + stages
    )
