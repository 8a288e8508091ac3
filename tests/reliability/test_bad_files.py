"""Hostile files, on SQLite and PostgreSQL: a refused file changes nothing and names every bad
row it holds.

A whole cycle's files (the demo scenario, plus policy inputs and training made from its
people) are loaded once per backend. Hypothesis then damages good rows of every kind of
file (see tests/reliability/badfiles.py: numbers a spreadsheet wrote in scientific notation,
NIPs of the wrong form, non-finite numbers, cells longer than their column, unknown codes,
periods outside the cycle, weights out of bounds, duplicate keys, blank required cells,
extra cells, rows written with the other separator, lines that are not UTF-8, damaged
headers), writes the file as CSV (comma or semicolon, with or without a byte-order mark) or
as an .xlsx sheet, imports it as the CLI does, and checks that:

- the import is refused with :class:`ImportRejected` (never another exception);
- a content hash of the whole database (every table, every row, sorted) is the same as
  before, even though the session is committed after the refusal: nothing was written;
- every damaged row is among the rows the report names, and the report keeps them all.

Then the CLI: ``kinerja org import`` and ``kinerja targets import`` of a bad file print one
clear message without a traceback, exit 2, and name the file holding the full list.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import pack_of
from kinerja.models.cycles.files import import_cycle_file, import_survey_file, nip_format
from kinerja.models.imports.errors import ImportRejected
from kinerja.models.imports.org import import_org
from kinerja.models.imports.training import import_training_completions
from kinerja.models.scenarios.loading import load_scenario
from kinerja.models.schemas.config import load_cycle_config
from kinerja.models.store.db import get_engine
from kinerja.models.store.tables import Base, Cycle
from kinerja.tests.reliability.badfiles import Damage, damages, specs, write_damaged
from kinerja.tests.reliability.conftest import scale

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
ORG = ("units", "employees")
CASE = "bad files refused whole, every bad row named"


def database_hash(engine: Engine) -> str:
    """SHA-256 over every row of every table, each row in canonical JSON, rows sorted."""

    def plain(value: Any) -> Any:
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, Decimal | date | datetime):
            return str(value)
        return value

    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = sorted(
                json.dumps([plain(v) for v in row], sort_keys=True, default=str)
                for row in connection.execute(select(table))
            )
            digest.update(f"{table.name}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(row.encode() + b"\n")
    return digest.hexdigest()


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def scenario(directory: Path) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The demo scenario in ``directory``, with policy inputs and training made from its
    people and the asn pack's codes; returns every file's good header and rows."""
    from kinerja.models.policy.loading import load_pack

    for item in DEMO.iterdir():
        if item.is_file():
            (directory / item.name).write_bytes(item.read_bytes())
    pack = load_pack("asn")
    nips = [row[0] for row in _table(directory / "employees.csv")[1]]
    codes = list(pack.incentive.attendance_codes)
    sanctions = list(pack.incentive.discipline_cuts)
    jenjang = list(pack.credit_points.jenjang)
    competencies = list(pack.training.catalogue.competencies)
    made = {
        "attendance": (
            ["nip", "code", "count"],
            [[n, codes[i % 3], "2"] for i, n in enumerate(nips[:6])],
        ),
        "discipline": (
            ["nip", "sanction", "decided_on"],
            [[n, sanctions[0], "2026-03-02"] for n in nips[:3]],
        ),
        "functional_positions": (
            ["nip", "jenjang", "months"],
            [[n, jenjang[1], "12"] for n in nips[2:6]],
        ),
        "competencies": (
            ["nip", "competency", "required_level", "actual_level"],
            [[n, competencies[i % 2], "3", "2"] for i, n in enumerate(nips[:5])],
        ),
        "training": (
            ["nip", "course", "jp", "completed_on"],
            [[n, "bimbingan_kinerja", "4", "2026-02-03"] for n in nips[:4]],
        ),
    }
    for kind, (header, rows) in made.items():
        _write(directory / f"{kind}.csv", header, rows)
    kinds = (*ORG, "goals", "targets", "metrics", "survey", "reviews", "unit_ratings", *made)
    return {kind: _table(directory / f"{kind}.csv") for kind in kinds}


@pytest.fixture
def loaded(db_url: str, tmp_path: Path) -> tuple[Engine, dict[str, Any]]:
    """A database holding the whole scenario; the good files by kind."""
    directory = tmp_path / "scenario"
    directory.mkdir()
    good = scenario(directory)
    engine = get_engine(db_url)
    config = load_cycle_config(directory / "cycle.yaml")
    with Session(engine) as session:
        load_scenario(session, directory=directory, config=config, now=datetime(2026, 1, 1))
        import_training_completions(session, path=directory / "training.csv")
        session.commit()
    return engine, good


def import_damaged(session: Session, damage: Damage, path: Path) -> None:
    """Import a file the way the CLI does for its kind."""
    cycle = session.scalars(select(Cycle)).one()
    if damage.kind in ORG:
        source = path if damage.xlsx else path.parent
        import_org(session, source=source, nip_format=nip_format(pack_of(cycle)))
    elif damage.kind == "survey":
        import_survey_file(session, pack=pack_of(cycle), path=path)
    elif damage.kind == "training":
        import_training_completions(session, path=path)
    else:
        import_cycle_file(session, cycle=cycle, kind=damage.kind, path=path)


def test_bad_files_are_refused_whole_and_every_bad_row_is_named(loaded, tmp_path, tally):
    engine, good = loaded
    all_specs = specs()
    before = database_hash(engine)
    counts = {"tried": 0, "held": 0}

    @settings(
        max_examples=scale(60, 600),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(damage=damages(good))
    def check(damage: Damage) -> None:
        counts["tried"] += 1
        folder = tmp_path / f"example{counts['tried']}"
        folder.mkdir()
        beside = tuple(k for k in ORG if k != damage.kind) if damage.kind in ORG else ()
        name = "org" if damage.kind in ORG and damage.xlsx else damage.kind
        path, expected = write_damaged(
            damage, good, all_specs[damage.kind], folder / f"{name}.csv", beside=beside
        )
        label = f"{path.name}[{damage.kind}]" if damage.xlsx else f"{damage.kind}.csv"
        with Session(engine) as session:
            with pytest.raises(ImportRejected) as refused:
                import_damaged(session, damage, path)
            # Committed on purpose: a refusal must not have written anything to commit.
            session.commit()
        every = list(refused.value.all_errors())
        assert len(every) == refused.value.total
        named = {e.row for e in every if e.file == label}
        assert expected <= named, (damage, expected - named, every[:5])
        if damage.header_damage not in (None, "header_delimiter"):
            assert named == {1}, every  # a wrong header is named alone: rows are not read
        assert database_hash(engine) == before
        counts["held"] += 1

    try:
        check()
    finally:
        tally(CASE, counts["tried"], counts["held"])


# --- the command line ---------------------------------------------------------------------------


def kinerja(db_url: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(KINERJA_DATABASE_URL=db_url, KINERJA_HOME=str(home), PREFECT_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "kinerja.cli.main", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


def listed(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_cli_prints_one_clear_message_and_names_the_full_list(loaded, tmp_path, tally):
    engine, good = loaded
    before = database_hash(engine)
    url = engine.url.render_as_string(hide_password=False)
    held = 0

    # 70 employees with NIPs a spreadsheet turned into scientific notation, one name of
    # 100,000 characters: more problems than the terminal shows.
    org = tmp_path / "org"
    org.mkdir()
    header, rows = good["employees"]
    _write(org / "units.csv", *good["units"])
    bad = [list(rows[0])]
    bad[0][1] = "n" * 100_000
    for i in range(70):
        row = list(rows[1])
        row[0] = f"{1 + i % 9}.{i:05d}E+17"
        bad.append(row)
    _write(org / "employees.csv", header, bad)
    result = kinerja(url, tmp_path / "home", "org", "import", str(org))
    full = org / "import.errors.csv"
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "import refused, 71 problem(s), nothing was written" in result.stderr
    assert "impor ditolak, 71 masalah, tidak ada yang disimpan" in result.stderr
    assert "employees.csv row 2, column name: too long: 100000 characters, at most 255" in (
        result.stderr
    )
    assert "... and 21 more / dan 21 lainnya" in result.stderr
    assert f"the full list of 71 problem(s): {full}" in result.stderr
    assert f"daftar lengkap 71 masalah: {full}" in result.stderr
    assert "NIP format / bentuk NIP: pack asn@2026.1 of the newest cycle" in result.stderr
    everything = listed(full)
    assert [int(r["row"]) for r in everything] == list(range(2, 73))
    assert everything[0]["value"].endswith("... (100000 characters / karakter)")
    assert everything[-1]["value"] == "7.00069E+17"
    assert "scientific notation" in everything[-1]["problem"]
    held += 1

    # A targets file naming a damaged NIP, a hostile formula and non-finite numbers.
    header, rows = good["targets"]
    targets = tmp_path / "upload" / "targets.csv"
    targets.parent.mkdir()
    bad = [list(r) for r in rows[:2]]
    bad[0][header.index("nip")] = "1.97203E+17"
    bad[1][header.index("target")] = "1e999"
    bad[1][header.index("statement")] = '=HYPERLINK("http://x","klik")'  # text: accepted
    bad[1][header.index("weight")] = "150"
    _write(targets, header, bad)
    result = kinerja(url, tmp_path / "home", "targets", "import", str(targets))
    full = targets.with_name("targets.errors.csv")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "import refused, 3 problem(s), nothing was written" in result.stderr
    assert f"the full list of 3 problem(s): {full}" in result.stderr
    assert [(r["row"], r["column"]) for r in listed(full)] == [
        ("2", "nip"),
        ("3", "target"),
        ("3", "weight"),
    ]
    held += 1

    # Where the folder of the file cannot be written, the list goes under KINERJA_HOME.
    targets.parent.chmod(0o555)
    try:
        if os.access(targets.parent, os.W_OK):  # root writes anywhere: make a file block it
            full.unlink()
            full.mkdir()
        result = kinerja(url, tmp_path / "home", "targets", "import", str(targets))
    finally:
        targets.parent.chmod(0o755)
    fallback = tmp_path / "home" / "import-errors" / "targets.errors.csv"
    assert result.returncode == 2 and f"the full list of 3 problem(s): {fallback}" in (
        result.stderr
    )
    assert len(listed(fallback)) == 3
    held += 1

    assert database_hash(engine) == before
    tally("CLI names a refused file's full list, no traceback", 3, held)
