"""Commands for appeals (keberatan): file one, list them, decide one.

Thin: each command parses its options and calls :mod:`kinerja.models.appeals.filing` or the
response service, exactly as the portal does.
"""

from __future__ import annotations

from typing import Any

import typer

from kinerja.cli.common import echo_table, fail, require_schema, run_guarded

appeal_app = typer.Typer(
    help="Appeals (keberatan) against a published result; decided by the rater's superior.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``kinerja appeal file|list|decide`` to ``app``."""
    app.add_typer(appeal_app, name="appeal")


@appeal_app.command("file")
def file_(
    nip: str = typer.Argument(..., help="The employee who objects (their NIP)"),
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
    reason: str = typer.Option(..., "--reason", help="Why the result is contested"),
) -> None:
    """File an appeal within the window after publication (14 days for ASN)."""
    from kinerja.models.appeals.filing import file_appeal
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.store.clock import SYSTEM_CLOCK, cycle_now
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> dict[str, Any]:
        with session_scope(engine) as session:
            c = get_cycle(session, cycle)
            now = cycle_now(c.clock_at, SYSTEM_CLOCK)
            task = file_appeal(session, cycle_id=c.cycle_id, nip=nip, reason=reason, now=now)
            return {"id": task.id, "decider": task.assignee_nip, "due": task.due_at}

    out = run_guarded(run)
    typer.echo(
        f"appeal filed: task {out['id']}, decided by {out['decider']} "
        f"(due {out['due']:%Y-%m-%d}) / keberatan diajukan: tugas {out['id']}"
    )


@appeal_app.command("list")
def list_(
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
) -> None:
    """List a cycle's appeals with their decisions."""
    from kinerja.models.appeals.filing import list_appeals
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        c = run_guarded(lambda: get_cycle(session, cycle))
        rows = [
            {
                **row,
                "filed_at": f"{row['filed_at']:%Y-%m-%d}",
                "decision": row["decision"] or "",
                "decided_by": row["decided_by"] or "",
            }
            for row in list_appeals(session, cycle_id=c.cycle_id)
        ]
    echo_table(rows, ["task_id", "nip", "decider", "state", "filed_at", "decision", "decided_by"])


@appeal_app.command("decide")
def decide(
    task_id: int = typer.Argument(..., help="The appeal's task id (see `kinerja appeal list`)"),
    as_: str = typer.Option(..., "--as", help="Your NIP (the rater's superior)"),
    decision: str = typer.Option(..., help="uphold or reject"),
    reason: str = typer.Option(..., help="Why; also the HR coordinator's written reason"),
    hasil_kerja: str | None = typer.Option(None, help="uphold: the new result rating"),
    perilaku: str | None = typer.Option(None, help="uphold: the new behaviour rating"),
) -> None:
    """Decide an appeal (final) through the same response service as the portal."""
    from kinerja.models.humantasks.states import Actor
    from kinerja.models.responses.service import respond
    from kinerja.models.store.clock import SYSTEM_CLOCK, cycle_now
    from kinerja.models.store.db import session_scope
    from kinerja.models.store.tables import Cycle, HumanTask

    answer: dict[str, Any] = {"decision": decision, "reason": reason}
    if hasil_kerja is not None:
        answer["hasil_kerja"] = hasil_kerja
    if perilaku is not None:
        answer["perilaku"] = perilaku
    engine = require_schema()

    def run() -> Any:
        with session_scope(engine) as session:
            task = session.get(HumanTask, task_id)
            if task is None or task.kind != "decide_appeal":
                fail(f"Bukan tugas keberatan / not an appeal task: {task_id}", 2)
            cycle = session.get(Cycle, task.cycle_id)
            now = cycle_now(cycle.clock_at if cycle else None, SYSTEM_CLOCK)
            return respond(session, task_id=task_id, actor=Actor(as_, reason), data=answer, now=now)

    outcome = run_guarded(run)
    if not outcome.recorded:
        typer.echo(f"task {task_id}: this decision was already recorded; nothing changed")
        return
    typer.echo(f"appeal {task_id}: {decision} ({outcome.state}) / keberatan {task_id}: {decision}")
