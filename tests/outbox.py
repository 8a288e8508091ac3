"""Test helper: people with an e-mail address and one due message each in the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.store.db import session_factory
from kinerja.models.store.tables import Employee

QUEUED = datetime(2025, 1, 1, 8, 0)


def queue_messages(engine: Engine, n: int, *, first: int = 0, prefix: str = "D") -> set[str]:
    """People ``first`` .. ``first + n - 1`` (nips ``{prefix}0000`` ...), one message each,
    due since :data:`QUEUED`; returns the messages' keys."""
    nips = [f"{prefix}{i:04d}" for i in range(first, first + n)]
    with session_factory(engine)() as session:
        session.add_all(
            Employee(
                nip=nip,
                name=f"P{i}",
                unit_id="u1",
                position="Analis",
                email=f"{nip.lower()}@pemda.go.id",
            )
            for i, nip in enumerate(nips, start=first)
        )
        rows = [
            {
                "key": notification_key(
                    cycle_id="c1", task_id=i, kind="task_opened", recipient_nip=nip
                ),
                "cycle_id": "c1",
                "task_id": i,
                "kind": "task_opened",
                "recipient_nip": nip,
                "lang": "id",
                "subject": f"Tugas {i}",
                "body": f"Isi {i}",
                "link": None,
            }
            for i, nip in enumerate(nips, start=first)
        ]
        enqueue_many(session, rows=rows, now=QUEUED)
        session.commit()
    return {r["key"] for r in rows}
