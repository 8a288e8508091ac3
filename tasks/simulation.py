"""The simulator's steps between the cycle's flow runs, one database transaction each.

Plain functions, not Prefect tasks: a simulated day must cost neither a flow run nor a task
run, so the simulator (flows/simulate.py) calls these in its own process, in bulk. Every
step is one transaction, so a simulation killed anywhere and started again continues to the
same result.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

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

log = logging.getLogger(__name__)


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


POLL_SECONDS = 0.2
"""How long the background dispatcher waits when nothing is due before it looks again."""


@dataclass(frozen=True)
class Sending:
    """What the background dispatcher has done so far: messages sent, parked as dead, and
    the seconds it spent in passes that did either (in its own process)."""

    sent: int = 0
    dead: int = 0
    seconds: float = 0.0


class BackgroundDispatcher:
    """The dispatcher in a process of its own, sending while the simulation goes on.

    The simulated people and the stage flows keep one core busy; the messages they queue
    cost the dispatcher about as much again, so on a machine with two cores they are sent
    on the other one. It is the same dispatcher as :func:`dispatcher` (claims, leases,
    retries): the outbox rows, not this process, say what is left to send, so a simulation
    killed anywhere loses nothing. :meth:`stop` sends what is still due, then ends it. The
    process also ends when the simulation's process is gone.
    """

    def __init__(self, db_url: str | None, *, routes_path: str | None, config: CycleConfig):
        context = multiprocessing.get_context("spawn")  # never fork a process with threads
        self._stop = context.Event()
        self._counts = context.Array("d", 3)  # sent, dead, seconds
        self._process = context.Process(
            target=_send_until_stopped,
            args=(db_url, routes_path, config, self._stop, self._counts),
            name="kinerja-dispatcher",
            daemon=True,
        )

    def start(self) -> BackgroundDispatcher:
        self._process.start()
        return self

    def so_far(self) -> Sending:
        """The counts so far; raises if the process failed, or ended before it was stopped."""
        code = self._process.exitcode
        if code is not None and (code != 0 or not self._stop.is_set()):
            raise RuntimeError(
                f"the dispatcher process ended (exit code {code}); its error is above"
            )
        with self._counts.get_lock():
            sent, dead, seconds = self._counts[:]
        return Sending(int(sent), int(dead), seconds)

    def stop(self) -> Sending:
        """Send what is due, end the process, and return the final counts."""
        self._stop.set()
        self._process.join()
        return self.so_far()

    def __enter__(self) -> BackgroundDispatcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self._process.is_alive():
            self._stop.set()
            self._process.join(30)
            if self._process.is_alive():
                self._process.terminate()


def _send_until_stopped(
    db_url: str | None,
    routes_path: str | None,
    config: CycleConfig,
    stop: Any,
    counts: Any,
) -> None:
    """The background dispatcher's loop: send what is due, wait, again; once ``stop`` is set,
    one last time until nothing is due."""
    parent = multiprocessing.parent_process()
    send = dispatcher(db_url, routes_path=routes_path, config=config)
    while True:
        stopping = stop.is_set()
        started = time.perf_counter()
        try:
            report = send()
        except OperationalError as exc:
            # SQLite: the simulation held the database longer than the busy timeout. The
            # pass gave its claims back; the next one takes them.
            log.warning("dispatcher: database busy, trying again: %s", exc.orig)
            stop.wait(POLL_SECONDS)
            continue
        if report.sent or report.dead:
            with counts.get_lock():
                counts[0] += report.sent
                counts[1] += report.dead
                counts[2] += time.perf_counter() - started
        if stopping or (parent is not None and not parent.is_alive()):
            return
        stop.wait(POLL_SECONDS)


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
