"""A storage failure, or Prefect's local API not starting, ends in one clear line.

Each command is run as a user would (a subprocess) against a real fault: a read-only
database, a database that cannot grow (a file size limit: the disk is "full" for it), a disk
full while files are written, an exports path that cannot be a folder, and a PREFECT_HOME
that cannot be written. Each must exit non-zero with one line naming the cause and the
remedy, print no traceback (``--debug`` prints it), and leave nothing half-written.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from kinerja.models.store.tables import Employee, Unit

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


def kinerja(
    home: Path, *args: str, db: str | None = None, limit: int | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``kinerja ARGS``; ``limit`` caps the size of any file it writes (RLIMIT_FSIZE)."""
    preexec: Callable[[], None] | None = None
    if limit is not None:
        size = limit

        def preexec() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return subprocess.run(
        [sys.executable, "-m", "kinerja.cli.main", *args],
        env={
            **os.environ,
            "KINERJA_HOME": str(home),
            "KINERJA_DATABASE_URL": db or f"sqlite:///{home / 'kinerja.db'}",
            "PREFECT_HOME": str(home / "prefect"),
            **env,
        },
        text=True,
        capture_output=True,
        timeout=600,
        preexec_fn=preexec,
    )


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The failure: non-zero, no traceback, and its last line names the cause."""
    assert result.returncode != 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    for word in words:
        assert word in last, last
    assert " / " in last, f"bilingual: {last}"
    return last


def counts(home: Path) -> tuple[int, int]:
    engine = create_engine(f"sqlite:///{home / 'kinerja.db'}")
    with engine.connect() as conn:
        out = (
            conn.scalar(select(func.count()).select_from(Unit)) or 0,
            conn.scalar(select(func.count()).select_from(Employee)) or 0,
        )
    engine.dispose()
    return out


@pytest.fixture
def upgraded(home: Path) -> Path:
    assert kinerja(home, "db", "upgrade").returncode == 0
    return home


def test_a_read_only_database(upgraded: Path):
    ro = f"sqlite:///file:{upgraded / 'kinerja.db'}?mode=ro&uri=true"
    line = one_line(kinerja(upgraded, "org", "import", str(DEMO), db=ro), "read-only")
    assert "write access" in line
    assert counts(upgraded) == (0, 0)


def test_a_database_that_cannot_grow_writes_nothing(upgraded: Path, tmp_path: Path):
    from kinerja.models.scenarios.generator import generate_scenario

    scenario = tmp_path / "scenario"
    generate_scenario(scenario, employees=3000, seed=3)
    limit = (upgraded / "kinerja.db").stat().st_size + 60_000
    result = kinerja(upgraded, "org", "import", str(scenario), limit=limit)
    one_line(result, "database", "disk")
    assert counts(upgraded) == (0, 0), "nothing half-written"
    assert kinerja(upgraded, "org", "import", str(scenario)).returncode == 0
    assert counts(upgraded)[1] == 3000


def test_a_disk_full_while_writing_files(home: Path):
    result = kinerja(home, "demo", "--employees", "500", "--dir", str(home / "demo"), limit=50_000)
    one_line(result, "disk is full")


def test_an_exports_path_that_cannot_be_a_folder(upgraded: Path):
    assert kinerja(upgraded, "org", "import", str(DEMO)).returncode == 0
    started = kinerja(upgraded, "cycle", "start", str(DEMO / "cycle.yaml"), "--no-run")
    assert started.returncode == 0, started.stderr
    cycle = started.stdout.strip().splitlines()[-1]
    (upgraded / "a-file").write_text("not a folder")
    out = upgraded / "a-file" / "results.xlsx"
    line = one_line(
        kinerja(upgraded, "results", "export", cycle, "--format", "xlsx", "--out", str(out)),
        "cannot write",
    )
    assert "a-file" in line
    full = kinerja(upgraded, "results", "export", cycle, "--format", "csv", "--out", "/dev/full")
    one_line(full, "disk is full")


def test_a_prefect_home_that_cannot_be_written_and_debug(upgraded: Path):
    (upgraded / "a-file").write_text("not a folder")
    bad = str(upgraded / "a-file" / "prefect")
    assert kinerja(upgraded, "org", "import", str(DEMO)).returncode == 0
    line = one_line(
        kinerja(upgraded, "cycle", "start", str(DEMO / "cycle.yaml"), PREFECT_HOME=bad),
        "PREFECT_HOME",
    )
    assert "writable" in line
    debug = kinerja(upgraded, "--debug", "cycle", "run", PREFECT_HOME=bad)
    assert debug.returncode != 0 and "Traceback" in debug.stderr
    assert "PREFECT_HOME" in debug.stderr.strip().splitlines()[-1]
