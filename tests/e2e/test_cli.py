"""The `kinerja` command as an HR coordinator and managers would use it, in real processes.

Covers the path from an empty database to the first approvals, and the refusals: a person
who may not act on a task is refused with a clear message and nothing changes.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
HEAD = "197203151998031001"  # Kepala Dinas: manager of the agency's staff
STAFF = "198505102010012003"  # Dewi, reports to HEAD
STRANGER = "199001172015031004"  # Rizky, a colleague of Dewi


@pytest.fixture
def kinerja(tmp_path):
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        KINERJA_DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}",
        KINERJA_HOME=str(tmp_path / "home"),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "kinerja.cli.main", *args],
            env=env,
            text=True,
            capture_output=True,
            timeout=300,
        )
        if ok:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    run.db = tmp_path / "k.db"  # type: ignore[attr-defined]
    return run


def snapshot(db: Path) -> tuple:
    with sqlite3.connect(db) as conn:
        return (
            conn.execute("SELECT id, state, closed_by FROM human_tasks ORDER BY id").fetchall(),
            conn.execute("SELECT target_id, status FROM targets ORDER BY 1").fetchall(),
            conn.execute("SELECT count(*) FROM audit_events").fetchone(),
            conn.execute("SELECT count(*) FROM notifications").fetchone(),
        )


def task_for(db: Path, kind: str, subject: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT id FROM human_tasks WHERE kind = ? AND subject_nip = ?", (kind, subject)
        ).fetchone()[0]


def test_from_empty_database_to_approvals_and_refusals(kinerja):
    missing = kinerja("tasks", ok=False)
    assert missing.returncode != 0 and "kinerja db upgrade" in missing.stderr

    assert "is at revision" in kinerja("db", "upgrade").stdout
    org = kinerja("org", "import", str(DEMO)).stdout
    assert "employees: 12 rows" in org
    cycle_id = kinerja("cycle", "start", str(DEMO / "cycle.yaml"), "--no-run").stdout.strip()
    assert cycle_id == "contoh-2026"
    kinerja("cycle", "import", "goals", str(DEMO / "goals.csv"))
    kinerja("targets", "import", str(DEMO / "targets.csv"))
    kinerja("cycle", "run")  # plan closes (everyone has targets); approvals open
    listed = kinerja("tasks", "--as", HEAD).stdout
    assert "approve_targets" in listed and STAFF in listed

    task = task_for(kinerja.db, "approve_targets", STAFF)
    before = snapshot(kinerja.db)
    stranger = kinerja("respond", str(task), "--as", STRANGER, "--decision", "approve", ok=False)
    assert stranger.returncode == 2
    assert f"{STRANGER} is not allowed to act on task {task}" in stranger.stderr
    assert snapshot(kinerja.db) == before

    coordinator = kinerja(
        "respond", str(task), "--as", "HR-0001", "--decision", "approve", ok=False
    )
    assert coordinator.returncode == 2 and "must give a reason" in coordinator.stderr
    bad = kinerja("respond", str(task), "--as", HEAD, "--decision", "return", ok=False)
    assert bad.returncode == 2 and "needs a comment" in bad.stderr
    assert snapshot(kinerja.db) == before

    done = kinerja("respond", str(task), "--as", HEAD, "--decision", "approve")
    assert f"task {task}: done" in done.stdout
    again = kinerja("respond", str(task), "--as", HEAD, "--decision", "approve")
    assert "already recorded" in again.stdout
    other = kinerja(
        "respond",
        str(task),
        "--as",
        HEAD,
        "--decision",
        "return",
        "--comment",
        "too late",
        ok=False,
    )
    assert other.returncode == 2 and "already answered differently" in other.stderr

    status = kinerja("cycle", "status").stdout
    assert "approve_targets" in status and "open" in status
    assert "hash chain verified" in kinerja("audit", "verify").stdout
    with sqlite3.connect(kinerja.db) as conn:
        conn.execute("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1")
    broken = kinerja("audit", "verify", ok=False)
    assert broken.returncode == 1 and "seq 1" in broken.stderr
