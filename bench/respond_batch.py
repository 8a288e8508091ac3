"""How fast the batch response service applies answers, against a raw-SQL floor.

Builds a generated organisation of ``--employees`` people on a fresh SQLite database, opens
the approve-targets stage (one approval per person), copies the database, then:

1. the service: every manager approves, through ``respond_many`` in batches of ``--batch``
   answers, one commit per batch (the same call the simulator, imports and the portal use);
2. the floor: on the copy, the same row passes in plain SQL through the same driver, one
   commit per batch: the compare-and-set UPDATE of the tasks, the UPDATE of the targets, the
   UPDATE closing each task (executemany) and the INSERT of one audit row per answer
   (executemany).

Prints answers per second for both and their ratio, and checks that the service closed
every task once and wrote one audit event per answer.

    python bench/respond_batch.py --employees 20000 [--batch 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("KINERJA_AUDIT_KEY", "bench-audit-key-not-secret-0123456789abcdef")


def prepare(workdir: Path, employees: int) -> tuple[str, str, datetime]:
    """A database with the approve-targets stage open; returns its path, cycle and clock."""
    from kinerja.models.cycles.cycle import open_stage
    from kinerja.models.responses.base import open_follow_up
    from kinerja.models.scenarios.generator import generate_scenario
    from kinerja.models.scenarios.loading import load_scenario
    from kinerja.models.schemas.config import load_cycle_config
    from kinerja.models.stages.approve_targets import approval_tasks
    from kinerja.models.store.db import get_engine, session_scope
    from kinerja.models.store.migrate import upgrade

    scenario = workdir / "scenario"
    generate_scenario(scenario, employees=employees, seed=7)
    config = load_cycle_config(scenario / "cycle.yaml")
    path = workdir / "kinerja.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    now = datetime.combine(config.period_start, datetime.min.time())
    with session_scope(get_engine(url)) as session:
        cycle, _ = load_scenario(session, directory=scenario, config=config, now=now)
        open_stage(session, cycle=cycle, stage="approve_targets", now=now)
        session.flush()
        wanted = approval_tasks(
            session, cycle=cycle, coordinator=config.coordinator.nip, lo="", hi="\uffff"
        )
        open_follow_up(session, cycle=cycle, config=config, tasks=wanted, now=now, notify=False)
        cycle_id = cycle.cycle_id
    get_engine(url).dispose()
    return str(path), cycle_id, now + timedelta(days=2)


def open_approvals(path: str) -> list[tuple[int, str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT id, assignee_nip, subject_nip FROM human_tasks"
            " WHERE kind = 'approve_targets' AND state = 'open' ORDER BY id"
        ).fetchall()


def service(path: str, tasks: list[tuple[int, str, str]], now: datetime, batch: int) -> float:
    from kinerja.models.humantasks.states import Actor
    from kinerja.models.responses.service import Answer, respond_many
    from kinerja.models.store.db import get_engine, session_factory

    engine = get_engine(f"sqlite:///{path}")
    make = session_factory(engine)
    started = time.perf_counter()
    for start in range(0, len(tasks), batch):
        with make() as session:
            answers = [
                Answer(task_id, Actor(assignee), {"decision": "approve"})
                for task_id, assignee, _ in tasks[start : start + batch]
            ]
            outcomes = respond_many(session, answers, now=now, complete=False)
            refused = [o for o in outcomes if isinstance(o, Exception)]
            assert not refused, refused[:3]
            session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def floor(path: str, tasks: list[tuple[int, str, str]], cycle_id: str, batch: int) -> float:
    """The same row passes in plain SQL, one commit per batch."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    seq = db.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0]
    at = "2026-01-03 00:00:00.000000"
    started = time.perf_counter()
    for start in range(0, len(tasks), batch):
        part = tasks[start : start + batch]
        ids = [t[0] for t in part]
        marks = ",".join("?" * len(ids))
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            f"UPDATE human_tasks SET state = 'done' WHERE id IN ({marks})"
            " AND state IN ('open', 'escalated')",
            ids,
        )
        nips = [t[2] for t in part]
        db.execute(
            f"UPDATE targets SET status = 'approved' WHERE cycle_id = ? AND nip IN"
            f" ({','.join('?' * len(nips))}) AND status IN ('proposed', 'returned')",
            [cycle_id, *nips],
        )
        response = json.dumps({"input": {"decision": "approve"}, "role": "assignee", "at": at})
        db.executemany(
            "UPDATE human_tasks SET closed_at = ?, closed_by = ?, close_reason = NULL,"
            " late = 0, response = ? WHERE id = ?",
            [(at, assignee, response, task_id) for task_id, assignee, _ in part],
        )
        rows = []
        for task_id, assignee, subject in part:
            seq += 1
            payload = json.dumps({"kind": "approve_targets", "subject": subject, "input": {}})
            rows.append(
                (
                    seq,
                    at,
                    assignee,
                    "task.respond",
                    cycle_id,
                    "human_task",
                    str(task_id),
                    payload,
                    "0" * 64,
                    "0" * 64,
                )
            )
        db.executemany(
            "INSERT INTO audit_events (seq, at, actor, action, cycle_id, entity, entity_id,"
            " payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def check(path: str, answered: int) -> tuple[int, int]:
    with sqlite3.connect(path) as db:
        done = db.execute(
            "SELECT count(*) FROM human_tasks WHERE kind = 'approve_targets' AND state = 'done'"
        ).fetchone()[0]
        events = db.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'task.respond'"
        ).fetchone()[0]
    assert done == answered and events == answered, (done, events, answered)
    return done, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kinerja-respond-") as tmp:
        workdir = Path(tmp)
        print(f"preparing {args.employees} approvals...", flush=True)
        path, cycle_id, now = prepare(workdir, args.employees)
        copy = str(workdir / "floor.db")
        shutil.copy(path, copy)
        tasks = open_approvals(path)
        took = service(path, tasks, now, args.batch)
        done, events = check(path, len(tasks))
        base = floor(copy, tasks, cycle_id, args.batch)
    rate, floor_rate = len(tasks) / took, len(tasks) / base
    print(f"answers: {len(tasks)}; tasks closed {done}; audit events {events}")
    print(f"service   {took:8.2f} s  {rate:10.0f} answers/s")
    print(f"raw SQL   {base:8.2f} s  {floor_rate:10.0f} answers/s")
    print(f"service / raw-SQL floor time ratio: {took / base:.2f} (must be at most 10)")


if __name__ == "__main__":
    main()
