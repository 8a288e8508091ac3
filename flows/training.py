"""Assign training: low predikat and JP below the yearly minimum open training."""

from __future__ import annotations

from prefect import flow

from kinerja.flows.stage import StageOutcome, StageSpec, run_stage

SPEC = StageSpec("training", prepare=("training",))


@flow(name="stage-training", flow_run_name="training-{cycle_id}")
def training(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Assign training stage of one cycle (see flows/stage.py for how a stage runs)."""
    return run_stage(SPEC, cycle_id, db_url)
