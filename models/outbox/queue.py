"""The notification outbox: idempotent enqueueing of rendered messages.

A notification row is written in the same transaction as the state change that causes it
(open a task, escalate it, publish results); a dispatcher (``kinerja.tasks.notify``) sends
due rows later. The row's ``key`` (cycle, task, kind, recipient, reminder slot) is unique,
so a rerun that queues the same message again inserts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from kinerja.models.store.tables import Notification

"""Every kind of message the engine sends."""
"""Bahasa Indonesia and English."""
"""Keys a template may use; all values are strings (dates already formatted)."""

STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "dead")
"""Row states: ``sending`` is a dispatcher's claim, released when its lease expires."""

ROW_FIELDS: tuple[str, ...] = (
    "key",
    "cycle_id",
    "task_id",
    "kind",
    "recipient_nip",
    "lang",
    "subject",
    "body",
    "link",
)
"""Fields every row given to :func:`enqueue_many` must carry."""

BATCH_SIZE = 1000


def notification_key(
    *,
    cycle_id: str | None,
    task_id: int | str | None,
    kind: str,
    recipient_nip: str,
    slot: int = 0,
) -> str:
    """The idempotency key of one message: one per (cycle, task, kind, recipient, slot).

    ``slot`` tells reminders (or escalation levels) of the same task apart.
    """
    cycle = cycle_id if cycle_id is not None else "-"
    task = str(task_id) if task_id is not None else "-"
    return f"{cycle}:{task}:{kind}:{recipient_nip}:{slot}"


def _insert_ignoring_duplicates(session: Session, table: Table):  # noqa: ANN202
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"enqueue_many supports sqlite and postgresql, not {dialect}")
    return insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)


def _prepared(rows: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        missing = [f for f in ROW_FIELDS if f not in row]
        if missing:
            raise ValueError(f"notification row {i}: missing field(s) {missing}")
        if row["key"] in seen:
            continue  # the first row with a key wins, as it would across two calls
        seen.add(row["key"])
        record = {f: row[f] for f in ROW_FIELDS}
        record.update(
            status="pending",
            attempts=0,
            next_attempt_at=row.get("next_attempt_at"),
            last_error=None,
            created_at=now,
            sent_at=None,
        )
        out.append(record)
    return out


def enqueue_many(session: Session, *, rows: list[dict[str, Any]], now: datetime) -> int:
    """Queue outbox rows in bulk; rows whose key exists already are skipped.

    Each row carries ``key, cycle_id, task_id, kind, recipient_nip, lang, subject, body,
    link`` (and optionally ``next_attempt_at`` to hold a message back). Runs in the caller's
    transaction (no commit), in batches of ``BATCH_SIZE`` rows, one INSERT ... ON CONFLICT
    (key) DO NOTHING each. Returns the number of rows newly inserted.
    """
    records = _prepared(rows, now)
    if not records:
        return 0
    table: Table = Notification.__table__  # type: ignore[assignment]
    stmt = _insert_ignoring_duplicates(session, table)
    inserted = 0
    for start in range(0, len(records), BATCH_SIZE):
        batch = records[start : start + BATCH_SIZE]
        # executemany with RETURNING: only inserted rows come back, so this counts them
        # exactly on both backends (rowcount is unreliable for executemany).
        inserted += len(session.execute(stmt, batch).all())
    return inserted
