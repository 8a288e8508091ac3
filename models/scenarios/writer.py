"""The pass that writes a scenario's files: every file open at once, one unit and then its
people row by row, in the policy pack's codes; memory holds one record per unit and nothing
per employee.
"""

from __future__ import annotations

import csv
import random
from bisect import bisect_right
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kinerja.models.policy.pack import PolicyPack
from kinerja.models.scenarios.draws import NipPool, between, fmt, normal, pick, weighted
from kinerja.models.scenarios.shape import UnitPlan
from kinerja.models.scenarios.words import TargetTemplate, Words

GRADES: tuple[str, ...] = tuple(
    f"{g}/{s}" for g, n in (("I", 4), ("II", 4), ("III", 4), ("IV", 5)) for s in "abcde"[:n]
)

ORG_SHARES: tuple[float, ...] = (0.10, 0.70, 0.12, 0.06, 0.02)
BASE_HEADERS: dict[str, list[str]] = {
    "units.csv": "unit_id name parent_id head_nip is_service_unit".split(),
    "employees.csv": "nip name unit_id position grade manager_nip email channels".split(),
    "goals.csv": (
        "goal_id unit_id statement indicator target unit_of_measure direction parent_goal_id"
    ).split(),
    "targets.csv": (
        "target_id nip serves statement indicator aspect target unit_of_measure direction"
        " weight kind"
    ).split(),
    "metrics.csv": "target_id period value evidence".split(),
    "unit_ratings.csv": ["unit_id", "predikat_organisasi"],
    "people.csv": ["nip", "response", "late_days"],
}

# Cumulative shares of the answers 1..4 per IKM quality band (PermenPANRB 14/2017 mutu A-D):
# means about 3.64, 3.21, 2.82 and 2.36, i.e. IKM 91, 80, 70 and 59.
SURVEY_BANDS: dict[str, tuple[float, float, float, float]] = {
    "A": (0.00, 0.03, 0.33, 1.0),
    "B": (0.01, 0.08, 0.70, 1.0),
    "C": (0.04, 0.29, 0.85, 1.0),
    "D": (0.15, 0.57, 0.92, 1.0),
}
SURVEY_BAND_SHARES = (("A", 0.25), ("B", 0.45), ("C", 0.20), ("D", 0.10))

ENTRY_GRADE = {"S2": "III/b", "S1": "III/a", "D3": "II/c", "SMA": "II/a", "SMP": "I/c"}
HEAD_EDUCATION = (("S2", 0.4), ("S1", 0.6))
STAFF_EDUCATION = (("S2", 0.07), ("S1", 0.55), ("D3", 0.13), ("SMA", 0.2), ("SMP", 0.05))
# Grade range per role; within it a grade rises one step every four years of service.
GRADE_BOUNDS: dict[str, tuple[str, str]] = {
    "root": ("IV/c", "IV/e"),
    "bidang": ("IV/a", "IV/c"),
    "upt": ("III/d", "IV/b"),
    "seksi": ("III/c", "IV/a"),
    "satpel": ("III/b", "III/d"),
    "staff": ("I/a", "IV/b"),
}


# --- the policy pack's codes -----------------------------------------------------------------


@dataclass(frozen=True)
class _Vocabulary:
    """The codes a policy pack accepts, which the files must use (see models/cycles/files.py)."""

    aspects: tuple[str, str, str]
    kinds: tuple[str, str]
    directions: frozenset[str]
    ratings: tuple[str, str, str]  # above, meets, below expectation
    behaviour_values: tuple[str, ...]
    behaviour: tuple[str, str, str]
    org_shares: tuple[tuple[str, float], ...]
    survey_elements: tuple[str, ...]
    survey_scale: tuple[int, int] | None

    def headers(self) -> dict[str, list[str]]:
        values = [f"perilaku_{v}" for v in self.behaviour_values]
        return {
            **BASE_HEADERS,
            "survey.csv": ["unit_id", "respondent_id", "date", *self.survey_elements],
            "reviews.csv": ["nip", "hasil_kerja", "perilaku", *values, "comment"],
        }


def _tiers(levels: list[str]) -> tuple[str, str, str]:
    return levels[0], levels[len(levels) // 2], levels[-1]


def vocabulary(pack: PolicyPack) -> _Vocabulary:
    aspects, kinds = pack.targets.aspects, pack.targets.kinds
    org = pack.distribution.org_predikat if pack.distribution else pack.predikat.order
    shares = ORG_SHARES if len(org) == len(ORG_SHARES) else (1.0,) * len(org)
    return _Vocabulary(
        aspects=(aspects[0], aspects[1 % len(aspects)], aspects[2 % len(aspects)]),
        kinds=(kinds[0], kinds[-1]),
        directions=frozenset(pack.targets.directions),
        ratings=_tiers(pack.result_rating.levels),
        behaviour_values=tuple(pack.behaviour.values),
        behaviour=_tiers(pack.behaviour.levels),
        org_shares=tuple(zip(org, shares, strict=True)),
        survey_elements=tuple(e.code for e in pack.ikm.elements) if pack.ikm else (),
        survey_scale=tuple(pack.ikm.scale) if pack.ikm else None,
    )


class Writer:
    """Every scenario file open at once; writes one unit, then its people, row by row."""

    def __init__(
        self, stack: ExitStack, directory: Path, rng: random.Random, words: Words,
        vocabulary: _Vocabulary, year: int, monthly: bool = False,
    ) -> None:  # fmt: skip
        self.rng, self.words, self.codes, self.year = rng, words, vocabulary, year
        # Templates in the pack's directions only; the three groups follow the pack's aspects.
        self.templates = [
            [t for t in words.targets[group] if t.direction in vocabulary.directions]
            or words.targets[group]
            for group in ("kuantitas", "kualitas", "waktu")
        ]
        self.periods = (
            tuple(f"{year}-{m:02d}" for m in range(1, 13))
            if monthly
            else tuple(f"{year}-Q{q}" for q in range(1, 5))
        )
        self.writers: dict[str, Any] = {}
        self.counts: dict[str, int] = {}
        for name, header in vocabulary.headers().items():
            handle = stack.enter_context((directory / name).open("w", encoding="utf-8", newline=""))
            self.writers[name] = csv.writer(handle, lineterminator="\n")
            self.writers[name].writerow(header)
            self.counts[name] = 0
        self.p_late = self.p_never = 0.0

    def row(self, name: str, values: tuple[Any, ...] | list[Any]) -> None:
        self.writers[name].writerow(values)
        self.counts[name] += 1

    def write_all(
        self, plans: list[UnitPlan], *, seed: int, late_share: float, never_share: float
    ) -> None:
        employees = sum(p.size for p in plans)
        staff_total = employees - len(plans)
        # The shares are of everybody but only staff are late: scale so the expectation holds.
        scale = employees / staff_total if staff_total else 0.0
        self.p_late, self.p_never = min(1.0, late_share * scale), min(1.0, never_share * scale)
        y = self.year
        heads = NipPool(
            seed=seed, salt="heads", born=(date(y - 60, 1, 1), date(y - 42, 12, 31)),
            seq_base=0, count=len(plans), appointed_age=(22, 30), last_year=y - 1, min_seq=3,
        )  # fmt: skip
        staff = NipPool(
            seed=seed, salt="staff", born=(date(y - 60, 1, 1), date(y - 25, 12, 31)),
            seq_base=heads.seq_radix, count=max(1, staff_total), appointed_age=(19, 35),
            last_year=y - 1, min_seq=9,
        )  # fmt: skip
        staff_index = 0
        for i, plan in enumerate(plans):
            parent = plans[plan.parent] if plan.parent >= 0 else None
            head_nip, sex, appointed = heads.nip(i)
            plan.head_nip = head_nip
            self.unit(plan, parent)
            goal_ids = [f"G.{plan.unit_id}.{g}" for g in range(1, plan.goals + 1)]
            manager = parent.head_nip if parent else ""
            self.person(plan, head_nip, sex, appointed, manager=manager, serves=goal_ids)
            serves = [f"T{head_nip}-{t}" for t in (1, 2, 3)]
            for _ in range(plan.size - 1):
                nip, sex, appointed = staff.nip(staff_index)
                staff_index += 1
                self.person(plan, nip, sex, appointed, manager=head_nip, serves=serves)

    def unit(self, plan: UnitPlan, parent: UnitPlan | None) -> None:
        """The unit's row, its own rating, its goals (IKU) and, for a service unit, its survey."""
        rng = self.rng
        self.row(
            "units.csv",
            (plan.unit_id, plan.name, parent.unit_id if parent else "", plan.head_nip,
             "true" if plan.service else "false"),
        )  # fmt: skip
        self.row("unit_ratings.csv", (plan.unit_id, weighted(rng, self.codes.org_shares)))
        templates = list(self.words.goals)
        for g in range(plan.goals):
            # A partial Fisher-Yates shuffle: distinct templates, drawn with random() alone.
            j = g + int(rng.random() * (len(templates) - g))
            templates[g], templates[j] = templates[j], templates[g]
            goal = templates[g]
            parent_goal = f"G.{parent.unit_id}.{between(rng, 1, parent.goals)}" if parent else ""
            self.row(
                "goals.csv",
                (f"G.{plan.unit_id}.{g + 1}", plan.unit_id, self.say(goal.statement, plan),
                 self.say(goal.indicator, plan), goal.target, goal.unit, goal.direction,
                 parent_goal),
            )  # fmt: skip
        if plan.service and self.codes.survey_scale:
            self.survey(plan.unit_id, self.codes.survey_scale)

    def survey(self, unit_id: str, scale: tuple[int, int]) -> None:
        """30-150 citizens' answers; the unit's quality band sets the spread, one element lags.

        Answers are drawn on 1-4 (the IKM scale of PermenPANRB 14/2017) and stretched onto the
        pack's scale when it is another one.
        """
        rng = self.rng
        band = weighted(rng, SURVEY_BAND_SHARES)
        elements = len(self.codes.survey_elements)
        weak = int(rng.random() * elements)
        usual, worse = SURVEY_BANDS[band], SURVEY_BANDS["ABCDD"["ABCD".index(band) + 1]]
        low, high = scale
        answer = [low + round(v * (high - low) / 3) for v in range(4)]
        start = date(self.year, 1, 1)
        days = (date(self.year, 12, 31) - start).days + 1
        for r in range(between(rng, 30, 150)):
            answered = (start + timedelta(days=int(rng.random() * days))).isoformat()
            answers = [
                answer[bisect_right(worse if e == weak else usual, rng.random())]
                for e in range(elements)
            ]
            self.row("survey.csv", (unit_id, f"R{r + 1:04d}", answered, *answers))

    def person(
        self, plan: UnitPlan, nip: str, sex: int, appointed: int, *, manager: str,
        serves: list[str],
    ) -> None:  # fmt: skip
        """One employee: their row, targets, metrics, maybe a scripted review and a habit."""
        rng, words = self.rng, self.words
        is_head = nip == plan.head_nip
        first = pick(rng, words.names["male" if sex == 1 else "female"])
        name = first
        if rng.random() < 0.85:
            family = (
                words.names["family"] + words.names["male_family" if sex == 1 else "female_family"]
            )
            name += " " + pick(rng, family)
        education = weighted(rng, HEAD_EDUCATION if is_head else STAFF_EDUCATION)
        if words.degrees.get(education):
            name += ", " + pick(rng, words.degrees[education])
        low, high = (GRADES.index(g) for g in GRADE_BOUNDS[plan.kind if is_head else "staff"])
        steps = (self.year - appointed) // 4
        grade = GRADES[max(low, min(GRADES.index(ENTRY_GRADE[education]) + steps, high))]
        if is_head:
            position = "Kepala Dinas" if plan.kind == "root" else f"Kepala {plan.name}"
        else:
            graduate = education in ("S1", "S2")
            position = pick(rng, words.positions["graduate" if graduate else "other"])
        email = f"{first.lower()}.{nip[-6:]}@demo.kinerja.id"
        self.row(
            "employees.csv", (nip, name, plan.unit_id, position, grade, manager, email, "email")
        )
        # One performance level per person, so that ratings differ between people.
        # Most people work close to their targets; one in ten is far above or below.
        spread = 0.18 if rng.random() < 0.1 else 0.06
        level = min(1.3, max(0.7, normal(rng, 1.04, spread)))
        # About 1% report nothing (they get a "report realisation" task); never the agency head.
        reports = not manager or rng.random() >= 0.01
        self.targets(plan, nip, is_head, serves, level, reports)
        if manager and rng.random() < 0.10:
            self.review(nip, level)
        if not is_head:
            u = rng.random()
            if u < self.p_never:
                self.row("people.csv", (nip, "never", ""))
            elif u < self.p_never + self.p_late:
                self.row("people.csv", (nip, "late", between(rng, 1, 10)))

    def targets(
        self, plan: UnitPlan, nip: str, is_head: bool, serves: list[str], level: float,
        reports: bool,
    ) -> None:  # fmt: skip
        """Three targets (RHK) cascaded from ``serves``, and their realisation per period.

        A unit head's targets serve the unit's goals; a staff member's serve the head's
        targets. Each metrics row carries the value so far, so the last period's value is the
        year's realisation (a count accumulates; a percentage or a number of days is the
        running figure).
        """
        rng = self.rng
        weights = pick(rng, self.words.weight_splits)
        for t, aspect in enumerate(self.codes.aspects):
            target_id = f"T{nip}-{t + 1}"
            template: TargetTemplate = pick(rng, self.templates[t])
            if is_head:
                served = serves[t % len(serves)]
            else:
                served = serves[t] if t < 2 else pick(rng, serves)
            value = between(rng, template.low, template.high)
            top = value + between(rng, 5, 10)
            ranged = template.direction == "range"
            self.row(
                "targets.csv",
                (target_id, nip, served, self.say(template.statement, plan),
                 self.say(template.indicator, plan), aspect,
                 f"{value}-{top}" if ranged else str(value), template.unit, template.direction,
                 weights[t], self.codes.kinds[0] if t < 2 else self.codes.kinds[1]),
            )  # fmt: skip
            if reports:
                self.metrics(target_id, template, value, top, level)

    def metrics(
        self, target_id: str, template: TargetTemplate, value: int, top: int, level: float
    ) -> None:
        rng = self.rng
        achieved = min(1.4, max(0.6, level + normal(rng, 0.0, 0.04)))
        counting = template.unit in self.words.counted_units
        if template.direction == "lower":  # achievement (2 - r/t), PermenPANRB 8/2021
            final = max(0.5, value * (2.0 - achieved))
        elif template.direction == "range":
            final = value + (top - value) * rng.random() if achieved >= 1 else value * achieved
        elif counting:
            final = float(round(value * achieved))
        else:
            final = min(100.0, value * achieved)
        writer = self.writers["metrics.csv"]
        so_far = _so_far(rng, final, counting, len(self.periods))
        for period, cell in zip(self.periods, so_far, strict=True):
            writer.writerow((target_id, period, cell, f"bukti/{target_id}-{period}.pdf"))
        self.counts["metrics.csv"] += len(self.periods)

    def review(self, nip: str, level: float) -> None:
        """A scripted manager answer, mostly consistent with the person's performance level."""
        rng, codes = self.rng, self.codes
        tier = 0 if level >= 1.12 else 2 if level < 0.86 else 1
        if rng.random() < 0.1:
            tier = int(rng.random() * 3)
        perilaku = codes.behaviour[int(weighted(rng, (("0", 0.2), ("1", 0.72), ("2", 0.08))))]
        values = [""] * len(codes.behaviour_values)
        if rng.random() < 0.5:
            # At most two of the values differ from the overall rating: it stays the majority.
            values = [perilaku] * len(values)
            for _ in range(min(2, (len(values) - 1) // 2)):
                values[int(rng.random() * len(values))] = pick(rng, codes.behaviour)
        comment = pick(rng, self.words.review_comments[("above", "meets", "below")[tier]])
        self.row("reviews.csv", (nip, codes.ratings[tier], perilaku, *values, comment))

    @staticmethod
    def say(sentence: str, plan: UnitPlan) -> str:
        return sentence.format(phrase=plan.theme.phrase, output=plan.theme.output)


def _so_far(rng: random.Random, final: float, counting: bool, periods: int) -> list[str]:
    """Values so far at the end of each period, ending exactly on ``final``."""
    values: list[str] = []
    previous = 0
    for q in range(1, periods):
        if counting:
            count = round(final * q / periods * (0.85 + 0.3 * rng.random()))
            previous = min(max(count, previous), int(final))
            values.append(str(previous))
        else:
            drift = (periods - q) / periods * 0.1 * (2 * rng.random() - 1)
            values.append(fmt(min(100.0, final * (1 + drift)) if final <= 100 else final))
    values.append(fmt(final))
    return values
