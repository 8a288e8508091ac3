"""Migration 0005: messages waiting on a clock the dispatcher no longer reads become due.

Before 0005 a simulated cycle's dispatcher set leases and retry times on the simulated
clock, months ahead of the wall; after it the wall clock rules, so those rows are made due
at once rather than stranded. Sent and dead rows keep what they have.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from kinerja.models.store.migrate import alembic_config, head_revision, migration_engine, upgrade

PG_URL = os.environ.get("KINERJA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("KINERJA_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"m{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


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
