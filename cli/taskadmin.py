"""``kinerja tasks delegate|end-absence|extend|remind|history|absences``: HR task actions.

Each action verb builds one :class:`~kinerja.models.schemas.requests.TaskAction` (the same request
the ``hr-task-action`` flow takes from the Prefect UI form), prints one row per item (task,
person, ``ok`` / ``skipped: ...`` / ``refused: ...``) and exits 1 if any item was refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from kinerja.cli.common import echo_table, require_schema, run_guarded


def register(tasks_app: typer.Typer) -> None:
    tasks_app.command("delegate")(delegate)
    tasks_app.command("extend")(extend)
    tasks_app.command("remind")(remind)
    tasks_app.command("history")(history)
    tasks_app.command("absences")(absences)
    tasks_app.command("end-absence")(end_absence)


def _apply(request: dict[str, Any]) -> None:
    from kinerja.models.humantasks.admin import run_action
    from kinerja.models.schemas.itemresult import COLUMNS, any_refused
    from kinerja.models.store.clock import SYSTEM_CLOCK
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        items = run_action(session, request=request, clock=SYSTEM_CLOCK)
    echo_table([i.row() for i in items], COLUMNS)
    if any_refused(items):
        raise typer.Exit(1)


def _day(value: str, option: str) -> str:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
    except ValueError:
        typer.echo(f"{option}: expected a date YYYY-MM-DD, got {value!r}", err=True)
        raise typer.Exit(2) from None


def delegate(
    nip: str = typer.Argument(..., help="NIP of the person away"),
    to: str = typer.Option(..., "--to", help="NIP of the delegate who acts meanwhile"),
    from_: str = typer.Option(..., "--from", help="First day away (YYYY-MM-DD)"),
    until: str = typer.Option(..., "--until", help="Last day away (YYYY-MM-DD)"),
    reason: str = typer.Option(..., "--reason", help="Why (cuti, dinas luar, ...)"),
    by: str | None = typer.Option(None, "--by", help="Who records it (default: HR coordinator)"),
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
) -> None:
    """Record an absence: the delegate acts on the person's tasks from --from to --until."""
    _apply(
        {
            "action": "delegate",
            "nip": nip,
            "delegate": to,
            "starts_on": _day(from_, "--from"),
            "ends_on": _day(until, "--until"),
            "reason": reason,
            "by": by,
            "cycle": cycle,
        }
    )


def end_absence(
    absence_id: int = typer.Argument(..., help="The absence (see kinerja tasks absences)"),
    last_day: str | None = typer.Option(
        None, "--last-day", help="The new last day away (YYYY-MM-DD); without it: cancel"
    ),
    reason: str = typer.Option(..., "--reason", help="Why (written in the audit log)"),
    by: str | None = typer.Option(None, "--by", help="Who records it (default: HR coordinator)"),
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
) -> None:
    """End an absence early, or cancel it: its delegations are lifted at once."""
    _apply(
        {
            "action": "end_absence",
            "absence_id": absence_id,
            "ends_on": None if last_day is None else _day(last_day, "--last-day"),
            "reason": reason,
            "by": by,
            "cycle": cycle,
        }
    )


def extend(
    task_id: int | None = typer.Argument(None, help="The task to extend (or use --unit)"),
    days: float = typer.Option(..., "--days", help="How many days more"),
    reason: str = typer.Option(..., "--reason", help="Why (written in the history)"),
    unit: str | None = typer.Option(None, "--unit", help="Every task of this unit's people"),
    with_subunits: bool = typer.Option(False, "--with-subunits", help="Units below it too"),
    stage: str | None = typer.Option(None, "--stage", help="Only this stage (default: open)"),
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
) -> None:
    """Extend the deadline (and final deadline) of one task, or of a unit's tasks."""
    _apply(
        {
            "action": "extend",
            "task_id": task_id,
            "unit": unit,
            "with_subunits": with_subunits,
            "stage": stage,
            "days": days,
            "reason": reason,
            "cycle": cycle,
        }
    )


def remind(
    unit: str = typer.Option(..., "--unit", help="Remind the people of this unit"),
    with_subunits: bool = typer.Option(False, "--with-subunits", help="Units below it too"),
    stage: str | None = typer.Option(None, "--stage", help="Only this stage (default: open)"),
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
) -> None:
    """One reminder now per active task of a unit's people (once a day at most)."""
    _apply(
        {
            "action": "remind",
            "unit": unit,
            "with_subunits": with_subunits,
            "stage": stage,
            "cycle": cycle,
        }
    )


def history(task_id: int = typer.Argument(..., help="The task id")) -> None:
    """Everything that happened to one task: opened, escalated, delegated, extended, answered."""
    from kinerja.models.humantasks.extensions import task_history
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        rows = run_guarded(lambda: task_history(session, task_id=task_id))
    echo_table(rows, ["at", "actor", "action", "detail"])


def absences(
    nip: str | None = typer.Option(None, "--nip", help="Only this person (away or delegate)"),
) -> None:
    """Recorded absences and their delegates."""
    from kinerja.models.humantasks.absences import list_absences
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        rows = [
            {
                "id": a.id,
                "nip": a.nip,
                "delegate": a.delegate_nip,
                "from": a.starts_on.isoformat(),
                "until": a.ends_on.isoformat(),
                "reason": a.reason,
                "by": a.recorded_by,
            }
            for a in list_absences(session, nip=nip)
        ]
    echo_table(rows, ["id", "nip", "delegate", "from", "until", "reason", "by"])
