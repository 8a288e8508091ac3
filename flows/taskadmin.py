"""The ``hr-task-action`` flow: the HR coordinator's task actions from the Prefect UI.

``kinerja serve`` serves it as ``hr-task-action/hr-task-action``. Its one parameter is a
:class:`~kinerja.models.taskadmin.TaskAction`, so the UI's "Run" form is typed: action
(remind, extend, delegate), cycle, unit, with_subunits, stage, task_id, days, reason, nip,
delegate, first and last day away. It calls the same models function as ``kinerja tasks
delegate|extend|remind`` and writes a table artifact with each item's result (task, person,
ok / skipped / refused). A run with a refused item ends Failed, after writing the artifact,
so that the coordinator sees it in red. The queued messages go out with the dispatcher.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from kinerja.models.clock import SYSTEM_CLOCK
from kinerja.models.db import get_engine, session_scope
from kinerja.models.itemresult import COLUMNS
from kinerja.models.taskadmin import TaskAction, run_action

ARTIFACT_KEY = "hr-task-action"


class ActionRefused(RuntimeError):
    """At least one item of the action was refused (the artifact says which and why)."""


@task(name="apply-task-action", cache_policy=NO_CACHE)
def apply_task_action(db_url: str | None, request: TaskAction) -> list[dict[str, str]]:
    # No retries: a refusal is an answer, not a transient failure; and the action is
    # idempotent anyway (keys on messages, refusal of overlapping absences).
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
