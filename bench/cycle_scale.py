"""How a whole simulated cycle scales: Prefect task runs and time per stage, against a baseline.

Runs two demos in this process, a baseline of ``--baseline`` people and a run of
``--employees`` people, each on a fresh SQLite database with a local mail catcher, then
reads from Prefect how many task runs each stage flow made and how long each stage's flow
runs took. Prints both, and the ratio of the large run to the baseline.

The number of task runs per stage must follow the number of chunks, not of people.

    python bench/cycle_scale.py --baseline 2000 --employees 20000 --chunk-size 5000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def run_once(employees: int, chunk_size: int, workdir: Path) -> dict[str, Any]:
    import yaml

    from kinerja.flows.simulate import simulate
    from kinerja.models.scenarios.generator import generate_scenario
    from kinerja.models.store.migrate import upgrade
    from kinerja.tasks.mailcatcher import MailCatcher

    scenario = workdir / "scenario"
    generate_scenario(scenario, employees=employees, seed=7)
    config_path = scenario / "cycle.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["chunk_size"] = chunk_size
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    db_url = f"sqlite:///{workdir / 'kinerja.db'}"
    upgrade(db_url)
    os.environ["KINERJA_HOME"] = str(workdir)
    started = datetime.now(UTC)
    wall = time.perf_counter()
    with MailCatcher(workdir / "mail") as catcher:
        os.environ["KINERJA_SMTP_HOST"] = "127.0.0.1"
        os.environ["KINERJA_SMTP_PORT"] = str(catcher.port)
        report = simulate(scenario, db_url=db_url)
    return {
        "employees": employees,
        "chunks": -(-employees // chunk_size),
        "wall": time.perf_counter() - wall,
        "started": started,
        "ended": datetime.now(UTC),
        "report": report,
    }


def prefect_stage_costs(started: datetime, ended: datetime) -> dict[str, dict[str, float]]:
    """Task runs and flow-run seconds per stage flow, for runs that started in the window."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterStartTime,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )

    costs: dict[str, dict[str, float]] = defaultdict(lambda: {"task_runs": 0, "seconds": 0.0})
    with get_client(sync_client=True) as client:
        runs: list[Any] = []
        window = FlowRunFilter(start_time=FlowRunFilterStartTime(after_=started, before_=ended))
        while True:  # the API returns at most 200 rows a call
            page = client.read_flow_runs(flow_run_filter=window, limit=200, offset=len(runs))
            runs.extend(page)
            if len(page) < 200:
                break
        names = {f.id: f.name for f in client.read_flows(limit=200)}
        for run in runs:
            flow = names.get(run.flow_id, "?")
            if not flow.startswith("stage-"):
                continue
            stage = flow.removeprefix("stage-")
            count, page_size = 0, 200
            while True:
                page = client.read_task_runs(
                    task_run_filter=TaskRunFilter(
                        flow_run_id=TaskRunFilterFlowRunId(any_=[run.id])
                    ),
                    limit=page_size,
                    offset=count,
                )
                count += len(page)
                if len(page) < page_size:
                    break
            costs[stage]["task_runs"] += count
            if run.start_time and run.end_time:
                costs[stage]["seconds"] += (run.end_time - run.start_time).total_seconds()
    return costs


def settle(started: datetime, ended: datetime) -> dict[str, dict[str, float]]:
    """Read the costs until two reads agree: the API records task runs asynchronously."""
    previous: dict[str, dict[str, float]] = {}
    for _ in range(60):
        current = prefect_stage_costs(started, ended)
        if current and current == previous:
            return current
        previous = current
        time.sleep(2)
    return previous


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=int, default=2000)
    parser.add_argument("--employees", type=int, default=20000)
    parser.add_argument("--chunk-size", type=int, default=5000)
    args = parser.parse_args()

    from kinerja.flows.simulate import lean_prefect

    runs = []
    with lean_prefect():
        for n in (args.baseline, args.employees):
            with tempfile.TemporaryDirectory(prefix=f"kinerja-bench-{n}-") as tmp:
                print(
                    f"running a cycle of {n} employees (chunk size {args.chunk_size})...",
                    flush=True,
                )
                run = run_once(n, args.chunk_size, Path(tmp))
                run["costs"] = settle(run["started"], run["ended"])
                runs.append(run)
                print(
                    f"  done in {run['wall']:.1f} s; {run['report'].sent} messages sent", flush=True
                )
    base, big = runs
    print()
    print(f"{'stage':<16} {'task runs':>20} {'ratio':>6}   {'stage flow seconds':>22} {'ratio':>6}")
    print(
        f"{'':<16} {base['employees']:>9} {big['employees']:>10} {'':>6}   "
        f"{base['employees']:>10} {big['employees']:>11}"
    )
    from kinerja.models.schemas.config import STAGES

    for stage in STAGES:
        key = stage.replace("_", "-")
        b, g = base["costs"].get(key, {}), big["costs"].get(key, {})
        bt, gt = b.get("task_runs", 0), g.get("task_runs", 0)
        bs, gs = b.get("seconds", 0.0), g.get("seconds", 0.0)
        print(
            f"{stage:<16} {bt:>9.0f} {gt:>10.0f} {gt / bt if bt else 0:>6.2f}   "
            f"{bs:>10.1f} {gs:>11.1f} {gs / bs if bs else 0:>6.2f}"
        )
    print()
    print(
        f"employees ratio {big['employees'] / base['employees']:.1f}; chunks "
        f"{base['chunks']} -> {big['chunks']}; whole simulation {base['wall']:.1f} s -> "
        f"{big['wall']:.1f} s (ratio {big['wall'] / base['wall']:.2f})"
    )


if __name__ == "__main__":
    main()
