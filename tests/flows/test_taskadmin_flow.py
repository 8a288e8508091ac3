"""The hr-task-action flow: a typed request from the Prefect form, a table artifact of the
result of every item, and a Failed run when an item was refused."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kinerja.flows.taskadmin import ARTIFACT_KEY, hr_task_action
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.schemas.requests import TaskAction
from kinerja.models.store.db import get_engine
from kinerja.models.store.tables import Cycle, HumanTask
from kinerja.tests.models.orgfixture import (
    CYCLE_ID,
    START,
    A,
    B,
    H,
    M,
    approvals,
    build_org,
    days,
    open_with_tasks,
    task_by,
)


def _artifact_rows() -> list[dict[str, str]]:
    import json

    from prefect.artifacts import Artifact

    artifact = Artifact.get(ARTIFACT_KEY)
    assert artifact is not None and artifact.type == "table"
    data = artifact.data
    return json.loads(data) if isinstance(data, str) else data


def test_extend_a_unit_from_the_form_writes_a_result_table(db_url):
    engine = get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        tasks = [*approvals(), NewTask("approve_targets", M, H, {"targets": 0})]
        open_with_tasks(session, org=org, stage="approve_targets", tasks=tasks, now=START)
        # The cycle runs on its own clock (as a simulated one does): the flow reads it.
        session.get(Cycle, CYCLE_ID).clock_at = START + days(1)
        a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
        b.state = "done"
        session.commit()
        ids = (a.id, b.id)

    request = TaskAction(action="extend", unit="SEC", days=3, reason="gangguan jaringan")
    rows = hr_task_action(request=request, db_url=db_url)
    assert [r["outcome"] for r in rows] == ["ok", "skipped"]
    assert _artifact_rows() == [
        {"task": str(ids[0]), "person": M, "result": "ok: due 2025-01-23"},
        {"task": str(ids[1]), "person": M, "result": "skipped: closed"},
    ]
    with Session(engine) as session:
        assert session.get(HumanTask, ids[0]).due_at == START + days(17)

    refused = hr_task_action(
        request=TaskAction(action="remind", unit="NOPE"), db_url=db_url, return_state=True
    )
    assert refused.is_failed()
    (row,) = _artifact_rows()
    assert row["task"] == "" and row["result"].startswith("refused: ")
    assert "unknown unit: NOPE" in row["result"]


def test_retrying_a_failed_run_does_not_extend_twice(db_url):
    from sqlalchemy import func, select

    from kinerja.models.store.tables import TaskExtension

    engine = get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        tasks = [*approvals(), NewTask("approve_targets", M, H, {"targets": 0})]
        open_with_tasks(session, org=org, stage="approve_targets", tasks=tasks, now=START)
        session.get(Cycle, CYCLE_ID).clock_at = START + days(1)
        a, b = task_by(session, "approve_targets", A), task_by(session, "approve_targets", B)
        b.final_due_at = START - days(5)  # +3 days is still past: refused
        session.commit()
        a_id, due = a.id, a.due_at

    request = TaskAction(action="extend", unit="SEC", days=3, reason="gangguan jaringan")
    state = hr_task_action.with_options(retries=2, retry_delay_seconds=0)(
        request=request, db_url=db_url, return_state=True
    )
    assert state.is_failed()  # refused each attempt, and each attempt reported it
    with Session(engine) as session:
        assert session.get(HumanTask, a_id).due_at == due + days(3)  # once, not three times
        assert session.scalar(select(func.count()).select_from(TaskExtension)) == 1
