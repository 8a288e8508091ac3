"""The start-cycle flow: the typed run form creates a cycle, says so in a table artifact, and
starts the cycle flow; a bad config fails at once, without retries, naming its field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prefect.artifacts import Artifact
from prefect.client.orchestration import get_client

from kinerja.flows.start import start_cycle
from kinerja.models.schemas.config import ConfigError
from kinerja.models.schemas.requests import CycleStart
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import Cycle, CycleStage

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"


def test_the_form_creates_the_cycle_and_tells_its_stages(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path))
    done = start_cycle(request=CycleStart(run=False), db_url=db_url)
    assert done == {"cycle_id": "contoh-2026", "started": False}
    with session_scope(get_engine(db_url)) as s:
        assert s.get(Cycle, "contoh-2026").status == "created"
        stages = s.query(CycleStage).filter_by(cycle_id="contoh-2026").count()
    artifact = Artifact.get("contoh-2026-start")
    assert artifact is not None and artifact.type == "table"
    rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    assert len(rows) == stages and rows[0]["tahap / stage"] == "plan"
    assert "{'" not in json.dumps(rows)
    # The same form again is the same cycle.
    assert start_cycle(request=CycleStart(run=False), db_url=db_url)["cycle_id"] == "contoh-2026"


async def _create_cycle_attempts() -> list[tuple[int, str]]:
    """(run count, state) of every create-cycle task run, oldest first."""
    async with get_client() as client:
        runs = await client.read_task_runs()
    mine = sorted((r for r in runs if r.name.startswith("create-cycle")), key=lambda r: r.created)
    return [(r.run_count, r.state_type.value) for r in mine]


def test_a_bad_uploaded_config_fails_once_naming_the_field(db_url, tmp_path, monkeypatch):
    import asyncio

    monkeypatch.setenv("KINERJA_HOME", str(tmp_path))
    before = len(asyncio.run(_create_cycle_attempts()))
    text = (DEMO / "cycle.yaml").read_text() + "\nbogus: 1\n"
    with pytest.raises(ConfigError, match="bogus: Extra inputs are not permitted"):
        start_cycle(request=CycleStart(config_yaml=text), db_url=db_url)
    attempts = asyncio.run(_create_cycle_attempts())
    assert len(attempts) == before + 1
    assert attempts[-1] == (1, "FAILED")  # ran once: a bad config is not retried
