"""The ``hr-task-action`` flow: the HR coordinator's task actions from the Prefect UI.

``kinerja serve`` serves it as ``hr-task-action/hr-task-action``. Its one parameter is a
:class:`~kinerja.models.humantasks.admin.TaskAction`, so the UI's "Run" form is typed: action
(remind, extend, delegate), cycle, unit, with_subunits, stage, task_id, days, reason, nip,
delegate, first and last day away. It calls the same models function as ``kinerja tasks
delegate|extend|remind`` and writes a table artifact with each item's result (task, person,
ok / skipped / refused). A run with a refused item ends Failed, after writing the artifact,
so that the coordinator sees it in red; retrying that run does not apply the action again.
The queued messages go out with the dispatcher.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.context import TaskRunContext

from kinerja.models.humantasks.admin import TaskAction, run_action
from kinerja.models.humantasks.itemresult import COLUMNS
from kinerja.models.store.clock import SYSTEM_CLOCK
from kinerja.models.store.db import get_engine, session_scope

ARTIFACT_KEY = "hr-task-action"


class ActionRefused(RuntimeError):
    """At least one item of the action was refused (the artifact says which and why)."""


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


@flow(name="hr-task-action")
def hr_task_action(request: TaskAction, db_url: str | None = None) -> list[dict[str, str]]:
    """Apply one HR task action and report every item's result as a table artifact."""
    rows = apply_task_action(db_url, request)
    refused = sum(1 for r in rows if r["outcome"] == "refused")
    create_table_artifact(
        key=ARTIFACT_KEY,
        table=[{c: r[c] for c in COLUMNS} for r in rows],
        description=(
            f"**{request.action}**: {len(rows)} item(s), {refused} refused / "
            f"{len(rows)} butir, {refused} ditolak"
        ),
    )
    if refused:
        raise ActionRefused(f"{refused} of {len(rows)} item(s) refused / ditolak")
    return rows
