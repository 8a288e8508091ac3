"""Review: unit heads proposed their unit's result; managers rate results and behaviour;
predikat; distribution check per group."""

from __future__ import annotations

from prefect import flow

from kinerja.flows.stage import StageOutcome, StageSpec, run_stage

SPEC = StageSpec(
    "review",
    setup=("unit-heads",),
    people=("review-tasks",),
    finish=("predikat",),
    summary=("distribution",),
)


@flow(name="stage-review", flow_run_name="review-{cycle_id}")
def review(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Review stage of one cycle (see flows/stage.py for how a stage runs)."""
    return run_stage(SPEC, cycle_id, db_url)
