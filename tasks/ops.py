"""Prefect tasks that tell ops what needs a person: stages open past their final deadline.

An event per overdue stage (``kinerja.stage.overdue``) starts the ``ops-alert`` deployment
through an automation (flows/deploy.py); the stage row remembers the event, so ops hear once.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from kinerja.models.cycles.cycle import mark_overdue_alerted, overdue_stages
from kinerja.models.store.db import get_engine, session_scope

OVERDUE_EVENT = "kinerja.stage.overdue"


@task(name="overdue-stages", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def emit_overdue_stages(db_url: str | None) -> list[str]:
    """Emit one ``kinerja.stage.overdue`` event per open stage past its final deadline."""
    from prefect.events import emit_event

    emitted: list[str] = []
    with session_scope(get_engine(db_url)) as session:
        for stage, cycle, now in overdue_stages(session):
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
