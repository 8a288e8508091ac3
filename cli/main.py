"""The ``kinerja`` command line: thin, it parses and calls the same services as the portal.

Every command prints a clear message naming the file, row or field on bad input, exits
non-zero on failure, and changes nothing when it fails.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from kinerja.cli import appeals, citizens, faults, people, runs
from kinerja.cli import documents as documents_cli
from kinerja.cli import portal as portal_cli
from kinerja.cli import serve as serve_cli
from kinerja.cli import training as training_cli
from kinerja.cli.common import (
    database_url,
    echo_table,
    fail,
    require_schema,
    run_guarded,
)
from kinerja.cli.imports import run_import
from kinerja.cli.policy import policy_app
from kinerja.cli.readable import advance_line, messages_line, stage_label

app = typer.Typer(
    help="Kinerja: the performance cycle for a whole organisation, on Prefect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The application database.", no_args_is_help=True)
org_app = typer.Typer(help="The organisation: units and employees.", no_args_is_help=True)
cycle_app = typer.Typer(help="Performance cycles.", no_args_is_help=True)
targets_app = typer.Typer(help="Targets (SKP / RHK).", no_args_is_help=True)
metrics_app = typer.Typer(help="Realisation per target and period.", no_args_is_help=True)
survey_app = typer.Typer(help="Citizen satisfaction survey (SKM).", no_args_is_help=True)
results_app = typer.Typer(help="Results of a cycle.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
notify_app = typer.Typer(help="The notification outbox.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (org_app, "org"),
    (cycle_app, "cycle"),
    (targets_app, "targets"),
    (metrics_app, "metrics"),
    (survey_app, "survey"),
    (results_app, "results"),
    (audit_app, "audit"),
    (notify_app, "notify"),
):
    app.add_typer(sub, name=name)


# --- database ---------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the application database to the latest schema."""
    from kinerja.models.store.db import describe_url
    from kinerja.models.store.migrate import upgrade

    url = database_url()
    revision = run_guarded(lambda: upgrade(url))
    typer.echo(f"database {describe_url(url)} is at revision {revision}")


# --- imports ----------------------------------------------------------------------------------


def _report_imports(reports: list[Any]) -> None:
    for r in reports:
        typer.echo(f"{r.kind}: {r.rows} rows from {r.file} ({r.inserted} new, {r.updated} updated)")


@org_app.command("import")
def org_import(
    source: Path = typer.Argument(
        ..., help="A directory with units.csv and employees.csv, or one .xlsx workbook"
    ),
    policy: str | None = typer.Option(
        None,
        "--policy",
        help="The policy pack whose NIP format applies (a name or a path; default: the pack"
        " of the newest cycle; with no cycle, any text)",
    ),
) -> None:
    """Import units and employees (all-or-nothing)."""
    from kinerja.models.cycles.files import org_nip_format
    from kinerja.models.imports.org import import_org
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> list[Any]:
        with session_scope(engine) as session:
            nips, source_of = org_nip_format(session, policy=policy)
            typer.echo(f"NIP format / bentuk NIP: {source_of}", err=True)
            return import_org(session, source=source, nip_format=nips)

    _report_imports(run_import(run, source=source))


def _import_cycle_file(kind: str, path: Path, cycle_id: str | None) -> None:
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.cycles.files import import_cycle_file
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> Any:
        with session_scope(engine) as session:
            cycle = get_cycle(session, cycle_id)
            return import_cycle_file(session, cycle=cycle, kind=kind, path=path)

    _report_imports([run_import(run, source=path)])


CYCLE_OPTION = typer.Option(None, "--cycle", help="Cycle id (default: the newest cycle)")


@targets_app.command("import")
def targets_import(path: Path, cycle: str | None = CYCLE_OPTION) -> None:
    """Import proposed targets (targets.csv or .xlsx)."""
    _import_cycle_file("targets", path, cycle)


@metrics_app.command("import")
def metrics_import(path: Path, cycle: str | None = CYCLE_OPTION) -> None:
    """Import realisation per target and period (metrics.csv or .xlsx)."""
    _import_cycle_file("metrics", path, cycle)


_OTHER_CYCLE_FILES = (
    "goals",
    "reviews",
    "checkins",
    "unit_ratings",
    "attendance",
    "discipline",
    "functional_positions",
    "competencies",
)


@cycle_app.command("import")
def cycle_import(
    kind: str = typer.Argument(..., help=", ".join(_OTHER_CYCLE_FILES)),
    path: Path = typer.Argument(...),
    cycle: str | None = CYCLE_OPTION,
) -> None:
    """Import another of a cycle's files: goals, reviews, unit_ratings, attendance,
    discipline, functional_positions or competencies."""
    if kind not in _OTHER_CYCLE_FILES:
        fail(f"unknown file kind {kind!r}: {', '.join(_OTHER_CYCLE_FILES)}")
    _import_cycle_file(kind, path, cycle)


@survey_app.command("import")
def survey_import(path: Path, cycle: str | None = CYCLE_OPTION) -> None:
    """Import citizen satisfaction answers (survey.csv or .xlsx)."""
    from kinerja.models.cycles.cycle import get_cycle, pack_of
    from kinerja.models.cycles.files import import_survey_file
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> Any:
        with session_scope(engine) as session:
            return import_survey_file(session, pack=pack_of(get_cycle(session, cycle)), path=path)

    _report_imports([run_import(run, source=path)])


# --- cycles -----------------------------------------------------------------------------------


@cycle_app.command("start")
def cycle_start(
    config: Path = typer.Argument(..., help="The cycle config (cycle.yaml)"),
    run: bool = typer.Option(True, help="Run the cycle flow now (until people must act)"),
) -> None:
    """Create a cycle from its config, print its id, and run the cycle flow."""
    from kinerja.models.cycles.cycle import create_cycle, with_routes_resolved
    from kinerja.models.schemas.config import load_cycle_config
    from kinerja.models.store.clock import SYSTEM_CLOCK
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    cfg = run_guarded(lambda: load_cycle_config(config))
    # The cycle's own notification routes must load before the cycle exists.
    routes = run_guarded(lambda: with_routes_resolved(cfg, config.parent)).notifications.routes
    if routes:
        from kinerja.models.outbox.routes import Routes

        run_guarded(lambda: Routes.load(routes))

    def create() -> str:
        with session_scope(engine) as session:
            return create_cycle(
                session, config=cfg, config_dir=config.parent, now=SYSTEM_CLOCK.now()
            ).cycle_id

    cycle_id = run_guarded(create)
    typer.echo(cycle_id)
    if run:
        faults.before_flows()
        from kinerja.flows.trigger import advance_cycle

        result = advance_cycle(cycle_id, db_url=database_url(), key="start")
        typer.echo(advance_line(result), err=True)


@cycle_app.command("run")
def cycle_run(cycle: str | None = typer.Argument(None)) -> None:
    """Run the cycle flow now: advance the cycle as far as it can go (idempotent)."""
    from kinerja.flows.trigger import advance_cycle
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        cycle_id = run_guarded(lambda: get_cycle(session, cycle)).cycle_id
    faults.before_flows()
    typer.echo(advance_line(advance_cycle(cycle_id, db_url=database_url())))


@cycle_app.command("status")
def cycle_status(cycle: str | None = typer.Argument(None)) -> None:
    """Stage, open tasks by unit, late tasks and failed messages of a cycle."""
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.cycles.reports import (
        next_step,
        open_tasks_by_unit,
        period_table,
        stage_table,
    )
    from kinerja.models.outbox.status import notify_status
    from kinerja.models.stages.gates import pending_gate
    from kinerja.models.store.clock import cycle_now
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        c = run_guarded(lambda: get_cycle(session, cycle))
        now = cycle_now(c.clock_at)
        typer.echo(
            f"cycle {c.cycle_id}: {c.name}  status={c.status}"
            f"  stage={stage_label(c.current_stage, c.status)}"
            f"  policy={c.pack_name}@{c.pack_version}  now={now:%Y-%m-%d}"
        )
        gate = pending_gate(session, c)
        waits = (
            f"gate {gate}: menunggu tanda tangan koordinator SDM / waits for the HR"
            " coordinator's signature (kinerja gate)"
            if gate
            else next_step(session, cycle=c, now=now)
        )
        typer.echo(f"next / berikutnya: {waits}")
        echo_table(
            stage_table(session, cycle_id=c.cycle_id),
            [
                "stage",
                "status",
                "tasks",
                "done",
                "late",
                "escalated",
                "expired",
                "open",
                "sent",
                "queued",
            ],
        )
        rows = [
            {"unit": u, "stage": s, "open": n, "late": int(late or 0)}
            for u, s, n, late in open_tasks_by_unit(session, cycle_id=c.cycle_id, now=now)
        ]
        if rows:
            typer.echo("\nopen tasks by unit:")
            echo_table(rows, ["unit", "stage", "open", "late"])
        periods = period_table(session, cycle_id=c.cycle_id)
        if periods:
            typer.echo("\nperiods / periode:")
            echo_table(
                periods,
                ["period", "people", "achievement", "expected", "at_risk", "checked_in"]
                + ["predikat", "tukin"],
            )
        from kinerja.models.cycles.cycle import cycle_config

        config = cycle_config(c)
        survey = citizens.progress_rows(session, start=config.period_start, end=config.period_end)
        if survey:
            typer.echo("\nSKM survey forms (respondents against the Krejcie-Morgan sample):")
            echo_table(survey, citizens.PROGRESS_COLUMNS)
        status = notify_status(session, cycle_id=c.cycle_id)
        typer.echo(f"\n{messages_line(status)}")


# --- people's tasks and whole runs (cli/people.py, cli/runs.py) ------------------------------

people.register(app)
runs.register(app, results_app, audit_app, notify_app)
app.add_typer(policy_app, name="policy")
appeals.register(app)
citizens.register(app, survey_app)
training_cli.register(app)
serve_cli.register(app)
portal_cli.register(app)
documents_cli.register(app)


@app.callback()
def _options(
    debug: bool = typer.Option(
        False, "--debug", help="Show the traceback of a failure / tampilkan rincian kesalahan"
    ),
) -> None:
    """Kinerja: the performance cycle for a whole organisation, on Prefect."""
    if debug:
        os.environ[faults.DEBUG_ENV] = "1"


def main() -> None:
    """The ``kinerja`` command: a failure ends in one clear line (see cli/faults.py)."""
    try:
        app()
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure ends in one line
        code = faults.report(exc)
        faults.drain_prefect()
        sys.exit(code)
    finally:
        faults.drain_prefect()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    main()

__all__ = ["app", "main"]
