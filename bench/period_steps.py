"""What each step of the evaluation periods costs, in CPU seconds per person-month.

Takes the database of a finished demo cycle (``kinerja demo --dir DIR``), copies it, removes
its period results and period tasks, and runs every period's steps again in order, each in
its own transaction as the stage flows run them (without Prefect): the report stage's
tasks, progress and monitoring, then the check-in's tasks, periodic predikat, month's tukin,
ratings, budget, totals and payroll, with each stage's announcement. Prints the CPU seconds
per step and in all. The copy stays in WORKDIR, so that two runs (say, before and after a
change) can be compared table by table.

    python bench/period_steps.py kinerja-demo/kinerja.db /tmp/period-steps
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPORT_STEPS = ("period-report-tasks", "announce", "period-progress", "period-monitoring")
CHECKIN_STEPS = (
    "checkin-tasks",
    "announce",
    "period-predikat",
    "month-incentives",
    "period-ratings",
    "month-budget",
    "month-totals",
    "payroll",
)


def prepare(source: Path, workdir: Path) -> Path:
    """A copy of ``source`` without period results and period tasks (nor their messages)."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    db = workdir / "kinerja.db"
    shutil.copy(source, db)
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM period_results")
        con.execute("DELETE FROM human_tasks WHERE stage LIKE 'report-%' OR stage LIKE 'checkin-%'")
        con.execute(
            "DELETE FROM notifications WHERE task_id IS NOT NULL"
            " AND task_id NOT IN (SELECT id FROM human_tasks)"
        )
    return db


def run(db: Path) -> tuple[dict[str, float], int]:
    """Every period's steps over ``db``: CPU seconds per step, and person-months."""
    from sqlalchemy import func, select

    from kinerja.models.audit.chain import appends_at_the_end
    from kinerja.models.cycles.cycle import plan_chunks
    from kinerja.models.cycles.periods import cycle_periods
    from kinerja.models.humantasks.opening import announce_stage
    from kinerja.models.store.tables import Cycle, Employee
    from kinerja.tasks.stages import step_context
    from kinerja.tasks.steps import CHUNK_STEPS, CYCLE_STEPS

    url = f"sqlite:///{db}"
    os.environ["KINERJA_HOME"] = str(db.parent)  # the payroll files go to its exports/
    with sqlite3.connect(db) as con:
        (cycle_id,) = con.execute(f"SELECT cycle_id FROM {Cycle.__tablename__}").fetchone()
    with step_context(url, cycle_id, "plan") as ctx:
        labels = [p.label for p in cycle_periods(ctx.config)]
        chunks = plan_chunks(ctx.session, chunk_size=ctx.config.chunk_size)
        people = ctx.session.scalar(select(func.count()).select_from(Employee)) or 0
    seconds: dict[str, float] = defaultdict(float)
    for label in labels:
        for stage, steps in (
            (f"report-{label}", REPORT_STEPS),
            (f"checkin-{label}", CHECKIN_STEPS),
        ):
            for step in steps:
                started = time.process_time()
                if step in CHUNK_STEPS:
                    for chunk in chunks:
                        with step_context(url, cycle_id, stage, chunk) as ctx:
                            with appends_at_the_end(ctx.session):
                                CHUNK_STEPS[step](ctx)
                else:
                    with step_context(url, cycle_id, stage) as ctx:
                        if step == "announce":
                            announce_stage(
                                ctx.session,
                                cycle=ctx.cycle,
                                config=ctx.config,
                                stage=stage,
                                now=ctx.now,
                            )
                        else:
                            CYCLE_STEPS[step](ctx)
                seconds[step] += time.process_time() - started
    return seconds, people * len(labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a finished demo's kinerja.db")
    parser.add_argument("workdir", type=Path, help="where the copy goes (emptied first)")
    args = parser.parse_args()
    seconds, person_months = run(prepare(args.source, args.workdir))
    for step, spent in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"{spent:8.2f} s  {step}")
    total = sum(seconds.values())
    print(
        f"{total:8.2f} s CPU in all, {person_months} person-months,"
        f" {1000 * total / max(1, person_months):.3f} ms per person-month"
    )


if __name__ == "__main__":
    main()
