"""The Prefect task of the ``start-cycle`` flow: create the cycle a run form names."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from kinerja.models.cycles.cycle import CycleError
from kinerja.models.cycles.starting import start_from_request
from kinerja.models.schemas.config import ConfigError
from kinerja.models.schemas.requests import CycleStart
from kinerja.models.store.clock import SYSTEM_CLOCK
from kinerja.models.store.db import get_engine, session_scope
from kinerja.models.store.tables import CycleStage


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a database hiccup, never a bad config: that answer does not change."""
    try:
        state.result()
    except (ConfigError, CycleError):
        return False
    except Exception:  # noqa: BLE001 - anything else may pass on a second try
        return True
    return True


@task(
    name="create-cycle",
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_transient,
    cache_policy=NO_CACHE,
)
def create_cycle_task(db_url: str | None, request: CycleStart) -> dict[str, Any]:
    """Create the cycle (idempotent per config); its id, name and stages in order."""
    with session_scope(get_engine(db_url)) as session:
        cycle = start_from_request(session, request=request, now=SYSTEM_CLOCK.now())
        stages = sorted(
            session.query(CycleStage).filter_by(cycle_id=cycle.cycle_id),
            key=lambda s: s.position,
        )
        return {
            "cycle_id": cycle.cycle_id,
            "name": cycle.name,
            "stages": [s.stage for s in stages],
        }
