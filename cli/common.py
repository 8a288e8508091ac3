"""What every command shares: the database URL, clear failures, tables on the terminal."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
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


def echo_table(rows: list[dict[str, Any]], columns: list[str], *, title: str | None = None) -> None:
    """``rows`` as a Rich table of ``columns``: numbers right-aligned with Indonesian
    thousands separators (models/rules/numbers.py), ``-`` for no value, cell text never read
    as Rich markup. Off a terminal the table is as wide as it needs, so no cell is cut."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from kinerja.models.rules.numbers import cell

    if not rows:
        typer.echo("(none)")
        return
    table = Table(
        box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False, show_edge=False
    )
    for column in columns:
        numeric = all(
            isinstance(r.get(column), int | float | Decimal) and not isinstance(r.get(column), bool)
            for r in rows
            if r.get(column) is not None
        ) and any(r.get(column) is not None for r in rows)
        table.add_column(column, justify="right" if numeric else "left", overflow="fold")
    for r in rows:
        table.add_row(*(Text(cell(r.get(c))) for c in columns))
    console = Console(highlight=False)
    if not console.is_terminal:
        # A file or a pipe: as wide as the table needs, so no cell is folded.
        needed = Console(width=10_000).measure(table).maximum
        console = Console(highlight=False, width=max(needed, 20))
    console.print(table)
