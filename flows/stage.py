"""How every stage flow runs: open, wait for people (holding no process), finish.

A stage is data: whole-cycle setup steps, the steps it runs per chunk before people act,
the steps that open human tasks, the steps after people are done, and whole-cycle summary
steps. :func:`run_stage` drives any stage from wherever it stands, so a rerun after a crash
continues, and a rerun of a finished stage changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact
from pydantic import BaseModel

from kinerja.models.schemas.config import stage_title
from kinerja.models.stages.summaries import stage_summary_line, stage_summary_rows
from kinerja.tasks.fanout import FanOut, chunks_on_workers, fan_out
from kinerja.tasks.stages import (
    begin_stage,
    chunk_step,
    cycle_step,
    finish_stage,
    stage_opened,
    stage_state,
)

TASK_RUNS_PER_STAGE = 20  # a task run costs the Prefect server tens of ms of CPU


@dataclass(frozen=True)
class StageSpec:
    name: str
    setup: tuple[str, ...] = ()  # whole-cycle steps before the chunks' first step
    prepare: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    opened: tuple[str, ...] = ()  # whole-cycle reports once the tasks are open
    finish: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()

    @property
    def max_chunks(self) -> int:
        """How many chunks keep the stage within :data:`TASK_RUNS_PER_STAGE` task runs: its
        fixed steps (state and open twice, announce, finish, the whole-cycle steps) plus its
        per-chunk steps once per chunk. A large organisation gets larger chunks."""
        fixed = 6 + len(self.setup) + len(self.opened) + len(self.summary)
        per_chunk = len(self.prepare) + len(self.people) + len(self.finish)
        return max(1, (TASK_RUNS_PER_STAGE - fixed) // max(1, per_chunk))


class StageOutcome(BaseModel):
    """Where a stage run left the stage: ``done``, or ``waiting`` (for people or a date)."""

    stage: str
    status: str
    active_tasks: int = 0
    not_before: datetime | None = None
    stats: dict[str, Any] = {}

    @property
    def done(self) -> bool:
        return self.status == "done"


def artifact_key(cycle_id: str, stage: str) -> str:
    return f"{cycle_id}-{stage}".replace("_", "-").lower()


def _over_chunks(
    db_url: str | None,
    cycle_id: str,
    stage: str,
    steps: tuple[str, ...],
    chunks: list[dict[str, Any]],
    fan: FanOut,
) -> dict[str, dict[str, int]]:
    """Each step over every chunk, step after step: the chunks of one step in this process
    one by one, or all at once on the task workers (tasks/fanout.py)."""
    totals: dict[str, dict[str, int]] = {}
    for step in steps:
        if fan.workers:
            outs = chunks_on_workers(db_url, cycle_id, stage, step, chunks)
        else:
            outs = [chunk_step(db_url, cycle_id, stage, step, chunk) for chunk in chunks]
        agg = totals.setdefault(step, {})
        for out in outs:
            for key, value in out.items():
                if isinstance(value, int | float):
                    agg[key] = agg.get(key, 0) + value
    return totals


def run_stage(spec: StageSpec, cycle_id: str, db_url: str | None) -> StageOutcome:
    """Advance one stage as far as it can go now."""
    log = get_run_logger()
    state = stage_state(db_url, cycle_id, spec.name)
    if state.status == "done":
        return StageOutcome(stage=spec.name, status="done")
    if state.status == "pending" and state.not_before and state.now < state.not_before:
        log.info("%s opens on %s", spec.name, state.not_before.date())
        return StageOutcome(stage=spec.name, status="waiting", not_before=state.not_before)
    stats: dict[str, Any] = {}
    fan = fan_out(db_url)
    if fan.note:
        log.info("%s: %s", spec.name, fan.note)
    if not state.opened:
        chunks = begin_stage(db_url, cycle_id, spec.name, spec.max_chunks, fan.workers or 1)
        for step in spec.setup:
            stats[step] = cycle_step(db_url, cycle_id, spec.name, step)
        stats.update(
            _over_chunks(db_url, cycle_id, spec.name, spec.prepare + spec.people, chunks, fan)
        )
        active = stage_opened(db_url, cycle_id, spec.name)
        for step in spec.opened:
            stats[step] = cycle_step(db_url, cycle_id, spec.name, step)
        if spec.opened:
            _stage_artifact(cycle_id, spec.name, stats, status="open")
    else:
        active = state.active_tasks
    if active:
        log.info("%s waits for %d human tasks", spec.name, active)
        return StageOutcome(stage=spec.name, status="waiting", active_tasks=active)
    chunks = begin_stage(db_url, cycle_id, spec.name, spec.max_chunks, fan.workers or 1)
    stats.update(_over_chunks(db_url, cycle_id, spec.name, spec.finish, chunks, fan))
    for step in spec.summary:
        stats[step] = cycle_step(db_url, cycle_id, spec.name, step)
    full = finish_stage(db_url, cycle_id, spec.name, stats)
    _stage_artifact(cycle_id, spec.name, full)
    return StageOutcome(stage=spec.name, status="done", stats=full)


def _stage_artifact(cycle_id: str, stage: str, stats: dict[str, Any], status: str = "done") -> None:
    """The stage's figures as a table artifact; its description is the short summary."""
    id_title, en_title = stage_title(stage)
    create_table_artifact(
        table=stage_summary_rows(stats),
        key=artifact_key(cycle_id, stage),
        description=(
            f"# {id_title} / {en_title}\n\nSiklus / cycle `{cycle_id}`, tahap / stage"
            f" `{stage}`: {status}. {stage_summary_line(stats)}"
        ),
    )
