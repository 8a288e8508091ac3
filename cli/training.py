"""Commands for training: record completed training, print a person's yearly JP ledger.

Thin: each command calls :mod:`kinerja.models.stages.training_ledger`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kinerja.cli import common
from kinerja.cli.common import require_schema, run_guarded
from kinerja.cli.imports import run_import

training_app = typer.Typer(
    help="Training (pengembangan kompetensi): completions and the yearly JP ledger.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``kinerja training import|ledger`` to ``app``."""
    app.add_typer(training_app, name="training")


@training_app.command("import")
def import_(
    path: Path = typer.Argument(..., help="training.csv (or .xlsx): nip, course, jp, completed_on"),
) -> None:
    """Record completed training in the JP ledger; matching planned courses are marked done."""
    from kinerja.models.stages.training_ledger import record_completions
    from kinerja.models.store.clock import SYSTEM_CLOCK
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> Any:
        with session_scope(engine) as session:
            return record_completions(session, path=path, now=SYSTEM_CLOCK.now())

    report, fulfilled = run_import(run, source=path)
    typer.echo(
        f"{report.kind}: {report.rows} rows from {report.file} ({report.inserted} new,"
        f" {report.updated} updated); {fulfilled} planned course(s) completed"
        f" / {fulfilled} rencana pelatihan selesai"
    )


@training_app.command("ledger")
def ledger(
    nip: str = typer.Argument(..., help="The employee (their NIP)"),
    year: int | None = typer.Option(None, "--year", help="One year (default: every year)"),
) -> None:
    """Print a person's JP ledger per year: planned and completed hours, the minimum met."""
    from kinerja.models.stages.training_ledger import ledger_for
    from kinerja.models.store.db import session_scope
    from kinerja.models.store.tables import Employee

    engine = require_schema()

    def run() -> list[str]:
        with session_scope(engine) as session:
            if session.get(Employee, nip) is None:
                common.fail(f"pegawai tidak dikenal / unknown employee: {nip}")
            return _lines(ledger_for(session, nip=nip, year=year))

    lines = run_guarded(run)
    if not lines:
        typer.echo(f"{nip}: belum ada JP tercatat / no JP recorded")
    for line in lines:
        typer.echo(line)


def _lines(years: list[Any]) -> list[str]:
    out: list[str] = []
    for y in years:
        out.append(f"{y.year}:")
        for e in y.entries:
            when = f" on {e.completed_on}" if e.completed_on else ""
            cycle = f" (cycle {e.cycle_id})" if e.cycle_id else ""
            out.append(f"  {e.status:<9} {e.jp:>6g} JP  {e.source}{when}{cycle}")
        out.append(
            f"  direncanakan / planned {y.planned_jp:g} JP (belum selesai / open {y.open_jp:g});"
            f" selesai / completed {y.completed_jp:g} JP"
        )
        if y.met is None:
            out.append("  minimum: tidak diketahui / unknown (no cycle's pack says it)")
        elif y.met:
            out.append(f"  minimum {y.minimum:g} JP: terpenuhi / met")
        else:
            short = y.minimum - y.completed_jp
            out.append(
                f"  minimum {y.minimum:g} JP: belum terpenuhi, kurang {short:g} JP"
                f" / not met, {short:g} JP short"
            )
    return out
