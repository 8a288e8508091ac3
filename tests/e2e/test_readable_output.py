"""No Python repr in what the `kinerja` command prints, in real processes.

The HR coordinator reads sentences and tables, never ``{'sent': 432}``, ``[('DINAS', 5,
'21285000.00')]``, ``stage=None`` or ``Decimal('...')``. Every command here runs as a
subprocess on a database of the demo cycle, simulated to its end, and its standard output
and standard error are checked for those marks (the grep-able acceptance of issue 11).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
DEWI = "198505102010012003"

REPR_MARKS = ("{'", "[('", "Decimal(")
BARE_NONE = re.compile(r"(?<![\w-])None(?![\w-])")
"""``None`` as a value (``stage=None``, ``| None |``); a word like ``NoneType`` is not."""

# Log lines of libraries (Prefect, the dispatcher's warnings) are not the CLI's own text.
LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d+ \| ")


def repr_problems(text: str) -> list[str]:
    """The lines of ``text`` that show a Python repr or a bare ``None``."""
    bad = []
    for line in text.splitlines():
        if LOG_LINE.match(line):
            continue
        if any(mark in line for mark in REPR_MARKS) or BARE_NONE.search(line):
            bad.append(line)
    return bad


def test_the_check_itself_finds_reprs():
    assert repr_problems("messages: {'sent': 432}")
    assert repr_problems("units [('DINAS', 5, '21285000.00')]")
    assert repr_problems("status=running  stage=None  policy=asn")
    assert repr_problems("total Decimal('21285000.00')")
    assert not repr_problems("pesan / messages: 432 terkirim / sent; macet / stuck: 0")
    assert not repr_problems("13:51:05.868 | WARNING | x - {'a': 1}")


def back_to_the_gates(db: Path) -> None:
    """The finished demo cycle set back to just before its gates, on the wall clock."""
    with sqlite3.connect(db) as conn:
        (stats,) = conn.execute(
            "SELECT stats FROM cycle_stages WHERE cycle_id = 'contoh-2026' AND stage = 'incentives'"
        ).fetchone()
        kept = {k: v for k, v in json.loads(stats).items() if k != "gates"}
        conn.execute(
            "UPDATE cycle_stages SET stats = ? WHERE cycle_id = 'contoh-2026'"
            " AND stage = 'incentives'",
            (json.dumps(kept),),
        )
        conn.execute(
            "UPDATE cycle_stages SET status = 'pending', stats = '{}', closed_at = NULL"
            " WHERE cycle_id = 'contoh-2026' AND stage = 'publish'"
        )
        conn.execute(
            "UPDATE cycles SET status = 'running', current_stage = 'publish',"
            " finished_at = NULL, clock_at = NULL WHERE cycle_id = 'contoh-2026'"
        )
        # A failing finding for DINAS (the demo's own data passes the literal curve), so
        # the publication gate has a unit whose acceptance needs a reason.
        conn.execute(
            "INSERT INTO distribution_findings (cycle_id, unit_id, rater_nip, rule, passed,"
            " detail) VALUES ('contoh-2026', 'DINAS', '', 'test.failing', 0,"
            " 'Baik / Good: 5/5; batas / limit 70%: TIDAK memenuhi / FAILS')"
        )


@pytest.fixture(scope="module")
def kinerja(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("readable")
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        KINERJA_DATABASE_URL=f"sqlite:///{tmp / 'k.db'}",
        KINERJA_HOME=str(tmp / "home"),
        PREFECT_HOME=str(tmp / "prefect"),
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    outputs: dict[str, str] = {}

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "kinerja.cli.main", *args],
            env=env,
            text=True,
            capture_output=True,
            timeout=600,
        )
        if ok:
            assert result.returncode == 0, result.stdout + result.stderr
        outputs[" ".join(args)] = result.stdout + result.stderr
        return result

    run.tmp = tmp  # type: ignore[attr-defined]
    run.db = tmp / "k.db"  # type: ignore[attr-defined]
    run.outputs = outputs  # type: ignore[attr-defined]
    return run


@pytest.mark.slow
def test_no_python_repr_in_any_cli_output(kinerja):
    kinerja("db", "upgrade")
    simulated = kinerja("simulate", str(DEMO)).stdout
    assert "cycle contoh-2026" in simulated

    status = kinerja("cycle", "status", "contoh-2026").stdout
    assert "stage=selesai / complete" in status
    assert re.search(r"pesan / messages: \d+ ", status), status

    kinerja("notify", "status")
    kinerja("notify", "status", "--cycle", "contoh-2026")
    exported = kinerja("results", "export", "contoh-2026").stdout
    assert exported.startswith("nip,")
    kinerja("results", "export", "contoh-2026", "--format", "json")
    explained = kinerja("explain", DEWI, "--cycle", "contoh-2026").stdout
    assert DEWI in explained
    kinerja("sweep")
    kinerja("tasks", "--as", "197203151998031001")

    # A finished cycle waits at no gate: the refusal is a sentence.
    refused = kinerja("gate", "contoh-2026", "approve", ok=False)
    assert refused.returncode == 2 and "waits at no gate" in refused.stderr

    # Set back to just before the gates as a real (not simulated) cycle, the coordinator
    # signs both with `kinerja gate`: each prints its figures as a table.
    back_to_the_gates(kinerja.db)
    assert "gate payout" in kinerja("cycle", "status", "contoh-2026").stdout
    payout = kinerja("gate", "contoh-2026", "approve").stdout
    assert "gate payout: approve (recorded)" in payout
    assert re.search(r"total: Rp\d{1,3}(\.\d{3})+; pagu / budget: ", payout), payout
    assert re.search(r"DINAS\s+\d+\s+Rp\d{1,3}(\.\d{3})+", payout), payout
    # DINAS fails a distribution rule: accepting it needs a reason, named plainly.
    missing = kinerja("gate", "contoh-2026", "approve", ok=False)
    assert missing.returncode == 2
    assert "a reason is required for units: DINAS" in missing.stderr
    publication = kinerja(
        "gate", "contoh-2026", "approve", "--exception", "DINAS=unit kecil / small unit"
    ).stdout
    assert "gate publication: approve (recorded)" in publication
    assert re.search(r"DINAS\s+\S", publication), publication
    assert "stage=selesai / complete" in kinerja("cycle", "status", "contoh-2026").stdout

    # A new cycle from a copy of the demo: its start says what the cycle flow did.
    copy = kinerja.tmp / "demo-copy"
    shutil.copytree(DEMO, copy)
    config = copy / "cycle.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("contoh-2026", "salinan-2026"),
        encoding="utf-8",
    )
    started = kinerja("cycle", "start", str(config))
    assert started.stdout.strip() == "salinan-2026"
    assert "cycle flow" in started.stderr
    kinerja("cycle", "run", "salinan-2026")
    waiting = kinerja("cycle", "status", "salinan-2026").stdout
    assert "stage=" in waiting and "stage=None" not in waiting

    problems = {cmd: repr_problems(text) for cmd, text in kinerja.outputs.items()}
    assert not {cmd: lines for cmd, lines in problems.items() if lines}, problems
    assert len(kinerja.outputs) >= 12
