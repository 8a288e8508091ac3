"""The dispatcher against a bare smtplib loop, side by side, on one SMTP catcher on loopback.

The catcher (``kinerja.tasks.mailcatcher``, an aiosmtpd server that writes every message to
a file) runs in a child process, so that it never shares this process's interpreter lock
with what it measures. Each round sends ``--messages`` e-mails three ways:

1. floor: a bare ``smtplib`` loop, in as many threads as the dispatcher sends with, each
   over one connection kept open, the same subject, body and extra headers as the queued
   messages built with ``EmailMessage``, no database; and the raw floor, the same loop
   with each message formatted as a string (no e-mail package);
2. dispatcher: ``dispatch_due`` over the same number of queued outbox rows (claim, route,
   build through Apprise with its Message-ID and key header, send, record the outcomes),
   with SMTP connections kept open across the pass;
3. dispatcher, one connection per message (``--per-message``): the same with connection
   reuse turned off, as Apprise does by itself.

It prints messages per second and CPU per message of each, and the ratios to the floors,
for every round and as medians; it fails unless every row ended ``sent`` and the catcher
holds one message per row. A PostgreSQL ``--db`` is a server: the bench works in a fresh
database there and drops it at the end.

Several dispatcher processes sharing one outbox: ``bench/dispatch_processes.py``.

    python bench/dispatch_smtp.py [--messages 2000] [--rounds 3] [--workers 8] [--db URL]

Only ever run on loopback.
"""

from __future__ import annotations

import argparse
import smtplib
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

SUBJECT = "[Kinerja] Tugas baru: Persetujuan SKP"
BODY = "Yth. Pegawai,\n\nAnda mendapat tugas baru.\n\nhttp://127.0.0.1:8700/t/abc\n" * 3
WARM_UP = 50
"""Messages of the untimed first pass of each kind."""


def floor(port: int, n: int, threads: int, *, raw: bool = False) -> float:
    """Seconds for ``n`` messages over ``threads`` kept smtplib connections, one a thread.

    Each message is built with ``email.message.EmailMessage``, or, with ``raw``, formatted
    as a string (no e-mail package at all: the cheapest a sender can be).
    """

    def loop(part: range) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=15) as smtp:
            for i in part:
                to, key = f"p{i}@x.go.id", f"-:{i}:floor:P{i:06d}:0"
                if raw:
                    text = (
                        f"From: kinerja@kinerja.local\r\nTo: {to}\r\nSubject: {SUBJECT}\r\n"
                        f"Message-ID: <floor.{i}@kinerja.local>\r\nX-Kinerja-Key: {key}\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                        + BODY.replace("\n", "\r\n")
                    )
                    smtp.sendmail("kinerja@kinerja.local", [to], text.encode())
                    continue
                msg = EmailMessage()
                msg["From"] = "kinerja@kinerja.local"
                msg["To"] = to
                msg["Subject"] = SUBJECT
                msg["Message-ID"] = f"<floor.{i}@kinerja.local>"
                msg["X-Kinerja-Key"] = key
                msg.set_content(BODY)
                smtp.send_message(msg)

    workers = [threading.Thread(target=loop, args=(range(t, n, threads),)) for t in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started


def prepare(url: str, n: int, run: str, *, people: bool = True) -> None:
    """``n`` people and one due message each (keys of ``run``), in the database at ``url``."""
    from sqlalchemy import delete

    from kinerja.models.outbox.queue import enqueue_many, notification_key
    from kinerja.models.store.db import get_engine, session_scope
    from kinerja.models.store.tables import Employee, Notification, Unit

    now = datetime.now(UTC).replace(tzinfo=None)
    with session_scope(get_engine(url)) as s:
        s.execute(delete(Notification))
        if people:
            s.execute(delete(Employee))
            s.execute(delete(Unit))
            s.add(Unit(unit_id="u1", name="Unit"))
            s.flush()
            s.add_all(
                Employee(
                    nip=f"P{i:06d}",
                    name=f"Pegawai {i}",
                    unit_id="u1",
                    position="Analis",
                    email=f"p{i}@x.go.id",
                )
                for i in range(n)
            )
            s.flush()
        rows = [
            {
                "key": notification_key(
                    cycle_id=None, task_id=i, kind=f"bench-{run}", recipient_nip=f"P{i:06d}"
                ),
                "cycle_id": None,
                "task_id": None,
                "kind": "task_opened",
                "recipient_nip": f"P{i:06d}",
                "lang": "id",
                "subject": SUBJECT,
                "body": BODY,
                "link": "http://127.0.0.1:8700/t/abc",
            }
            for i in range(n)
        ]
        enqueue_many(s, rows=rows, now=now)


def routes(port: int) -> Any:
    from kinerja.models.outbox.routes import Routes

    return Routes(
        channels={
            "email": f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
            "&from=kinerja@kinerja.local&to={email}&format=text"
        },
        default_channels=["email"],
    )


def dispatcher(url: str, port: int, n: int, *, reuse: bool, workers: int) -> tuple[float, Any]:
    """Seconds for one dispatcher pass over ``n`` due rows, and its report."""
    from kinerja.models.store.db import get_engine, session_factory
    from kinerja.tasks.notify import dispatch_due

    started = time.perf_counter()
    report = dispatch_due(
        session_factory(get_engine(url)),
        routes=routes(port),
        limit=n,
        keep_connections=reuse,
        workers=workers,
    )
    return time.perf_counter() - started, report


def side_by_side(args: argparse.Namespace) -> int:
    """The floors and the dispatcher, round after round, on SQLite or a fresh PostgreSQL
    database."""
    drop = None
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if url.startswith("postgresql"):  # never the server's own tables
            url, drop = fresh_database(url)
        try:
            return _side_by_side(args, url, Path(tmp))
        finally:
            if drop is not None:
                drop()


def _side_by_side(args: argparse.Namespace, url: str, tmp: Path) -> int:
    from kinerja.models.store.migrate import upgrade
    from kinerja.tasks.mailcatcher import CatcherProcess

    n, workers = args.messages, args.workers
    runs = ["dispatcher"] + (["per-message"] if args.per_message else [])
    ratios: dict[str, list[float]] = {r: [] for r in runs}
    raw_ratios: dict[str, list[float]] = {r: [] for r in runs}
    rates: dict[str, list[float]] = {r: [] for r in ["floor", "raw floor", *runs]}
    upgrade(url)
    with CatcherProcess(tmp / "mail") as catcher:
        # Untimed: imports, Apprise's plugin registry, the first connections.
        floor(catcher.port, WARM_UP, workers)
        prepare(url, WARM_UP, "warm-up")
        dispatcher(url, catcher.port, WARM_UP, reuse=True, workers=workers)
        for round_ in range(1, args.rounds + 1):
            cpu: dict[str, float] = {}
            rate = {}
            for name, raw in (("floor", False), ("raw floor", True)):
                started = time.process_time()
                rate[name] = n / floor(catcher.port, n, workers, raw=raw)
                cpu[name] = time.process_time() - started
            for run in runs:
                prepare(url, n, f"{run}-{round_}")
                started = time.process_time()
                took, report = dispatcher(
                    url, catcher.port, n, reuse=run == "dispatcher", workers=workers
                )
                cpu[run] = time.process_time() - started
                if report.sent != n:
                    print(f"FAIL {run}: {report.describe()}", file=sys.stderr)
                    return 1
                rate[run] = n / took
                ratios[run].append(rate[run] / rate["floor"])
                raw_ratios[run].append(rate[run] / rate["raw floor"])
            for k, v in rate.items():
                rates[k].append(v)
            print(
                f"round {round_}: "
                + ", ".join(
                    f"{k} {v:.0f}/s ({1000 * cpu[k] / n:.2f} ms CPU a message)"
                    for k, v in rate.items()
                )
                + "; ratio dispatcher / bare smtplib loop "
                + f"{ratios['dispatcher'][-1]:.2f} (raw {raw_ratios['dispatcher'][-1]:.2f})"
                + (f", per-message {ratios['per-message'][-1]:.2f}" if args.per_message else "")
            )
        received = len(catcher.files())
    expected = 2 * WARM_UP + n * args.rounds * (2 + len(runs))
    if received != expected:
        print(f"FAIL: the catcher holds {received} messages, expected {expected}", file=sys.stderr)
        return 1
    print(
        f"messages: {n} per run, {args.rounds} round(s); {workers} sending thread(s) and "
        f"connection(s) each; catcher in a child process; database: {url.split(':')[0]}"
    )
    for k, v in rates.items():
        print(f"  {k:>12}: median {statistics.median(v):8.1f} messages/s")
    for k, v in ratios.items():
        raw = raw_ratios[k]
        print(
            f"ratio {k} / bare smtplib loop: median {statistics.median(v):.2f} "
            f"(min {min(v):.2f}, max {max(v):.2f}); / raw loop: median "
            f"{statistics.median(raw):.2f} (min {min(raw):.2f}, max {max(raw):.2f})"
        )
    return 0


# --- several dispatcher processes on PostgreSQL ------------------------------------------


def fresh_database(server_url: str) -> tuple[str, Any]:
    """A new, empty database on the server of ``server_url``; its URL and a dropper."""
    from sqlalchemy import create_engine, make_url, text

    base = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"kinerja_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        from kinerja.models.store.db import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8, help="sending threads (and connections)")
    parser.add_argument("--per-message", action="store_true", help="also one connection a message")
    parser.add_argument(
        "--db", "--url", dest="db", help="database URL (default: SQLite in a temp dir)"
    )
    args = parser.parse_args()
    return side_by_side(args)


if __name__ == "__main__":
    sys.exit(main())
