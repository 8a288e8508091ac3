"""Commands about whole runs: results, explain, audit (cli/audit.py), notifications, sweep,
simulate, demo."""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

import typer

from kinerja.cli import audit, faults
from kinerja.cli import notify as notify_cli
from kinerja.cli.common import database_url, echo_table, fail, require_schema, run_guarded


def register(
    app: typer.Typer, results_app: typer.Typer, audit_app: typer.Typer, notify_app: typer.Typer
) -> None:
    results_app.command("export")(results_export)
    app.command("explain")(explain)
    audit.register(audit_app)
    notify_cli.register(notify_app)
    app.command("sweep")(sweep)
    app.command("simulate")(simulate)
    app.command("demo")(demo)


def results_export(
    cycle: str = typer.Argument(..., help="The cycle id"),
    format_: str = typer.Option("csv", "--format", help="csv, xlsx or json"),
    out: Path | None = typer.Option(
        None, "--out", help="Write here (default: standard output; xlsx needs --out)"
    ),
) -> None:
    """Export every employee's result of a cycle."""
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.results.exports import export_results, export_results_xlsx
    from kinerja.models.store.db import session_scope

    if format_ not in ("csv", "xlsx", "json"):
        fail(f"unknown format {format_!r}: csv, xlsx or json", 2)
    engine = require_schema()
    with session_scope(engine) as session:
        cycle_id = run_guarded(lambda: get_cycle(session, cycle)).cycle_id
        if format_ == "xlsx":
            if out is None:
                fail("xlsx needs --out FILE.xlsx", 2)
            if not out.parent.is_dir():  # before the workbook opens a file it cannot finish
                raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(out.parent))
            done = export_results_xlsx(session, cycle_id=cycle_id, path=out)
            typer.echo(f"wrote {out}")
            if done.cut:
                typer.echo(
                    f"{len(done.cut)} value(s) longer than an Excel cell holds were cut"
                    f" / {len(done.cut)} nilai melebihi batas sel Excel dipotong:",
                    err=True,
                )
                for cell in done.cut:
                    typer.echo(f"  {cell}", err=True)
            return
        text = export_results(session, cycle_id=cycle_id, fmt=format_)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


def explain(
    nip: str = typer.Argument(..., help="The employee's NIP"),
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
) -> None:
    """Print every input, rule and intermediate value behind one person's result."""
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.results.explain import explain_lines
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        c = run_guarded(lambda: get_cycle(session, cycle))
        lines = explain_lines(session, cycle=c, nip=nip)
    if lines is None:
        fail(f"no result for {nip} in cycle {c.cycle_id} / tidak ada hasil", 2)
    typer.echo("\n".join(lines))


def sweep() -> None:
    """Run the sweeper once: reminders, escalations, final deadlines; then advance cycles."""
    _quiet_prefect()
    require_schema()
    faults.before_flows()
    from kinerja.cli.readable import DISPATCH_OUTCOMES, counts, sweep_line
    from kinerja.flows.sweeper import sweeper

    swept = sweeper(db_url=database_url(), alert_ops=bool(os.environ.get("PREFECT_API_URL")))
    if not swept["cycles"]:
        typer.echo("tidak ada siklus berjalan / no running cycle")
    for cycle_id, result in swept["cycles"].items():
        typer.echo(sweep_line(cycle_id, result))
    complaints = swept["complaints"]
    if complaints["reminders"] or complaints["escalations"]:
        typer.echo(
            f"pengaduan / complaints: {complaints['reminders']} pengingat / reminders,"
            f" {complaints['escalations']} eskalasi / escalations"
        )
    typer.echo(f"notifikasi / notifications: {counts(swept['messages'], DISPATCH_OUTCOMES)}")


def _quiet_prefect() -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def simulate(directory: Path = typer.Argument(..., help="A scenario directory")) -> None:
    """Run a whole cycle on a scenario directory, simulated people answering."""
    _quiet_prefect()
    require_schema()
    _run_simulation(directory, mail_dir=None)


def _run_simulation(directory: Path, *, mail_dir: Path | None) -> None:
    faults.before_flows()
    from kinerja.flows.simulate import simulate as run
    from kinerja.models.cycles.reports import period_table, stage_table
    from kinerja.models.store.db import session_scope

    started = time.monotonic()
    catcher = None
    if mail_dir is not None:
        from kinerja.tasks.mailcatcher import CatcherProcess

        # In a child process: receiving and storing mail does not take the demo's own CPU.
        catcher = CatcherProcess(mail_dir)
        catcher.start()
        os.environ["KINERJA_SMTP_HOST"] = "127.0.0.1"
        os.environ["KINERJA_SMTP_PORT"] = str(catcher.port)
    try:
        report = run_guarded(
            lambda: run(
                directory, db_url=database_url(), progress=lambda line: typer.echo(f"  {line}")
            )
        )
    finally:
        if catcher is not None:
            catcher.stop()
    from kinerja.models.outbox.status import notify_status
    from kinerja.models.store.db import get_engine

    with session_scope(get_engine(database_url())) as session:
        rows = stage_table(session, cycle_id=report.cycle_id)
        periods = period_table(session, cycle_id=report.cycle_id)
        outbox = notify_status(session, cycle_id=report.cycle_id)
    typer.echo("")
    echo_table(rows, ["stage", "status", "tasks", "done", "late", "escalated", "expired", "sent"])
    if periods:
        typer.echo("")
        echo_table(
            periods,
            [
                "period",
                "people",
                "achievement",
                "expected",
                "at_risk",
                "checked_in",
                "predikat",
                "tukin",
            ],
        )
    typer.echo(
        f"\ncycle {report.cycle_id}: {report.days} simulated days, {report.answers} "
        f"answers, {report.reminders} reminders, {report.escalations} escalations, "
        f"{report.expired} closed at the final deadline, {report.sent} messages sent, "
        f"{report.dead} dead; {time.monotonic() - started:.1f} s"
    )
    waiting = outbox["by_status"].get("pending", 0) + outbox["by_status"].get("sending", 0)
    if waiting:
        # Retries wait on the wall clock, not the simulated one: a relay that failed during
        # the run leaves messages queued for `kinerja notify send`.
        typer.echo(
            f"{waiting} pesan masih menunggu dikirim / {waiting} message(s) still queued"
            " (kinerja notify status, kinerja notify send)"
        )


def demo(
    employees: int = typer.Option(200, "--employees", min=2, help="How many people"),
    directory: Path = typer.Option(
        Path("kinerja-demo"), "--dir", help="Where the scenario, database, mail and exports go"
    ),
    seed: int = typer.Option(7, help="Random seed of the generated organisation"),
    fresh: bool = typer.Option(False, help="Delete the directory first and start over"),
    chunk_size: int | None = typer.Option(
        None, "--chunk-size", min=1, help="Employees per Prefect task (default: the scenario's)"
    ),
    periods: str = typer.Option(
        "monthly",
        "--periods",
        help="monthly: each month reported, checked in and paid (tukin); quarterly: an"
        " annual cycle with quarterly metrics",
    ),
) -> None:
    """Generate a scenario of N people and simulate its whole cycle (embedded defaults)."""
    from kinerja.models.scenarios.generator import generate_scenario

    _quiet_prefect()
    directory = directory.resolve()
    scenario = directory / "scenario"
    marker = directory / "scenario.txt"
    if periods not in ("monthly", "quarterly"):
        fail(f"--periods must be monthly or quarterly, not {periods!r}", 2)
    wanted = f"employees={employees} seed={seed} chunk_size={chunk_size} periods={periods}\n"
    if fresh and directory.exists():
        shutil.rmtree(directory)
    if marker.exists() and marker.read_text() != wanted:
        fail(
            f"{directory} holds another demo ({marker.read_text().strip()}); "
            "use --fresh or another --dir",
            2,
        )
    directory.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KINERJA_HOME", str(directory))
    os.environ.setdefault("KINERJA_DATABASE_URL", f"sqlite:///{directory / 'kinerja.db'}")
    if not marker.exists():
        summary = generate_scenario(scenario, employees=employees, seed=seed, periods=periods)
        if chunk_size is not None:
            _set_chunk_size(scenario / "cycle.yaml", chunk_size)
        marker.write_text(wanted)
        typer.echo(f"scenario: {summary.directory} ({employees} employees)")
    else:
        typer.echo(f"continuing the demo in {directory}")
    from kinerja.models.store.db import describe_url
    from kinerja.models.store.migrate import upgrade

    upgrade(database_url())
    typer.echo(f"database: {describe_url(database_url())}")
    mail = directory / "mail"
    _run_simulation(scenario, mail_dir=mail)
    typer.echo(f"mail: {mail} ({len(list(mail.glob('*.eml')))} messages)")
    typer.echo(f"exports: {Path(os.environ['KINERJA_HOME']) / 'exports'}")  # may be preset


def _set_chunk_size(path: Path, chunk_size: int) -> None:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["chunk_size"] = chunk_size
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
