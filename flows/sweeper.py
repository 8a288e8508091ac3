"""The sweeper flow: reminders, escalations and final deadlines for every running cycle.

Scheduled (``kinerja serve``) or run by hand (``kinerja sweep``). It runs the set-based logic
of models/responses/sweeper.py in one task per cycle, dispatches the queued notifications, and starts
the cycle flow again for every stage it found complete (the safety net when a process died
between closing a last task and starting the next stage).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja.models.responses.sweeper import sweep, sweepable_cycles
from kinerja.models.store.clock import cycle_now
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import Cycle


@task(name="sweep-cycle", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def sweep_cycle(db_url: str | None, cycle_id: str) -> dict[str, Any]:
    with session_scope(get_engine(db_url)) as session:
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        report = sweep(session, cycle=cycle, now=cycle_now(cycle.clock_at))
        return {
            "reminders": report.reminders,
            "escalations": report.escalations,
            "expired": report.expired,
            "delegations": report.delegations,
            "complete": report.complete_stages,
            "now": cycle_now(cycle.clock_at).isoformat(),
        }


@flow(name="sweeper")
def sweeper(db_url: str | None = None, advance: bool = True) -> dict[str, Any]:
    """Sweep every running cycle; dispatch messages; advance cycles whose stage completed."""
    from kinerja.flows.trigger import advance_cycle
    from kinerja.tasks.notify import dispatch_notifications

    log = get_run_logger()
    with session_scope(get_engine(db_url)) as session:
        cycles = sweepable_cycles(session)
    out: dict[str, Any] = {}
    for cycle_id in cycles:
        out[cycle_id] = sweep_cycle(db_url, cycle_id)
    # The outbox is shared: one pass sends what every cycle queued.
    dispatch_notifications(db_url, cycle_now(None))
    for cycle_id, result in out.items():
        if advance and result["complete"]:
            log.info("cycle %s: %s complete, advancing", cycle_id, result["complete"])
            advance_cycle(cycle_id, db_url=db_url, key="-".join(result["complete"]))
    return out
