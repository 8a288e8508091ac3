"""The Prefect task of the ``hr-task-action`` flow: apply one HR task action, once per flow run.

The action itself is :func:`kinerja.models.humantasks.admin.run_action`, in one transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import task
from prefect.context import TaskRunContext

from kinerja.models.humantasks.admin import run_action
from kinerja.models.schemas.requests import TaskAction
from kinerja.models.store.clock import SYSTEM_CLOCK
from kinerja.models.store.db import get_engine, session_scope


def _once_per_flow_run(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    return f"hr-task-action-{context.task_run.flow_run_id}"


# Once per flow run: "extend by 7 days" is not idempotent, so when the coordinator retries
# a run that ended Failed (an item was refused), the items already applied must not be
# applied again. The first attempt's result is persisted and a retry reads it back.
# No task retries: a refusal is an answer, not a transient failure.
@task(
    name="apply-task-action",
    cache_key_fn=_once_per_flow_run,
    persist_result=True,
    cache_expiration=timedelta(days=90),
)
def apply_task_action(db_url: str | None, request: TaskAction) -> list[dict[str, str]]:
    with session_scope(get_engine(db_url)) as session:
        items = run_action(session, request=request, clock=SYSTEM_CLOCK)
        return [{**i.row(), "outcome": i.outcome} for i in items]
