"""The policy inputs of a generated scenario: attendance, discipline, functional positions
and competencies, so that a demo exercises the deductions, credit points and gap training.

A second pass over the generated employees.csv, with its own seeded ``random.Random`` (only
``random()``), so the other scenario files stay byte for byte what they were, and a seed
gives identical bytes here too. Each file is written only when the pack has the section its
codes come from. Small shares: about one person in five has attendance lapses, one in a
hundred a light discipline sanction, a third of the staff a functional position, one in
seven an assessed competency (often one level short).
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path
from typing import Any

from kinerja.models.policy.pack import PolicyPack

INPUT_FILES: tuple[str, ...] = (
    "attendance.csv",
    "discipline.csv",
    "functional_positions.csv",
    "competencies.csv",
)
"""The scenario's optional policy input files, written by :func:`write_policy_inputs`."""

# Light sanctions only: a demo agency rarely has heavier ones.
_SANCTIONS = ("teguran_lisan", "teguran_tertulis", "pernyataan_tidak_puas")


def _jenjang(grade: str, ranks: list[str]) -> str | None:
    """A plausible rank for a golongan: II terampil, III/a-b ahli pertama, III/c-d ahli muda,
    IV ahli madya (when the pack has these ranks)."""
    if grade.startswith("IV"):
        wanted = "ahli_madya"
    elif grade in ("III/c", "III/d"):
        wanted = "ahli_muda"
    elif grade.startswith("III"):
        wanted = "ahli_pertama"
    else:
        wanted = "terampil"
    return wanted if wanted in ranks else (ranks[0] if ranks else None)


def write_policy_inputs(
    directory: Path, *, pack: PolicyPack, seed: int, year: int, monthly: bool = False
) -> dict[str, int]:
    """Write the input files for the people of ``directory/employees.csv``; rows per file.
    ``monthly``: attendance.csv names the month of each lapse (tukin paid monthly)."""
    rng = random.Random(seed * 7919 + 4)
    incentive, credit, training = pack.incentive, pack.credit_points, pack.training
    codes = list(incentive.attendance_codes) if incentive else []
    sanctions = [s for s in _SANCTIONS if incentive and s in incentive.discipline_cuts]
    ranks = list(credit.jenjang) if credit else []
    catalogue = training.catalogue if training else None
    competencies = sorted(catalogue.competencies) if catalogue else []
    wanted = {
        "attendance.csv": (
            ["nip", "month", "code", "count"] if monthly else ["nip", "code", "count"],
            bool(codes),
        ),
        "discipline.csv": (["nip", "sanction", "decided_on"], bool(sanctions)),
        "functional_positions.csv": (["nip", "jenjang", "months"], bool(ranks)),
        "competencies.csv": (
            ["nip", "competency", "required_level", "actual_level"],
            bool(competencies),
        ),
    }
    counts = {name: 0 for name, (_, on) in wanted.items() if on}
    handles: dict[str, Any] = {}
    writers: dict[str, Any] = {}
    try:
        for name in counts:
            handles[name] = (directory / name).open("w", encoding="utf-8", newline="")
            writers[name] = csv.writer(handles[name], lineterminator="\n")
            writers[name].writerow(wanted[name][0])

        def row(name: str, values: tuple[Any, ...]) -> None:
            if name in writers:
                writers[name].writerow(values)
                counts[name] += 1

        with (directory / "employees.csv").open(encoding="utf-8", newline="") as f:
            for person in csv.DictReader(f):
                nip, grade = person["nip"], person.get("grade") or ""
                is_staff = bool(person.get("manager_nip")) and "Kepala" not in person["position"]
                if codes and rng.random() < 0.2:
                    first = int(rng.random() * len(codes))
                    for code in dict.fromkeys(
                        (codes[first], codes[int(rng.random() * len(codes))])
                    ):
                        count = 1 + int(rng.random() * 5)
                        if monthly:  # the same draws; the month follows from the person
                            month = f"{year}-{1 + int(nip[-4:] or 0) % 12:02d}"
                            row("attendance.csv", (nip, month, code, count))
                        else:
                            row("attendance.csv", (nip, code, count))
                if sanctions and rng.random() < 0.01:
                    # Decided in the last quarter, so some are still in force at the year's end.
                    day = date(year, 10 + int(rng.random() * 3), 1 + int(rng.random() * 28))
                    row("discipline.csv", (nip, sanctions[int(rng.random() * len(sanctions))], day))
                if ranks and is_staff and rng.random() < 0.33:
                    months = 12 if rng.random() < 0.9 else 1 + int(rng.random() * 11)
                    row("functional_positions.csv", (nip, _jenjang(grade, ranks), months))
                if competencies and rng.random() < 0.15:
                    competency = competencies[int(rng.random() * len(competencies))]
                    required = 3
                    actual = required - (1 if rng.random() < 0.6 else 0)
                    row("competencies.csv", (nip, competency, required, actual))
    finally:
        for handle in handles.values():
            handle.close()
    return counts
