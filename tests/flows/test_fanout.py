"""Fan-out of a stage's chunk steps over Prefect task workers (tasks/fanout.py).

On PostgreSQL two worker processes, started here against the session's Prefect server, run
the chunks of a whole cycle; its results are the same as a sequential run's, and a chunk
step run once more on a worker changes nothing. On SQLite the setting is ignored: the same
cycle runs one chunk at a time, with the same results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from prefect.settings import get_current_settings
from sqlalchemy import create_engine, func, select

from kinerja.flows.simulate import simulate
from kinerja.models.audit.chain import append_many, appends_at_the_end
from kinerja.models.audit.verify import verify
from kinerja.models.cycles.cycle import plan_chunks
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import (
    AuditEvent,
    AuditHead,
    Base,
    HumanTask,
    Notification,
    Result,
    TrainingAssignment,
)
from kinerja.tasks import fanout
from kinerja.tasks.fanout import WORKERS_ENV, chunks_on_workers, connected_workers, fan_out
from kinerja.tasks.mailcatcher import MailCatcher
from kinerja.tasks.stages import chunk_step
from kinerja.tests.conftest import pg_schema

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo"
WORKERS = 2


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    target = tmp_path / "scenario"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture
def sequential_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of ``db_url``'s backend, for the sequential run."""
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'sequential.db'}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    with pg_schema("s") as url:
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url


@pytest.fixture
def task_workers(db_url: str, tmp_path: Path) -> Iterator[list[subprocess.Popen]]:
    """Two chunk-worker processes subscribed to the session's Prefect server (PostgreSQL
    only: on SQLite no chunk is sent to a worker)."""
    if db_url.startswith("sqlite"):
        yield []
        return
    settings = get_current_settings()
    env = {
        **os.environ,
        "PREFECT_API_URL": str(settings.api.url),
        "PREFECT_HOME": str(settings.home),
        "PREFECT_LOCAL_STORAGE_PATH": str(settings.results.local_storage_path),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "kinerja.tasks.chunk_worker"],
            env=env,
            stdout=(tmp_path / f"worker-{i}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for i in range(WORKERS)
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _outcome(url: str, cycle_id: str) -> dict[str, Any]:
    """What a cycle leaves that does not depend on the order of chunk transactions."""
    with session_scope(get_engine(url)) as s:
        results = [
            {c: getattr(r, c) for c in Result.__table__.columns.keys()}
            for r in s.scalars(
                select(Result).where(Result.cycle_id == cycle_id).order_by(Result.nip)
            )
        ]
        training = s.execute(
            select(TrainingAssignment.nip, TrainingAssignment.course, TrainingAssignment.jp)
            .where(TrainingAssignment.cycle_id == cycle_id)
            .order_by(TrainingAssignment.nip, TrainingAssignment.course)
        ).all()
        tasks = s.execute(
            select(HumanTask.kind, HumanTask.state, func.count())
            .group_by(HumanTask.kind, HumanTask.state)
            .order_by(HumanTask.kind, HumanTask.state)
        ).all()
        events = s.execute(
            select(AuditEvent.action, func.count())
            .group_by(AuditEvent.action)
            .order_by(AuditEvent.action)
        ).all()
        audit = verify(s)
        assert audit.ok, audit.problems
        return {
            "results": results,
            "training": [tuple(r) for r in training],
            "tasks": [tuple(r) for r in tasks],
            "events": [tuple(r) for r in events],
            "notifications": s.scalar(select(func.count()).select_from(Notification)),
        }


def test_two_workers_give_the_results_of_one_chunk_at_a_time(
    db_url: str,
    sequential_url: str,
    scenario: Path,
    mail: MailCatcher,
    task_workers: list[subprocess.Popen],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path / "home-sequential"))
    sequential = simulate(scenario, db_url=sequential_url)
    expected = _outcome(sequential_url, sequential.cycle_id)

    monkeypatch.setenv(WORKERS_ENV, str(WORKERS))
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path / "home-workers"))
    assert fan_out(db_url).workers == (0 if db_url.startswith("sqlite") else WORKERS)
    fanned = simulate(scenario, db_url=db_url)
    assert fanned.cycle_id == sequential.cycle_id
    assert _outcome(db_url, fanned.cycle_id) == expected
    assert all(proc.poll() is None for proc in task_workers)  # the workers are still serving
    if task_workers:  # the server sees them, as a waiting flow asks it
        assert connected_workers(chunk_step.task_key) == WORKERS

    # A chunk run once more, as a worker would after dying between its commit and its
    # report, changes no result, training, task or message, and the audit chain verifies.
    # (The predikat step audits every person again: ``result.predikat`` events are added.)
    if task_workers:
        with session_scope(get_engine(db_url)) as s:
            chunks = [asdict(c) for c in plan_chunks(s, chunk_size=6)]
        for stage, step in (("review", "predikat"), ("training", "training")):
            chunks_on_workers(db_url, fanned.cycle_id, stage, step, chunks)
        again = _outcome(db_url, fanned.cycle_id)
        assert {k: v for k, v in again.items() if k != "events"} == {
            k: v for k, v in expected.items() if k != "events"
        }
        added = dict(again["events"])
        for action, count in expected["events"]:
            added[action] -= count
        assert {a: n for a, n in added.items() if n} == {"result.predikat": 12}


def test_the_setting_applies_on_postgresql_with_a_server_only() -> None:
    pg, lite = "postgresql+psycopg://x@h/d", "sqlite:///k.db"
    served = {WORKERS_ENV: "2", "PREFECT_API_URL": "http://127.0.0.1:4200/api"}
    assert fan_out(pg, served).workers == 2
    assert fan_out(pg, {}).workers == 0 and not fan_out(pg, {}).note
    assert fan_out(pg, {**served, WORKERS_ENV: "0"}).workers == 0
    sqlite = fan_out(lite, served)
    assert sqlite.workers == 0 and "SQLite" in sqlite.note
    ephemeral = fan_out(pg, {WORKERS_ENV: "2"})
    assert ephemeral.workers == 0 and "PREFECT_API_URL" in ephemeral.note
    for bad in ("two", "-1"):
        with pytest.raises(ValueError, match=WORKERS_ENV):
            fan_out(pg, {WORKERS_ENV: bad})


def _events(at: datetime, first: int) -> list[dict[str, Any]]:
    return [
        {"actor": "system", "action": "result.predikat", "entity": "result", "entity_id": str(i)}
        | {"payload": {"n": i}, "cycle_id": "c"}
        for i in range(first, first + 3)
    ]


def test_audit_appends_at_the_end_of_a_chunk_write_the_same_chain(
    db_url: str, sequential_url: str
) -> None:
    """A chunk step's audit events are appended when it ends (tasks/stages.py): the head is
    not touched before, and the chain is the one the appends in place would have written."""
    t1, t2 = datetime(2026, 3, 1, 8), datetime(2026, 3, 1, 9)
    with session_scope(get_engine(sequential_url)) as s:
        append_many(s, events=_events(t1, 0), at=t1)
        append_many(s, events=_events(t2, 3), at=t2)
    engine = get_engine(db_url)
    with session_scope(engine) as s:
        with appends_at_the_end(s):
            assert append_many(s, events=_events(t1, 0), at=t1) == 3
            append_many(s, events=_events(t2, 3), at=t2)
            assert s.scalar(select(func.count()).select_from(AuditHead)) == 0
            assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
        assert s.scalar(select(AuditHead.seq)) == 6
    with pytest.raises(RuntimeError), session_scope(engine) as s:  # an error appends nothing
        with appends_at_the_end(s):
            append_many(s, events=_events(t2, 6), at=t2)
            raise RuntimeError("the step failed")

    def chain(url: str) -> list[tuple]:
        with session_scope(get_engine(url)) as s:
            assert verify(s).ok
            return [
                tuple(r)
                for r in s.execute(
                    select(
                        AuditEvent.seq, AuditEvent.at, AuditEvent.entity_id, AuditEvent.hash
                    ).order_by(AuditEvent.seq)
                ).all()
            ]

    assert chain(db_url) == chain(sequential_url)
    assert len(chain(db_url)) == 6


def test_a_step_without_any_task_worker_fails_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No worker started (or every worker died): the stage run fails after
    NO_WORKER_SECONDS, saying what to start, instead of waiting for its result timeout."""
    monkeypatch.setattr(fanout, "NO_WORKER_SECONDS", 2.0)
    monkeypatch.setattr(fanout, "POLL_SECONDS", 0.5)
    # Workers stopped by an earlier test are forgotten once the server sees their sockets
    # closed (it looks every second).
    deadline = time.monotonic() + 30
    while connected_workers(chunk_step.task_key) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert connected_workers(chunk_step.task_key) == 0
    chunk = {"index": 0, "nips": ["1"], "units": []}
    url = f"sqlite:///{tmp_path / 'none.db'}"  # never opened: nobody runs the chunk
    with pytest.raises(RuntimeError, match="no task worker connected for 2 s") as caught:
        chunks_on_workers(url, "no-cycle", "review", "predikat", [chunk])
    assert "python -m kinerja.tasks.chunk_worker" in str(caught.value)
