"""Give feedback: the manager writes, the employee acknowledges."""

from __future__ import annotations

from prefect import flow

from kinerja.flows.stage import StageOutcome, StageSpec, run_stage

SPEC = StageSpec("feedback", people=("feedback-tasks",), summary=("feedback-counts",))


@flow(name="stage-feedback", flow_run_name="feedback-{cycle_id}")
def feedback(cycle_id: str, db_url: str | None = None) -> StageOutcome:
    """Give feedback stage of one cycle (see flows/stage.py for how a stage runs)."""
    return run_stage(SPEC, cycle_id, db_url)
