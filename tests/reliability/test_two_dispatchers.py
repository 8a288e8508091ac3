"""Two dispatcher processes on one outbox: every key is delivered exactly once.

The test starts what it needs: an SMTP catcher in a child process, and two dispatcher
processes that wait for a line on stdin, then run passes of a few rows each until nothing
is due. Both claim from the same outbox at the same time (FOR UPDATE SKIP LOCKED on
PostgreSQL, one atomic UPDATE on SQLite). Counted at the end: the keys the catcher received
(``X-Kinerja-Key``), each exactly once, and what each process sent.
"""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import select

from kinerja.models.store.db import session_factory
from kinerja.models.store.tables import Notification
from kinerja.tasks.mailcatcher import CatcherProcess, key_counts
from kinerja.tests.outbox import queue_messages
from kinerja.tests.reliability.conftest import scale

# One dispatcher process: connects, says "ready", waits for "go", then passes until none
# is due; prints what it sent.
DISPATCHER = """
import sys
from kinerja.models.outbox.routes import Routes
from kinerja.models.store.db import get_engine, session_factory
from kinerja.tasks.notify import dispatch_due

url, port, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
mail = (f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure&from=kinerja@kinerja.local"
        "&to={email}&format=text")
factory = session_factory(get_engine(url))
with factory() as session:
    session.connection()
print("ready", flush=True)
sys.stdin.readline()
sent = 0
while True:
    report = dispatch_due(factory, routes=Routes(channels={"email": mail}), limit=limit)
    sent += report.sent
    if not any(report.as_dict().values()):
        break
print(sent, flush=True)
"""


def test_two_dispatcher_processes_deliver_every_key_exactly_once(db_url, engine, tmp_path, tally):
    n = scale(400, 3000)
    keys = queue_messages(engine, n)
    backend = db_url.split(":")[0].split("+")[0]
    with CatcherProcess(tmp_path / "mail") as catcher:
        dispatchers = [
            subprocess.Popen(
                [sys.executable, "-c", DISPATCHER, db_url, str(catcher.port), "40"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            for d in dispatchers:
                assert d.stdout is not None and d.stdout.readline().strip() == "ready"
            for d in dispatchers:
                assert d.stdin is not None
                d.stdin.write("go\n")
                d.stdin.flush()
            outputs = [d.communicate(timeout=300) for d in dispatchers]
        finally:
            for d in dispatchers:
                if d.poll() is None:
                    d.kill()
        assert [d.returncode for d in dispatchers] == [0, 0], outputs
    sent = [int(out.split()[-1]) for out, _ in outputs]
    received = key_counts(tmp_path / "mail")
    once = {k for k, copies in received.items() if copies == 1}
    print(
        f"two dispatchers [{backend}]: keys {n}, sent by each {sent}, received {received.total()}"
    )
    tally(f"keys delivered exactly once, two dispatcher processes [{backend}]", n, len(once & keys))

    assert set(received) == keys, "a key lost, or one the outbox does not know"
    assert once == keys, f"delivered twice: {sorted(k for k in keys if received[k] > 1)[:5]}"
    assert sum(sent) == n and min(sent) > 0, sent  # both took part, none sent a row twice
    with session_factory(engine)() as session:
        statuses = session.execute(select(Notification.status, Notification.attempts)).all()
    assert set(statuses) == {("sent", 1)}
