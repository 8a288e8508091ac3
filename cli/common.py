"""What every command shares: the database URL, clear failures, tables on the terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer
from sqlalchemy import Engine

T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` to standard error and exit with ``code``, without a traceback."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def database_url() -> str:
    from kinerja.models.store.db import default_url

    return default_url()


def require_schema() -> Engine:
    """The engine, once the database has been created with ``kinerja db upgrade``."""
    from sqlalchemy import inspect

    from kinerja.models.store.db import describe_url, get_engine

    url = database_url()
    engine = get_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    except Exception as exc:  # noqa: BLE001 - any connection problem is reported plainly
        from kinerja.cli.faults import describe

        fail(describe(exc) or f"cannot open the database {describe_url(url)}: {exc}")
    if "cycles" not in tables:
        fail(
            f"the database {describe_url(url)} has no Kinerja tables yet: "
            "run `kinerja db upgrade` / jalankan `kinerja db upgrade`"
        )
    return engine


def run_guarded(action: Callable[[], T]) -> T:
    """Run ``action``; known user errors become a clear message and exit code 2."""
    from kinerja.models.audit.keys import AuditKeyError
    from kinerja.models.cycles.cycle import CycleError
    from kinerja.models.humantasks.states import TaskError
    from kinerja.models.imports.errors import ImportRejected
    from kinerja.models.schemas.config import ConfigError

    try:
        return action()
    except (
        AuditKeyError,
        ConfigError,
        CycleError,
        TaskError,
        ImportRejected,
        FileNotFoundError,
    ) as exc:
        fail(str(exc), 2)
        raise  # unreachable; keeps type checkers content


def echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    from kinerja.models.cycles.reports import format_table

    if not rows:
        typer.echo("(none)")
        return
    typer.echo(format_table(rows, columns))
