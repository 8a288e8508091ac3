"""Calculate incentives: the pack's formula per employee, with totals per unit."""

from __future__ import annotations

from prefect import flow

from kinerja.flows.stage import StageOutcome, StageSpec, run_stage

SPEC = StageSpec("incentives", prepare=("incentives",), summary=("budget", "incentive-totals"))


@flow(name="stage-incentives", flow_run_name="incentives-{cycle_id}")
def incentives(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Calculate incentives stage of one cycle (see flows/stage.py for how a stage runs)."""
    return run_stage(SPEC, cycle_id, db_url)
