"""`kinerja tasks delegate|extend|remind|history` as the HR coordinator uses them.

The demo agency: the Kepala Dinas (HEAD) approves the targets of the DINAS staff and of the
head of Bidang B01 (RATNA), who approves those of her staff (AGUS among them). Every verb
prints one row per item and exits non-zero when an item was refused; a refusal changes
nothing.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

from kinerja.tests.e2e.test_cli import DEMO, HEAD, STAFF, kinerja, snapshot, task_for

__all__ = ["kinerja"]  # the fixture, shared with test_cli

RATNA = "197808222003122002"  # Kepala Bidang B01, reports to HEAD
AGUS = "198302142008011006"  # reports to RATNA


def test_delegate_extend_remind_and_history(kinerja):
    kinerja("db", "upgrade")
    kinerja("org", "import", str(DEMO))
    kinerja("cycle", "start", str(DEMO / "cycle.yaml"), "--no-run")
    kinerja("cycle", "import", "goals", str(DEMO / "goals.csv"))
    kinerja("targets", "import", str(DEMO / "targets.csv"))
    kinerja("cycle", "run")  # approvals open
    today = datetime.now(UTC).date()
    first, last = str(today - timedelta(days=1)), str(today + timedelta(days=3))

    # Four eyes: Dewi's own targets wait for HEAD's approval, so she may not act for him.
    before = snapshot(kinerja.db)
    refused = kinerja(
        "tasks", "delegate", HEAD, "--to", STAFF, "--from", first, "--until", last,
        "--reason", "cuti", ok=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "refused: " in refused.stdout
    assert "may not approve or rate their own work" in refused.stdout
    assert snapshot(kinerja.db) == before

    agus_task = task_for(kinerja.db, "approve_targets", AGUS)
    delegated = kinerja(
        "tasks", "delegate", RATNA, "--to", HEAD, "--from", first, "--until", last,
        "--reason", "dinas luar",
    ).stdout  # fmt: skip
    assert re.search(rf"\b{agus_task}\s+{RATNA}\s+ok: delegated to {HEAD}", delegated)
    assert "ok: absence 1" in delegated
    listed = kinerja("tasks", "--as", HEAD).stdout
    assert AGUS in listed and STAFF in listed
    assert "dinas luar" in kinerja("tasks", "absences").stdout
    done = kinerja("respond", str(agus_task), "--as", HEAD, "--decision", "approve")
    assert f"task {agus_task}: done" in done.stdout

    staff_task = task_for(kinerja.db, "approve_targets", STAFF)
    extended = kinerja("tasks", "extend", str(staff_task), "--days", "3", "--reason", "rapat")
    assert re.search(rf"\b{staff_task}\s+{HEAD}\s+ok: due ", extended.stdout)
    closed = kinerja("tasks", "extend", str(agus_task), "--days", "3", "--reason", "x", ok=False)
    assert closed.returncode == 1 and f"task {agus_task} is closed (done)" in closed.stdout

    unit = kinerja("tasks", "extend", "--unit", "DINAS.B01", "--days", "2", "--reason", "banjir")
    assert re.search(rf"\b{agus_task}\s+{RATNA}\s+skipped: closed", unit.stdout)
    with sqlite3.connect(kinerja.db) as conn:
        b01_active = conn.execute(
            "SELECT count(*) FROM human_tasks WHERE assignee_nip = ? AND state = 'open'", (RATNA,)
        ).fetchone()[0]
    assert unit.stdout.count("ok: due ") == b01_active > 0

    reminded = kinerja("tasks", "remind", "--unit", "DINAS", "--with-subunits").stdout
    assert reminded.count("ok: reminded ") > 0 and "refused" not in reminded
    again = kinerja("tasks", "remind", "--unit", "DINAS", "--with-subunits").stdout
    assert "ok: reminded" not in again
    assert again.count("skipped: already reminded today") == reminded.count("ok: reminded ")

    history = kinerja("tasks", "history", str(agus_task)).stdout
    for action in ("task.open", "task.delegate", "task.respond"):
        assert action in history
    history = kinerja("tasks", "history", str(staff_task)).stdout
    assert "task.extend" in history and "+3 days, due " in history and "rapat" in history
    # Ratna is back early: her absence is cancelled and what was handed over returns.
    ended = kinerja("tasks", "end-absence", "1", "--reason", "batal dinas").stdout
    assert "ok: absence 1: cancelled" in ended and "ok: delegation lifted" in ended
    with sqlite3.connect(kinerja.db) as conn:
        delegated = conn.execute(
            "SELECT count(*) FROM human_tasks WHERE delegate_nip IS NOT NULL"
            " AND state IN ('open', 'escalated')"
        ).fetchone()[0]
    assert delegated == 0, ended
    assert "hash chain verified" in kinerja("audit", "verify").stdout
