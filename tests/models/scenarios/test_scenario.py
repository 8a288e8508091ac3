"""The scenario generator and the hand-written example scenario (configs/demo).

Every scenario, generated or written by hand, must follow DESIGN.md "Files people bring" and
the cascade rules; generated ones must also be deterministic and have realistic spreads.
"""

from __future__ import annotations

import csv
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import kinerja.configs
from kinerja.models.policy.loading import load_pack
from kinerja.models.policy.pack import PolicyPack
from kinerja.models.rules.achievement import target_achievement
from kinerja.models.rules.ikm import compute_ikm
from kinerja.models.rules.rating import TargetScore, propose_result_rating
from kinerja.models.scenarios.generator import SCENARIO_FILES, generate_scenario
from kinerja.models.scenarios.words import load_words
from kinerja.models.schemas.config import STAGES, ConfigError, load_cycle_config

DEMO = Path(kinerja.configs.__file__).parent / "demo"

# DESIGN.md "Files people bring": (required, optional) columns.
CONTRACT: dict[str, tuple[set[str], set[str]]] = {
    "units.csv": ({"unit_id", "name"}, {"parent_id", "head_nip", "is_service_unit"}),
    "employees.csv": (
        {"nip", "name", "unit_id", "position"},
        {"grade", "manager_nip", "email", "phone", "channels"},
    ),
    "goals.csv": (
        {"goal_id", "unit_id", "statement", "indicator", "target", "unit_of_measure"},
        {"direction", "parent_goal_id"},
    ),
    "targets.csv": (
        {
            "target_id",
            "nip",
            "serves",
            "statement",
            "indicator",
            "aspect",
            "target",
            "unit_of_measure",
        },
        {"direction", "weight", "kind"},
    ),  # fmt: skip
    "metrics.csv": ({"target_id", "period", "value"}, {"evidence"}),
    "survey.csv": ({"unit_id", "respondent_id"}, {"date"}),
    "reviews.csv": ({"nip"}, {"hasil_kerja", "perilaku", "comment"}),
    "unit_ratings.csv": ({"unit_id", "predikat_organisasi"}, set()),
    "people.csv": ({"nip", "response"}, {"late_days"}),
}


def read(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def data_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """Scenarios generated once for the module: name -> (directory, summary)."""
    base = tmp_path_factory.mktemp("scenarios")
    out = {}
    for name, kwargs in {
        "small": {"employees": 400},
        "large": {"employees": 20_000, "seed": 11},
        "generic": {"employees": 300, "policy": "generic"},
    }.items():
        out[name] = (base / name, generate_scenario(base / name, **kwargs))
    return out


@pytest.fixture(params=["demo", "small", "large", "generic"])
def scenario(request, generated) -> tuple[Path, PolicyPack]:
    """Every scenario the structural tests check, with its policy pack."""
    directory = DEMO if request.param == "demo" else generated[request.param][0]
    config = load_cycle_config(directory / "cycle.yaml")
    return directory, load_pack(config.policy, base_dir=directory)


# --- structure: every scenario ----------------------------------------------------------------


def test_headers_follow_the_file_contract(scenario):
    directory, pack = scenario
    for name, (required, optional) in CONTRACT.items():
        with (directory / name).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        allowed = required | optional
        if name == "reviews.csv":
            allowed |= {f"perilaku_{v}" for v in pack.behaviour.values}
        if name == "survey.csv" and pack.ikm is not None:
            allowed |= {e.code for e in pack.ikm.elements}
        assert required <= set(header), name
        assert set(header) <= allowed, (name, set(header) - allowed)
        assert len(header) == len(set(header)), name


def test_nips_are_unique_and_follow_the_asn_pattern(scenario):
    directory, _ = scenario
    nips = [row["nip"] for row in read(directory, "employees.csv")]
    assert len(nips) == len(set(nips))
    for nip in nips:
        assert len(nip) == 18 and nip.isdigit(), nip
        born = date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
        appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
        assert 1 <= appointed_month <= 12, nip
        assert born.year + 18 <= appointed_year <= 2025, nip
        assert nip[14] in "12", nip


def test_every_manager_exists_and_the_chain_ends_at_the_agency_head(scenario):
    directory, _ = scenario
    employees = {row["nip"]: row for row in read(directory, "employees.csv")}
    units = {row["unit_id"]: row for row in read(directory, "units.csv")}
    roots = [u for u in units.values() if not u["parent_id"]]
    assert len(roots) == 1
    top = roots[0]["head_nip"]
    assert employees[top]["manager_nip"] == ""
    for nip, person in employees.items():
        unit = units[person["unit_id"]]
        if nip == unit["head_nip"]:
            parent = units.get(unit["parent_id"])
            assert person["manager_nip"] == (parent["head_nip"] if parent else "")
        else:
            assert person["manager_nip"] == unit["head_nip"], nip
        seen, current = set(), nip
        while employees[current]["manager_nip"]:
            assert current not in seen, f"manager loop through {current}"
            seen.add(current)
            current = employees[current]["manager_nip"]
            assert current in employees
        assert current == top


def test_units_form_a_tree_and_each_has_its_head_inside(scenario):
    directory, _ = scenario
    units = {row["unit_id"]: row for row in read(directory, "units.csv")}
    employees = {row["nip"]: row for row in read(directory, "employees.csv")}
    people = Counter(row["unit_id"] for row in employees.values())
    order = list(units)
    for unit_id, unit in units.items():
        if unit["parent_id"]:
            assert order.index(unit["parent_id"]) < order.index(unit_id)
        assert employees[unit["head_nip"]]["unit_id"] == unit_id
        assert unit["is_service_unit"] in ("true", "false")
        assert people[unit_id] >= 1
    assert any(u["is_service_unit"] == "true" for u in units.values())


def test_goals_cascade_from_the_parent_units_goals(scenario):
    directory, _ = scenario
    units = {row["unit_id"]: row for row in read(directory, "units.csv")}
    goals = {row["goal_id"]: row for row in read(directory, "goals.csv")}
    per_unit = Counter(goal["unit_id"] for goal in goals.values())
    assert set(per_unit) == set(units)
    assert all(2 <= n <= 3 for n in per_unit.values())
    for goal in goals.values():
        parent_unit = units[goal["unit_id"]]["parent_id"]
        if parent_unit:
            assert goals[goal["parent_goal_id"]]["unit_id"] == parent_unit
        else:
            assert goal["parent_goal_id"] == ""


def test_targets_serve_the_unit_goals_or_the_managers_targets(scenario):
    directory, pack = scenario
    units = {row["unit_id"]: row for row in read(directory, "units.csv")}
    employees = {row["nip"]: row for row in read(directory, "employees.csv")}
    goal_unit = {row["goal_id"]: row["unit_id"] for row in read(directory, "goals.csv")}
    targets = read(directory, "targets.csv")
    owner = {t["target_id"]: t["nip"] for t in targets}
    weights: dict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()
    for t in targets:
        person = employees[t["nip"]]
        if t["nip"] == units[person["unit_id"]]["head_nip"]:
            assert goal_unit.get(t["serves"]) == person["unit_id"], t["target_id"]
        else:
            assert owner.get(t["serves"]) == person["manager_nip"], t["target_id"]
        assert t["aspect"] in pack.targets.aspects
        assert t["kind"] in pack.targets.kinds
        assert t["direction"] in pack.targets.directions
        low, dash, high = t["target"].partition("-")
        assert (t["direction"] == "range") == bool(dash)
        assert float(low) <= float(high or low)
        weights[t["nip"]] += float(t["weight"])
        count[t["nip"]] += 1
    assert set(count) == set(employees)
    assert set(count.values()) == {3}
    assert all(w == 100 for w in weights.values())


def test_metrics_cover_the_quarters_and_counts_only_grow(scenario):
    directory, _ = scenario
    targets = {t["target_id"]: t for t in read(directory, "targets.csv")}
    values: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in read(directory, "metrics.csv"):
        assert row["target_id"] in targets
        values[row["target_id"]].append((row["period"], float(row["value"])))
    for target_id, rows in values.items():
        assert [p for p, _ in rows] == [f"2026-Q{q}" for q in range(1, 5)], target_id
        if targets[target_id]["unit_of_measure"] in ("dokumen", "laporan", "kegiatan", "orang"):
            numbers = [v for _, v in rows]
            assert numbers == sorted(numbers), target_id
    # Whole people report or not: never some of their targets only.
    reported = Counter(targets[t]["nip"] for t in values)
    assert set(reported.values()) == {3}


def test_people_answer_habits(scenario):
    directory, _ = scenario
    heads = {row["head_nip"] for row in read(directory, "units.csv")}
    employees = {row["nip"] for row in read(directory, "employees.csv")}
    rows = read(directory, "people.csv")
    assert len({r["nip"] for r in rows}) == len(rows)
    for row in rows:
        assert row["nip"] in employees and row["nip"] not in heads
        assert row["response"] in ("on_time", "late", "never")
        if row["response"] == "late":
            assert 1 <= int(row["late_days"]) <= 10
        else:
            assert row["late_days"] == ""


def test_reviews_use_the_packs_codes(scenario):
    directory, pack = scenario
    employees = {row["nip"]: row for row in read(directory, "employees.csv")}
    rows = read(directory, "reviews.csv")
    assert rows
    for row in rows:
        assert employees[row["nip"]]["manager_nip"], "the agency head has no reviewer"
        assert row["hasil_kerja"] in pack.result_rating.levels
        assert row["perilaku"] in pack.behaviour.levels
        values = [row[f"perilaku_{v}"] for v in pack.behaviour.values]
        assert all(values) or not any(values)
        if all(values):
            assert Counter(values).most_common(1)[0][0] == row["perilaku"]
        assert row["comment"]


def test_unit_ratings_and_survey(scenario):
    directory, pack = scenario
    units = {row["unit_id"]: row for row in read(directory, "units.csv")}
    ratings = read(directory, "unit_ratings.csv")
    org = pack.distribution.org_predikat if pack.distribution else pack.predikat.order
    assert sorted(r["unit_id"] for r in ratings) == sorted(units)
    assert {r["predikat_organisasi"] for r in ratings} <= set(org)
    survey = read(directory, "survey.csv")
    if pack.ikm is None:
        assert survey == []
        return
    low, high = pack.ikm.scale
    respondents: Counter[str] = Counter()
    for row in survey:
        assert units[row["unit_id"]]["is_service_unit"] == "true"
        assert date.fromisoformat(row["date"]).year == 2026
        assert all(low <= int(row[e.code]) <= high for e in pack.ikm.elements)
        respondents[row["unit_id"]] += 1
    service = {u for u, row in units.items() if row["is_service_unit"] == "true"}
    assert set(respondents) == service
    assert all(30 <= n <= 150 for n in respondents.values())


def test_cycle_config_loads(scenario):
    directory, _ = scenario
    config = load_cycle_config(directory / "cycle.yaml")
    assert (config.period_start, config.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert config.evaluation_periods == "quarterly"
    assert config.coordinator.nip == "HR-0001"
    assert config.coordinator.email == "hr@demo.kinerja.id"
    assert set(config.stages) == set(STAGES)


# --- generated scenarios ----------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path):
    first = generate_scenario(tmp_path / "a", employees=300, seed=3)
    second = generate_scenario(tmp_path / "b", employees=300, seed=3)
    other = generate_scenario(tmp_path / "c", employees=300, seed=4)
    assert first.rows() == second.rows()
    for name in (*SCENARIO_FILES, "cycle.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "employees.csv").read_bytes() != (
        tmp_path / "c" / "employees.csv"
    ).read_bytes()
    assert other.employees == 300


def test_summary_counts_the_rows_of_every_file(generated):
    for directory, summary in generated.values():
        assert summary.directory == directory
        for name, rows in summary.rows().items():
            assert rows == data_rows(directory / name), name
        assert summary.targets == 3 * summary.employees
        assert summary.unit_ratings == summary.units
        units = read(directory, "units.csv")
        assert summary.service_units == sum(u["is_service_unit"] == "true" for u in units)
    assert generated["small"][1].employees == 400
    assert generated["large"][1].employees == 20_000


def test_large_scenario_has_units_of_eight_to_25_people(generated):
    directory, summary = generated["large"]
    sizes = Counter(row["unit_id"] for row in read(directory, "employees.csv"))
    assert summary.units == len(sizes) == round(20_000 / 15)
    assert min(sizes.values()) >= 8 and max(sizes.values()) <= 25
    assert len(set(sizes.values())) > 5
    assert load_cycle_config(directory / "cycle.yaml").chunk_size == 5000
    assert load_cycle_config(generated["small"][0] / "cycle.yaml").chunk_size == 2000


def test_large_scenario_has_realistic_spreads(generated):
    directory, summary = generated["large"]
    pack = load_pack("asn")
    final = {r["target_id"]: float(r["value"]) for r in read(directory, "metrics.csv")
             if r["period"] == "2026-Q4"}  # fmt: skip
    achievements: list[float] = []
    per_person: dict[str, list[TargetScore]] = defaultdict(list)
    for t in read(directory, "targets.csv"):
        low, _, high = t["target"].partition("-")
        value = target_achievement(
            direction=t["direction"], target=float(low), target_high=float(high) if high else None,
            realisation=final.get(t["target_id"]), rules=pack.achievement,
        ).value  # fmt: skip
        if value is not None:
            achievements.append(value)
        per_person[t["nip"]].append(TargetScore(t["kind"], float(t["weight"]), value))
    deciles = statistics.quantiles(achievements, n=10)
    assert 80 <= deciles[0] < 100 < deciles[-1] <= 125
    assert min(achievements) <= 75 and max(achievements) >= 115
    ratings = Counter(
        propose_result_rating(s, pack.result_rating).value for s in per_person.values()
    )
    assert ratings.most_common(1)[0][0] == "sesuai"
    assert all(ratings[r] > 0.05 * summary.employees for r in ("di_atas", "di_bawah"))
    # About 1% report nothing, 10% have a scripted review, 5% answer late and 1% never.
    silent = summary.employees - summary.metrics // 12
    assert 0.005 * 20_000 <= silent <= 0.015 * 20_000
    assert 0.08 * 20_000 <= summary.reviews <= 0.12 * 20_000
    habits = Counter(r["response"] for r in read(directory, "people.csv"))
    assert 0.04 * 20_000 <= habits["late"] <= 0.06 * 20_000
    assert 0.006 * 20_000 <= habits["never"] <= 0.014 * 20_000
    predikat = Counter(r["predikat_organisasi"] for r in read(directory, "unit_ratings.csv"))
    assert predikat.most_common(1)[0][0] == "baik" and len(predikat) == 5


def test_service_units_land_in_different_ikm_bands(generated):
    directory, _ = generated["large"]
    pack = load_pack("asn")
    answers: dict[str, list[dict[str, int]]] = defaultdict(list)
    for row in read(directory, "survey.csv"):
        answers[row["unit_id"]].append({f"U{i}": int(row[f"U{i}"]) for i in range(1, 10)})
    bands = Counter(compute_ikm(rows, pack.ikm).mutu for rows in answers.values())
    assert set(bands) == {"A", "B", "C", "D"}
    assert bands.most_common(1)[0][0] == "B"


@pytest.mark.parametrize("employees", [1, 2, 12, 16, 23, 200])
def test_small_organisations_keep_the_rules(tmp_path, employees):
    summary = generate_scenario(tmp_path, employees=employees, seed=employees)
    assert summary.employees == employees
    assert summary.units == max(1, round(employees / 15))
    rows = read(tmp_path, "employees.csv")
    heads = {row["head_nip"] for row in read(tmp_path, "units.csv")}
    assert {row["nip"] for row in rows} >= heads
    assert sum(1 for row in rows if not row["manager_nip"]) == 1


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="employees"):
        generate_scenario(tmp_path, employees=0)
    with pytest.raises(ValueError, match="late_share"):
        generate_scenario(tmp_path, employees=10, late_share=0.8, never_share=0.3)
    with pytest.raises(ConfigError, match="nosuchpack"):
        generate_scenario(tmp_path, employees=10, policy="nosuchpack")


def test_a_bad_words_file_names_the_file_and_field(tmp_path):
    text = (DEMO / "words.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "words.yaml"
    bad.write_text(text.replace("[40, 40, 20]", "[40, 40, 30]"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_words(bad)
    assert str(bad) in str(caught.value) and "weight_splits" in str(caught.value)
    assert load_words().weight_splits


# --- the files import as they are ---------------------------------------------------------------


@pytest.mark.parametrize("source", ["demo", "generated"])
def test_scenario_imports_into_the_database(engine, tmp_path, source):
    from kinerja.models.scenarios.loading import load_scenario
    from kinerja.models.store.tables import Employee, Measurement, SurveyResponse, Target

    if source == "demo":
        directory = DEMO
        expected = {name: data_rows(DEMO / name) for name in SCENARIO_FILES}
    else:
        directory = tmp_path / "scenario"
        expected = generate_scenario(directory, employees=150, seed=5).rows()
    config = load_cycle_config(directory / "cycle.yaml")
    with Session(engine) as session:
        _, reports = load_scenario(session, directory=directory, config=config,
                                   now=datetime(2026, 1, 1))  # fmt: skip
        session.commit()
        assert {r.kind: r.rows for r in reports}["targets"] == expected["targets.csv"]
        tables = {Employee: "employees.csv", Target: "targets.csv",
                  Measurement: "metrics.csv", SurveyResponse: "survey.csv"}  # fmt: skip
        for table, name in tables.items():
            count = session.scalar(select(func.count()).select_from(table))
            assert count == expected[name], name
