"""Simulate a whole cycle on a scenario directory: a year in seconds.

The cycle itself runs as real Prefect flows (``performance_cycle``). Between its runs the
simulator moves the cycle's clock one day at a time and, in-process and in bulk, lets the
simulated people answer and runs the sweeper's logic (reminders, escalations, final
deadlines) and the notification dispatcher: a simulated day costs no flow run. Every day is
one database transaction, so a simulation killed anywhere and started again continues to
the same result.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kinerja.flows.cycle import performance_cycle
from kinerja.models.cycles.cycle import active_task_count, get_cycle, set_clock
from kinerja.models.outbox.recipients import all_coordinators, routes_of_cycles, static_recipients
from kinerja.models.outbox.routes import Routes
from kinerja.models.responses.sweeper import sweep
from kinerja.models.scenarios.loading import load_scenario
from kinerja.models.scenarios.simulation import load_people, simulate_answers
from kinerja.models.schemas.config import load_cycle_config
from kinerja.models.store.db import get_engine, session_factory, session_scope
from kinerja.tasks.notify import dispatch_due

MAX_DAYS_PER_STAGE = 400


@dataclass
class SimulationReport:
    cycle_id: str
    days: int = 0
    answers: int = 0
    reminders: int = 0
    escalations: int = 0
    expired: int = 0
    sent: int = 0
    dead: int = 0
    flow_runs: int = 0
    imports: list[str] = field(default_factory=list)


@contextmanager
def lean_prefect() -> Iterator[None]:
    """Without a Prefect server (the ephemeral API), run flows without heartbeats.

    A heartbeat only serves a server's crash detection; the ephemeral API ends with this
    process anyway, and joining the heartbeat thread costs about a second per flow run.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    import prefect.settings as settings

    with settings.temporary_settings(updates={settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def simulate(
    directory: Path,
    *,
    db_url: str | None = None,
    routes_path: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> SimulationReport:
    """Run the scenario in ``directory`` to the end of its cycle; resumable."""
    engine = get_engine(db_url)
    config = load_cycle_config(directory / "cycle.yaml")
    start = datetime.combine(config.period_start, datetime.min.time())
    with session_scope(engine) as session:
        cycle, imported = load_scenario(session, directory=directory, config=config, now=start)
        cycle_id = cycle.cycle_id
    report = SimulationReport(cycle_id, imports=[f"{r.kind}: {r.rows}" for r in imported])
    for line in report.imports:
        progress(f"imported {line}")
    people = load_people(directory / "people.csv")
    routes = Routes.load(routes_path)
    with session_scope(engine) as session:
        recipients = static_recipients(all_coordinators(session))
        cycle_routes = routes_of_cycles(session)

    def dispatch(now: datetime) -> None:
        while True:
            sent = dispatch_due(
                session_factory(engine),
                now=now,
                routes=routes,
                recipients=recipients,
                cycle_routes=cycle_routes,
                max_attempts=config.notifications.max_attempts,
                backoff_seconds=config.notifications.backoff_seconds,
                limit=config.notifications.batch_size,
            )
            report.sent += sent.sent
            report.dead += sent.dead
            if sent.sent + sent.failed + sent.dead == 0:
                return

    with lean_prefect():
        return _run(cycle_id, engine, db_url, config, people, report, dispatch, progress)


def _run(
    cycle_id: str,
    engine: Any,
    db_url: str | None,
    config: Any,
    people: dict[str, Any],
    report: SimulationReport,
    dispatch: Callable[[datetime], None],
    progress: Callable[[str], None],
) -> SimulationReport:
    while True:
        outcome = performance_cycle(cycle_id=cycle_id, db_url=db_url)
        report.flow_runs += 1
        with session_scope(engine) as session:
            now = _clock(session, cycle_id)
        dispatch(now)
        if outcome.done:
            progress(f"cycle {cycle_id} complete")
            return report
        if outcome.not_before is not None:
            progress(f"{outcome.stage}: the clock moves to {outcome.not_before.date()}")
            with session_scope(engine) as session:
                set_clock(session, cycle_id=cycle_id, when=outcome.not_before)
            continue
        progress(f"{outcome.stage}: {outcome.active_tasks} tasks open")
        for _ in range(MAX_DAYS_PER_STAGE):
            with session_scope(engine) as session:
                cycle = get_cycle(session, cycle_id)
                now = _clock(session, cycle_id) + timedelta(days=1)
                set_clock(session, cycle_id=cycle_id, when=now)
                cycle.clock_at = now
                report.answers += simulate_answers(session, cycle=cycle, now=now, people=people)
                swept = sweep(session, cycle=cycle, now=now)
                report.reminders += swept.reminders
                report.escalations += swept.escalations
                report.expired += swept.expired
                remaining = active_task_count(session, cycle_id=cycle_id, stage=outcome.stage)
            report.days += 1
            dispatch(now)
            if remaining == 0:
                break
        else:
            raise RuntimeError(f"{outcome.stage} did not close within {MAX_DAYS_PER_STAGE} days")


def _clock(session: Any, cycle_id: str) -> datetime:
    cycle = get_cycle(session, cycle_id)
    assert cycle.clock_at is not None, "a simulated cycle has its own clock"
    return cycle.clock_at


__all__ = ["simulate", "SimulationReport", "lean_prefect"]
