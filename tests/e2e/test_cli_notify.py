"""``kinerja notify status|retry|send`` as ops use them, in real processes: dead and stuck
messages are shown, re-queued by filter (in the audit log), then sent; bad filters are refused
with a clear message and change nothing."""

from __future__ import annotations

import getpass
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.processes import current_process, start_token
from kinerja.tasks.mailcatcher import MailCatcher
from kinerja.tasks.message_id import message_id

NOW = datetime(2025, 6, 2, 8, 0)


@pytest.fixture
def kinerja(tmp_path):
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        KINERJA_DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}",
        KINERJA_HOME=str(tmp_path / "home"),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "kinerja.cli.main", *args],
            env=env,
            text=True,
            capture_output=True,
            timeout=300,
        )
        assert result.returncode == code, result.stdout + result.stderr
        return result

    run.env = env  # type: ignore[attr-defined]
    run.db = tmp_path / "k.db"  # type: ignore[attr-defined]
    return run


def seed(db_path) -> dict[str, str]:  # noqa: ANN001
    """Four messages to the HR coordinator nip HR: two dead, one stuck (its claimant has
    exited), one sent."""
    keys = {
        name: notification_key(cycle_id=None, task_id=i, kind=kind, recipient_nip="HR")
        for i, (name, kind) in enumerate(
            (
                ("dead_opened", "task_opened"),
                ("dead_reminder", "task_reminder"),
                ("stuck", "task_opened"),
                ("sent", "task_opened"),
            )
        )
    }
    rows = [
        {
            "key": key,
            "cycle_id": None,
            "task_id": None,
            "kind": key.split(":")[2],
            "recipient_nip": "HR",
            "lang": "id",
            "subject": f"Subjek {name}",
            "body": "Isi",
            "link": None,
        }
        for name, key in keys.items()
    ]
    with session_scope(get_engine(f"sqlite:///{db_path}")) as session:
        enqueue_many(session, rows=rows, now=NOW)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    token = start_token(gone.pid)
    gone.wait()
    lease = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=10)
    with sqlite3.connect(db_path) as db:
        db.execute(
            "UPDATE notifications SET status='dead', attempts=32, last_error='relay down',"
            " last_attempt_at=? WHERE key IN (?, ?)",
            (NOW.isoformat(" "), keys["dead_opened"], keys["dead_reminder"]),
        )
        db.execute(
            "UPDATE notifications SET status='sending', next_attempt_at=?, claimed_host=?,"
            " claimed_pid=?, claimed_start=? WHERE key=?",
            (lease.isoformat(" "), current_process().host, gone.pid, token, keys["stuck"]),
        )
        db.execute("UPDATE notifications SET status='sent' WHERE key=?", (keys["sent"],))
    return keys


def statuses(db_path) -> dict[str, str]:  # noqa: ANN001
    with sqlite3.connect(db_path) as db:
        return dict(db.execute("SELECT key, status FROM notifications").fetchall())


def test_ops_see_dead_and_stuck_messages_requeue_them_and_send_them(kinerja, tmp_path):
    kinerja("db", "upgrade")
    keys = seed(kinerja.db)

    shown = kinerja("notify", "status").stdout
    assert (
        "per status / by status: 2 gagal permanen / dead, 1 sedang dikirim / sending,"
        " 1 terkirim / sent"
    ) in shown
    assert "relay down" in shown
    assert "1 message(s) stuck in sending" in shown and "1 pesan macet" in shown

    before = statuses(kinerja.db)
    for args, message in (
        (("--status", "pending"), "unknown status: pending "),
        (("--kind", "pigeon"), "unknown message kind 'pigeon'"),
        (("--cycle", "nowhere"), "no cycle 'nowhere'"),
        (("--since", "yesterday"), "invalid --since 'yesterday'"),
    ):
        refused = kinerja("notify", "retry", *args, code=2)
        assert message in refused.stderr and " / " in refused.stderr
    assert statuses(kinerja.db) == before

    one = kinerja("notify", "retry", "--status", "dead", "--kind", "task_reminder", "--by", "ops")
    assert "1 pesan diantrekan ulang / 1 message(s) re-queued" in one.stdout
    later = kinerja("notify", "retry", "--since", "2025-06-02T16:00+07:00")  # 09:00 UTC
    assert "0 pesan diantrekan ulang / 0 message(s) re-queued" in later.stdout
    rest = kinerja("notify", "retry", "--since", "2025-06-02")
    assert "1 message(s) re-queued" in rest.stdout  # the dead task_opened (stuck: never tried)
    stuck = kinerja("notify", "retry", "--status", "sending")
    assert "1 message(s) re-queued" in stuck.stdout
    assert statuses(kinerja.db) == {
        keys["dead_opened"]: "pending",
        keys["dead_reminder"]: "pending",
        keys["stuck"]: "pending",
        keys["sent"]: "sent",
    }
    assert "audit log intact" in kinerja("audit", "verify").stdout
    with sqlite3.connect(kinerja.db) as db:
        actors = db.execute(
            "SELECT actor FROM audit_events WHERE action = 'notifications.requeue' ORDER BY seq"
        ).fetchall()
    user = getpass.getuser()
    assert [a for (a,) in actors] == ["ops", f"operator:{user}", f"operator:{user}"]

    # The recipient, HR, becomes an employee with an address: the re-queued messages go out.
    with sqlite3.connect(kinerja.db) as db:
        db.execute(
            "INSERT INTO employees (nip, name, unit_id, position, email, lang)"
            " VALUES ('HR', 'Koordinator', 'u1', 'Kepala', 'hr@pemda.go.id', 'id')"
        )
    with MailCatcher(tmp_path / "mail") as catcher:
        kinerja.env["KINERJA_SMTP_PORT"] = str(catcher.port)
        sent = kinerja("notify", "send").stdout
        assert "notifikasi / notifications: 3 terkirim / sent," in sent
        mails = catcher.messages()
    assert sorted(m["X-Kinerja-Key"] for m in mails) == sorted(
        keys[k] for k in ("dead_opened", "dead_reminder", "stuck")
    )
    for mail in mails:
        assert mail.get_all("Message-ID") == [message_id(mail["X-Kinerja-Key"], "kinerja.local")]
    assert "stuck" not in kinerja("notify", "status").stdout
