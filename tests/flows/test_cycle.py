"""A whole cycle on the small example scenario, as Prefect flows, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kinerja.flows.cycle import performance_cycle
from kinerja.flows.simulate import simulate
from kinerja.flows.stage import artifact_key
from kinerja.models.audit.verify import verify
from kinerja.models.results.agreement import compare_results
from kinerja.models.results.exports import export_results
from kinerja.models.schemas.config import STAGES
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import (
    AuditEvent,
    CycleStage,
    Employee,
    HumanTask,
    Notification,
    Publication,
    Result,
    UnitIndex,
)

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"


@pytest.fixture
def scenario(tmp_path) -> Path:
    target = tmp_path / "scenario"
    shutil.copytree(DEMO, target)
    return target


def test_whole_cycle_runs_and_a_rerun_changes_nothing(
    db_url, scenario, mail, tmp_path, monkeypatch
):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path / "home"))
    report = simulate(scenario, db_url=db_url)
    engine = get_engine(db_url)
    with session_scope(engine) as s:
        statuses = dict(
            s.execute(
                select(CycleStage.stage, CycleStage.status).where(
                    CycleStage.cycle_id == report.cycle_id
                )
            ).all()
        )
        assert statuses == {stage: "done" for stage in STAGES}
        people = s.scalar(select(func.count()).select_from(Employee))
        results = s.scalars(select(Result).where(Result.cycle_id == report.cycle_id)).all()
        assert len(results) == people == 12
        assert all(r.predikat for r in results)
        assert all(r.incentive is not None and r.incentive > 0 for r in results)
        # somebody answered late, somebody never: reminders, escalations, final deadlines
        kinds = dict(
            s.execute(select(Notification.kind, func.count()).group_by(Notification.kind)).all()
        )
        assert kinds.get("task_reminder", 0) > 0
        assert kinds.get("task_escalated", 0) > 0
        assert (
            s.scalar(
                select(func.count())
                .select_from(HumanTask)
                .where(HumanTask.state.in_(("open", "escalated")))
            )
            == 0
        )
        assert s.scalar(select(func.count()).select_from(Publication)) > 0
        assert s.scalar(select(func.count()).select_from(UnitIndex)) > 0
        audit = verify(s)
        assert audit.ok, audit.problems
        assert compare_results(s).ok
        before = export_results(s, cycle_id=report.cycle_id, fmt="json")
        events = s.scalar(select(func.count()).select_from(AuditEvent))
        sent = s.scalar(select(func.count()).select_from(Notification))
    assert report.sent == sent == len(mail.files())
    # Stage closes and gates pinned the audit log outside the database (a close that found
    # the head where the previous checkpoint left it adds no line).
    pinned = [
        json.loads(line)
        for line in (tmp_path / "home" / "audit" / "checkpoints.jsonl").read_text().splitlines()
    ]
    reasons = [p["reason"] for p in pinned]
    closed = {r for r in reasons if r.endswith(" closed")}
    assert f"{report.cycle_id}: review closed" in closed
    assert closed <= {f"{report.cycle_id}: {stage} closed" for stage in STAGES}
    assert f"{report.cycle_id}: gate payout approve" in reasons
    assert pinned[-1]["seq"] == events and audit.checkpoints == len(pinned)
    # The exports were written where KINERJA_HOME says.
    exported = tmp_path / "home" / "exports" / report.cycle_id / "results.json"
    assert exported.read_text(encoding="utf-8") == before

    # Each stage's summary is a table artifact: readable figures, no Python repr.
    rows, description = table_artifact(artifact_key(report.cycle_id, "incentives"))
    assert "Insentif" in description or "incentive" in description.lower()
    cells = [v for row in rows for v in row.values()]
    assert cells and not [v for v in cells if "{'" in v or "[('" in v or "Decimal(" in v]
    totals = [
        r
        for r in rows
        if r["langkah / step"] == "incentive-totals" and r["ukuran / measure"].startswith("units: ")
    ]
    assert totals, rows
    assert all(re.search(r"\d{1,3}(\.\d{3})+,\d\d$", r["nilai / value"]) for r in totals), totals
    review, _ = table_artifact(artifact_key(report.cycle_id, "review"))
    assert {"step": "tugas / tasks", "measure": "tasks", "value": "12"} in [
        {"step": r["langkah / step"], "measure": r["ukuran / measure"], "value": r["nilai / value"]}
        for r in review
    ]

    outcome = performance_cycle(cycle_id=report.cycle_id, db_url=db_url)
    assert outcome.done
    again = simulate(scenario, db_url=db_url)
    assert again.answers == 0 and again.sent == 0
    with session_scope(engine) as s:
        assert export_results(s, cycle_id=report.cycle_id, fmt="json") == before
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events
        assert s.scalar(select(func.count()).select_from(Notification)) == sent


def table_artifact(key: str) -> tuple[list[dict[str, str]], str]:
    """The rows and the description of the newest table artifact under ``key``."""
    from prefect.artifacts import Artifact

    artifact = Artifact.get(key)
    assert artifact is not None and artifact.type == "table", artifact
    data = artifact.data
    rows = json.loads(data) if isinstance(data, str) else data
    return rows, artifact.description or ""
