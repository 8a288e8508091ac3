"""The suite's counter itself: a tally is written where the run's summary reads it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from kinerja.tests.reliability.conftest import scale


def test_a_tally_reaches_the_summary_file(tally):
    path = Path(os.environ["KINERJA_RELIABILITY_REPORT"])
    before = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    tally("the counter counts", 3, 3)
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()[len(before) :]]
    assert rows == [{"case": "the counter counts", "tried": 3, "held": 3}]


def test_scale_picks_the_short_count_by_default():
    expected = 50 if os.environ.get("KINERJA_RELIABILITY") == "long" else 5
    assert scale(5, 50) == expected
