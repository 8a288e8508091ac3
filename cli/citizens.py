"""Commands for the SKM survey online: open a unit's form and watch the forms' progress.

``kinerja survey form UNIT PERIOD`` prints the short link and writes the QR codes;
``kinerja survey forms`` lists every form with its respondents against the Krejcie-Morgan
sample of the unit's population (the coordinator's view of the survey).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from kinerja.cli.common import echo_table, fail, require_schema, run_guarded

complaints_app = typer.Typer(
    help="Citizens' complaints (pengaduan): LAPOR! imports, holidays, figures.",
    no_args_is_help=True,
)


def register(app: typer.Typer, survey_app: typer.Typer) -> None:
    """Add ``form`` and ``forms`` to ``kinerja survey``, and ``kinerja complaints``."""
    survey_app.command("form")(open_survey_form)
    survey_app.command("forms")(list_survey_forms)
    app.add_typer(complaints_app, name="complaints")


def _base() -> str:
    return (os.environ.get("KINERJA_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")


def open_survey_form(
    unit: str = typer.Argument(..., help="The service unit (unit_id)"),
    period: str = typer.Argument(..., help="Survey period: YYYY, YYYY-Sn, YYYY-Qn or YYYY-MM"),
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle whose pack (default: newest)"),
    qr_dir: Path | None = typer.Option(None, "--qr", help="Write skm-CODE.png and .svg here"),
) -> None:
    """Open (or show) the public SKM form of a service unit for a period."""
    import segno

    from kinerja.models.citizens.survey import SurveyError, open_form
    from kinerja.models.cycles.cycle import get_cycle, pack_of
    from kinerja.models.store.clock import SYSTEM_CLOCK
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> tuple[str, str]:
        with session_scope(engine) as session:
            pack = pack_of(get_cycle(session, cycle))
            if pack.ikm is None:
                fail("the cycle's pack has no IKM section / pack tanpa bagian IKM", 2)
            form = open_form(
                session, unit_id=unit, period=period, rules=pack.ikm, now=SYSTEM_CLOCK.now()
            )
            return form.form_id, f"{form.opens_on} .. {form.closes_on}"

    try:
        code, dates = run_guarded(run)
    except SurveyError as exc:
        fail(str(exc), 2)
    link = f"{_base()}/s/{code}"
    typer.echo(f"{unit} {period}: {link} (open {dates})")
    if qr_dir is not None:
        qr_dir.mkdir(parents=True, exist_ok=True)
        qr = segno.make(link, error="m")
        for kind, scale in (("png", 10), ("svg", 8)):
            path = qr_dir / f"skm-{code}.{kind}"
            qr.save(str(path), kind=kind, scale=scale, border=4)
            typer.echo(f"QR: {path}")


PROGRESS_COLUMNS = ["form", "unit", "period", "respondents", "required", "progress", "link"]


def progress_rows(session: Any, *, start: Any = None, end: Any = None) -> list[dict[str, Any]]:
    """One row per SKM form (those open within ``start``..``end`` when given): respondents
    so far against the Krejcie-Morgan sample of the unit's population."""
    from kinerja.models.citizens.survey import forms, progress

    rows: list[dict[str, Any]] = []
    for form in forms(session):
        if start is not None and (form.closes_on < start or form.opens_on > end):
            continue
        p = progress(session, form=form)
        rows.append(
            {
                "form": form.form_id,
                "unit": form.unit_id,
                "period": form.period,
                "respondents": p.respondents,
                "required": "-" if p.required is None else p.required,
                "progress": "-"
                if not p.required
                else f"{min(100, round(100 * p.respondents / p.required))}%",
                "link": f"{_base()}/s/{form.form_id}",
            }
        )
    return rows


def list_survey_forms() -> None:
    """Every SKM form: respondents so far against the sample the unit needs."""
    from kinerja.models.store.db import session_scope

    engine = require_schema()
    with session_scope(engine) as session:
        echo_table(progress_rows(session), PROGRESS_COLUMNS)


@complaints_app.command("import")
def complaints_import(path: Path) -> None:
    """Import complaints exported from SP4N-LAPOR! (lapor.csv), keeping LAPOR!'s ids."""
    from kinerja.cli.imports import run_import
    from kinerja.models.citizens.lapor import import_lapor
    from kinerja.models.store.clock import SYSTEM_CLOCK
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> Any:
        with session_scope(engine) as session:
            return import_lapor(session, path=path, now=SYSTEM_CLOCK.now())

    report = run_import(run, source=path)
    typer.echo(f"complaints: {report.rows} rows from {path.name} ({report.inserted} new)")


@complaints_app.command("holidays")
def complaints_holidays(path: Path) -> None:
    """Import public holidays (holidays.csv: day, name): not working days."""
    from kinerja.cli.imports import run_import
    from kinerja.models.citizens.calendar import import_holidays
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> Any:
        with session_scope(engine) as session:
            return import_holidays(session, path=path)

    report = run_import(run, source=path)
    typer.echo(f"holidays: {report.rows} rows from {path.name} ({report.inserted} new)")


@complaints_app.command("indicator")
def complaints_indicator(
    cycle: str | None = typer.Option(None, "--cycle", help="Cycle id (default: newest)"),
) -> None:
    """Write each unit's share of complaints answered on time into its complaint goal."""
    from kinerja.models.citizens.figures import feed_goals
    from kinerja.models.cycles.cycle import get_cycle
    from kinerja.models.store.clock import cycle_now
    from kinerja.models.store.db import session_scope

    engine = require_schema()

    def run() -> list[tuple[str, float]]:
        with session_scope(engine) as session:
            c = get_cycle(session, cycle)
            return feed_goals(session, cycle=c, now=cycle_now(c.clock_at))

    written = run_guarded(run)
    for goal_id, value in written:
        typer.echo(f"{goal_id}: {value:.2f}% answered on time")
    if not written:
        typer.echo("no complaint goal with complaints in the period / tidak ada yang ditulis")
