"""bench/survey_load.py at a small size: concurrent answers over loopback are all stored,
each exactly once, and repeated answers refused. No timing is asserted (bench/ prints it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "survey_load.py"


def test_concurrent_answers_are_stored_exactly_once(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCH), "--concurrent", "40", "--baseline", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stored: 43 rows, 43 respondents, expected 43" in result.stdout
    assert "40 repeated answers refused (409)" in result.stdout
