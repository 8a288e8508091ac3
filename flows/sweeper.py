"""The sweeper flow: the one scheduled heartbeat of ``kinerja serve``.

It also reminds and escalates citizens' complaints, on working days (models/citizens).

Scheduled (``kinerja serve``) or run by hand (``kinerja sweep``). For every running cycle
it runs the set-based logic of models/responses/sweeper.py (reminders, escalations, final
deadlines, delegations) in one task per cycle (tasks/sweeping.py); then it sends the
outbox's due messages, announces dead messages and stages past their final deadline to ops
(events that start ``ops-alert``, flows/deploy.py), and starts the cycle flow again for
every stage it found complete or whose date has come (the safety net when a process died
between closing a last task and starting the next stage).

Sending folds in here, rather than in a dispatcher deployment of its own on a one-minute
interval, so the Prefect runs list holds one run per sweep that says what it did, not an
empty run a minute. A message queued between sweeps waits for the next one (at most
``--sweep-minutes``); ``kinerja notify send`` sends at once.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from kinerja.tasks.ops import emit_dead_notifications, emit_overdue_stages
from kinerja.tasks.sweeping import cycles_to_sweep, sweep_complaint_tasks, sweep_cycle


@flow(name="sweeper")
def sweeper(
    db_url: str | None = None, advance: bool = True, alert_ops: bool = True
) -> dict[str, Any]:
    """Sweep every running cycle; send due messages; alert ops; advance completed cycles.

    ``alert_ops`` emits the ops events (dead messages, stages past their final deadline);
    without a Prefect server (``kinerja sweep`` on one machine) no automation would hear
    them, so the rows are left for a served sweeper to announce.

    Returns ``{"cycles": {cycle_id: sweep result}, "complaints": reminders and escalations
    of complaints, "messages": counts by outcome, "dead": keys of messages newly announced
    dead, "overdue": cycle/stage past the final deadline}``.
    """
    from kinerja.flows.trigger import advance_cycle
    from kinerja.tasks.notify import dispatch_notifications

    log = get_run_logger()
    cycles: dict[str, Any] = {}
    for cycle_id in cycles_to_sweep(db_url):
        cycles[cycle_id] = sweep_cycle(db_url, cycle_id)
    complaints = sweep_complaint_tasks(db_url)
    # The outbox is shared: one pass sends what every cycle queued.
    messages = dispatch_notifications(db_url)
    dead = emit_dead_notifications(db_url) if alert_ops else []
    # A stage this sweep closed at its final deadline is still open until the cycle flow
    # moves on (below, or as a deployment run): not overdue yet.
    advancing = [f"{c}/{s}" for c, r in cycles.items() for s in r["complete"]] if advance else []
    overdue = emit_overdue_stages(db_url, advancing) if alert_ops else []
    if dead:
        log.warning("%d message(s) dead, ops alerted: %s", len(dead), ", ".join(dead))
    if overdue:
        log.warning("stage(s) past their final deadline, ops alerted: %s", ", ".join(overdue))
    for cycle_id, result in cycles.items():
        if advance and result["complete"]:
            log.info("cycle %s: %s complete, advancing", cycle_id, ", ".join(result["complete"]))
            advance_cycle(cycle_id, db_url=db_url, key="-".join(result["complete"]))
    log.info(
        "swept %d cycle(s): %d reminders, %d escalations, %d closed at the final deadline;"
        " complaints: %d reminders, %d escalations; %d message(s) sent, %d to retry, %d dead",
        len(cycles),
        sum(r["reminders"] for r in cycles.values()),
        sum(r["escalations"] for r in cycles.values()),
        sum(r["expired"] for r in cycles.values()),
        complaints["reminders"],
        complaints["escalations"],
        messages["sent"],
        messages["failed"],
        messages["dead"],
    )
    return {
        "cycles": cycles,
        "complaints": complaints,
        "messages": messages,
        "dead": dead,
        "overdue": overdue,
    }
