"""Fan-out: a stage's chunk steps run in parallel on Prefect task workers, on PostgreSQL.

A stage runs each of its chunk steps over every chunk before the next step starts (step 2
may read what step 1 wrote for any chunk). Within one step the chunks are disjoint sets of
employees, so their transactions touch different rows and may run at the same time. With
``KINERJA_CHUNK_WORKERS=N`` (N >= 1) the stage flow submits a step's chunks with
``chunk_step.delay(...)``; task worker processes (``python -m kinerja.tasks.chunk_worker``,
on this machine or any other that reaches the Prefect server and the database) each run
one chunk at a time, and the flow waits for all of them before the next step. The stage
also plans at least N chunks, so that N workers have one each.

Sequential in the flow's own process, whatever the setting:

- on SQLite, which has one writer at a time (parallel chunk transactions would only queue
  on its lock);
- without a Prefect server (``PREFECT_API_URL`` unset): task workers subscribe to a
  server, and the ephemeral API lives inside the flow's process.

A chunk step is one transaction and idempotent, so a chunk that a worker retries, or that
runs twice because a worker died after its commit, changes nothing.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from prefect.exceptions import ObjectNotFound
from prefect.futures import PrefectDistributedFuture

from kinerja.models.store.db import default_url
from kinerja.tasks.stages import chunk_step

WORKERS_ENV = "KINERJA_CHUNK_WORKERS"
"""How many task workers a stage's chunks are spread over (unset or 0: none, in-process)."""

STATE_WAIT_SECONDS = 60.0
"""How long a submitted chunk may stay without a first state in the Prefect API."""

RESULT_TIMEOUT_SECONDS = 3600.0
"""How long the flow waits for one chunk before it fails the stage run (a rerun continues)."""

NO_WORKER_SECONDS = 60.0
"""How long the flow waits for chunks while no task worker is connected to the Prefect
server before it fails the stage run: nobody would ever run them."""

POLL_SECONDS = 2.0
"""How often a waiting flow looks whether its chunk finished and whether a worker is there."""


@dataclass(frozen=True)
class FanOut:
    """Where a stage's chunk steps run: ``workers`` task workers (0: in the flow's process),
    and, when a setting was asked for but cannot apply, why (a log line)."""

    workers: int
    note: str = ""


def fan_out(db_url: str | None, environ: Mapping[str, str] | None = None) -> FanOut:
    """The fan-out in force for the database ``db_url`` (default: the configured one), from
    ``environ`` (default: the process's environment and Prefect's settings in force)."""
    env = os.environ if environ is None else environ
    raw = env.get(WORKERS_ENV, "").strip()
    if not raw:
        return FanOut(0)
    try:
        asked = int(raw)
    except ValueError as exc:
        raise ValueError(
            f"{WORKERS_ENV}={raw!r}: harus bilangan bulat >= 0 / must be a whole number >= 0"
        ) from exc
    if asked < 0:
        raise ValueError(
            f"{WORKERS_ENV}={raw!r}: harus bilangan bulat >= 0 / must be a whole number >= 0"
        )
    if asked == 0:
        return FanOut(0)
    if (db_url or default_url()).startswith("sqlite"):
        return FanOut(
            0,
            f"{WORKERS_ENV}={asked} diabaikan: SQLite hanya satu penulis, potongan dijalankan"
            f" berurutan / ignored: SQLite has a single writer, chunks run one at a time",
        )
    if not (env.get("PREFECT_API_URL") if environ is not None else _api_url()):
        return FanOut(
            0,
            f"{WORKERS_ENV}={asked} diabaikan: pekerja tugas butuh server Prefect"
            f" (PREFECT_API_URL) / ignored: task workers need a Prefect server (PREFECT_API_URL)",
        )
    return FanOut(asked)


def _api_url() -> str | None:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def chunks_on_workers(
    db_url: str | None,
    cycle_id: str,
    stage: str,
    step: str,
    chunks: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Run ``step`` over every chunk on the task workers, all at once; return each chunk's
    output in the order of ``chunks``. Raises the first chunk's error after its retries."""

    # Each submission is an API call and a parameters file (about 0.1 s): made together, so
    # that the last chunk does not start one submission time per chunk after the first.
    # Each thread runs in a copy of this context: Prefect's settings and run context are
    # context variables, which a bare thread would not see (it would submit elsewhere).
    def submit(chunk: dict[str, Any]) -> PrefectDistributedFuture:
        return chunk_step.delay(db_url, cycle_id, stage, step, chunk)

    with ThreadPoolExecutor(max_workers=max(1, min(len(chunks), 16))) as pool:
        submitted = [pool.submit(contextvars.copy_context().run, submit, c) for c in chunks]
        futures = [s.result() for s in submitted]
    waiting = _Waiting(chunk_step.task_key)
    for future in futures:
        while not waiting.finished(future):
            waiting.check()
    return [future.result(timeout=RESULT_TIMEOUT_SECONDS) for future in futures]


def connected_workers(task_key: str) -> int:
    """How many task workers for ``task_key`` are connected to the Prefect server now."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client.request(
            "POST",
            "/task_workers/filter",
            json={"task_worker_filter": {"task_keys": [task_key]}},
        )
        response.raise_for_status()
        return len(response.json())


class _Waiting:
    """The clock of a step's wait: fails it after ``RESULT_TIMEOUT_SECONDS``, or after
    ``NO_WORKER_SECONDS`` without any task worker connected (none started, or all died:
    a chunk a dead worker took is never handed to another)."""

    def __init__(self, task_key: str) -> None:
        self.task_key = task_key
        self.deadline = time.monotonic() + RESULT_TIMEOUT_SECONDS
        self.alone_since: float | None = None
        self.unknown_since: dict[Any, float] = {}

    def check(self) -> None:
        now = time.monotonic()
        if now > self.deadline:
            raise TimeoutError(
                f"potongan belum selesai setelah {RESULT_TIMEOUT_SECONDS:.0f} s / chunks not"
                f" finished after {RESULT_TIMEOUT_SECONDS:.0f} s; a rerun continues"
            )
        if connected_workers(self.task_key):
            self.alone_since = None
        elif self.alone_since is None:
            self.alone_since = now
        elif now - self.alone_since > NO_WORKER_SECONDS:
            raise RuntimeError(
                f"tidak ada pekerja tugas tersambung selama {NO_WORKER_SECONDS:.0f} s: jalankan"
                " `python -m kinerja.tasks.chunk_worker` atau KINERJA_CHUNK_WORKERS=0, lalu"
                f" ulangi / no task worker connected for {NO_WORKER_SECONDS:.0f} s: start"
                " `python -m kinerja.tasks.chunk_worker` or set KINERJA_CHUNK_WORKERS=0, then"
                " run again (the chunks done so far stay done)"
            )

    def finished(self, future: PrefectDistributedFuture) -> bool:
        """Whether the chunk's run reached a final state, after waiting up to POLL_SECONDS."""
        # The server records a new task run, and then its first state, from events, a
        # moment after ``delay`` returns; Prefect's wait refuses a run it cannot read yet,
        # or one without a state, instead of waiting for it: that counts as not finished,
        # for at most STATE_WAIT_SECONDS after it is first seen so.
        try:
            future.wait(timeout=POLL_SECONDS)
        except (ObjectNotFound, RuntimeError) as exc:
            unknown = isinstance(exc, ObjectNotFound) or "has no state" in str(exc)
            first = self.unknown_since.setdefault(future.task_run_id, time.monotonic())
            if not unknown or time.monotonic() - first > STATE_WAIT_SECONDS:
                raise
            time.sleep(0.1)
            return False
        return future.state.is_final()
