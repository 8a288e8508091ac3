"""Collect metrics: realisation per target; achievement and the proposed rating."""

from __future__ import annotations

from prefect import flow

from kinerja.flows.stage import StageOutcome, StageSpec, run_stage

SPEC = StageSpec("collect_metrics", people=("realisation-tasks",), finish=("achievements",))


@flow(name="stage-collect-metrics", flow_run_name="collect-metrics-{cycle_id}")
def collect_metrics(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Collect metrics stage of one cycle (see flows/stage.py for how a stage runs)."""
    return run_stage(SPEC, cycle_id, db_url)
