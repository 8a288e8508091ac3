"""Prefect tasks that tell ops what needs a person: stages open past their final deadline,
and messages parked as dead.

An event per overdue stage (``kinerja.stage.overdue``) or dead message
(``kinerja.notification.dead``) starts the ``ops-alert`` deployment through an automation
(flows/deploy.py); the stage or outbox row remembers the event, so each is announced once.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from kinerja.models.cycles.cycle import mark_overdue_alerted, overdue_stages
from kinerja.models.outbox.recovery import announce_dead
from kinerja.models.store.clock import SYSTEM_CLOCK
from kinerja.models.store.db import get_engine, session_scope

OVERDUE_EVENT = "kinerja.stage.overdue"
DEAD_EVENT = "kinerja.notification.dead"


@task(name="overdue-stages", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def emit_overdue_stages(db_url: str | None, skip: list[str] | None = None) -> list[str]:
    """Emit one ``kinerja.stage.overdue`` event per open stage past its final deadline;
    returns ``cycle/stage`` of each. Stages in ``skip`` (``cycle/stage``: the ones the
    caller is about to advance) are left for a later pass."""
    from prefect.events import emit_event

    emitted: list[str] = []
    with session_scope(get_engine(db_url)) as session:
        for stage, cycle, now in overdue_stages(session):
            if f"{cycle.cycle_id}/{stage.stage}" in (skip or []):
                continue
            emit_event(
                event=OVERDUE_EVENT,
                resource={
                    "prefect.resource.id": f"kinerja.stage.{cycle.cycle_id}.{stage.stage}",
                    "kinerja.cycle": cycle.cycle_id,
                    "kinerja.stage": stage.stage,
                },
                payload={"final_due_at": stage.final_due_at.isoformat(), "now": now.isoformat()},
            )
            mark_overdue_alerted(stage, now=now)
            emitted.append(f"{cycle.cycle_id}/{stage.stage}")
    return emitted


@task(name="dead-notifications", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def emit_dead_notifications(db_url: str | None) -> list[str]:
    """Emit one ``kinerja.notification.dead`` event per dead message not yet announced;
    returns their keys. A row is remembered as announced only once its event was emitted,
    and the marks are committed after the events (see ``announce_dead``)."""
    from prefect.events import emit_event

    def announce(row: dict[str, Any]) -> bool:
        event = emit_event(
            event=DEAD_EVENT,
            resource={
                "prefect.resource.id": f"kinerja.notification.{row['id']}",
                "kinerja.notification.key": row["key"],
                "kinerja.cycle": row["cycle_id"] or "",
                "kinerja.kind": row["kind"],
                "kinerja.recipient": row["recipient_nip"],
            },
            # Bounded: an event over the server's size limit is refused whole.
            payload={"attempts": row["attempts"], "last_error": (row["last_error"] or "")[:500]},
        )
        return event is not None

    with session_scope(get_engine(db_url)) as session:
        rows = announce_dead(session, now=SYSTEM_CLOCK.now(), announce=announce)
    return [row["key"] for row in rows]
