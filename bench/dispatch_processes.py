"""Several dispatcher processes sharing one outbox on PostgreSQL, against one process.

``--db`` is a PostgreSQL server URL: a fresh database is created on it and dropped at the
end. For each count of ``--processes``, ``--messages`` due rows are queued and that many
dispatcher processes, all started together, run passes until nothing is due, sending to one
SMTP catcher in a child process. It prints messages per second per count, the ratio to the
first count, the number of keys the catcher saw more than once (``X-Kinerja-Key``), which
must be zero, the CPU of each process and how busy the machine's cores were.

    python bench/dispatch_processes.py --processes 1,2 --db postgresql://postgres@127.0.0.1/test

Only ever run on loopback.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dispatch_smtp import fresh_database, prepare, routes


def worker(args: argparse.Namespace) -> int:
    """One dispatcher process: passes until nothing is due, started by a line on stdin."""
    from kinerja.models.store.db import get_engine, session_factory
    from kinerja.tasks.notify import dispatch_due

    factory = session_factory(get_engine(args.db))
    with factory() as session:  # connect before the start, as a running dispatcher is
        session.connection()
    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    sent = 0
    while True:
        report = dispatch_due(
            factory, routes=routes(args.port), limit=args.limit, workers=args.workers
        )
        sent += report.sent
        if not any(report.as_dict().values()):
            break
    print(f"sent {sent} cpu {time.process_time() - cpu:.2f}", flush=True)
    return 0


def process_cpu(pid: int | None) -> float:
    """CPU seconds a process has used so far (Linux ``/proc``; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy and in all, so far (Linux ``/proc``)."""
    try:
        ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return (float("nan"), float("nan"))
    idle = ticks[3] + ticks[4]  # idle and iowait
    return ((sum(ticks) - idle) / os.sysconf("SC_CLK_TCK"), sum(ticks) / os.sysconf("SC_CLK_TCK"))


def processes(args: argparse.Namespace) -> int:
    from kinerja.models.store.migrate import upgrade
    from kinerja.tasks.mailcatcher import CatcherProcess, key_counts

    if not (args.db or "").startswith("postgresql"):
        print("--processes needs --db postgresql://... (a server)", file=sys.stderr)
        return 2
    counts = [int(c) for c in args.processes.split(",")]
    n = args.messages
    url, drop = fresh_database(args.db)
    rates: dict[int, list[float]] = {c: [] for c in counts}
    twice_total = 0
    try:
        upgrade(url)
        prepare(url, 0, "setup")
        prepare(url, n, "people")
        with tempfile.TemporaryDirectory() as tmp:
            for round_ in range(1, args.rounds + 1):
                for count in counts:
                    mail = Path(tmp) / f"mail-{round_}-{count}"
                    prepare(url, n, f"p{count}-{round_}", people=False)
                    with CatcherProcess(mail) as catcher:
                        before = machine_cpu()
                        took, sent, cpu = run_processes(url, catcher.port, count, args)
                        busy = [b - a for a, b in zip(before, machine_cpu(), strict=True)]
                        catcher_cpu = process_cpu(catcher.pid)
                    seen = key_counts(mail)
                    twice = sum(1 for k in seen.values() if k > 1)
                    twice_total += twice
                    if sum(sent) != n or len(seen) != n:
                        print(f"FAIL {count} process(es): sent {sent}, keys {len(seen)} of {n}")
                        return 1
                    rates[count].append(n / took)
                    print(
                        f"round {round_}, {count} process(es): {n / took:.0f} messages/s "
                        f"({took:.2f} s; sent by each {sent}; CPU s of each {cpu}, of the "
                        f"catcher {catcher_cpu:.2f}; the machine's {os.cpu_count()} cores busy "
                        f"{busy[0] / max(busy[1], 1e-9):.0%}); "
                        f"keys seen twice: {twice}"
                    )
    finally:
        drop()
    one = statistics.median(rates[counts[0]])
    print(
        f"messages: {n} per run, {args.rounds} round(s); {args.workers} sending thread(s) per "
        f"process, passes of {args.limit}; PostgreSQL, a fresh database; catcher in a child"
    )
    for count in counts:
        median = statistics.median(rates[count])
        print(
            f"  {count} process(es): median {median:8.1f} messages/s; "
            f"ratio to {counts[0]}: {median / one:.2f}"
        )
    print(f"keys seen twice by the catcher, all runs: {twice_total}")
    return 1 if twice_total else 0


def run_processes(
    url: str, port: int, count: int, args: argparse.Namespace
) -> tuple[float, list[int], list[float]]:
    """Start ``count`` dispatcher processes together; seconds until all are done, and what
    each sent and the CPU seconds it took."""
    argv = [
        sys.executable,
        __file__,
        "--worker",
        "--db",
        url,
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--limit",
        str(args.limit),
    ]
    children = [
        subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=600)[0] for child in children]
    took = time.perf_counter() - started
    return took, [int(out.split()[1]) for out in outputs], [float(o.split()[3]) for o in outputs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", default="1,2", help="process counts, e.g. 1,2")
    parser.add_argument("--db", "--url", dest="db", required=True, help="a PostgreSQL server URL")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8, help="sending threads per process")
    parser.add_argument("--limit", type=int, default=500, help="rows per pass")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    return processes(args)


if __name__ == "__main__":
    sys.exit(main())
