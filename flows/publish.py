"""Publish: per-unit aggregates, IKM per service unit, results export."""

from __future__ import annotations

from prefect import flow

from kinerja.flows.stage import StageOutcome, StageSpec, run_stage

SPEC = StageSpec("publish", summary=("unit-indices", "publish-units", "exports", "announce"))


@flow(name="stage-publish", flow_run_name="publish-{cycle_id}")
def publish(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Publish stage of one cycle (see flows/stage.py for how a stage runs)."""
    return run_stage(SPEC, cycle_id, db_url)
