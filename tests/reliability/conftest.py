"""The reliability suite: crashes, races, tampering and hostile input.

Each test tries something many times and counts what held: ``tally(case, tried, held)``. The
counts are printed at the end of the run (``reliability: case: held N of N tried``), from
every worker process, so a CI log shows them.

The long loops scale with ``KINERJA_RELIABILITY``: unset (or ``short``) runs the short default
that CI runs on every change; ``long`` runs the long mode (``scale(short, long)`` picks the
count), for instance::

    KINERJA_RELIABILITY=long ./scripts/test tests/reliability
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

LONG = os.environ.get("KINERJA_RELIABILITY", "short") == "long"
_REPORT_ENV = "KINERJA_RELIABILITY_REPORT"


def scale(short: int, long: int) -> int:
    """How many times a loop runs: ``short`` by default, ``long`` in the long mode."""
    return long if LONG else short


def pytest_configure(config: pytest.Config) -> None:
    # One file shared by the controller and its worker processes (they inherit it).
    if _REPORT_ENV not in os.environ:
        fd, path = tempfile.mkstemp(prefix="kinerja-reliability-", suffix=".jsonl")
        os.close(fd)
        os.environ[_REPORT_ENV] = path


@pytest.fixture
def tally() -> Callable[[str, int, int], None]:
    """Record that ``case`` was tried ``tried`` times and held ``held`` times."""

    def record(case: str, tried: int, held: int) -> None:
        line = json.dumps({"case": case, "tried": tried, "held": held})
        with open(os.environ[_REPORT_ENV], "a", encoding="utf-8") as out:
            out.write(line + "\n")
        print(f"reliability: {case}: held {held} of {tried} tried")

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hasattr(terminalreporter.config, "workerinput"):
        return  # a worker: the controller prints
    path = Path(os.environ.get(_REPORT_ENV, ""))
    if not path.is_file() or path.stat().st_size == 0:
        return
    terminalreporter.section(f"reliability ({'long' if LONG else 'short'} mode)")
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        terminalreporter.write_line(f"{row['case']}: held {row['held']} of {row['tried']} tried")
    path.unlink()
