"""Commands for people's tasks: list them, respond to one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from kinerja.cli import faults
from kinerja.cli.common import database_url, echo_table, fail, require_schema, run_guarded
from kinerja.cli.readable import advance_line


def register(app: typer.Typer) -> None:
    from kinerja.cli import taskadmin

    # `kinerja tasks` alone lists tasks; its sub-verbs are the HR coordinator's actions.
    tasks_app = typer.Typer(
        help="Human tasks: list them, or (HR) delegate, extend, remind, history."
    )
    tasks_app.callback(invoke_without_command=True)(tasks)
    taskadmin.register(tasks_app)
    app.add_typer(tasks_app, name="tasks")
    app.command("respond")(respond)


def tasks(
    ctx: typer.Context,
    as_: str | None = typer.Option(None, "--as", help="Only the tasks this NIP may act on"),
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
    all_: bool = typer.Option(False, "--all", help="Closed tasks too"),
    limit: int = typer.Option(50, help="At most this many rows"),
) -> None:
    """List open human tasks (id, kind, about whom, who must act, due date)."""
    if ctx.invoked_subcommand is not None:
        return
    from sqlalchemy import or_, select

    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.store.db import session_scope
    from kinerja.models.store.tables import HumanTask

    engine = require_schema()
    with session_scope(engine) as session:
        c = run_guarded(lambda: get_cycle(session, cycle))
        query = select(HumanTask).where(HumanTask.cycle_id == c.cycle_id)
        if not all_:
            query = query.where(HumanTask.state.in_(("open", "escalated")))
        if as_:
            query = query.where(
                or_(
                    HumanTask.assignee_nip == as_,
                    HumanTask.delegate_nip == as_,
                    HumanTask.escalated_to == as_,
                )
            )
        rows = [
            {
                "id": t.id,
                "stage": t.stage,
                "kind": t.kind,
                "subject": t.subject_nip,
                "assignee": t.assignee_nip,
                "state": t.state,
                "due": f"{t.due_at:%Y-%m-%d}",
                "escalated_to": t.escalated_to or "",
                "delegate": t.delegate_nip or "",
            }
            for t in session.scalars(query.order_by(HumanTask.id).limit(limit))
        ]
    columns = ["id", "stage", "kind", "subject", "assignee", "state", "due", "escalated_to"]
    echo_table(rows, [*columns, "delegate"])


def respond(
    task_id: int = typer.Argument(..., help="The task id (see `kinerja tasks`)"),
    as_: str = typer.Option(..., "--as", help="Your NIP"),
    reason: str | None = typer.Option(None, help="Required when the HR coordinator acts"),
    data: str | None = typer.Option(None, "--json", help="The whole answer as JSON"),
    file: Path | None = typer.Option(None, "--file", help="The whole answer as a JSON file"),
    decision: str | None = typer.Option(None, help="approve_targets: approve or return"),
    comment: str | None = typer.Option(None, help="A comment"),
    hasil_kerja: str | None = typer.Option(None, help="review: di_atas, sesuai or di_bawah"),
    perilaku: str | None = typer.Option(None, help="review: di_atas, sesuai or di_bawah"),
    text: str | None = typer.Option(None, help="write_feedback: the feedback"),
    advance: bool = typer.Option(True, help="Run the cycle on when this closes the stage"),
) -> None:
    """Answer a task through the same response service as the portal."""
    from kinerja.models.humantasks.states import Actor
    from kinerja.models.responses.service import respond as respond_service
    from kinerja.models.store.clock import SYSTEM_CLOCK, cycle_now
    from kinerja.models.store.db import session_scope
    from kinerja.models.store.tables import Cycle, HumanTask

    answer: dict[str, Any] = {}
    if file is not None:
        answer.update(json.loads(file.read_text(encoding="utf-8")))
    if data:
        try:
            answer.update(json.loads(data))
        except json.JSONDecodeError as exc:
            fail(f"--json is not valid JSON: {exc}", 2)
    for key, value in (
        ("decision", decision),
        ("comment", comment),
        ("hasil_kerja", hasil_kerja),
        ("perilaku", perilaku),
        ("text", text),
    ):
        if value is not None:
            answer[key] = value
    engine = require_schema()

    def run() -> Any:
        with session_scope(engine) as session:
            task = session.get(HumanTask, task_id)
            if task is None:
                fail(f"Tugas tidak dikenal / unknown task: {task_id}", 2)
            cycle = session.get(Cycle, task.cycle_id)
            now = cycle_now(cycle.clock_at if cycle else None, SYSTEM_CLOCK)
            if task.kind == "acknowledge_feedback" and not answer:
                answer["acknowledged"] = True
            return respond_service(
                session, task_id=task_id, actor=Actor(as_, reason), data=answer, now=now
            ), task.cycle_id

    outcome, cycle_id = run_guarded(run)
    if not outcome.recorded:
        typer.echo(f"task {task_id}: this answer was already recorded; nothing changed")
        return
    typer.echo(f"task {task_id}: {outcome.state}")
    if outcome.stage_complete:
        typer.echo(f"stage {outcome.stage} has no open task left")
        if advance:
            faults.before_flows()
            from kinerja.flows.trigger import advance_cycle

            result = advance_cycle(
                cycle_id, db_url=database_url(), key=f"{outcome.stage}-{task_id}"
            )
            typer.echo(advance_line(result))
