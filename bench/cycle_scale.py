"""How a whole simulated cycle scales, stage by stage, against a baseline run.

Runs two demos in this process, a baseline of ``--baseline`` people and a run of
``--employees`` people, each on a fresh SQLite database with a local mail catcher. Per
stage family (plan ... publish; a period's report and check-in stages summed over the
periods) it prints, for both runs:

- the Prefect task runs and the stage flows' own seconds (read from the Prefect API);
- the simulated people's seconds (answers, sweeps), answers and answers per second;
- the dispatcher's seconds, messages and messages per second;
- the process's peak resident memory when the stage closed (MiB);
- the ratio of the stage's seconds to a raw-SQL floor measured in the same run: inserting
  and then updating set-based as many rows as the stage answered and sent, in plain SQL;
- the growth exponent from baseline to run (1.0 is linear) and the ratio to a linear
  extrapolation of the baseline (below 1.0 is better than linear).

The chunk size is the scenario's, capped per stage at 20 task runs (``--chunk-size`` sets it).

    python bench/cycle_scale.py --baseline 2000 --employees 20000

With ``--workers 1,2,4`` it measures instead, on PostgreSQL, how every stage's chunk steps
speed up on that many Prefect task workers against one (``bench/fanout_scale.py``, whose
options ``--pg``, ``--template``, ``--repeat`` and ``--periods`` it takes):

    python bench/cycle_scale.py --employees 20000 --workers 1,2,4
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fanout_scale

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def run_once(employees: int, chunk_size: int | None, workdir: Path) -> dict[str, Any]:
    import yaml

    from kinerja.flows.simulate import simulate
    from kinerja.models.scenarios.generator import generate_scenario
    from kinerja.models.store.migrate import upgrade
    from kinerja.tasks.mailcatcher import CatcherProcess

    scenario = workdir / "scenario"
    generate_scenario(scenario, employees=employees, seed=7, periods="monthly")  # as the demo
    config_path = scenario / "cycle.yaml"
    if chunk_size is not None:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        config["chunk_size"] = chunk_size
        config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    db_url = f"sqlite:///{workdir / 'kinerja.db'}"
    upgrade(db_url)
    os.environ["KINERJA_HOME"] = str(workdir)
    started = datetime.now(UTC)
    wall = time.perf_counter()
    with CatcherProcess(workdir / "mail") as catcher:  # in a process of its own, as the demo
        os.environ["KINERJA_SMTP_HOST"] = "127.0.0.1"
        os.environ["KINERJA_SMTP_PORT"] = str(catcher.port)
        report = simulate(scenario, db_url=db_url)
    return {
        "employees": employees,
        "wall": time.perf_counter() - wall,
        "started": started,
        "ended": datetime.now(UTC),
        "report": report,
        "floor": floor_seconds(workdir / "floor.db", report),
    }


def families(report: Any) -> dict[str, dict[str, float]]:
    """The simulator's costs per stage; ``periods`` sums every period's report and check-in."""
    from kinerja.models.schemas.config import stage_family

    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for stage, cost in report.stages.items():
        family = stage_family(stage)
        row = out["periods" if family.startswith("period_") else family]
        for name in ("flow_seconds", "people_seconds", "send_seconds", "answers", "sent"):
            row[name] += getattr(cost, name)
        row["peak_rss_mb"] = max(row["peak_rss_mb"], cost.peak_rss_mb)
    return out


def floor_seconds(path: Path, report: Any) -> dict[str, float]:
    """Per stage family, the seconds plain SQL takes to insert and then update set-based as
    many rows as the stage answered and sent (one commit each), on a scratch database."""
    import sqlite3

    out: dict[str, float] = {}
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for family, row in families(report).items():
        rows = int(row["answers"] + row["sent"])
        db.execute("DROP TABLE IF EXISTS floor")
        db.execute("CREATE TABLE floor (id INTEGER PRIMARY KEY, state TEXT, body TEXT)")
        started = time.perf_counter()
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO floor (id, state, body) VALUES (?, 'open', ?)",
            ((i, "x" * 200) for i in range(rows)),
        )
        db.execute("COMMIT")
        db.execute("BEGIN")
        db.execute("UPDATE floor SET state = 'done' WHERE state = 'open'")
        db.execute("COMMIT")
        out[family] = time.perf_counter() - started
    db.close()
    return out


def prefect_stage_costs(started: datetime, ended: datetime) -> dict[str, dict[str, float]]:
    """Task runs and flow-run seconds per stage flow, for runs that started in the window."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterStartTime,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )

    costs: dict[str, dict[str, float]] = defaultdict(
        lambda: {"task_runs": 0, "max_task_runs": 0, "seconds": 0.0}
    )
    per_period: dict[str, int] = defaultdict(int)  # a period's flow runs: by run name
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
            if not flow.startswith("stage-") and flow != "evaluation-period":
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
            if flow == "evaluation-period":
                per_period[run.name] += count
                costs[stage]["max_task_runs"] = max(per_period.values())
            else:  # a stage's flow runs (opened, then finished) together
                costs[stage]["max_task_runs"] = costs[stage]["task_runs"]
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
    parser.add_argument("--chunk-size", type=int, default=None)
    fanout_scale.add_arguments(parser, workers=None)
    args = parser.parse_args()
    if args.workers:
        fanout_scale.run(args)
        return

    from kinerja.flows.simulate import lean_prefect

    runs = []
    with lean_prefect():
        for n in (args.baseline, args.employees):
            with tempfile.TemporaryDirectory(prefix=f"kinerja-bench-{n}-") as tmp:
                print(f"running a cycle of {n} employees...", flush=True)
                run = run_once(n, args.chunk_size, Path(tmp))
                run["costs"] = settle(run["started"], run["ended"])
                runs.append(run)
                print(
                    f"  done in {run['wall']:.1f} s; {run['report'].answers} answers,"
                    f" {run['report'].sent} messages sent",
                    flush=True,
                )
    print_table(*runs)


def exponent(small: float, big: float, n_small: int, n_big: int) -> float:
    """The growth exponent k in big = small * (n_big / n_small) ** k (1.0: linear)."""
    if small <= 0 or big <= 0:
        return float("nan")
    return math.log(big / small) / math.log(n_big / n_small)


def print_table(base: dict[str, Any], big: dict[str, Any]) -> None:
    from kinerja.models.schemas.config import STAGES

    nb, ng = base["employees"], big["employees"]
    fb, fg = families(base["report"]), families(big["report"])
    print()
    print(f"per stage, {nb} -> {ng} employees (people: answers and sweeps; send: dispatcher)")
    head = (
        f"{'stage':<15}{'task runs':>11}{'flow s':>15}{'people s':>15}{'answers/s':>16}"
        f"{'send s':>14}{'msgs/s':>14}{'RSS MiB':>9}{'/floor':>9}{'exp':>6}{'/lin':>6}"
    )
    print(head)
    print("-" * len(head))
    for family in [*STAGES, "periods"]:
        key = "evaluation-period" if family == "periods" else family.replace("_", "-")
        cb, cg = base["costs"].get(key, {}), big["costs"].get(key, {})
        b, g = fb.get(family, {}), fg.get(family, {})
        if not (b or g or cb or cg):
            continue
        total_b = cb.get("seconds", 0.0) + b.get("people_seconds", 0.0) + b.get("send_seconds", 0)
        total_g = cg.get("seconds", 0.0) + g.get("people_seconds", 0.0) + g.get("send_seconds", 0)
        floor = big["floor"].get(family, 0.0)
        print(
            f"{family:<15}"
            f"{cb.get('max_task_runs', 0):>5.0f}{cg.get('max_task_runs', 0):>6.0f}"
            f"{cb.get('seconds', 0):>7.1f}{cg.get('seconds', 0):>8.1f}"
            f"{b.get('people_seconds', 0):>7.1f}{g.get('people_seconds', 0):>8.1f}"
            f"{rate(b, 'answers', 'people_seconds'):>8.0f}"
            f"{rate(g, 'answers', 'people_seconds'):>8.0f}"
            f"{b.get('send_seconds', 0):>6.1f}{g.get('send_seconds', 0):>8.1f}"
            f"{rate(b, 'sent', 'send_seconds'):>7.0f}{rate(g, 'sent', 'send_seconds'):>7.0f}"
            f"{g.get('peak_rss_mb', 0):>9.0f}"
            f"{(total_g / floor) if floor else float('nan'):>9.1f}"
            f"{exponent(total_b, total_g, nb, ng):>6.2f}"
            f"{(total_g / (total_b * ng / nb)) if total_b else float('nan'):>6.2f}"
        )
    print()
    print(
        "task runs: the stage's, over its flow runs (for periods: the most of one period,"
        " its report and check-in stages together); flow s: the stage flows' own seconds,"
        " from Prefect;"
        " RSS: the process's peak when the stage closed; /floor: the stage's seconds over"
        " plain SQL inserting and updating as many rows as it answered and sent (the stage's"
        " seconds: flow, people and send); exp: growth"
        " exponent of the stage's seconds (1.0 linear); /lin: against the baseline"
        " extrapolated linearly."
    )
    print(
        f"whole simulation {base['wall']:.1f} s -> {big['wall']:.1f} s (ratio"
        f" {big['wall'] / base['wall']:.2f}, exponent"
        f" {exponent(base['wall'], big['wall'], nb, ng):.2f}); peak RSS"
        f" {max((r['peak_rss_mb'] for r in fg.values()), default=0):.0f} MiB"
    )


def rate(row: dict[str, float], count: str, seconds: str) -> float:
    return row.get(count, 0.0) / row[seconds] if row.get(seconds) else 0.0


if __name__ == "__main__":
    main()
