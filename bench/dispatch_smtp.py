"""The dispatcher against a bare smtplib loop, side by side, on one SMTP catcher on loopback.

Three runs in the same process, against the same catcher (``kinerja.tasks.mailcatcher``, an
aiosmtpd server that writes every message to a file), each sending ``--messages`` e-mails:

1. floor: a bare ``smtplib`` loop over one connection kept open, the same subject and body
   as the queued messages, no database;
2. dispatcher: ``dispatch_due`` over the same number of queued outbox rows (claim, route,
   render through Apprise with its Message-ID and key header, send, record each outcome),
   with SMTP connections kept open across the pass;
3. dispatcher, one connection per message: the same with connection reuse turned off, as
   Apprise does by itself.

It prints messages per second of each and the ratios to the floor, and fails unless every
row ended ``sent`` and the catcher holds one message per row.

    python bench/dispatch_smtp.py [--messages 2000] [--url postgresql+psycopg://...]

Only ever run on loopback.
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

SUBJECT = "[Kinerja] Tugas baru: Persetujuan SKP"
BODY = "Yth. Pegawai,\n\nAnda mendapat tugas baru.\n\nhttp://127.0.0.1:8700/t/abc\n" * 3


def floor(port: int, n: int) -> float:
    """Seconds for ``n`` messages over one kept smtplib connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=15) as smtp:
        for i in range(n):
            msg = EmailMessage()
            msg["From"] = "kinerja@kinerja.local"
            msg["To"] = f"p{i}@x.go.id"
            msg["Subject"] = SUBJECT
            msg.set_content(BODY)
            smtp.send_message(msg)
    return time.perf_counter() - started


def prepare(url: str, n: int, run: str) -> None:
    """``n`` people and one due message each, in the database at ``url``."""
    from sqlalchemy import delete

    from kinerja.models.outbox.queue import enqueue_many, notification_key
    from kinerja.models.store.db import get_engine, session_scope
    from kinerja.models.store.tables import Employee, Notification, Unit

    now = datetime.now(UTC).replace(tzinfo=None)
    with session_scope(get_engine(url)) as s:
        s.execute(delete(Notification))
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


def dispatcher(url: str, port: int, n: int, *, reuse: bool) -> tuple[float, Any]:
    """Seconds for one dispatcher pass over ``n`` due rows, and its report."""
    from kinerja.models.outbox.routes import Routes
    from kinerja.models.store.db import get_engine, session_factory
    from kinerja.tasks.notify import dispatch_due

    routes = Routes(
        channels={
            "email": f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
            "&from=kinerja@kinerja.local&to={email}&format=text"
        },
        default_channels=["email"],
    )
    started = time.perf_counter()
    report = dispatch_due(
        session_factory(get_engine(url)), routes=routes, limit=n, keep_connections=reuse
    )
    return time.perf_counter() - started, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--url", help="database URL (default: a SQLite file in a temp dir)")
    args = parser.parse_args()
    n = args.messages

    from kinerja.models.store.migrate import upgrade
    from kinerja.tasks.mailcatcher import MailCatcher

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        with MailCatcher(Path(tmp) / "mail") as catcher:
            seconds = {"floor": floor(catcher.port, n)}
            for run, reuse in (("dispatcher", True), ("per-message", False)):
                prepare(url, n, run)
                took, report = dispatcher(url, catcher.port, n, reuse=reuse)
                if report.sent != n:
                    print(f"FAIL {run}: {report.describe()}", file=sys.stderr)
                    return 1
                seconds[run] = took
                kept = f"{report.connections} SMTP connection(s)" if reuse else "one a message"
                print(f"{run}: {report.describe()}; {kept}")
            received = len(catcher.files())
        if received != 3 * n:
            print(f"FAIL: the catcher holds {received} messages, expected {3 * n}", file=sys.stderr)
            return 1
    rate = {k: n / v for k, v in seconds.items()}
    print(f"messages: {n} per run; database: {url.split(':')[0]}")
    for k, v in rate.items():
        print(f"  {k:>12}: {v:8.1f} messages/s ({seconds[k]:.2f} s)")
    print(
        f"ratio dispatcher / bare smtplib loop: {rate['dispatcher'] / rate['floor']:.2f}; "
        f"one connection per message / bare loop: {rate['per-message'] / rate['floor']:.2f}; "
        f"reuse speed-up: x{rate['dispatcher'] / rate['per-message']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
