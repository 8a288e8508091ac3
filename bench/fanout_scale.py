"""How a stage's chunk steps speed up on 1, 2, 4 ... Prefect task workers, on PostgreSQL.

First a whole cycle of ``--employees`` people is simulated on PostgreSQL, one chunk at a
time in this process (the scenario and the pace of the demo), into a template database that
later runs reuse (``--template NAME`` skips this part when it exists). Then, for each count
in ``--workers`` and once in this process without workers, a copy of the finished cycle is
made and every stage's chunk steps are run again over the same chunks, step after step,
through the stage flows' own path (flows/stage.py ``_over_chunks``): all chunks of a step at
once on the task workers. A finished cycle's steps redo their work (results, achievements,
predikat, training, incentives, each period's progress and predikat); the steps that open
human tasks find them open and only check. Per stage it prints the wall seconds per worker
count and the speed-up against one worker; then the Prefect server's CPU seconds (to show
whether the API is the bottleneck) and how often a database backend of the run was waiting
for a lock (the audit head, ``audit_head``, is the one lock chunks share).

Needs PostgreSQL (``--pg``, a role that may create databases). Starts its own Prefect
server on PostgreSQL unless ``PREFECT_API_URL`` is set.

With ``--repeat R`` the counts run R times, interleaved, and each count's fastest run is
printed (the machine's other load moves less between counts).

    python bench/fanout_scale.py --employees 20000 --workers 1,2,4
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("KINERJA_AUDIT_KEY", "kinerja-bench-audit-key-not-secret-0123456789")

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
RUN_DB = "kinerja_fanout_run"


def database_url(admin: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def admin_execute(admin: str, *statements: str) -> list[Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    out = []
    with engine.connect() as conn:
        for statement in statements:
            result = conn.execute(text(statement))
            out.append(result.fetchall() if result.returns_rows else None)
    engine.dispose()
    return out


def build_template(admin: str, name: str, employees: int, periods: str, workdir: Path) -> float:
    """Simulate the whole cycle into database ``name``; returns the seconds it took."""
    from kinerja.flows.simulate import simulate
    from kinerja.models.scenarios.generator import generate_scenario
    from kinerja.models.store.migrate import upgrade
    from kinerja.tasks.mailcatcher import MailCatcher

    admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    url = database_url(admin, name)
    generate_scenario(workdir / "scenario", employees=employees, seed=7, periods=periods)
    upgrade(url)
    started = time.perf_counter()
    with MailCatcher(workdir / "mail") as catcher:
        os.environ["KINERJA_SMTP_HOST"] = "127.0.0.1"
        os.environ["KINERJA_SMTP_PORT"] = str(catcher.port)
        simulate(workdir / "scenario", db_url=url, progress=lambda line: print("  " + line))
    return time.perf_counter() - started


def stage_steps(url: str) -> tuple[str, list[tuple[str, str, tuple[str, ...]]]]:
    """The cycle's id and its stages in order: (family, stage, chunk steps)."""
    from sqlalchemy import select

    from kinerja.flows import (
        approve_targets,
        collect_metrics,
        feedback,
        incentives,
        plan,
        review,
        training,
    )
    from kinerja.flows.period import period_specs
    from kinerja.models.cycles.cycle import cycle_config
    from kinerja.models.cycles.periods import cycle_periods, phases
    from kinerja.models.store.db import get_engine, session_scope
    from kinerja.models.store.tables import Cycle
    from kinerja.tasks.steps import paid_monthly

    with session_scope(get_engine(url)) as session:
        cycle = session.scalars(select(Cycle)).one()
        config = cycle_config(cycle)
    out = []
    for module in (plan, approve_targets, collect_metrics):
        out.append((module.SPEC.name, module.SPEC.name, _chunk_steps(module.SPEC)))
    for period in cycle_periods(config):
        for spec in period_specs(period.label, phases(config), paid_monthly(config)):
            out.append(("periods", spec.name, _chunk_steps(spec)))
    for module in (review, feedback, training, incentives):
        out.append((module.SPEC.name, module.SPEC.name, _chunk_steps(module.SPEC)))
    return cycle.cycle_id, out


def _chunk_steps(spec: Any) -> tuple[str, ...]:
    return spec.prepare + spec.people + spec.finish


def plan_run_chunks(url: str, workers: int) -> list[dict[str, Any]]:
    """The chunks a stage plans for ``workers`` workers (the same for every run)."""
    from dataclasses import asdict

    from kinerja.flows.plan import SPEC
    from kinerja.models.cycles.cycle import cycle_config, plan_chunks
    from kinerja.models.store.db import get_engine, session_scope
    from kinerja.models.store.tables import Cycle

    with session_scope(get_engine(url)) as session:
        size = cycle_config(session.query(Cycle).one()).chunk_size
        chunks = plan_chunks(session, chunk_size=size, max_chunks=SPEC.max_chunks)
        if len(chunks) < workers:
            people = sum(c.size for c in chunks)
            chunks = plan_chunks(session, chunk_size=-(-people // workers))
        return [asdict(c) for c in chunks]


@contextmanager
def prefect_server(admin: str) -> Iterator[int | None]:
    """A Prefect server on PostgreSQL for the run (its pid), or None when one is set."""
    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    admin_execute(admin, "DROP DATABASE IF EXISTS kinerja_fanout_prefect")
    admin_execute(admin, "CREATE DATABASE kinerja_fanout_prefect")
    async_url = database_url(admin, "kinerja_fanout_prefect").replace("+psycopg", "+asyncpg")
    port = 4390
    env = {**os.environ, "PREFECT_API_DATABASE_CONNECTION_URL": async_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = api  # for the task workers this bench starts
    import httpx
    from prefect.settings import PREFECT_API_URL, temporary_settings

    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(1)
    try:
        with temporary_settings(updates={PREFECT_API_URL: api}):
            yield proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        del os.environ["PREFECT_API_URL"]


def cpu_seconds(pid: int | None, children: bool = True) -> float:
    """User and system CPU seconds of ``pid`` and, with ``children``, of its descendants
    (Linux /proc)."""
    if pid is None:
        return float("nan")
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            if not children:
                continue
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


@contextmanager
def task_workers(count: int, logs: Path) -> Iterator[list[int]]:
    """``count`` chunk-worker processes, each subscribed before this returns."""
    procs, files = [], []
    for i in range(count):
        log = logs / f"worker-{count}-{i}.log"
        files.append(log)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "kinerja.tasks.chunk_worker"],
                env={**os.environ, "PREFECT_LOGGING_LEVEL": "INFO"},
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
    deadline = time.monotonic() + 120
    while not all("Subscribing" in f.read_text() for f in files):
        if time.monotonic() > deadline:
            raise RuntimeError(f"task workers did not subscribe: see {logs}")
        time.sleep(0.3)
    time.sleep(1)
    try:
        yield [proc.pid for proc in procs]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)


class LockSampler(threading.Thread):
    """Samples the run database's backends: how often one runs, how often one waits on a lock."""

    def __init__(self, admin: str) -> None:
        super().__init__(daemon=True)
        self.admin, self.active, self.waiting = admin, 0, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        query = text(
            "SELECT count(*) FILTER (WHERE state = 'active'),"
            " count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock')"
            " FROM pg_stat_activity WHERE datname = :db"
        )
        with engine.connect() as conn:
            while not self.stopped.wait(0.1):
                active, waiting = conn.execute(query, {"db": RUN_DB}).one()
                self.active += active
                self.waiting += waiting
        engine.dispose()


def replay(
    admin: str, template: str, workers: int, chunk_count: int, pids: list[int]
) -> dict[str, Any]:
    """Seconds per stage over a fresh copy of the template, with ``workers`` task workers
    (0: in this process, one chunk at a time)."""
    from kinerja.flows.stage import _over_chunks
    from kinerja.models.store.db import dispose_engines
    from kinerja.models.store.migrate import upgrade
    from kinerja.tasks.fanout import FanOut

    dispose_engines()
    admin_execute(admin, f'DROP DATABASE IF EXISTS "{RUN_DB}"')
    admin_execute(admin, f'CREATE DATABASE "{RUN_DB}" TEMPLATE "{template}"')
    url = database_url(admin, RUN_DB)
    upgrade(url)  # a template made before a later migration
    cycle_id, stages = stage_steps(url)
    chunks = plan_run_chunks(url, chunk_count)
    seconds: dict[str, float] = {}
    runs: dict[str, int] = {}
    sampler = LockSampler(admin)
    sampler.start()
    mine = [os.getpid(), *pids]  # this process's children are the workers and the server
    cpu = sum(cpu_seconds(pid, children=False) for pid in mine)
    started = time.perf_counter()
    for family, stage, steps in stages:
        t = time.perf_counter()
        _over_chunks(url, cycle_id, stage, steps, chunks, FanOut(workers))
        seconds[family] = seconds.get(family, 0.0) + time.perf_counter() - t
        runs[family] = runs.get(family, 0) + len(steps) * len(chunks)
    total = time.perf_counter() - started
    cpu = sum(cpu_seconds(pid, children=False) for pid in mine) - cpu
    backends = admin_execute(admin, f"SELECT pid FROM pg_stat_activity WHERE datname = '{RUN_DB}'")
    cpu += sum(cpu_seconds(pid) for (pid,) in backends[0])  # each was started by this run
    sampler.stopped.set()
    sampler.join()
    dispose_engines()
    waits = sampler.waiting / sampler.active if sampler.active else 0.0
    return {
        "seconds": seconds,
        "runs": runs,
        "total": total,
        "lock_waits": waits,
        "cores": cpu / total,
    }


def add_arguments(parser: argparse.ArgumentParser, *, workers: str | None = "1,2,4") -> None:
    """The options of this bench (``bench/cycle_scale.py --workers`` shares them)."""
    parser.add_argument("--workers", default=workers, help="worker counts, e.g. 1,2,4")
    parser.add_argument("--periods", default="quarterly", help="monthly or quarterly")
    parser.add_argument("--template", default=None, help="reuse this finished-cycle database")
    parser.add_argument("--repeat", type=int, default=1, help="runs per count; the best kept")
    parser.add_argument("--pg", default=ADMIN_URL, help="PostgreSQL URL of a database admin")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20000)
    add_arguments(parser)
    run(parser.parse_args())


def run(args: argparse.Namespace) -> None:
    """Replay the chunk steps on each worker count in ``args.workers`` and print the table."""
    counts = [int(w) for w in args.workers.split(",")]

    from kinerja.flows.simulate import lean_prefect

    template = args.template or f"kinerja_fanout_{args.employees}"
    exists = admin_execute(args.pg, f"SELECT 1 FROM pg_database WHERE datname = '{template}'")
    with tempfile.TemporaryDirectory(prefix="kinerja-fanout-") as tmp:
        os.environ["KINERJA_HOME"] = tmp
        with prefect_server(args.pg) as server, lean_prefect():
            if not exists[0]:
                print(f"simulating a cycle of {args.employees} employees into {template}...")
                built = build_template(args.pg, template, args.employees, args.periods, Path(tmp))
                print(f"  done in {built:.1f} s")
            rows: dict[int, dict[str, Any]] = {}
            for _ in range(args.repeat):  # interleaved, so that load drifts evenly
                for workers in [0, *counts]:
                    before = cpu_seconds(server)
                    if workers:
                        with task_workers(workers, Path(tmp)) as pids:
                            row = replay(args.pg, template, workers, max(counts), pids)
                    else:
                        row = replay(args.pg, template, 0, max(counts), [])
                    row["server_cpu"] = cpu_seconds(server) - before
                    print(f"  {workers or 'in-process'}: {row['total']:.1f} s", flush=True)
                    if workers not in rows or row["total"] < rows[workers]["total"]:
                        rows[workers] = row
    print_table(rows, counts, template)


def print_table(rows: dict[int, dict[str, Any]], counts: list[int], template: str) -> None:
    base = counts[0]
    head = f"{'stage':<16}{'chunk runs':>11}{'in-process':>12}" + "".join(
        f"{f'{w} worker' + ('s' if w > 1 else ''):>12}{'x':>7}" for w in counts
    )
    print(f"\nchunk steps of every stage, cycle in {template} (seconds; x: speed-up vs {base})")
    print(head)
    print("-" * len(head))
    for family, runs in rows[0]["runs"].items():
        line = f"{family:<16}{runs:>11}{rows[0]['seconds'][family]:>12.1f}"
        for w in counts:
            s = rows[w]["seconds"][family]
            line += f"{s:>12.1f}{rows[base]['seconds'][family] / s:>7.2f}"
        print(line)
    line = f"{'all stages':<16}{sum(rows[0]['runs'].values()):>11}{rows[0]['total']:>12.1f}"
    for w in counts:
        line += f"{rows[w]['total']:>12.1f}{rows[base]['total'] / rows[w]['total']:>7.2f}"
    print(line)
    for what, key, fmt in (
        ("cores busy", "cores", ".2f"),
        ("Prefect server CPU s", "server_cpu", ".1f"),
        ("lock waits", "lock_waits", ".1%"),
    ):
        line = f"{what:<27}{format(rows[0][key], fmt):>12}"
        for w in counts:
            line += f"{format(rows[w][key], fmt):>12}{'':>7}"
        print(line)
    print(
        "cores busy: CPU seconds of this process, the workers and the run's PostgreSQL"
        " backends per wall second (the Prefect server not counted);"
        " lock waits: share of the run database's active backends found waiting on a lock"
        " (sampled every 0.1 s); Prefect server CPU: the server this bench started (nan: an"
        " external one)."
    )
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", end="")
    print(f" ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
