"""The sweeper flow closes a stage at its final deadline and the cycle goes on by itself."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kinerja.flows.cycle import performance_cycle
from kinerja.flows.sweeper import sweeper
from kinerja.models.cycles.cycle import set_clock, stage_row
from kinerja.models.scenarios.loading import load_scenario
from kinerja.models.schemas.config import load_cycle_config
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import HumanTask, Notification, Target
from kinerja.tasks.mailcatcher import MailCatcher

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"


def run_log_messages(flow_run_id) -> list[str]:  # noqa: ANN001
    """Every log message of a flow run and its task runs, as the Prefect API stores them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
    return [log.message for log in logs]


def test_final_deadline_closes_the_stage_and_the_cycle_moves_on(db_url, tmp_path, monkeypatch):
    scenario = tmp_path / "scenario"
    shutil.copytree(DEMO, scenario)
    config = load_cycle_config(scenario / "cycle.yaml")
    start = datetime(2026, 1, 1)
    engine = get_engine(db_url)
    with session_scope(engine) as s:
        cycle, _ = load_scenario(s, directory=scenario, config=config, now=start)
        cycle_id = cycle.cycle_id
    outcome = performance_cycle(cycle_id=cycle_id, db_url=db_url)
    assert (outcome.stage, outcome.status) == ("approve_targets", "waiting")
    with session_scope(engine) as s:
        final = stage_row(s, cycle_id, "approve_targets").final_due_at
        set_clock(s, cycle_id=cycle_id, when=final + timedelta(hours=1))

    with MailCatcher(tmp_path / "mail") as catcher:
        monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
        state = sweeper(db_url=db_url, return_state=True)
        swept = state.result()
        first = swept["cycles"][cycle_id]
        again = sweeper(db_url=db_url)["cycles"][cycle_id]
        mailed = len(catcher.files())

    # The run says what it did in its own log (the Prefect UI), not only "Completed".
    logged = run_log_messages(state.state_details.flow_run_id)
    assert any(
        m.startswith(f"cycle {cycle_id} at ") and f"{first['expired']} closed" in m for m in logged
    ), logged
    assert any(m.startswith(f"notifications: {swept['messages']['sent']} sent (") for m in logged)
    assert any(m.startswith("swept 1 cycle(s):") for m in logged), logged
    assert swept["messages"]["sent"] > 0
    # The stage was closed at its final deadline by this very sweep: nothing overdue is left.
    assert swept["dead"] == [] and swept["overdue"] == []

    assert first["expired"] > 0 and first["complete"] == ["approve_targets"]
    assert (again["reminders"], again["escalations"], again["expired"]) == (0, 0, 0)
    with session_scope(engine) as s:
        assert stage_row(s, cycle_id, "approve_targets").status == "done"
        assert stage_row(s, cycle_id, "collect_metrics").status == "pending"  # period end
        statuses = set(s.scalars(select(Target.status).where(Target.cycle_id == cycle_id)))
        assert statuses == {"approved"}  # keep_proposal
        expired = s.scalar(
            select(func.count()).select_from(HumanTask).where(HumanTask.state == "expired")
        )
        assert expired == first["expired"]
        sent = s.scalar(
            select(func.count()).select_from(Notification).where(Notification.status == "sent")
        )
    assert mailed == sent > 0


def test_the_sweeper_opens_each_period_on_its_date(db_url, tmp_path, monkeypatch):
    """A cycle with periods waits for the day after a period ends holding no process; the
    sweeper's run on that day starts the cycle flow, and the period runs as its own flow run
    named after it."""
    import asyncio

    from prefect.client.orchestration import get_client

    scenario = tmp_path / "scenario"
    shutil.copytree(DEMO, scenario)
    text = (scenario / "cycle.yaml").read_text(encoding="utf-8")
    text = text.replace("cycle_id: contoh-2026", "cycle_id: contoh-periodik")
    (scenario / "cycle.yaml").write_text(text + "\nperiodic: {}\n", encoding="utf-8")
    config = load_cycle_config(scenario / "cycle.yaml")
    engine = get_engine(db_url)
    with session_scope(engine) as s:
        cycle, _ = load_scenario(s, directory=scenario, config=config, now=datetime(2026, 1, 1))
        cycle_id = cycle.cycle_id
    performance_cycle(cycle_id=cycle_id, db_url=db_url)
    with session_scope(engine) as s:
        final = stage_row(s, cycle_id, "approve_targets").final_due_at
        set_clock(s, cycle_id=cycle_id, when=final + timedelta(hours=1))
    with MailCatcher(tmp_path / "mail") as catcher:
        monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
        sweeper(db_url=db_url)  # approvals expire; the cycle waits for 1 April
        with session_scope(engine) as s:
            assert stage_row(s, cycle_id, "approve_targets").status == "done"
            assert stage_row(s, cycle_id, "report-2026-Q1").status == "pending"
            set_clock(s, cycle_id=cycle_id, when=datetime(2026, 3, 31, 23, 0))
        early = sweeper(db_url=db_url)["cycles"][cycle_id]
        with session_scope(engine) as s:
            set_clock(s, cycle_id=cycle_id, when=datetime(2026, 4, 1, 0, 30))
        due = sweeper(db_url=db_url)["cycles"][cycle_id]
    assert "opens-report-2026-Q1" not in early["complete"]
    assert "opens-report-2026-Q1" in due["complete"]
    with session_scope(engine) as s:
        assert stage_row(s, cycle_id, "report-2026-Q1").status in ("open", "done")
        assert stage_row(s, cycle_id, "report-2026-Q2").status == "pending"

    async def run_names() -> set[str]:
        async with get_client() as client:
            return {run.name for run in await client.read_flow_runs(limit=200)}

    assert f"period-2026-Q1-{cycle_id}" in asyncio.run(run_names())
