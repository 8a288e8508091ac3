"""Simulate a whole cycle on a scenario directory: a year in seconds.

The cycle itself runs as real Prefect flows (``performance_cycle``). Between its runs the
simulator moves the cycle's clock one day at a time and, in-process and in bulk, lets the
simulated people answer and runs the sweeper's logic (reminders, escalations, final
deadlines): a simulated day costs no flow run. Every day is one database transaction, so a
simulation killed anywhere and started again continues to the same result. Meanwhile the
notification dispatcher sends what they queue from a process of its own
(:class:`~kinerja.tasks.simulation.BackgroundDispatcher`), on the machine's other core.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinerja.flows.cycle import performance_cycle
from kinerja.models.schemas.config import load_cycle_config
from kinerja.tasks import simulation

MAX_DAYS_PER_STAGE = 400
IN_MEMORY_PREFECT_DATABASE = "sqlite+aiosqlite:///:memory:"


@dataclass
class StageCost:
    """What the simulation spent on one stage of the cycle while its people acted: the flow
    run that opened it, the simulated days (answers, sweeps), the messages the dispatcher
    sent while the stage was open and the seconds it spent on them (in its own process, in
    parallel), and the process's peak resident memory when the stage closed."""

    flow_seconds: float = 0.0
    people_seconds: float = 0.0
    send_seconds: float = 0.0
    days: int = 0
    answers: int = 0
    sent: int = 0
    peak_rss_mb: float = 0.0


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
    stages: dict[str, StageCost] = field(default_factory=dict)


@contextmanager
def lean_prefect() -> Iterator[None]:
    """Without a Prefect server (the ephemeral API), run flows without heartbeats, and keep
    the ephemeral API's database in its memory.

    A heartbeat only serves a server's crash detection; the ephemeral API ends with this
    process anyway, and joining the heartbeat thread costs about a second per flow run.

    On its SQLite file, the ephemeral API refuses a subflow's tracking task run ("database
    is locked", answered 503) while it records the events of the task run just before, and
    Prefect's client waits about two seconds before it asks again: two seconds before
    nearly every stage and period flow. In memory Prefect keeps one connection, which
    nothing can lock. The runs are gone when the simulation ends, as the ephemeral API's
    unrecorded ones are anyway (ops history needs a Prefect server). A database URL set in
    ``PREFECT_API_DATABASE_CONNECTION_URL`` is kept.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    import prefect.settings as settings

    updates: dict[settings.Setting, Any] = {settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    if not os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL") and not os.environ.get(
        "PREFECT_SERVER_DATABASE_CONNECTION_URL"
    ):
        updates[settings.PREFECT_API_DATABASE_CONNECTION_URL] = IN_MEMORY_PREFECT_DATABASE
    with settings.temporary_settings(updates=updates):
        yield


def simulate(
    directory: Path,
    *,
    db_url: str | None = None,
    routes_path: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> SimulationReport:
    """Run the scenario in ``directory`` to the end of its cycle; resumable."""
    config = load_cycle_config(directory / "cycle.yaml")
    scenario = simulation.load(directory, db_url=db_url, config=config)
    report = SimulationReport(scenario.cycle_id, imports=scenario.imported)
    for line in report.imports:
        progress(f"imported {line}")
    background = simulation.BackgroundDispatcher(db_url, routes_path=routes_path, config=config)
    seen = simulation.Sending()

    def dispatch(final: bool) -> tuple[int, float]:
        """Messages sent, and the dispatcher's seconds, since the last call."""
        nonlocal seen
        now = background.stop() if final else background.so_far()
        report.sent, report.dead = now.sent, now.dead
        sent, seconds = now.sent - seen.sent, now.seconds - seen.seconds
        seen = now
        return sent, seconds

    with lean_prefect(), background:
        return _run(scenario, db_url, report, dispatch, progress)


def _run(
    scenario: simulation.Scenario,
    db_url: str | None,
    report: SimulationReport,
    dispatch: Callable[[bool], tuple[int, float]],
    progress: Callable[[str], None],
) -> SimulationReport:
    cycle_id = scenario.cycle_id
    while True:
        started = time.perf_counter()
        outcome = performance_cycle(cycle_id=cycle_id, db_url=db_url)
        report.flow_runs += 1
        cost = report.stages.setdefault(outcome.stage, StageCost())
        cost.flow_seconds += time.perf_counter() - started
        sent, seconds = dispatch(outcome.done)
        cost.sent += sent
        cost.send_seconds += seconds
        cost.peak_rss_mb = peak_rss_mb()
        if outcome.done:
            progress(f"cycle {cycle_id} complete")
            return report
        if outcome.not_before is not None:
            progress(f"{outcome.stage}: the clock moves to {outcome.not_before.date()}")
            simulation.move_clock(db_url, cycle_id, outcome.not_before)
            continue
        progress(f"{outcome.stage}: {outcome.active_tasks} tasks open")
        for _ in range(MAX_DAYS_PER_STAGE):
            started = time.perf_counter()
            day = simulation.simulate_day(
                db_url, cycle_id, stage=outcome.stage, people=scenario.people
            )
            cost.people_seconds += time.perf_counter() - started
            report.answers += day.answers
            report.reminders += day.reminders
            report.escalations += day.escalations
            report.expired += day.expired
            report.days += 1
            cost.days += 1
            cost.answers += day.answers
            sent, seconds = dispatch(False)
            cost.sent += sent
            cost.send_seconds += seconds
            if day.remaining == 0:
                break
        else:
            raise RuntimeError(f"{outcome.stage} did not close within {MAX_DAYS_PER_STAGE} days")
        cost.peak_rss_mb = peak_rss_mb()


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


__all__ = ["simulate", "SimulationReport", "StageCost", "lean_prefect", "peak_rss_mb"]
