"""Plan targets: result rows for everyone; people without targets propose them; cascade checked."""

from __future__ import annotations

from prefect import flow

from kinerja.flows.stage import StageOutcome, StageSpec, run_stage

SPEC = StageSpec(
    "plan",
    prepare=("results",),
    people=("propose-tasks",),
    opened=("cascade",),
    summary=("cascade",),
)


@flow(name="stage-plan", flow_run_name="plan-{cycle_id}")
def plan(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Plan targets stage of one cycle (see flows/stage.py for how a stage runs)."""
    return run_stage(SPEC, cycle_id, db_url)
