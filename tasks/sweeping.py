"""Prefect tasks of the sweeper flow: which cycles to sweep, and one sweep per cycle.

The sweep itself is the set-based logic of models/responses/sweeper.py, in one transaction
per cycle, at that cycle's own clock.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from kinerja.models.citizens.sweep import complaint_cycles, sweep_complaints
from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.cycles.periods import stage_due
from kinerja.models.responses.sweeper import sweep, sweepable_cycles
from kinerja.models.store.clock import cycle_now
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import Cycle
from kinerja.tasks.audit import audit_checkpoint
from kinerja.tasks.logs import run_logger


@task(name="cycles-to-sweep", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def cycles_to_sweep(db_url: str | None) -> list[str]:
    """The cycles running, and done ones with appeals waiting for a decision."""
    with session_scope(get_engine(db_url)) as session:
        return sweepable_cycles(session)


@task(name="sweep-cycle", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def sweep_cycle(db_url: str | None, cycle_id: str) -> dict[str, Any]:
    """Reminders, escalations and final deadlines of one cycle, at its clock; then an audit
    checkpoint (none is added when the log did not move)."""
    with session_scope(get_engine(db_url)) as session:
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        now = cycle_now(cycle.clock_at)
        report = sweep(session, cycle=cycle, now=now)
        # A stage whose date has come (a period's report, the annual metrics) starts the
        # cycle flow as a completed stage does: once per stage (the trigger's key).
        due = stage_due(session, cycle_id=cycle_id, config=cycle_config(cycle), now=now)
        out = {
            "reminders": report.reminders,
            "escalations": report.escalations,
            "expired": report.expired,
            "delegations": report.delegations,
            "complete": [*report.complete_stages, *([f"opens-{due}"] if due else [])],
            "now": now.isoformat(),
        }
    audit_checkpoint(db_url, reason=f"{cycle_id}: sweep", at=now)
    run_logger(__name__).info(
        "cycle %s at %s: %d reminders, %d escalations, %d closed at the final deadline,"
        " %d delegations%s",
        cycle_id,
        now.date(),
        out["reminders"],
        out["escalations"],
        out["expired"],
        out["delegations"],
        f"; complete: {', '.join(out['complete'])}" if out["complete"] else "",
    )
    return out


@task(name="sweep-complaints", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def sweep_complaint_tasks(db_url: str | None) -> dict[str, Any]:
    """Reminders and escalations of citizens' complaints on working days, each cycle's
    complaint tasks at that cycle's clock (the wall clock unless the cycle is simulated)."""
    out: dict[str, Any] = {"working_day": None, "reminders": 0, "escalations": 0}
    with session_scope(get_engine(db_url)) as session:
        for cycle_id in complaint_cycles(session):
            cycle = session.get(Cycle, cycle_id)
            assert cycle is not None
            report = sweep_complaints(session, now=cycle_now(cycle.clock_at), cycle_id=cycle_id)
            out["working_day"] = report.working_day
            out["reminders"] += report.reminders
            out["escalations"] += report.escalations
    return out
