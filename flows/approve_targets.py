"""Approve targets: each manager approves or returns an employee's targets."""

from __future__ import annotations

from prefect import flow

from kinerja.flows.stage import StageOutcome, StageSpec, run_stage

SPEC = StageSpec("approve_targets", people=("approval-tasks",))


@flow(name="stage-approve-targets", flow_run_name="approve-targets-{cycle_id}")
def approve_targets(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Approve targets stage of one cycle (see flows/stage.py for how a stage runs)."""
    return run_stage(SPEC, cycle_id, db_url)
