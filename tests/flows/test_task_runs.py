"""A stage's Prefect task runs follow its chunks, and its chunks are capped so that a stage
makes at most ``TASK_RUNS_PER_STAGE`` task runs whatever the organisation's size."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterStartTime,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from sqlalchemy import func, select

from kinerja.flows import (
    approve_targets,
    collect_metrics,
    feedback,
    incentives,
    plan,
    publish,
    review,
    training,
)
from kinerja.flows.period import period_specs
from kinerja.flows.simulate import simulate
from kinerja.flows.stage import TASK_RUNS_PER_STAGE, StageSpec
from kinerja.models.cycles.cycle import plan_chunks
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import Employee
from kinerja.tasks.mailcatcher import MailCatcher

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
SPECS: list[StageSpec] = [
    m.SPEC for m in (plan, approve_targets, collect_metrics, review, feedback, training)
] + [incentives.SPEC, publish.SPEC]


def _most_task_runs(spec: StageSpec, chunks: int) -> int:
    fixed = 6 + len(spec.setup) + len(spec.opened) + len(spec.summary)
    return fixed + chunks * (len(spec.prepare) + len(spec.people) + len(spec.finish))


def test_every_stage_fits_its_task_runs_within_the_cap():
    monthly = period_specs("2026-03", ("report", "checkin"), monthly_pay=True)
    for spec in [*SPECS, *monthly]:
        assert _most_task_runs(spec, spec.max_chunks) <= TASK_RUNS_PER_STAGE, spec.name
        assert spec.max_chunks >= 1


def test_chunks_grow_when_the_organisation_would_need_too_many(session):
    from kinerja.tests.models.orgfixture import build_org

    build_org(session)
    people = session.scalar(select(func.count()).select_from(Employee))
    assert people > 3
    assert len(plan_chunks(session, chunk_size=1)) == people  # one each, as configured
    capped = plan_chunks(session, chunk_size=1, max_chunks=3)
    assert len(capped) == 3 and sum(c.size for c in capped) == people
    assert capped[0].first_nip == plan_chunks(session, chunk_size=1)[0].first_nip
    assert len(plan_chunks(session, chunk_size=people, max_chunks=3)) == 1  # already fewer


async def _task_runs_per_stage(after: datetime) -> Counter[str]:
    counts: Counter[str] = Counter()
    async with get_client() as client:
        names = {f.id: f.name for f in await client.read_flows(limit=200)}
        runs = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=after)),
            limit=200,
        )
        for run in runs:
            name = names.get(run.flow_id, "")
            if not name.startswith("stage-"):
                continue
            tasks = await client.read_task_runs(
                task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[run.id])),
                limit=200,
            )
            counts[name] += len(tasks)
    return counts


def test_a_cycle_of_one_person_per_chunk_stays_within_the_cap(db_url, tmp_path, monkeypatch):
    scenario = tmp_path / "scenario"
    shutil.copytree(DEMO, scenario)
    config = yaml.safe_load((scenario / "cycle.yaml").read_text(encoding="utf-8"))
    config["chunk_size"] = 1  # twelve people: twelve chunks a stage without the cap
    (scenario / "cycle.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path / "home"))
    started = datetime.now(UTC)
    with MailCatcher(tmp_path / "mail") as catcher:
        monkeypatch.setenv("KINERJA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KINERJA_SMTP_PORT", str(catcher.port))
        simulate(scenario, db_url=db_url)
    with session_scope(get_engine(db_url)) as session:
        assert len(plan_chunks(session, chunk_size=1)) == 12
    counts = asyncio.run(_task_runs_per_stage(started))
    assert counts["stage-plan"] > 7 + 2  # more than one chunk: the steps still run per chunk
    assert max(counts.values()) <= TASK_RUNS_PER_STAGE, counts
