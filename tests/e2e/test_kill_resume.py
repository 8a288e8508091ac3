"""A demo killed with SIGKILL in the middle of a stage, started again, ends as if never killed.

Two demos of the same organisation run through the real ``kinerja`` command: one straight
through, one killed (the whole process group, Prefect's ephemeral server included) while a
stage flow is opening its tasks, then started again. Their exported results must be
byte-identical, every message key must reach the mail catcher, and none may be left
waiting in the outbox. Delivery is at-least-once: a key may arrive twice only when the kill
fell between the relay's accept and the commit of the outcome, and then both copies carry
the same Message-ID, the one derived from the key.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

from kinerja.tasks.message_id import message_id

EMPLOYEES = "60"
# Chunks of two people: a stage opens its tasks over 30 task runs, a window of seconds in
# which the test kills the demo.
SEED = "11"


def demo_command(directory: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kinerja.cli.main",
        "demo",
        "--employees",
        EMPLOYEES,
        "--seed",
        SEED,
        "--chunk-size",
        "2",
        "--dir",
        str(directory),
    ]


def demo_env(directory: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("KINERJA_DATABASE_URL", "KINERJA_HOME", "PREFECT_API_URL"):
        env.pop(key, None)
    env["PREFECT_HOME"] = str(directory / "prefect-home")
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env


def run_demo(directory: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        demo_command(directory),
        env=demo_env(directory),
        text=True,
        capture_output=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def opening_stage(db: Path) -> str | None:
    """The stage whose flow is opening its human tasks right now, if any."""
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            rows = conn.execute(
                "SELECT stage, stats FROM cycle_stages WHERE status = 'open'"
            ).fetchall()
            opened = conn.execute(
                "SELECT count(*) FROM human_tasks WHERE stage = 'review'"
            ).fetchone()[0]
    except sqlite3.Error:
        return None
    for stage, stats in rows:
        if stage == "review" and '"opened": true' not in (stats or "") and opened > 0:
            return stage
    return None


def mail_keys(directory: Path) -> Counter[str]:
    keys: Counter[str] = Counter()
    for path in sorted((directory / "mail").glob("*.eml")):
        message = message_from_bytes(path.read_bytes())
        keys[message["X-Kinerja-Key"]] += 1
    return keys


def message_ids(directory: Path) -> dict[str, set[tuple[str, ...]]]:
    """Every Message-ID header each key arrived with, one tuple per copy."""
    ids: dict[str, set[tuple[str, ...]]] = {}
    for path in sorted((directory / "mail").glob("*.eml")):
        message = message_from_bytes(path.read_bytes())
        ids.setdefault(message["X-Kinerja-Key"], set()).add(
            tuple(message.get_all("Message-ID") or ())
        )
    return ids


def outbox_statuses(directory: Path) -> dict[str, int]:
    with sqlite3.connect(directory / "kinerja.db") as conn:
        return dict(conn.execute("SELECT status, count(*) FROM notifications GROUP BY 1"))


def exports(directory: Path) -> dict[str, bytes]:
    files = sorted((directory / "exports").glob("*/results.*"))
    assert {p.suffix for p in files} == {".csv", ".json"}
    return {p.name: p.read_bytes() for p in files}


def test_killed_demo_resumes_to_identical_results(tmp_path):
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    run_demo(straight)

    process = subprocess.Popen(
        demo_command(killed),
        env=demo_env(killed),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    stage = None
    while stage is None and process.poll() is None and time.monotonic() < deadline:
        stage = opening_stage(killed / "kinerja.db")
        time.sleep(0.01)
    assert stage == "review", "the demo finished or stalled before the review stage opened"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    resumed = run_demo(killed)
    assert "continuing the demo" in resumed.stdout

    assert exports(killed) == exports(straight)
    keys = mail_keys(killed)
    assert keys, "no mail reached the catcher"
    assert None not in keys, "a message without its outbox key"
    assert set(keys) == set(mail_keys(straight))
    assert set(outbox_statuses(killed)) == {"sent"}, outbox_statuses(killed)
    # Every copy of a key, sent once or again after the kill, has one Message-ID: the key's.
    for key, ids in message_ids(killed).items():
        assert ids == {(message_id(key, "kinerja.local"),)}, (key, ids)
    kinds = Counter(key.split(":")[2] for key in keys)
    assert kinds["task_reminder"] > 0 and kinds["task_escalated"] > 0
