"""Prefect tasks of the stage flows: a handful per stage, each over a whole chunk.

Never one task run per employee: a task run costs the Prefect server tens of milliseconds,
so a stage runs ``steps x chunks`` task runs plus a few for bookkeeping. Each task opens
one database transaction; each is idempotent, so a retry or a rerun after a crash changes
nothing that was already done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from kinerja.models.audit.chain import appends_at_the_end
from kinerja.models.cycles.cycle import (
    Chunk,
    active_task_count,
    close_stage,
    cycle_config,
    get_cycle,
    open_stage,
    pack_of,
    plan_chunks,
    stage_row,
)
from kinerja.models.cycles.periods import cycle_periods as periods_of_cycle
from kinerja.models.cycles.periods import opens_on_date, phases
from kinerja.models.schemas.config import period_stage
from kinerja.models.store.clock import cycle_now
from kinerja.models.store.db import get_engine, session_scope
from kinerja.tasks.audit import audit_checkpoint
from kinerja.tasks.steps import CHUNK_STEPS, CYCLE_STEPS, StepContext, paid_monthly

TASK_OPTIONS: dict[str, Any] = {"retries": 2, "retry_delay_seconds": 2, "cache_policy": NO_CACHE}


@dataclass(frozen=True)
class StageState:
    stage: str
    status: str
    now: datetime
    active_tasks: int
    not_before: datetime | None
    opened: bool


@contextmanager
def step_context(
    db_url: str | None, cycle_id: str, stage: str, chunk: Chunk | None = None
) -> Iterator[StepContext]:
    with session_scope(get_engine(db_url)) as session:
        cycle = get_cycle(session, cycle_id)
        yield StepContext(
            session=session,
            cycle=cycle,
            config=cycle_config(cycle),
            pack=pack_of(cycle),
            now=cycle_now(cycle.clock_at),
            stage=stage,
            chunk=chunk,
        )


@task(name="stage-state", **TASK_OPTIONS)
def stage_state(db_url: str | None, cycle_id: str, stage: str) -> StageState:
    """Where a stage stands, and the earliest time it may open."""
    with step_context(db_url, cycle_id, stage) as ctx:
        row = stage_row(ctx.session, cycle_id, stage)
        not_before = opens_on_date(ctx.config, stage)
        return StageState(
            stage,
            row.status,
            ctx.now,
            active_task_count(ctx.session, cycle_id=cycle_id, stage=stage),
            not_before,
            bool(row.stats.get("opened")),
        )


@task(name="cycle-periods", **TASK_OPTIONS)
def cycle_periods(db_url: str | None, cycle_id: str) -> list[tuple[str, tuple[str, ...], bool]]:
    """The periods not yet done of a cycle with ``periodic``, in order: (label, stages,
    whether the month's tukin is paid and signed in it). A month paid monthly is done once
    its payout is approved and its payroll written; a rerun writes the file again."""
    with step_context(db_url, cycle_id, "plan") as ctx:
        todo = []
        monthly = paid_monthly(ctx.config)
        for period in periods_of_cycle(ctx.config):
            stages = phases(ctx.config)
            last = stage_row(ctx.session, cycle_id, period_stage(stages[-1], period.label))
            paid = not monthly or "payroll" in last.stats.get("paid", {})
            if last.status != "done" or not paid:
                todo.append((period.label, stages, monthly))
        return todo


@task(name="open-stage", **TASK_OPTIONS)
def begin_stage(
    db_url: str | None,
    cycle_id: str,
    stage: str,
    max_chunks: int | None = None,
    min_chunks: int = 1,
) -> list[dict[str, Any]]:
    """Open the stage (its due dates are fixed once) and split the employees into chunks of
    ``chunk_size``, or into ``max_chunks`` larger ones when that would make more, or into
    ``min_chunks`` smaller ones (never more than ``max_chunks``) when that would make fewer:
    as many chunks as there are workers to run them."""
    with step_context(db_url, cycle_id, stage) as ctx:
        open_stage(ctx.session, cycle=ctx.cycle, stage=stage, now=ctx.now)
        size = ctx.config.chunk_size
        chunks = plan_chunks(ctx.session, chunk_size=size, max_chunks=max_chunks)
        wanted = min(min_chunks, max_chunks or min_chunks)
        people = sum(c.size for c in chunks)
        if len(chunks) < wanted and people > len(chunks):
            size = -(-people // wanted)
            chunks = plan_chunks(ctx.session, chunk_size=size, max_chunks=max_chunks)
        return [asdict(c) for c in chunks]


@task(name="stage-opened", **TASK_OPTIONS)
def stage_opened(db_url: str | None, cycle_id: str, stage: str) -> int:
    """Announce the opened tasks (one message per person) and record that the stage is open.

    Returns the stage's active tasks.
    """
    from kinerja.models.humantasks.opening import announce_stage

    with step_context(db_url, cycle_id, stage) as ctx:
        announce_stage(ctx.session, cycle=ctx.cycle, config=ctx.config, stage=stage, now=ctx.now)
        row = stage_row(ctx.session, cycle_id, stage)
        row.stats = {**row.stats, "opened": True}
        return active_task_count(ctx.session, cycle_id=cycle_id, stage=stage)


@task(name="chunk-step", task_run_name="{step}-{chunk[index]}", **TASK_OPTIONS)
def chunk_step(
    db_url: str | None, cycle_id: str, stage: str, step: str, chunk: dict[str, Any]
) -> dict[str, Any]:
    """Run one named step over one chunk of employees, in one transaction. Its audit events
    are appended at the end of the transaction: chunks running at the same time on several
    workers then wait for each other on the audit head only for the appends."""
    with step_context(db_url, cycle_id, stage, Chunk(**chunk)) as ctx:
        with appends_at_the_end(ctx.session):
            return CHUNK_STEPS[step](ctx)


@task(name="cycle-step", task_run_name="{step}", **TASK_OPTIONS)
def cycle_step(db_url: str | None, cycle_id: str, stage: str, step: str) -> dict[str, Any]:
    """Run one named whole-cycle step (a summary over every chunk), in one transaction."""
    with step_context(db_url, cycle_id, stage) as ctx:
        return CYCLE_STEPS[step](ctx)


@task(name="close-stage", **TASK_OPTIONS)
def finish_stage(
    db_url: str | None, cycle_id: str, stage: str, stats: dict[str, Any]
) -> dict[str, Any]:
    """Mark the stage done with its statistics; returns them with the task counts and the
    audit checkpoint written once the close committed (the stage's artifact shows it, a
    second copy outside the database)."""
    from kinerja.models.cycles.reports import late_by_unit, stage_task_counts

    with step_context(db_url, cycle_id, stage) as ctx:
        counts = stage_task_counts(ctx.session, cycle_id=cycle_id, stage=stage)
        full = {
            **stats,
            "tasks": counts,
            "late_by_unit": late_by_unit(ctx.session, cycle_id=cycle_id, stage=stage),
        }
        close_stage(ctx.session, cycle=ctx.cycle, stage=stage, now=ctx.now, stats=full)
        now = ctx.now
    pinned = audit_checkpoint(db_url, reason=f"{cycle_id}: {stage} closed", at=now)
    return {**full, "audit_checkpoint": pinned} if pinned else full
