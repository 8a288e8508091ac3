"""A task worker process for the stages' chunk steps (see tasks/fanout.py).

    PREFECT_API_URL=http://prefect-host:4200/api python -m kinerja.tasks.chunk_worker

It subscribes to the Prefect server and runs the chunk steps that stage flows submit with
``KINERJA_CHUNK_WORKERS`` set, one at a time by default: a chunk step is Python work and a
database transaction, so one process per core, not threads, is what runs chunks in parallel.
Start as many as there are cores to spare, on this machine or on others; each needs the same
``KINERJA_*`` environment as the flow (database URL when flows pass none, audit key) and the
same Prefect result storage (``PREFECT_LOCAL_STORAGE_PATH`` on a shared disk, or a storage
block), where the chunks' parameters and outputs pass.
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m kinerja.tasks.chunk_worker",
        description="Run the stages' chunk steps for the Prefect server in PREFECT_API_URL.",
    )
    parser.add_argument(
        "--limit", type=int, default=1, help="chunks run at the same time (default 1)"
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="stop after this many seconds (default never)"
    )
    args = parser.parse_args(argv)

    from prefect.task_worker import serve

    from kinerja.tasks.stages import chunk_step

    serve(chunk_step, limit=args.limit, timeout=args.timeout)


if __name__ == "__main__":
    main()
