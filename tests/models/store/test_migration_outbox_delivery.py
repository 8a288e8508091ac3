"""Migration 0005: messages waiting on a clock the dispatcher no longer reads become due.

Before 0005 a simulated cycle's dispatcher set leases and retry times on the simulated
clock, months ahead of the wall; after it the wall clock rules, so those rows are made due
at once rather than stranded. Sent and dead rows keep what they have.
"""

from __future__ import annotations

import os
from datetime import datetime

from alembic import command
from sqlalchemy import text

from kinerja.models.store.migrate import alembic_config, head_revision, migration_engine, upgrade

PG_URL = os.environ.get("KINERJA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("KINERJA_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


def test_waiting_rows_become_due_and_the_rest_is_kept(empty_url):
    engine = migration_engine(empty_url)
    simulated = datetime(2026, 12, 31, 9, 0)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0004")
        with engine.begin() as connection:
            for key, status, at in (
                ("claimed", "sending", simulated),
                ("retry", "pending", simulated),
                ("sent", "sent", None),
                ("dead", "dead", None),
            ):
                connection.execute(
                    text(
                        "INSERT INTO notifications (key, kind, recipient_nip, lang, subject,"
                        " body, status, attempts, next_attempt_at, created_at)"
                        " VALUES (:key, 'task_opened', 'n1', 'id', 's', 'b', :status, 1, :at,"
                        " :created)"
                    ),
                    {"key": key, "status": status, "at": at, "created": simulated},
                )
        assert upgrade(empty_url) == head_revision()
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT key, status, next_attempt_at, claimed_pid, dead_alerted_at"
                    " FROM notifications ORDER BY key"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("claimed", "pending", None, None, None),
        ("dead", "dead", None, None, None),
        ("retry", "pending", None, None, None),
        ("sent", "sent", None, None, None),
    ]
