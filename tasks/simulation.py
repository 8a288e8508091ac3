"""The simulator's steps between the cycle's flow runs, one database transaction each.

Plain functions, not Prefect tasks: a simulated day must cost neither a flow run nor a task
run, so the simulator (flows/simulate.py) calls these in its own process, in bulk. Every
step is one transaction, so a simulation killed anywhere and started again continues to the
same result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kinerja.models.cycles.cycle import active_task_count, get_cycle, set_clock
from kinerja.models.outbox.recipients import (
    all_coordinators,
    retry_of_cycles,
    routes_of_cycles,
    static_recipients,
)
from kinerja.models.outbox.routes import Routes
from kinerja.models.responses.sweeper import sweep
from kinerja.models.scenarios.loading import load_scenario
from kinerja.models.scenarios.simulation import Persona, load_people, simulate_answers
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.db import get_engine, session_factory, session_scope
from kinerja.tasks.notify import DispatchReport, dispatch_due


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its cycle, what was imported, and how its people answer."""

    cycle_id: str
    imported: list[str]
    people: dict[str, Persona]


@dataclass(frozen=True)
class Day:
    """What one simulated day did, and how many tasks of the stage are still active."""

    now: datetime
    answers: int
    reminders: int
    escalations: int
    expired: int
    remaining: int


def load(directory: Path, *, db_url: str | None, config: CycleConfig) -> Scenario:
    """Import the scenario in ``directory`` and create its cycle (idempotent: a second load
    returns the same cycle and imports nothing)."""
    start = datetime.combine(config.period_start, datetime.min.time())
    with session_scope(get_engine(db_url)) as session:
        cycle, imported = load_scenario(session, directory=directory, config=config, now=start)
        cycle_id = cycle.cycle_id
    return Scenario(
        cycle_id,
        [f"{r.kind}: {r.rows}" for r in imported],
        load_people(directory / "people.csv"),
    )


def dispatcher(
    db_url: str | None, *, routes_path: str | None, config: CycleConfig
) -> Callable[[], DispatchReport]:
    """A function that sends everything due now, pass after pass, until nothing is.

    The routes, the coordinators, each cycle's own routes file and retry schedule are read
    once. Leases and retries are on the wall clock, not on the simulated cycle's: a message
    that fails waits real seconds, so a simulation never exhausts a relay's retries in
    simulated days, and a killed simulation's claims are taken again by the next run.
    """
    engine = get_engine(db_url)
    routes = Routes.load(routes_path)
    with session_scope(engine) as session:
        recipients = static_recipients(all_coordinators(session))
        cycle_routes = routes_of_cycles(session)
        cycle_retry = retry_of_cycles(session)

    def dispatch() -> DispatchReport:
        total = {"sent": 0, "failed": 0, "dead": 0}
        while True:
            sent = dispatch_due(
                session_factory(engine),
                routes=routes,
                recipients=recipients,
                cycle_routes=cycle_routes,
                retry=config.notifications,
                cycle_retry=cycle_retry,
                limit=config.notifications.batch_size,
            )
            for key, value in sent.as_dict().items():
                total[key] += value
            if sent.sent + sent.failed + sent.dead == 0:
                return DispatchReport(**total)

    return dispatch


def move_clock(db_url: str | None, cycle_id: str, when: datetime) -> None:
    """Move the simulated cycle's clock to ``when`` (never backwards)."""
    with session_scope(get_engine(db_url)) as session:
        set_clock(session, cycle_id=cycle_id, when=when)


def simulate_day(db_url: str | None, cycle_id: str, *, stage: str, people: dict[str, Any]) -> Day:
    """The next day: the clock moves one day, simulated people answer what is due, and the
    sweeper's logic runs (reminders, escalations, final deadlines), in one transaction."""
    with session_scope(get_engine(db_url)) as session:
        cycle = get_cycle(session, cycle_id)
        assert cycle.clock_at is not None, "a simulated cycle has its own clock"
        now = cycle.clock_at + timedelta(days=1)
        set_clock(session, cycle_id=cycle_id, when=now)
        cycle.clock_at = now
        answers = simulate_answers(session, cycle=cycle, now=now, people=people)
        swept = sweep(session, cycle=cycle, now=now)
        remaining = active_task_count(session, cycle_id=cycle_id, stage=stage)
    return Day(now, answers, swept.reminders, swept.escalations, swept.expired, remaining)
