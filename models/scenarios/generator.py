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

import csv
import hashlib
import json
import math
import random
from bisect import bisect_right
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import kinerja.configs
from kinerja.models.policy.loading import load_pack
from kinerja.models.policy.pack import PolicyPack
from kinerja.models.scenarios.policy_inputs import write_policy_inputs
from kinerja.models.schemas.config import STAGES, ConfigError, format_validation_error, read_yaml

WORDS_FILE = Path(kinerja.configs.__file__).parent / "demo" / "words.yaml"

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

GRADES: tuple[str, ...] = tuple(
    f"{g}/{s}" for g, n in (("I", 4), ("II", 4), ("III", 4), ("IV", 5)) for s in "abcde"[:n]
)
"""ASN grade codes (golongan/ruang), lowest first: I/a ... IV/e."""

ORG_SHARES: tuple[float, ...] = (0.10, 0.70, 0.12, 0.06, 0.02)
"""How often a unit gets each organisation predikat, best first: mostly the second (baik)."""

MAX_EMPLOYEES = 10_000_000
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
"""Columns of the files that do not depend on the policy pack (DESIGN.md "Files people bring")."""

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


# --- the words (configs/demo/words.yaml) ------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Theme(_Strict):
    title: str = ""
    name: str = ""
    phrase: str
    output: str
    service: bool = False


class Section(_Strict):
    name: str
    service: bool = False


class GoalTemplate(_Strict):
    statement: str
    indicator: str
    target: str
    unit: str
    direction: Literal["higher", "lower", "range"]


class TargetTemplate(_Strict):
    statement: str
    indicator: str
    unit: str
    direction: Literal["higher", "lower", "range"]
    low: int = Field(ge=0)
    high: int = Field(ge=0)


class Words(_Strict):
    """The vocabulary of generated organisations."""

    agency: Theme
    themes: list[Theme] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    goals: list[GoalTemplate] = Field(min_length=3)
    targets: dict[Literal["kuantitas", "kualitas", "waktu"], list[TargetTemplate]]
    counted_units: frozenset[str]
    weight_splits: list[tuple[int, int, int]] = Field(min_length=1)
    positions: dict[Literal["graduate", "other"], list[str]]
    degrees: dict[str, list[str]]
    names: dict[Literal["male", "female", "family", "male_family", "female_family"], list[str]]
    review_comments: dict[Literal["above", "meets", "below"], list[str]]

    @field_validator("weight_splits")
    @classmethod
    def _sum_to_100(cls, splits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        if any(sum(s) != 100 for s in splits):
            raise ValueError("every weight split must sum to 100")
        return splits

    @field_validator("targets")
    @classmethod
    def _every_aspect(cls, targets: dict[str, list[TargetTemplate]]) -> dict:
        if set(targets) != {"kuantitas", "kualitas", "waktu"} or not all(targets.values()):
            raise ValueError("targets needs templates for kuantitas, kualitas and waktu")
        return targets


@cache
def load_words(path: Path = WORDS_FILE) -> Words:
    """Load and validate a words file; raises :class:`ConfigError` naming file and fields."""
    try:
        return Words.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from exc


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


def _vocabulary(pack: PolicyPack) -> _Vocabulary:
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


# --- randomness -------------------------------------------------------------------------------

_M64 = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64's finaliser: a fast, well-spread 64-bit hash of an integer."""
    x &= _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _pick(rng: random.Random, items: tuple[Any, ...] | list[Any]) -> Any:
    return items[int(rng.random() * len(items))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both included."""
    return low + int(rng.random() * (high - low + 1))


def _normal(rng: random.Random, mu: float, sigma: float) -> float:
    # Box-Muller from random() alone: random.gauss keeps hidden state between calls.
    u1 = 1.0 - rng.random()
    return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * rng.random())


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    u = rng.random() * sum(w for _, w in choices)
    for value, weight in choices:
        u -= weight
        if u < 0:
            return value
    return choices[-1][0]


def _fmt(x: float) -> str:
    """A number as a CSV cell: whole numbers without decimals, others with one."""
    r = round(x, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


class _NipPool:
    """Unique 18-digit NIPs without remembering the ones handed out.

    NIP layout (ASN): birth date YYYYMMDD, appointment YYYYMM, sex digit (1 male, 2 female),
    3-digit sequence. Index ``i`` goes through a keyed permutation of [0, capacity) (a Feistel
    network with cycle walking) and the result is read as (birth day, sex, sequence): distinct
    indexes give distinct NIPs, in an order that looks random. Pools with disjoint sequence
    ranges never collide.
    """

    def __init__(
        self, *, seed: int, salt: str, born: tuple[date, date], seq_base: int, count: int,
        appointed_age: tuple[int, int], last_year: int, min_seq: int = 1,
    ) -> None:  # fmt: skip
        self.born_from = born[0]
        days = (born[1] - born[0]).days + 1
        # Twice the room needed (two sexes) keeps sequences small, as in real NIPs.
        self.seq_radix = max(min_seq, math.ceil(count / days))
        self.seq_base = seq_base
        if seq_base + self.seq_radix > 999:
            raise ValueError("too many people for 3-digit NIP sequences")
        self.capacity = days * 2 * self.seq_radix
        self.half = (max(2, (self.capacity - 1).bit_length()) + 1) // 2
        self.mask = (1 << self.half) - 1
        self.keys = [
            int.from_bytes(hashlib.sha256(f"{seed}:{salt}:{r}".encode()).digest()[:8], "big")
            for r in range(4)
        ]
        self.appointed_age = appointed_age
        self.last_year = last_year

    def _permute(self, x: int) -> int:
        while True:  # cycle walking: leave the power-of-two domain only inside [0, capacity)
            left, right = x >> self.half, x & self.mask
            for key in self.keys:
                left, right = right, left ^ (_mix(right ^ key) & self.mask)
            x = (left << self.half) | right
            if x < self.capacity:
                return x

    def nip(self, index: int) -> tuple[str, int, int]:
        """The NIP at ``index``, with the person's sex digit and appointment year."""
        x = self._permute(index)
        seq = x % self.seq_radix + self.seq_base + 1
        sex = (x // self.seq_radix) % 2 + 1
        birth = self.born_from + timedelta(days=x // (2 * self.seq_radix))
        h = _mix(x ^ self.keys[0])
        low, high = self.appointed_age
        year = min(birth.year + low + h % (high - low + 1), self.last_year)
        month = (h >> 20) % 12 + 1
        return f"{birth:%Y%m%d}{year:04d}{month:02d}{sex}{seq:03d}", sex, year


# --- the organisation's shape -----------------------------------------------------------------


@dataclass(slots=True)
class _UnitPlan:
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


def _plan_units(employees: int, rng: random.Random, words: Words) -> list[_UnitPlan]:
    """The unit tree in breadth-first order (a parent before its children), with sizes."""
    count = max(1, round(employees / 15))
    levels, branching = _shape(count)
    kinds = ["root", "bidang", "seksi"] if levels == 3 else ["root", "bidang", "upt", "seksi"]
    kinds = kinds[:levels] if levels <= 4 else [*kinds, "satpel"]
    plans = [_UnitPlan("DINAS", words.agency.name, -1, "root", words.agency)]
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
    words: Words, plans: list[_UnitPlan], parent: int, kind: str, n: int, c: int, siblings: int
) -> _UnitPlan:
    """Unit ``c`` under ``plans[parent]``, the ``n``-th of its level."""
    letter = {"bidang": "B", "upt": "U", "seksi": "S", "satpel": "P"}[kind]
    unit_id = f"{plans[parent].unit_id}.{letter}{c + 1:0{3 if siblings > 99 else 2}d}"
    if kind == "bidang":
        theme = words.themes[n % len(words.themes)]
        wilayah = f" Wilayah {n // len(words.themes) + 1}" if n >= len(words.themes) else ""
        return _UnitPlan(unit_id, f"Bidang {theme.title}{wilayah}", parent, kind, theme)
    theme = plans[parent].theme
    if kind == "upt":
        return _UnitPlan(unit_id, f"UPT {theme.title} Wilayah {c + 1}", parent, kind, theme)
    section = c % len(words.sections)
    name = ("Seksi " if kind == "seksi" else "Satuan Pelaksana ") + words.sections[section].name
    if c >= len(words.sections):
        name += f" {c // len(words.sections) + 1}"
    return _UnitPlan(unit_id, name, parent, kind, theme, section)


def _assign_sizes(plans: list[_UnitPlan], employees: int, rng: random.Random) -> None:
    base, extra = divmod(employees, len(plans))
    for i, plan in enumerate(plans):
        plan.size = base + (1 if i < extra else 0)
    if base < 9:
        return
    # Move people between neighbours so sizes vary (8..25) while the total stays exact.
    for i in range(0, len(plans) - 1, 2):
        a, b = plans[i], plans[i + 1]
        more, fewer = min(5, 25 - a.size, b.size - 8), min(5, a.size - 8, 25 - b.size)
        shift = _between(rng, -fewer, more)
        a.size += shift
        b.size -= shift


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
) -> ScenarioSummary:
    """Write a scenario of ``employees`` people into ``directory`` (created if missing).

    Deterministic: the same arguments give identical bytes. ``late_share`` and ``never_share``
    are the expected shares of all people who answer their tasks late (1-10 days after the due
    date) or never; unit heads always answer on time. ``policy`` is the cycle's policy pack
    (a name in configs/policies or a path relative to ``directory``): the files use its
    aspects, rating, behaviour, predikat and survey codes. Scenario files already in
    ``directory`` are overwritten.
    """
    if not 1 <= employees <= MAX_EMPLOYEES:
        raise ValueError(f"employees must be between 1 and {MAX_EMPLOYEES:,}, got {employees}")
    if late_share < 0 or never_share < 0 or late_share + never_share > 1:
        raise ValueError("late_share and never_share must be >= 0 and sum to at most 1")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    words = load_words()
    pack = load_pack(policy, base_dir=directory)
    vocabulary = _vocabulary(pack)
    rng = random.Random(seed)
    plans = _plan_units(employees, rng, words)
    with ExitStack() as stack:
        writer = _Writer(stack, directory, rng, words, vocabulary, year)
        writer.write_all(plans, seed=seed, late_share=late_share, never_share=never_share)
    # attendance, discipline, functional positions, competencies: see models/scenarios/policy_inputs.py
    write_policy_inputs(directory, pack=pack, seed=seed, year=year)
    (directory / "cycle.yaml").write_text(
        cycle_yaml(employees=employees, policy=policy, year=year, name=words.agency.name),
        encoding="utf-8",
    )
    counts = {name.removesuffix(".csv"): writer.counts[name] for name in SCENARIO_FILES}
    return ScenarioSummary(
        directory=directory, service_units=sum(p.service for p in plans), **counts
    )


class _Writer:
    """Every scenario file open at once; writes one unit, then its people, row by row."""

    def __init__(
        self, stack: ExitStack, directory: Path, rng: random.Random, words: Words,
        vocabulary: _Vocabulary, year: int,
    ) -> None:  # fmt: skip
        self.rng, self.words, self.codes, self.year = rng, words, vocabulary, year
        # Templates in the pack's directions only; the three groups follow the pack's aspects.
        self.templates = [
            [t for t in words.targets[group] if t.direction in vocabulary.directions]
            or words.targets[group]
            for group in ("kuantitas", "kualitas", "waktu")
        ]
        self.periods = tuple(f"{year}-Q{q}" for q in range(1, 5))
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
        self, plans: list[_UnitPlan], *, seed: int, late_share: float, never_share: float
    ) -> None:
        employees = sum(p.size for p in plans)
        staff_total = employees - len(plans)
        # The shares are of everybody but only staff are late: scale so the expectation holds.
        scale = employees / staff_total if staff_total else 0.0
        self.p_late, self.p_never = min(1.0, late_share * scale), min(1.0, never_share * scale)
        y = self.year
        heads = _NipPool(
            seed=seed, salt="heads", born=(date(y - 60, 1, 1), date(y - 42, 12, 31)),
            seq_base=0, count=len(plans), appointed_age=(22, 30), last_year=y - 1, min_seq=3,
        )  # fmt: skip
        staff = _NipPool(
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

    def unit(self, plan: _UnitPlan, parent: _UnitPlan | None) -> None:
        """The unit's row, its own rating, its goals (IKU) and, for a service unit, its survey."""
        rng = self.rng
        self.row(
            "units.csv",
            (plan.unit_id, plan.name, parent.unit_id if parent else "", plan.head_nip,
             "true" if plan.service else "false"),
        )  # fmt: skip
        self.row("unit_ratings.csv", (plan.unit_id, _weighted(rng, self.codes.org_shares)))
        templates = list(self.words.goals)
        for g in range(plan.goals):
            # A partial Fisher-Yates shuffle: distinct templates, drawn with random() alone.
            j = g + int(rng.random() * (len(templates) - g))
            templates[g], templates[j] = templates[j], templates[g]
            goal = templates[g]
            parent_goal = f"G.{parent.unit_id}.{_between(rng, 1, parent.goals)}" if parent else ""
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
        band = _weighted(rng, SURVEY_BAND_SHARES)
        elements = len(self.codes.survey_elements)
        weak = int(rng.random() * elements)
        usual, worse = SURVEY_BANDS[band], SURVEY_BANDS["ABCDD"["ABCD".index(band) + 1]]
        low, high = scale
        answer = [low + round(v * (high - low) / 3) for v in range(4)]
        start = date(self.year, 1, 1)
        days = (date(self.year, 12, 31) - start).days + 1
        for r in range(_between(rng, 30, 150)):
            answered = (start + timedelta(days=int(rng.random() * days))).isoformat()
            answers = [
                answer[bisect_right(worse if e == weak else usual, rng.random())]
                for e in range(elements)
            ]
            self.row("survey.csv", (unit_id, f"R{r + 1:04d}", answered, *answers))

    def person(
        self, plan: _UnitPlan, nip: str, sex: int, appointed: int, *, manager: str,
        serves: list[str],
    ) -> None:  # fmt: skip
        """One employee: their row, targets, metrics, maybe a scripted review and a habit."""
        rng, words = self.rng, self.words
        is_head = nip == plan.head_nip
        first = _pick(rng, words.names["male" if sex == 1 else "female"])
        name = first
        if rng.random() < 0.85:
            family = (
                words.names["family"] + words.names["male_family" if sex == 1 else "female_family"]
            )
            name += " " + _pick(rng, family)
        education = _weighted(rng, HEAD_EDUCATION if is_head else STAFF_EDUCATION)
        if words.degrees.get(education):
            name += ", " + _pick(rng, words.degrees[education])
        low, high = (GRADES.index(g) for g in GRADE_BOUNDS[plan.kind if is_head else "staff"])
        steps = (self.year - appointed) // 4
        grade = GRADES[max(low, min(GRADES.index(ENTRY_GRADE[education]) + steps, high))]
        if is_head:
            position = "Kepala Dinas" if plan.kind == "root" else f"Kepala {plan.name}"
        else:
            graduate = education in ("S1", "S2")
            position = _pick(rng, words.positions["graduate" if graduate else "other"])
        email = f"{first.lower()}.{nip[-6:]}@demo.kinerja.id"
        self.row(
            "employees.csv", (nip, name, plan.unit_id, position, grade, manager, email, "email")
        )
        # One performance level per person, so that ratings differ between people.
        # Most people work close to their targets; one in ten is far above or below.
        spread = 0.18 if rng.random() < 0.1 else 0.06
        level = min(1.3, max(0.7, _normal(rng, 1.04, spread)))
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
                self.row("people.csv", (nip, "late", _between(rng, 1, 10)))

    def targets(
        self, plan: _UnitPlan, nip: str, is_head: bool, serves: list[str], level: float,
        reports: bool,
    ) -> None:  # fmt: skip
        """Three targets (RHK) cascaded from ``serves``, and their realisation per period.

        A unit head's targets serve the unit's goals; a staff member's serve the head's
        targets. Each metrics row carries the value so far, so the last period's value is the
        year's realisation (a count accumulates; a percentage or a number of days is the
        running figure).
        """
        rng = self.rng
        weights = _pick(rng, self.words.weight_splits)
        for t, aspect in enumerate(self.codes.aspects):
            target_id = f"T{nip}-{t + 1}"
            template: TargetTemplate = _pick(rng, self.templates[t])
            if is_head:
                served = serves[t % len(serves)]
            else:
                served = serves[t] if t < 2 else _pick(rng, serves)
            value = _between(rng, template.low, template.high)
            top = value + _between(rng, 5, 10)
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
        achieved = min(1.4, max(0.6, level + _normal(rng, 0.0, 0.04)))
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
        perilaku = codes.behaviour[int(_weighted(rng, (("0", 0.2), ("1", 0.72), ("2", 0.08))))]
        values = [""] * len(codes.behaviour_values)
        if rng.random() < 0.5:
            # At most two of the values differ from the overall rating: it stays the majority.
            values = [perilaku] * len(values)
            for _ in range(min(2, (len(values) - 1) // 2)):
                values[int(rng.random() * len(values))] = _pick(rng, codes.behaviour)
        comment = _pick(rng, self.words.review_comments[("above", "meets", "below")[tier]])
        self.row("reviews.csv", (nip, codes.ratings[tier], perilaku, *values, comment))

    @staticmethod
    def say(sentence: str, plan: _UnitPlan) -> str:
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
            values.append(_fmt(min(100.0, final * (1 + drift)) if final <= 100 else final))
    values.append(_fmt(final))
    return values


def cycle_yaml(*, employees: int, policy: str, year: int, name: str) -> str:
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
    title = json.dumps(f"Siklus Kinerja {year} - {name} ({employees} pegawai)", ensure_ascii=False)
    return (
        f"# Generated scenario of {employees} employees (schema: kinerja.models.schemas.config).\n"
        f"name: {title}\n"
        f"policy: {json.dumps(policy, ensure_ascii=False)}\n"
        f"period_start: {year}-01-01\n"
        f"period_end: {year}-12-31\n"
        "evaluation_periods: quarterly\n"
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
