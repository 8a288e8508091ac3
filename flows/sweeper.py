"""The sweeper flow: reminders, escalations and final deadlines for every running cycle,
and the reminders and escalations of citizens' complaints (on working days).

Scheduled (``kinerja serve``) or run by hand (``kinerja sweep``). It runs the set-based
logic of models/responses/sweeper.py in one task per cycle (tasks/sweeping.py), dispatches
the queued notifications, and starts the cycle flow again for every stage it found complete
(the safety net when a process died between closing a last task and starting the next
stage).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from kinerja.tasks.sweeping import cycles_to_sweep, sweep_complaint_tasks, sweep_cycle


@flow(name="sweeper")
def sweeper(db_url: str | None = None, advance: bool = True) -> dict[str, Any]:
    """Sweep every running cycle; dispatch messages; advance cycles whose stage completed."""
    from kinerja.flows.trigger import advance_cycle
    from kinerja.tasks.notify import dispatch_notifications

    log = get_run_logger()
    out: dict[str, Any] = {}
    for cycle_id in cycles_to_sweep(db_url):
        out[cycle_id] = sweep_cycle(db_url, cycle_id)
    complaints = sweep_complaint_tasks(db_url)
    # The outbox is shared: one pass sends what every cycle queued.
    dispatch_notifications(db_url)
    for cycle_id, result in out.items():
        if advance and result["complete"]:
            log.info("cycle %s: %s complete, advancing", cycle_id, result["complete"])
            advance_cycle(cycle_id, db_url=db_url, key="-".join(result["complete"]))
    out["complaints"] = complaints
    return out
