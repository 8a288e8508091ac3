"""The ``hr-task-action`` flow: the HR coordinator's task actions from the Prefect UI.

``kinerja serve`` serves it as ``hr-task-action/hr-task-action``. Its one parameter is a
:class:`~kinerja.models.schemas.requests.TaskAction`, so the UI's "Run" form is typed: action
(remind, extend, delegate), cycle, unit, with_subunits, stage, task_id, days, reason, nip,
delegate, first and last day away. It calls the same models function as ``kinerja tasks
delegate|extend|remind`` and writes a table artifact with each item's result (task, person,
ok / skipped / refused). A run with a refused item ends Failed, after writing the artifact,
so that the coordinator sees it in red; retrying that run does not apply the action again.
The queued messages go out with the dispatcher.
"""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_table_artifact

from kinerja.models.schemas.itemresult import COLUMNS
from kinerja.models.schemas.requests import TaskAction
from kinerja.tasks.taskadmin import apply_task_action

ARTIFACT_KEY = "hr-task-action"


class ActionRefused(RuntimeError):
    """At least one item of the action was refused (the artifact says which and why)."""


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
